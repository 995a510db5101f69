//! hls4ml's `Pooling2D`: [`pooling`]'s config and call. This class's [`Emit`] (dispatched by
//! `super::emitter`).

use super::Emit;
use crate::layers::{pooling, Ctx};
use crate::model::HlsLayer;

/// The writer of hls4ml's `Pool2D` nodes.
pub struct Pool2D;

impl Emit for Pool2D {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(pooling::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(pooling::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        pooling::INCLUDES
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
