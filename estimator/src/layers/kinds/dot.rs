//! Dot (hls4ml `Dot`, `nnet::dot1d`): [`dot::analyse`]; on a GPU one elementwise kernel (a
//! product and an add per element). This kind's [`LayerModel`] and [`GpuModel`] (dispatched by
//! `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{dot, Analysis, LayerCtx};

impl LayerModel for ir::ops::Dot {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        dot::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::Dot {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Merge
    }
}
