//! Atomic outputs: write into a temporary directory or file next to the destination, then
//! rename it into place, so that readers never see a half-written output. Temporary names carry
//! the host and process id (`.<name>.tmp-<host>-<pid>-<n>`), so concurrent writers never
//! collide, and the leftovers of a killed process on this host are removed by the next writer
//! of the same destination ([`clean_stale_temps`]).

use crate::error::{DatasetError, Result};
use std::path::{Path, PathBuf};

/// A temporary directory beside the destination; removed on drop unless committed.
pub struct TempDir {
    path: PathBuf,
    committed: bool,
}

impl TempDir {
    /// Create `.<name>.tmp-<host>-<pid>-<n>` next to `dest` (after removing the temporary
    /// directories that dead processes of this host left for the same destination).
    pub fn beside(dest: &Path) -> Result<TempDir> {
        let (parent, name) = parent_and_name(dest);
        std::fs::create_dir_all(&parent).map_err(|e| DatasetError::io(&parent, e))?;
        clean_stale_temps(&parent, &name);
        let mut n = 0;
        loop {
            let path = parent.join(temp_name(&name, n));
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

/// A temporary file beside its destination, renamed into place by [`TempFile::commit`] and
/// removed on drop otherwise.
pub struct TempFile {
    path: PathBuf,
    file: Option<std::fs::File>,
}

impl TempFile {
    /// Create `.<name>.tmp-<host>-<pid>-<n>` next to `dest` (cleaning dead processes' leftovers).
    pub fn beside(dest: &Path) -> Result<TempFile> {
        let (parent, name) = parent_and_name(dest);
        clean_stale_temps(&parent, &name);
        let mut n = 0;
        loop {
            let path = parent.join(temp_name(&name, n));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    return Ok(TempFile {
                        path,
                        file: Some(file),
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

    /// The open file, for writing.
    pub fn file(&mut self) -> &mut std::fs::File {
        self.file
            .as_mut()
            .expect("a TempFile's file is open until commit")
    }

    /// Flush to disk and rename over `dest`.
    pub fn commit(mut self, dest: &Path) -> Result<()> {
        if let Some(f) = self.file.take() {
            f.sync_all().map_err(|e| DatasetError::io(&self.path, e))?;
        }
        std::fs::rename(&self.path, dest).map_err(|e| DatasetError::io(dest, e))?;
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Write `bytes` to `path` atomically (unique temporary file beside it, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut t = TempFile::beside(path)?;
    t.file()
        .write_all(bytes)
        .map_err(|e| DatasetError::io(t.path(), e))?;
    t.commit(path)
}

fn parent_and_name(dest: &Path) -> (PathBuf, String) {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    (parent, name)
}

/// This machine's host name (`/proc/sys/kernel/hostname`, else `$HOSTNAME`, else `localhost`).
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "localhost".to_string())
}

fn temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-")
}

fn temp_name(name: &str, n: u32) -> String {
    format!(
        "{}{}-{}-{n}",
        temp_prefix(name),
        host_name(),
        std::process::id()
    )
}

/// Whether process `pid` of this host is alive (`/proc/<pid>` exists). Where `/proc` is not
/// mounted every process counts as alive, so nothing is removed by mistake.
pub fn pid_alive(pid: u32) -> bool {
    !Path::new("/proc/self").exists() || Path::new("/proc").join(pid.to_string()).exists()
}

/// Remove the temporary files and directories `.<name>.tmp-<host>-<pid>-<n>` in `parent` whose
/// host is this one and whose process is dead (a killed run's leftovers). Returns how many
/// were removed. Another host's temporaries are never touched (its processes cannot be seen).
pub fn clean_stale_temps(parent: &Path, name: &str) -> usize {
    let prefix = temp_prefix(name);
    let host = host_name();
    let Ok(rd) = std::fs::read_dir(parent) else {
        return 0;
    };
    let mut removed = 0;
    for e in rd.filter_map(|e| e.ok()) {
        let file = e.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        // <host>-<pid>-<n>; the host may itself hold dashes.
        let mut parts = rest.rsplitn(3, '-');
        let (Some(n), Some(pid), Some(h)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if h != host || n.parse::<u32>().is_err() || pid_alive(pid) {
            continue;
        }
        let p = e.path();
        let gone = if p.is_dir() && !p.is_symlink() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
        if gone.is_ok() {
            removed += 1;
        }
    }
    removed
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The pid of a process that has exited (a child that was waited for).
    fn dead_pid() -> u32 {
        let mut c = std::process::Command::new("true").spawn().unwrap();
        let pid = c.id();
        c.wait().unwrap();
        pid
    }

    #[test]
    fn a_killed_runs_temp_dir_is_removed_by_the_next_run() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out");
        let host = host_name();
        let dead = d.path().join(format!(".out.tmp-{host}-{}-0", dead_pid()));
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join("records.jsonl"), "x").unwrap();
        // A live process's (ours) and another host's temporaries stay.
        let live = d
            .path()
            .join(format!(".out.tmp-{host}-{}-7", std::process::id()));
        std::fs::create_dir(&live).unwrap();
        let other = d
            .path()
            .join(format!(".out.tmp-other-host-{}-0", dead_pid()));
        std::fs::create_dir(&other).unwrap();
        let t = TempDir::beside(&dest).unwrap();
        assert!(!dead.exists(), "a dead process's temp dir was left");
        assert!(live.exists() && other.exists());
        assert!(t.path().exists());
    }

    #[test]
    fn concurrent_atomic_writes_use_distinct_temp_names() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("done");
        let a = TempFile::beside(&dest).unwrap();
        let b = TempFile::beside(&dest).unwrap();
        assert_ne!(a.path(), b.path());
        write_atomic(&dest, b"x").unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"x");
        drop((a, b));
        let left: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temporaries left: {left:?}");
    }
}
