//! hls4ml's `ZeroPadding1D/2D`: [`spatial`]'s config and call. This class's [`Emit`] (dispatched by
//! `super::emitter`).

use super::Emit;
use crate::layers::{spatial, Ctx};
use crate::model::HlsLayer;

/// The writer of hls4ml's `ZeroPadding1D` nodes.
pub struct ZeroPadding1D;

impl Emit for ZeroPadding1D {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(spatial::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(spatial::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        spatial::PADDING_INCLUDES
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}

/// The writer of hls4ml's `ZeroPadding2D` nodes.
pub struct ZeroPadding2D;

impl Emit for ZeroPadding2D {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(spatial::config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(spatial::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        spatial::PADDING_INCLUDES
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
