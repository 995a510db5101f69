//! hls4ml's `Pooling2D`: [`pooling`]'s config and call. This class's [`super::Emit`] (dispatched by
//! `super::emitter`).

use crate::layers::pooling;

delegating_emit!(
    /// The writer of hls4ml's `Pool2D` nodes.
    Pool2D => pooling
);
