//! MultiHeadAttention: [`transformer::analyse`] (priors, flagged); on a GPU its four projections
//! and the attention core ([`crate::gpu_view`]). This kind's [`LayerModel`] and [`GpuModel`]
//! (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{transformer, Analysis, LayerCtx};

impl LayerModel for ir::ops::MultiHeadAttention {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        transformer::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::MultiHeadAttention {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Attention(self)
    }
}
