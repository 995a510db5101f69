//! hls4ml's `LSTM` and `GRU` (one template, `RecurrentConfigTemplate`): [`recurrent`]'s config
//! and call. This class's [`super::Emit`] (dispatched by `super::emitter`).

use crate::layers::recurrent;

delegating_emit!(
    /// The writer of hls4ml's `LSTM` and `GRU` nodes.
    Recurrent => recurrent
);
