//! hls4ml's `Conv2D` and `PointwiseConv2D`: [`conv2d`]'s config, call, headers and, in io_parallel,
//! the im2col `fill_buffer` class; a conv with more than one partition makes the top function
//! DATAFLOW (hls4ml's `SetPipelineStyle`). This class's [`Emit`] (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::{conv2d, Ctx};
use crate::model::{HlsLayer, Op};

/// The writer of hls4ml's `Conv2D` nodes.
pub struct Conv2D;

impl Emit for Conv2D {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(conv2d::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(conv2d::call(c))
    }
    fn includes(&self, l: &HlsLayer) -> &'static [&'static str] {
        if let Op::Conv2D {
            pointwise: true, ..
        } = l.op
        {
            conv2d::POINTWISE_INCLUDES
        } else {
            conv2d::INCLUDES
        }
    }
    fn generated_code(&self, c: &Ctx) -> Option<String> {
        Some(conv2d::fill_buffer(c))
    }
    fn forces_dataflow(&self, l: &HlsLayer) -> bool {
        matches!(l.op, Op::Conv2D { n_partitions, .. } if n_partitions != 1)
    }
}
