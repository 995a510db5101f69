//! Element-wise merges (Add, Subtract, Multiply, Average, Maximum, Minimum; hls4ml `Merge`):
//! [`merge::analyse`]; on a GPU one operation per extra operand and element. This kind's
//! [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{merge, Analysis, LayerCtx};

impl LayerModel for ir::ops::Merge {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        merge::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::Merge {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Merge
    }
}
