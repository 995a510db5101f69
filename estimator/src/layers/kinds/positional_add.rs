//! PositionalAdd (a learned positional embedding added to a sequence; hls4ml's ApplyAlpha with
//! one bias per element): [`batchnorm::analyse_positional_add`]; on a GPU one addition per
//! element reading the embedding. This kind's [`LayerModel`] and [`GpuModel`] (dispatched by
//! `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{batchnorm, Analysis, LayerCtx};

impl LayerModel for ir::ops::PositionalAdd {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        batchnorm::analyse_positional_add(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::PositionalAdd {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Normalise { ops: 1.0 }
    }
}
