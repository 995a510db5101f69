//! hls4ml's `Cropping1D/2D`: [`spatial`]'s config and call. This class's [`Emit`] (dispatched by
//! `super::emitter`).

use super::Emit;
use crate::layers::{spatial, Ctx};
use crate::model::HlsLayer;

/// The writer of hls4ml's `Cropping1D` nodes.
pub struct Cropping1D;

impl Emit for Cropping1D {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(spatial::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(spatial::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        spatial::CROPPING_INCLUDES
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}

/// The writer of hls4ml's `Cropping2D` nodes.
pub struct Cropping2D;

impl Emit for Cropping2D {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(spatial::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(spatial::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        spatial::CROPPING_INCLUDES
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
