//! hls4ml's `Clone` (io_stream fan-out): no config; the `nnet::clone_stream` call
//! ([`reshape::clone_call`]). This class's [`Emit`] (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::{reshape, Ctx};
use crate::model::HlsLayer;

/// The writer of hls4ml's `Clone` nodes.
pub struct Clone;

impl Emit for Clone {
    fn config(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(reshape::clone_call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        &["nnet_utils/nnet_stream.h"]
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
