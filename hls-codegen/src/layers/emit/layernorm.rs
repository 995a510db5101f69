//! hls4ml's `LayerNormalization`: [`layernorm`]'s config and call. This class's [`super::Emit`]
//! (dispatched by `super::emitter`).

use crate::layers::layernorm;

delegating_emit!(
    /// The writer of hls4ml's `LayerNormalization` nodes.
    LayerNorm => layernorm
);
