//! hls4ml's parsed `SeparableConv1D`/`SeparableConv2D`: the lowering's
//! `separable_to_depthwise_and_conv` pass splits every such node into a depthwise
//! [`crate::model::Op::Conv1D`]/[`crate::model::Op::Conv2D`] and a kernel-1 conv, as
//! hls4ml's flow does (`lower/tests/golden_passes.rs` pins the split), so none reaches the
//! writers, and this writer emits nothing. This class's [`Emit`] (dispatched by
//! `super::emitter`).

use super::Emit;
use crate::layers::Ctx;
use crate::model::HlsLayer;

/// The (empty) writer of an unsplit `SeparableConv2D` node.
pub struct SeparableConv2D;

impl Emit for SeparableConv2D {
    fn config(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn call(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        &[]
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
