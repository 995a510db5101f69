//! DepthwiseConv2D and SeparableConv2D: [`depthwise::analyse`]; on a GPU an implicit GEMM. This
//! kind's [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{depthwise, Analysis, LayerCtx};

impl LayerModel for ir::ops::DepthwiseConv2D {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        depthwise::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::DepthwiseConv2D {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Gemm
    }
}

impl LayerModel for ir::ops::SeparableConv2D {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        depthwise::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::SeparableConv2D {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Gemm
    }
}
