//! hls4ml's `Resize` (Keras UpSampling1D/2D, nearest): [`spatial`]'s config and call. This class's
//! [`Emit`] (dispatched by `super::emitter`).

use super::Emit;
use crate::layers::{spatial, Ctx};
use crate::model::HlsLayer;

/// The writer of hls4ml's `Resize` nodes.
pub struct Resize;

impl Emit for Resize {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(spatial::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(spatial::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        spatial::RESIZE_INCLUDES
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
