//! Global pooling, 1-D and 2-D (hls4ml `GlobalPooling1D/2D`): [`pooling::analyse`]; on a GPU one
//! elementwise reduction. This kind's [`LayerModel`] and [`GpuModel`] (dispatched by
//! `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{pooling, Analysis, LayerCtx};

impl LayerModel for ir::ops::GlobalPool1D {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        pooling::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::GlobalPool1D {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Pool
    }
}

impl LayerModel for ir::ops::GlobalPool2D {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        pooling::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::GlobalPool2D {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Pool
    }
}
