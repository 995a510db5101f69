//! Dropout: removed by hls4ml (`remove_dropout`), no logic; its consumer reads its input. This
//! kind's [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{passthrough, Analysis, LayerCtx};

impl LayerModel for ir::ops::Dropout {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        passthrough::analyse(ctx)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Alias
    }
}

impl GpuModel for ir::ops::Dropout {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Nothing
    }
}
