//! hls4ml's `Activation`, `LeakyReLU`, `ELU` and `Softmax`: [`activation`]'s config and call. This
//! class's [`Emit`] (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::{activation, Ctx};
use crate::model::HlsLayer;

/// The writer of hls4ml's `Activation` nodes.
pub struct Activation;

impl Emit for Activation {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(activation::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(activation::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        activation::INCLUDES
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
