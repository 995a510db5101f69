//! GarNet / GarNetStack (hls4ml's contrib `nnet::garnet`): [`garnet::analyse`]; on a GPU the
//! layer's MACs as one GEMM-like kernel (its transforms are small matrix products per vertex).
//! This kind's [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{garnet, Analysis, LayerCtx};

impl LayerModel for ir::ops::GarNet {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        garnet::analyse(ctx, self)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::GarNet {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Gemm
    }
}
