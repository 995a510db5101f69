//! `dataset status`: where the synthesis of a dataset stands, from its projects' markers: done
//! (`.presynth/done`), running (the project's lock is held), failed (`.presynth/failed`, not
//! running), missing (none of these). The CLI adds the Slurm queue (`squeue`) when present.

use crate::error::Result;
use crate::synth::{is_done, list_projects, FAILED, MARKER_DIR};
use std::path::Path;

/// Counts over a dataset's projects; the ids of the failed ones (sorted).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    pub projects: usize,
    pub done: usize,
    pub running: usize,
    pub failed: usize,
    pub missing: usize,
    pub failed_ids: Vec<String>,
}

/// Read the markers of every project of `dataset`.
pub fn status(dataset: &Path) -> Result<Status> {
    let mut s = Status::default();
    for p in list_projects(dataset)? {
        s.projects += 1;
        if is_done(&p) {
            s.done += 1;
        } else if crate::lock::is_locked(&p)? {
            s.running += 1;
        } else if p.join(MARKER_DIR).join(FAILED).is_file() {
            s.failed += 1;
            s.failed_ids.push(
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
        } else {
            s.missing += 1;
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn counts_follow_the_markers_and_the_lock() {
        let d = tempfile::tempdir().unwrap();
        let mk = |id: &str, marker: Option<&str>| {
            let p = d.path().join("projects").join(id);
            std::fs::create_dir_all(p.join(MARKER_DIR)).unwrap();
            std::fs::write(p.join("build_prj.tcl"), "").unwrap();
            if let Some(m) = marker {
                std::fs::write(p.join(MARKER_DIR).join(m), "x").unwrap();
            }
            p
        };
        mk("a", Some("done"));
        mk("b", Some("failed"));
        let c = mk("c", Some("failed"));
        mk("d", None);
        mk("e", None);
        // c is being retried: running, not failed.
        let _held = crate::lock::try_lock(&c, Duration::ZERO).unwrap().unwrap();
        let s = status(d.path()).unwrap();
        assert_eq!(
            (s.projects, s.done, s.running, s.failed, s.missing),
            (5, 1, 1, 1, 2)
        );
        assert_eq!(s.failed_ids, vec!["b".to_string()]);
    }
}
