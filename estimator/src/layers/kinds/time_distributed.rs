//! TimeDistributed (hls4ml's `nnet_time_distributed.h` loop around the wrapped layer's call):
//! [`time_distributed::analyse`]; on a GPU, the wrapped layer's kernel over all time steps.
//! This kind's [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{gpu_model_of, LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{time_distributed, Analysis, LayerCtx};

impl LayerModel for ir::ops::TimeDistributed {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        time_distributed::analyse(ctx, self)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::TimeDistributed {
    fn gpu_work(&self) -> GpuWork<'_> {
        gpu_model_of(&self.layer.kind).gpu_work()
    }
}
