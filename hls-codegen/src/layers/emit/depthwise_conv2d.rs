//! hls4ml's `DepthwiseConv2D` (a `Conv2D` subclass there: [`Op::Conv2D`] with `depthwise`):
//! [`conv2d`]'s config and im2col `fill_buffer` class, [`depthwise`]'s call and headers; more
//! than one partition makes the top function DATAFLOW, as for any conv. This class's
//! [`Emit`] (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::{conv2d, depthwise, Ctx};
use crate::model::{HlsLayer, Op};

/// The writer of hls4ml's `DepthwiseConv2D` nodes.
pub struct DepthwiseConv2D;

impl Emit for DepthwiseConv2D {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(conv2d::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(depthwise::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        depthwise::INCLUDES
    }
    fn generated_code(&self, c: &Ctx) -> Option<String> {
        Some(conv2d::fill_buffer(c))
    }
    fn forces_dataflow(&self, l: &HlsLayer) -> bool {
        matches!(l.op, Op::Conv2D { n_partitions, .. } if n_partitions != 1)
    }
}
