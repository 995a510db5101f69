//! hls4ml's `Reshape` (Keras Flatten and Reshape): the output aliases the input; no config, no
//! call. This class's [`Emit`] (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::Ctx;
use crate::model::HlsLayer;

/// The writer of hls4ml's `Reshape` nodes.
pub struct Reshape;

impl Emit for Reshape {
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
