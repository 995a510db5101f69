//! Embedding: [`transformer::analyse`] (priors, flagged); on a GPU a gather of the table's rows.
//! This kind's [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{transformer, Analysis, LayerCtx};

impl LayerModel for ir::ops::Embedding {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        transformer::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::Embedding {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Gather
    }
}
