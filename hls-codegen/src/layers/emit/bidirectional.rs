//! hls4ml's `Bidirectional` (`BidirectionalConfigTemplate`): [`recurrent`]'s
//! `bidirectional_config` and call. This class's [`super::Emit`] (dispatched by
//! `super::emitter`).

use crate::layers::recurrent;
use crate::layers::Ctx;
use crate::model::HlsLayer;

/// The writer of hls4ml's `Bidirectional` nodes.
pub struct Bidirectional;

impl super::Emit for Bidirectional {
    fn config(&self, c: &Ctx) -> Option<String> {
        Some(recurrent::bidirectional_config(c))
    }
    fn call(&self, c: &Ctx) -> Option<String> {
        Some(recurrent::call(c))
    }
    fn includes(&self, _l: &HlsLayer) -> &'static [&'static str] {
        recurrent::INCLUDES
    }
    fn generated_code(&self, _c: &Ctx) -> Option<String> {
        None
    }
    fn forces_dataflow(&self, _l: &HlsLayer) -> bool {
        false
    }
}
