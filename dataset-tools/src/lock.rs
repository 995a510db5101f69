//! The per-project lock that keeps two runs (`dataset run` twice, two Slurm arrays, a requeued
//! task beside its resubmission) from synthesising the same project at once.
//!
//! The lock is an advisory `flock` on `projects/<id>/.presynth/lock`, taken without waiting.
//! The kernel drops it when its holder exits or is killed (preemption, `scancel`, `kill -9`),
//! so a lock can never go stale; on NFS (v4, or v3 with lockd) the server does the same when a
//! client's lease lapses. The file's text names the holder (host, pid and Slurm job) for
//! messages; the text itself decides nothing.

use crate::error::{DatasetError, Result};
use crate::synth::MARKER_DIR;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const LOCK: &str = "lock";

/// A held project lock; released on drop.
#[derive(Debug)]
pub struct ProjectLock {
    _file: File,
    path: PathBuf,
}

impl ProjectLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Who holds a lock, as its holder wrote it (`host pid job`).
pub fn holder(project: &Path) -> String {
    std::fs::read_to_string(project.join(MARKER_DIR).join(LOCK))
        .map(|t| t.trim().to_string())
        .ok()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "another process".to_string())
}

/// This process as a lock holder: `host <h> pid <p>` plus the Slurm job and array task.
fn me() -> String {
    let mut s = format!(
        "host {} pid {}",
        crate::fsutil::host_name(),
        std::process::id()
    );
    match (
        std::env::var("SLURM_ARRAY_JOB_ID"),
        std::env::var("SLURM_ARRAY_TASK_ID"),
    ) {
        (Ok(j), Ok(t)) => s.push_str(&format!(" slurm job {j}_{t}")),
        _ => {
            if let Ok(j) = std::env::var("SLURM_JOB_ID") {
                s.push_str(&format!(" slurm job {j}"));
            }
        }
    }
    s
}

/// Take the lock of `project`, or `Ok(None)` when another process holds it. A holder found
/// busy is retried for up to `wait` (a `dataset status` probe holds it for microseconds).
pub fn try_lock(project: &Path, wait: Duration) -> Result<Option<ProjectLock>> {
    let dir = project.join(MARKER_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| DatasetError::io(&dir, e))?;
    let path = dir.join(LOCK);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| DatasetError::io(&path, e))?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(e)) => return Err(DatasetError::io(&path, e)),
        }
    }
    file.set_len(0).map_err(|e| DatasetError::io(&path, e))?;
    writeln!(file, "{}", me()).map_err(|e| DatasetError::io(&path, e))?;
    Ok(Some(ProjectLock { _file: file, path }))
}

/// Whether some process holds the lock of `project` now (a synthesis is running). Probes with a
/// shared lock, released at once; no lock file means nothing ever ran there.
pub fn is_locked(project: &Path) -> Result<bool> {
    let path = project.join(MARKER_DIR).join(LOCK);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(DatasetError::io(&path, e)),
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(false),
        Err(TryLockError::WouldBlock) => Ok(true),
        Err(TryLockError::Error(e)) => Err(DatasetError::io(&path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_refuses_a_second_holder_until_dropped() {
        let d = tempfile::tempdir().unwrap();
        assert!(!is_locked(d.path()).unwrap());
        let first = try_lock(d.path(), Duration::ZERO)
            .unwrap()
            .expect("free lock");
        assert!(is_locked(d.path()).unwrap());
        // flock locks belong to the open file: a second open in the same process is refused
        // just as another process would be.
        assert!(try_lock(d.path(), Duration::from_millis(50))
            .unwrap()
            .is_none());
        assert!(holder(d.path()).contains(&format!("pid {}", std::process::id())));
        drop(first);
        assert!(!is_locked(d.path()).unwrap());
        assert!(try_lock(d.path(), Duration::ZERO).unwrap().is_some());
    }

    #[test]
    fn a_killed_holder_leaves_no_stale_lock() {
        // A child takes the lock with flock(1) (`--no-fork`: the locking process is the one
        // killed) and is killed with SIGKILL: the kernel releases the lock at once.
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join(MARKER_DIR)).unwrap();
        let lock = d.path().join(MARKER_DIR).join(LOCK);
        let Ok(mut child) = std::process::Command::new("flock")
            .arg("--no-fork")
            .arg(&lock)
            .args(["sleep", "30"])
            .spawn()
        else {
            let why = "flock(1) is not installed (scripts/setup.sh installs util-linux)";
            assert!(std::env::var("CI").map_or(true, |v| v != "true"), "{why}");
            eprintln!("SKIPPED a_killed_holder_leaves_no_stale_lock: {why}");
            return;
        };
        let t = Instant::now();
        while !is_locked(d.path()).unwrap() {
            assert!(t.elapsed() < Duration::from_secs(10), "child never locked");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(try_lock(d.path(), Duration::ZERO).unwrap().is_none());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(try_lock(d.path(), Duration::ZERO).unwrap().is_some());
    }
}
