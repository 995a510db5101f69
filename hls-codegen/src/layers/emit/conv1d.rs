//! hls4ml's `Conv1D` and `PointwiseConv1D`: [`conv1d`]'s config, call, headers and, in io_parallel,
//! the im2col `fill_buffer` class; a conv with more than one partition makes the top function
//! DATAFLOW (hls4ml's `SetPipelineStyle`). This class's [`Emit`] (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::{conv1d, Ctx};
use crate::model::{HlsLayer, Op};

/// The writer of hls4ml's `Conv1D` nodes.
pub struct Conv1D;

impl Emit for Conv1D {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(conv1d::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(conv1d::call(c))
    }
    fn includes(&self, l: &HlsLayer) -> &'static [&'static str] {
        if let Op::Conv1D {
            pointwise: true, ..
        } = l.op
        {
            conv1d::POINTWISE_INCLUDES
        } else {
            conv1d::INCLUDES
        }
    }
    fn generated_code(&self, c: &Ctx) -> Option<String> {
        Some(conv1d::fill_buffer(c))
    }
    fn forces_dataflow(&self, l: &HlsLayer) -> bool {
        matches!(l.op, Op::Conv1D { n_partitions, .. } if n_partitions != 1)
    }
}
