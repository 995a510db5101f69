//! LayerNormalization: [`transformer::analyse`] (priors, flagged); on a GPU 7 operations per
//! element (sum, subtract the mean, square, accumulate, normalise, scale, shift). This kind's
//! [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{transformer, Analysis, LayerCtx};

impl LayerModel for ir::ops::LayerNorm {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        transformer::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::LayerNorm {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Normalise { ops: 7.0 }
    }
}
