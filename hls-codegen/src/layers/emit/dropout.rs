//! A Keras Dropout: hls4ml removes it (`remove_dropout`) before any writer runs; nothing to write.
//! This class's [`Emit`] (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::Ctx;
use crate::model::HlsLayer;

/// The writer of hls4ml's `Dropout` nodes.
pub struct Dropout;

impl Emit for Dropout {
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
