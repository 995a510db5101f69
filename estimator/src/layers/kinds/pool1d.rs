//! MaxPooling1D/AveragePooling1D (hls4ml `Pooling1D`): [`pooling::analyse`]; on a GPU one
//! elementwise reduction. This kind's [`LayerModel`] and [`GpuModel`] (dispatched by
//! `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{pooling, Analysis, LayerCtx};

impl LayerModel for ir::ops::Pool1D {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        pooling::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::Pool1D {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Pool
    }
}
