//! Error type of the estimator: bad networks, unknown settings, unreadable calibration or data
//! files (with the file and the field or line).

use thiserror::Error;

#[derive(Debug, Error)]
pub enum EstimatorError {
    #[error(transparent)]
    Ir(#[from] ir::IrError),
    #[error("layer '{layer}' ({kind}): {message}")]
    Layer {
        layer: String,
        kind: String,
        message: String,
    },
    #[error("calibration file {path}: {message}")]
    Calibration { path: String, message: String },
    #[error("data file {path}, line {line}: {message}")]
    Data {
        path: String,
        line: usize,
        message: String,
    },
    /// A data file that cannot be read (the dataset error names the file and line).
    #[error(transparent)]
    Dataset(#[from] dataset_tools::DatasetError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("fit of {target}: {message}")]
    Fit { target: String, message: String },
    #[error("plot {path}: {message}")]
    Plot { path: String, message: String },
}
