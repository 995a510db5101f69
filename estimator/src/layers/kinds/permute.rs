//! Permute (hls4ml `Transpose`): [`transpose::analyse`]; on a GPU a copy. This kind's
//! [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{transpose, Analysis, LayerCtx};

impl LayerModel for ir::ops::Permute {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        transpose::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::Permute {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Copy
    }
}
