//! Conv1D (hls4ml `Conv1D`/`PointwiseConv1D`): [`conv1d::analyse`]; on a GPU an implicit GEMM. This
//! kind's [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{conv1d, Analysis, LayerCtx};

impl LayerModel for ir::ops::Conv1D {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        conv1d::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::Conv1D {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Gemm
    }
}
