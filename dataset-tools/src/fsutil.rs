//! Atomic output directories: write into a temporary directory next to the destination, then
//! rename it into place, so that readers never see a half-written output.

use crate::error::{DatasetError, Result};
use std::path::{Path, PathBuf};

/// A temporary directory beside the destination; removed on drop unless committed.
pub struct TempDir {
    path: PathBuf,
    committed: bool,
}

impl TempDir {
    /// Create `<dest>.tmp-<pid>-<n>` next to `dest`.
    pub fn beside(dest: &Path) -> Result<TempDir> {
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| DatasetError::io(parent, e))?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let mut n = 0;
        loop {
            let path = parent.join(format!(".{name}.tmp-{}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => {
                    return Ok(TempDir {
                        path,
                        committed: false,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
                Err(e) => return Err(DatasetError::io(&path, e)),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Move into place. An existing empty directory at `dest` is replaced; a non-empty one is
    /// an error (nothing is overwritten).
    pub fn commit(mut self, dest: &Path) -> Result<()> {
        if dest.exists() {
            std::fs::remove_dir(dest).map_err(|e| {
                DatasetError::io(
                    dest,
                    std::io::Error::new(
                        e.kind(),
                        format!("output exists and is not an empty directory ({e})"),
                    ),
                )
            })?;
        }
        std::fs::rename(&self.path, dest).map_err(|e| DatasetError::io(dest, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Fail early when `dest` exists and is not an empty directory.
pub fn check_free(dest: &Path) -> Result<()> {
    if dest.exists() {
        let empty = std::fs::read_dir(dest)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(DatasetError::Invalid(format!(
                "{}: output exists and is not an empty directory",
                dest.display()
            )));
        }
    }
    Ok(())
}
