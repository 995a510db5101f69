//! The error type of the dataset tools. Every variant names the file (and the line, row or
//! field where there is one) and says what was expected.

use std::path::PathBuf;

/// Errors of the dataset tools.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: invalid JSON record: {message}")]
    Json {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: row {row}: field '{field}': {message}")]
    Field {
        path: PathBuf,
        row: u64,
        field: String,
        message: String,
    },
    #[error("{path}: {message}")]
    Csv { path: PathBuf, message: String },
    #[error("{path}: field '{field}': {message}")]
    Report {
        path: PathBuf,
        field: String,
        message: String,
    },
    #[error("{path}: invalid configuration: {message}")]
    Config { path: PathBuf, message: String },
    #[error("invalid argument: {0}")]
    Invalid(String),
    /// A scheduler command (sbatch, squeue, scontrol) failed or refused.
    #[error("{command}: {message}")]
    Scheduler { command: String, message: String },
    #[error("{context}: {source}")]
    Ir {
        context: String,
        #[source]
        source: ir::IrError,
    },
}

impl DatasetError {
    /// Wrap an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DatasetError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = DatasetError> = std::result::Result<T, E>;
