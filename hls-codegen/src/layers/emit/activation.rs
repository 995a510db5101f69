//! hls4ml's `Activation`, `LeakyReLU`, `ELU` and `Softmax`: [`activation`]'s config and call. This
//! class's [`Emit`] (dispatched by `super::emitter`).

use crate::layers::activation;

delegating_emit!(
    /// The writer of hls4ml's `Activation` nodes.
    Activation => activation
);
