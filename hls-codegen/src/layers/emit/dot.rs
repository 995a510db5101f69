//! hls4ml's `Dot` (a Merge subclass, `nnet::dot1d`): [`merge`]'s config and call. This class's
//! [`super::Emit`] (dispatched by `super::emitter`).

use crate::layers::merge;

delegating_emit!(
    /// The writer of hls4ml's `Dot` nodes.
    Dot => merge
);
