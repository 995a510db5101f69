//! hls4ml's `GarNet` and `GarNetStack` (`nnet::garnet`, `nnet::garnet_stack`): [`garnet`]'s
//! config and call. This class's [`super::Emit`] (dispatched by `super::emitter`).

use crate::layers::garnet;

delegating_emit!(
    /// The writer of hls4ml's `GarNet` / `GarNetStack` nodes.
    GarNet => garnet
);
