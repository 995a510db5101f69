//! hls4ml's `Dense`: [`dense`]'s config struct and `nnet::dense` call. This class's [`Emit`]
//! (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::{dense, Ctx};
use crate::model::HlsLayer;

/// The writer of hls4ml's `Dense` nodes.
pub struct Dense;

impl Emit for Dense {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(dense::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(dense::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        dense::INCLUDES
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
