//! Error type of the IR crate: graph construction, shape inference and type parsing errors.
//! Frontends have their own error types that wrap this one with file/line context.

use thiserror::Error;

/// An error in building or checking a network.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum IrError {
    #[error("layer '{layer}' ({kind}): {message}")]
    Layer {
        layer: String,
        kind: String,
        message: String,
    },
    #[error("layer '{layer}' ({kind}): shape mismatch: {message}")]
    Shape {
        layer: String,
        kind: String,
        message: String,
    },
    #[error("unknown layer '{0}'")]
    UnknownLayer(String),
    #[error("duplicate layer name '{0}'")]
    DuplicateName(String),
    #[error("the network has a cycle through layer '{0}'")]
    Cycle(String),
    #[error("the network has no {0}")]
    Empty(&'static str),
    #[error("invalid fixed-point type '{text}': {message}")]
    Type { text: String, message: String },
    #[error("invalid setting {field}: {message}")]
    Setting { field: String, message: String },
}
