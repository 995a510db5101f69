//! BatchNormalization (hls4ml `BatchNormalization`, a scale and a shift per element):
//! [`batchnorm::analyse`]; on a GPU 2 operations per element. This kind's [`LayerModel`] and
//! [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{batchnorm, Analysis, LayerCtx};

impl LayerModel for ir::ops::BatchNorm {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        batchnorm::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::BatchNorm {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Normalise { ops: 2.0 }
    }
}
