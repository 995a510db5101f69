//! Flatten: a rename of its input's array or stream (hls4ml `Reshape`, in place), no logic. This
//! kind's [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{passthrough, Analysis, LayerCtx};

impl LayerModel for ir::ops::Flatten {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        passthrough::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Alias
    }
}

impl GpuModel for ir::ops::Flatten {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Nothing
    }
}
