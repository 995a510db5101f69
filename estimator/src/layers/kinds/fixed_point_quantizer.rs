//! HGQ1's FixedPointQuantizer (hls4ml's `FixedPointQuantizer`, a per-element cast):
//! [`quantizer_cast::analyse`]; on a GPU one elementwise pass. This kind's [`LayerModel`] and
//! [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{quantizer_cast, Analysis, LayerCtx};

impl LayerModel for ir::ops::FixedPointQuantizer {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        quantizer_cast::analyse(ctx, self)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::FixedPointQuantizer {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Copy
    }
}
