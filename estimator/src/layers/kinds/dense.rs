//! Dense (hls4ml `Dense`): [`dense::analyse`]; on a GPU one GEMM. This kind's [`LayerModel`] and
//! [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{dense, Analysis, LayerCtx};

impl LayerModel for ir::ops::Dense {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        dense::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::Dense {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Gemm
    }
}
