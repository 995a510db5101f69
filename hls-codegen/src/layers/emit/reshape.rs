//! hls4ml's `Reshape` (Keras Flatten and Reshape): the output aliases the input; no config, no
//! call; and its io_stream `Repack` (class `Repack`, made by the lowering's `reshape_stream`):
//! the `nnet::repack_stream` call ([`reshape::repack_call`]). This class's [`Emit`]
//! (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::{reshape, Ctx};
use crate::model::HlsLayer;

/// The writer of hls4ml's `Reshape` and `Repack` nodes.
pub struct Reshape;

impl Emit for Reshape {
    fn config(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        reshape::is_repack(c.l).then(|| reshape::repack_call(c))
    }
    fn includes(&self, l: &HlsLayer) -> &'static [&'static str] {
        if reshape::is_repack(l) {
            &["nnet_utils/nnet_stream.h"]
        } else {
            &[]
        }
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
