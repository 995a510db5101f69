//! The directory walk of ingest: every data file under a folder, recursively, in sorted path
//! order, following symbolic links but visiting each directory and each file once.
//!
//! A symbolic link to a parent folder made the old walk read every file again on each pass
//! round the cycle until the path grew too long (41 times per file; two such links:
//! exponential). Directories and files are identified by (device, inode), so a cycle or a
//! second link to the same place is skipped.

use crate::error::{DatasetError, Result};
use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The files under `dir` whose extension is one of `exts`, sorted, each once.
pub fn data_files(dir: &Path, exts: &[&str]) -> Result<Vec<PathBuf>> {
    let mut seen_dirs = HashSet::new();
    let mut seen_files = HashSet::new();
    let mut out = Vec::new();
    walk(dir, exts, &mut seen_dirs, &mut seen_files, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(
    dir: &Path,
    exts: &[&str],
    seen_dirs: &mut HashSet<(u64, u64)>,
    seen_files: &mut HashSet<(u64, u64)>,
    out: &mut Vec<PathBuf>,
) -> Result<()> {
    let meta = std::fs::metadata(dir).map_err(|e| DatasetError::io(dir, e))?;
    if !seen_dirs.insert((meta.dev(), meta.ino())) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| DatasetError::io(dir, e))? {
        entries.push(e.map_err(|e| DatasetError::io(dir, e))?.path());
    }
    entries.sort();
    // Files before subdirectories, so that a file reached again through a link deeper down
    // keeps the name it has here. A dangling link has no metadata: it is not data, skip it.
    let mut subdirs = Vec::new();
    for p in entries {
        let Ok(m) = std::fs::metadata(&p) else {
            continue;
        };
        if m.is_dir() {
            subdirs.push(p);
        } else if m.is_file()
            && p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
            && seen_files.insert((m.dev(), m.ino()))
        {
            out.push(p);
        }
    }
    for p in subdirs {
        walk(&p, exts, seen_dirs, seen_files, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn symlink_cycles_and_repeated_links_are_walked_once() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/x.csv"), "1").unwrap();
        std::fs::write(root.join("a/b/y.json"), "{}").unwrap();
        std::fs::write(root.join("a/b/notes.txt"), "").unwrap();
        // Two links back up the tree: the old walk went round them until the path was too
        // long, reading each file dozens of times (two cycles: exponentially many).
        symlink(root, root.join("a/b/up")).unwrap();
        symlink(root.join("a"), root.join("a/again")).unwrap();
        // A second name for the same file, and a dangling link.
        symlink(root.join("a/x.csv"), root.join("a/b/x-link.csv")).unwrap();
        symlink(root.join("missing"), root.join("a/dangling.csv")).unwrap();
        let t = std::time::Instant::now();
        let got = data_files(root, &["csv", "json"]).unwrap();
        assert!(t.elapsed().as_secs() < 2);
        let rel: Vec<String> = got
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        // a/again is a itself (being walked) and b/up the root: both skipped; x-link.csv is
        // x.csv, already listed under its own name.
        assert_eq!(rel, ["a/b/y.json", "a/x.csv"]);
    }
}
