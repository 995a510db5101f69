//! hls4ml's `DepthwiseConv1D` (a `Conv1D` subclass there: [`Op::Conv1D`] with `depthwise`):
//! [`conv1d`]'s config and im2col `fill_buffer` class, [`depthwise`]'s call and headers; more
//! than one partition makes the top function DATAFLOW, as for any conv. This class's
//! [`Emit`] (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::{conv1d, depthwise, Ctx};
use crate::model::{HlsLayer, Op};

/// The writer of hls4ml's `DepthwiseConv1D` nodes.
pub struct DepthwiseConv1D;

impl Emit for DepthwiseConv1D {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(conv1d::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(depthwise::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        depthwise::INCLUDES_1D
    }
    fn generated_code(&self, c: &Ctx) -> Option<String> {
        Some(conv1d::fill_buffer(c))
    }
    fn forces_dataflow(&self, l: &HlsLayer) -> bool {
        matches!(l.op, Op::Conv1D { n_partitions, .. } if n_partitions != 1)
    }
}
