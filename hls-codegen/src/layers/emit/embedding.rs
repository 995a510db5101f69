//! hls4ml's `Embedding`: [`embedding`]'s config and call. This class's [`super::Emit`]
//! (dispatched by `super::emitter`).

use crate::layers::embedding;

delegating_emit!(
    /// The writer of hls4ml's `Embedding` nodes.
    Embedding => embedding
);
