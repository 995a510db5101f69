//! Concatenate (hls4ml `Concatenate`): [`merge::analyse`]; on a GPU a copy. This kind's
//! [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{merge, Analysis, LayerCtx};

impl LayerModel for ir::ops::Concatenate {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        merge::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::Concatenate {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Copy
    }
}
