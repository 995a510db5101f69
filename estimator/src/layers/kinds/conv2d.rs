//! Conv2D (hls4ml `Conv2D`/`PointwiseConv2D`): [`conv2d::analyse`]; on a GPU an implicit GEMM. This
//! kind's [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{conv2d, Analysis, LayerCtx};

impl LayerModel for ir::ops::Conv2D {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        conv2d::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::Conv2D {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Gemm
    }
}
