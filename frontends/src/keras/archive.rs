//! Keras 3 `.keras` archives: a zip with `config.json` (the model config) and
//! `model.weights.h5` (weights in the Keras 3 layout). The HDF5 member is copied to a temporary
//! file because the HDF5 library reads from files.
//!
//! Zip bombs: a member's sizes are checked against [`ir::limits`] before it is inflated
//! (uncompressed size at most `MAX_MODEL_BYTES`, config.json at most `MAX_TEXT_BYTES`, and a
//! compression ratio of at most `MAX_ZIP_RATIO` above `ZIP_RATIO_FREE_BYTES`), and inflation
//! stops at the declared size whatever the stream holds, so a lying header cannot make it read
//! more. Errors name the archive and the member, never the temporary file.

use crate::error::{display, FrontendError};
use ir::limits::{
    read_to_end_bounded, MAX_MODEL_BYTES, MAX_TEXT_BYTES, MAX_ZIP_RATIO, ZIP_RATIO_FREE_BYTES,
};
use std::io::Write;
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

/// Inflate one member, refusing sizes and ratios beyond the limits before reading it.
fn read_member<R: std::io::Read>(
    path: &Path,
    entry: zip::read::ZipFile<'_, R>,
    max: u64,
) -> Result<Vec<u8>, FrontendError> {
    let name = entry.name().to_string();
    let (size, packed) = (entry.size(), entry.compressed_size());
    if size > max {
        return Err(zip_err(
            path,
            format!("member {name} inflates to {size} bytes, more than the limit of {max}"),
        ));
    }
    if size > ZIP_RATIO_FREE_BYTES && size / packed.max(1) > MAX_ZIP_RATIO {
        return Err(zip_err(
            path,
            format!(
                "member {name} inflates {packed} bytes to {size} ({}x, more than {MAX_ZIP_RATIO}x): \
                 a zip bomb, not a Keras model",
                size / packed.max(1)
            ),
        ));
    }
    read_to_end_bounded(entry, size, &format!("member {name}"))
        .map_err(|e| zip_err(path, format!("cannot read {name} ({e})")))
}

/// Open a `.keras` archive.
pub fn open(path: &Path) -> Result<Archive, FrontendError> {
    let f =
        ir::limits::open_regular(path, MAX_MODEL_BYTES).map_err(|e| FrontendError::io(path, e))?;
    let mut zip = zip::ZipArchive::new(f)
        .map_err(|e| zip_err(path, format!("not a .keras zip archive ({e})")))?;
    let config_json = {
        let entry = zip
            .by_name("config.json")
            .map_err(|_| FrontendError::Field {
                file: display(path),
                field: "config.json".into(),
                expected: "a config.json member holding the model config".into(),
                found: "no such member in the archive".into(),
            })?;
        String::from_utf8(read_member(path, entry, MAX_TEXT_BYTES)?)
            .map_err(|e| zip_err(path, format!("config.json is not UTF-8 text ({e})")))?
    };
    let weights = match zip.by_name("model.weights.h5") {
        Err(_) => None,
        Ok(entry) => {
            let buf = read_member(path, entry, MAX_MODEL_BYTES)?;
            let mut tmp = tempfile::Builder::new()
                .prefix("presynth-keras-")
                .suffix(".weights.h5")
                .tempfile()
                .map_err(|e| zip_err(path, format!("cannot create a temporary file ({e})")))?;
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
