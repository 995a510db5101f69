//! hls4ml's `BatchNormalization`: [`batchnorm`]'s config and call. This class's [`super::Emit`]
//! (dispatched by `super::emitter`).

use crate::layers::batchnorm;

delegating_emit!(
    /// The writer of hls4ml's `BatchNorm` nodes.
    BatchNorm => batchnorm
);
