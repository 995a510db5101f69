//! EinsumDense: [`transformer::analyse`] (priors, flagged); on a GPU one GEMM. This kind's
//! [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{transformer, Analysis, LayerCtx};

impl LayerModel for ir::ops::EinsumDense {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        transformer::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::EinsumDense {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Gemm
    }
}
