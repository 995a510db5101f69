//! The error type of every frontend: each variant names the file, the field, line or layer where
//! the problem is, and what was expected.

use ir::IrError;
use std::path::Path;
use thiserror::Error;

/// An error while reading a model or config file.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum FrontendError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read: {message}")]
    Io { file: String, message: String },

    /// The file's extension does not say what it is.
    #[error("{file}: unknown model format (expected .json, .keras, .h5, .onnx, .dsl or .psn)")]
    UnknownFormat { file: String },

    /// Text that does not parse (JSON, YAML or the DSL), with its position.
    #[error("{file}: line {line}, column {column}: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// A field is missing or has the wrong type or value.
    #[error("{file}: {field}: expected {expected}, found {found}")]
    Field {
        file: String,
        field: String,
        expected: String,
        found: String,
    },

    /// A layer class the IR does not support.
    #[error("{file}: layer '{layer}': unsupported layer kind {kind}")]
    UnsupportedLayer {
        file: String,
        layer: String,
        kind: String,
    },

    /// Keras layers of classes the IR does not support: every one of them, each as
    /// `'name' (Class)` (one such layer is an [`FrontendError::UnsupportedLayer`]).
    #[error("{file}: {} unsupported layers:\n  {}", layers.len(), layers.join("\n  "))]
    UnsupportedLayers { file: String, layers: Vec<String> },

    /// ONNX nodes the IR cannot represent: every one of them, each as `'name' (OpType): why`.
    #[error("{file}: {} unsupported ONNX node(s):\n  {}", nodes.len(), nodes.join("\n  "))]
    UnsupportedNodes { file: String, nodes: Vec<String> },

    /// A supported layer with an attribute value the IR does not support.
    #[error("{file}: layer '{layer}' ({kind}): unsupported attribute {attribute}: {message}")]
    UnsupportedAttribute {
        file: String,
        layer: String,
        kind: String,
        attribute: String,
        message: String,
    },

    /// Weights that are missing, extra, or do not fit the layer.
    #[error("{file}: weights: {message}")]
    Weights { file: String, message: String },

    /// A config file entry that is wrong (unknown layer, bad precision, ...).
    #[error("{file}: {field}: {message}")]
    Config {
        file: String,
        field: String,
        message: String,
    },

    /// An error in a DSL file (it names the file, line and column itself).
    #[error(transparent)]
    Dsl(#[from] crate::dsl::DslError),

    /// The graph built from the file is not a valid network (shape mismatch, cycle, ...).
    #[error("{file}: {source}")]
    Ir {
        file: String,
        #[source]
        source: IrError,
    },
}

/// Display a path the way errors show it.
pub fn display(path: &Path) -> String {
    path.display().to_string()
}

impl FrontendError {
    pub fn io(file: &Path, err: impl std::fmt::Display) -> Self {
        FrontendError::Io {
            file: display(file),
            message: err.to_string(),
        }
    }
    pub fn field(
        file: &str,
        field: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        FrontendError::Field {
            file: file.to_string(),
            field: field.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }
    pub fn weights(file: &str, message: impl Into<String>) -> Self {
        FrontendError::Weights {
            file: file.to_string(),
            message: message.into(),
        }
    }
    pub fn config(file: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        FrontendError::Config {
            file: file.to_string(),
            field: field.into(),
            message: message.into(),
        }
    }
    pub fn ir(file: &str, source: IrError) -> Self {
        FrontendError::Ir {
            file: file.to_string(),
            source,
        }
    }
}
