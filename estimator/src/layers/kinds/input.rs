//! Input: the top-level input is a port of the top function, no logic and no FIFO. This kind's
//! [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{passthrough, Analysis, LayerCtx};

impl LayerModel for ir::ops::Input {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        passthrough::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Port
    }
}

impl GpuModel for ir::ops::Input {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Nothing
    }
}
