//! hls4ml's `Concatenate`: [`merge`]'s config and call. This class's [`Emit`] (dispatched by
//! `super::emitter`).

use super::Emit;
use crate::layers::{merge, Ctx};
use crate::model::HlsLayer;

/// The writer of hls4ml's `Concatenate` nodes.
pub struct Concatenate;

impl Emit for Concatenate {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(merge::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(merge::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        merge::INCLUDES
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
