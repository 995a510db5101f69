//! A standalone activation (hls4ml `Activation`, `LeakyReLU`, `ELU`, `Softmax`):
//! [`activation::analyse`]; on a GPU one elementwise kernel. This kind's [`LayerModel`] and
//! [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{activation, Analysis, LayerCtx};

impl LayerModel for ir::ops::Activation {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        activation::analyse(ctx, *self)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::Activation {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Activation(*self)
    }
}
