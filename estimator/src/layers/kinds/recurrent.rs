//! SimpleRNN, LSTM, GRU and their Bidirectional form: [`recurrent::analyse`] (one static cell
//! per direction run over the sequence; priors, flagged); on a GPU one GEMM of all the layer's
//! MACs (its steps are sequential, so this is a lower bound on its time). This kind's
//! [`LayerModel`] and [`GpuModel`] (dispatched by `super::model_of`).

use super::{LayerModel, StreamRole};
use crate::gpu_view::{GpuModel, GpuWork};
use crate::layers::{recurrent, Analysis, LayerCtx};

impl LayerModel for ir::ops::Recurrent {
    fn analyse(&self, ctx: &LayerCtx) -> Analysis {
        recurrent::analyse(ctx, self)
    }
    fn stream(&self) -> StreamRole {
        StreamRole::Owned
    }
}

impl GpuModel for ir::ops::Recurrent {
    fn gpu_work(&self) -> GpuWork<'_> {
        GpuWork::Gemm
    }
}
