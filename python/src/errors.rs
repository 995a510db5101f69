//! Library errors as Python exceptions carrying the CLI's one-line message
//! (`presynth::app::one_line`): `FileNotFoundError` when a file the caller named does not
//! exist, `ValueError` for every other bad input.

use pyo3::exceptions::{PyFileNotFoundError, PyValueError};
use pyo3::PyErr;
use std::path::PathBuf;

/// A failed call with the paths the caller named.
pub struct Failure {
    pub error: anyhow::Error,
    pub paths: Vec<PathBuf>,
}

impl Failure {
    pub fn new(error: anyhow::Error, paths: Vec<PathBuf>) -> Self {
        Failure { error, paths }
    }

    /// The message, as the CLI prints it after `error: `.
    pub fn message(&self) -> String {
        presynth::app::one_line(&self.error)
    }

    /// Whether the error is about a named file that does not exist.
    pub fn missing_file(&self) -> bool {
        let msg = self.message();
        self.paths
            .iter()
            .any(|p| !p.exists() && msg.contains(&p.display().to_string()))
            || self.error.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
            })
    }

    pub fn into_py(self) -> PyErr {
        if self.missing_file() {
            PyFileNotFoundError::new_err(self.message())
        } else {
            PyValueError::new_err(self.message())
        }
    }
}
