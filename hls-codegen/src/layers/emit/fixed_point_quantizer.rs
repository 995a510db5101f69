//! hls4ml's `FixedPointQuantizer` (HGQ2): [`quantizer`]'s call and generated function, no
//! config. This class's [`Emit`] (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::{quantizer, Ctx};
use crate::model::HlsLayer;

/// The writer of hls4ml's `FixedPointQuantizer` nodes.
pub struct FixedPointQuantizer;

impl Emit for FixedPointQuantizer {
    fn config(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(quantizer::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        quantizer::INCLUDES
    }
    fn generated_code(&self, c: &Ctx) -> Option<String> {
        quantizer::generated_code(c)
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
