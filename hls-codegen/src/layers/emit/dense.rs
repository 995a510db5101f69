//! hls4ml's `Dense`: [`dense`]'s config struct and `nnet::dense` call. This class's [`super::Emit`]
//! (dispatched by `super::emitter`).

use crate::layers::dense;

delegating_emit!(
    /// The writer of hls4ml's `Dense` nodes.
    Dense => dense
);
