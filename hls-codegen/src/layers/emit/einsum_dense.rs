//! hls4ml's `EinsumDense`: [`einsum_dense`]'s config and call. This class's [`super::Emit`]
//! (dispatched by `super::emitter`).

use crate::layers::einsum_dense;

delegating_emit!(
    /// The writer of hls4ml's `EinsumDense` nodes.
    EinsumDense => einsum_dense
);
