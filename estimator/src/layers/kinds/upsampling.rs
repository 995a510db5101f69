//! UpSampling1D/2D (hls4ml `Resize`, nearest): [`spatial::analyse`]; on a GPU a copy. This kind's
//! [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{spatial, Analysis, LayerCtx};

impl LayerModel for ir::ops::UpSampling1D {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        spatial::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::UpSampling1D {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Copy
    }
}

impl LayerModel for ir::ops::UpSampling2D {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        spatial::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::UpSampling2D {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Copy
    }
}
