//! Why a network cannot be lowered to hls4ml's layer graph: hls4ml 1.3.0 itself refuses it,
//! presynth does not lower it yet, or the network is malformed.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum LowerError {
    /// hls4ml 1.3.0 cannot convert this layer (e.g. a merge of 3 inputs).
    #[error("layer '{layer}' ({kind}): not supported by hls4ml 1.3.0: {message}")]
    NotInHls4ml {
        layer: String,
        kind: String,
        message: String,
    },
    /// hls4ml converts this layer but presynth does not lower or emit it yet.
    #[error("layer '{layer}' ({kind}): not implemented in presynth yet: {message}")]
    NotImplemented {
        layer: String,
        kind: String,
        message: String,
    },
    /// The network as a whole is malformed (no inputs, a layer used before it is computed).
    #[error("network '{network}': {message}")]
    Network { network: String, message: String },
    #[error(transparent)]
    Ir(#[from] ir::IrError),
}

pub type Result<T> = std::result::Result<T, LowerError>;
