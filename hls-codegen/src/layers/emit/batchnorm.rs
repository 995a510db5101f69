//! hls4ml's `BatchNormalization`: [`batchnorm`]'s config and call. This class's [`Emit`]
//! (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::{batchnorm, Ctx};
use crate::model::HlsLayer;

/// The writer of hls4ml's `BatchNorm` nodes.
pub struct BatchNorm;

impl Emit for BatchNorm {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(batchnorm::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(batchnorm::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        batchnorm::INCLUDES
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
