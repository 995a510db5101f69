//! hls4ml's `TimeDistributed` (the wrapper that opens the loop over the time steps and its
//! `<name>_end` marker that closes it): [`time_distributed`]'s config and call. This class's
//! [`super::Emit`] (dispatched by `super::emitter`).

use crate::layers::time_distributed;

delegating_emit!(
    /// The writer of hls4ml's `TimeDistributed` nodes.
    TimeDistributed => time_distributed
);
