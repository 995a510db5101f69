//! Error type of the surrogate crate: bad networks, bad model files, libtorch failures and
//! training data problems, each naming the file or item and what was expected.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SurrogateError {
    #[error("network '{network}': {message}")]
    Network { network: String, message: String },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("model file {path}: {message}")]
    Model { path: PathBuf, message: String },
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    #[error("training data: {0}")]
    Data(String),
    #[error("training: {0}")]
    Training(String),
    #[error("invalid setting {field}: {message}")]
    Setting { field: String, message: String },
}
