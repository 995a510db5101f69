//! DepthwiseConv1D/2D and SeparableConv1D/2D: [`depthwise::analyse`]; on a GPU an implicit GEMM. This
//! kind's [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{depthwise, Analysis, LayerCtx};

impl<const R: usize> LayerModel for ir::ops::DepthwiseConv<R> {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        depthwise::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl<const R: usize> GpuModel for ir::ops::DepthwiseConv<R> {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Gemm
    }
}

impl<const R: usize> LayerModel for ir::ops::SeparableConv<R> {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        depthwise::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl<const R: usize> GpuModel for ir::ops::SeparableConv<R> {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Gemm
    }
}
