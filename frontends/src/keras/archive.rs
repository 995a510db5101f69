//! Keras 3 `.keras` archives: a zip with `config.json` (the model config) and
//! `model.weights.h5` (weights in the Keras 3 layout). The HDF5 member is copied to a temporary
//! file because the HDF5 library reads from files.

use crate::error::{display, FrontendError};
use std::io::{Read, Write};
use std::path::Path;

/// The two members of a `.keras` archive that the frontend needs.
pub struct Archive {
    pub config_json: String,
    /// `model.weights.h5`, extracted; `None` when the archive has none.
    pub weights: Option<tempfile::NamedTempFile>,
}

fn zip_err(path: &Path, message: impl Into<String>) -> FrontendError {
    FrontendError::Io {
        file: display(path),
        message: message.into(),
    }
}

/// Open a `.keras` archive.
pub fn open(path: &Path) -> Result<Archive, FrontendError> {
    let f = std::fs::File::open(path).map_err(|e| FrontendError::io(path, e))?;
    let mut zip = zip::ZipArchive::new(f)
        .map_err(|e| zip_err(path, format!("not a .keras zip archive ({e})")))?;
    let config_json = {
        let mut entry = zip
            .by_name("config.json")
            .map_err(|_| FrontendError::Field {
                file: display(path),
                field: "config.json".into(),
                expected: "a config.json member holding the model config".into(),
                found: "no such member in the archive".into(),
            })?;
        let mut s = String::new();
        entry
            .read_to_string(&mut s)
            .map_err(|e| zip_err(path, format!("cannot read config.json ({e})")))?;
        s
    };
    let weights = match zip.by_name("model.weights.h5") {
        Err(_) => None,
        Ok(mut entry) => {
            let mut tmp = tempfile::Builder::new()
                .prefix("presynth-keras-")
                .suffix(".weights.h5")
                .tempfile()
                .map_err(|e| zip_err(path, format!("cannot create a temporary file ({e})")))?;
            let mut buf = Vec::with_capacity(entry.size() as usize);
            entry
                .read_to_end(&mut buf)
                .map_err(|e| zip_err(path, format!("cannot read model.weights.h5 ({e})")))?;
            tmp.write_all(&buf)
                .and_then(|_| tmp.flush())
                .map_err(|e| zip_err(path, format!("cannot write a temporary file ({e})")))?;
            Some(tmp)
        }
    };
    Ok(Archive {
        config_json,
        weights,
    })
}
