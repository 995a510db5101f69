//! hls4ml's `Einsum`: [`einsum`]'s config and call. This class's [`super::Emit`]
//! (dispatched by `super::emitter`).

use crate::layers::einsum;

delegating_emit!(
    /// The writer of hls4ml's `Einsum` nodes.
    Einsum => einsum
);
