//! hls4ml's `Transpose` (Keras Permute): [`transpose`]'s config and call. This class's
//! [`super::Emit`] (dispatched by `super::emitter`).

use crate::layers::transpose;

delegating_emit!(
    /// The writer of hls4ml's `Transpose` nodes.
    Transpose => transpose
);
