//! PReLU (hls4ml `PReLU`): [`prelu::analyse`]; on a GPU one elementwise kernel reading the
//! alphas. This kind's [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{prelu, Analysis, LayerCtx};

impl LayerModel for ir::ops::PReLU {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        prelu::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::PReLU {
    fn gpu_work(&self) -> GpuWork<'_> {
        // compare, product, select
        GpuWork::Normalise { ops: 3.0 }
    }
}
