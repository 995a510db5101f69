//! ApplyAlpha (hls4ml's per-channel scale after a QKeras `auto_po2` kernel):
//! [`batchnorm::analyse_alpha`]; on a GPU a scale and a shift per element, as BatchNorm. This
//! kind's [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{batchnorm, Analysis, LayerCtx};

impl LayerModel for ir::ops::ApplyAlpha {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        batchnorm::analyse_alpha(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::ApplyAlpha {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Normalise { ops: 2.0 }
    }
}
