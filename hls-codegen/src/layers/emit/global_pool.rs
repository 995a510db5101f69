//! hls4ml's `GlobalPooling1D/2D`: [`pooling`]'s config and call. This class's [`super::Emit`] (dispatched
//! by `super::emitter`).

use crate::layers::pooling;

delegating_emit!(
    /// The writer of hls4ml's `GlobalPool1D` nodes.
    GlobalPool1D => pooling
);

delegating_emit!(
    /// The writer of hls4ml's `GlobalPool2D` nodes.
    GlobalPool2D => pooling
);
