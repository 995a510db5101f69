//! Writing a project: [`render`] makes every generated file in memory (plus the list of
//! template files to bring in), [`write_project`] puts them on disk atomically — into a
//! temporary directory beside the target, renamed into place at the end — copying, hard-linking
//! or symlinking hls4ml's nnet_utils/ and ap_types/.

pub mod firmware;
pub mod scripts;
pub mod testbench;

use crate::error::{CodegenError, Result};
use crate::model::HlsModel;
use crate::templates::Templates;
use crate::weights;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// How template files (nnet_utils/, ap_types/, scripts) get into a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkMode {
    /// Plain copies, like hls4ml (self-contained projects).
    #[default]
    Copy,
    /// Hard links to the template files (same filesystem; falls back to copying).
    HardLink,
    /// Two symbolic links (nnet_utils/, ap_types/) to a shared template directory made once
    /// under [`template_cache_root`] (fastest for batches; the cache must stay). With generated
    /// im2col code, nnet_utils/ is a real directory of per-file links.
    Symlink,
}

impl LinkMode {
    pub fn parse(s: &str) -> Option<LinkMode> {
        match s.to_ascii_lowercase().as_str() {
            "copy" => Some(LinkMode::Copy),
            "hardlink" | "hard-link" | "link" => Some(LinkMode::HardLink),
            "symlink" | "shared" => Some(LinkMode::Symlink),
            _ => None,
        }
    }
}

/// A project in memory: generated files and template files to bring in.
#[derive(Debug, Clone)]
pub struct Project {
    /// (path relative to the project, contents).
    pub files: Vec<(PathBuf, String)>,
    /// (path relative to the project, source file): copied/linked per [`LinkMode`].
    pub template_files: Vec<(PathBuf, PathBuf)>,
    /// Every nnet_utils/ and ap_types/ file of the backend (path relative to firmware/, source):
    /// the content of the shared template directory of [`LinkMode::Symlink`].
    pub shared_files: Vec<(PathBuf, PathBuf)>,
    /// Names the shared template directory (templates root and backend).
    pub shared_key: String,
    /// Whether nnet_code_gen.h is generated (then nnet_utils/ cannot be one shared link).
    pub nnet_generated: bool,
    /// The source model to store as keras_model.keras (copied).
    pub source_model: Option<PathBuf>,
    pub warnings: Vec<String>,
}

impl Project {
    /// Total bytes of the generated (non-template) files.
    pub fn generated_bytes(&self) -> usize {
        self.files.iter().map(|(_, s)| s.len()).sum()
    }
    pub fn file(&self, rel: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(p, _)| p == Path::new(rel))
            .map(|(_, s)| s.as_str())
    }
}

/// FNV-1a of the text: a deterministic 8-hex-digit library stamp (hls4ml draws a random one).
fn stamp(parts: &[&str]) -> String {
    let mut h: u32 = 0x811c9dc5;
    for p in parts {
        for b in p.bytes() {
            h ^= b as u32;
            h = h.wrapping_mul(0x01000193);
        }
    }
    format!("{h:08x}")
}

/// Make every file of the project for `m`; `out_dir` is where it will live (named in the YAML).
pub fn render(m: &HlsModel, t: &Templates, out_dir: &Path, source_model: Option<&Path>) -> Project {
    let p = &m.project_name;
    let mut files: Vec<(PathBuf, String)> = Vec::with_capacity(16);
    let cpp = firmware::myproject_cpp(m, t);
    let params = firmware::parameters_h(m, t);
    let st = stamp(&[&cpp, &params]);
    files.push((
        format!("firmware/{p}.h").into(),
        firmware::myproject_h(m, t),
    ));
    files.push(("firmware/defines.h".into(), firmware::defines_h(m, t)));
    for w in m.layers.iter().flat_map(|l| &l.weights) {
        let values = weights::values_text(w);
        files.push((
            format!("firmware/weights/{}.h", w.name).into(),
            weights::header_text_with(w, &values, m.header_stats.get(&w.name).copied()),
        ));
        files.push((format!("firmware/weights/{}.txt", w.name).into(), values));
    }
    files.push((format!("firmware/{p}.cpp").into(), cpp));
    files.push(("firmware/parameters.h".into(), params));
    files.push((format!("{p}_test.cpp").into(), testbench::test_cpp(m, t)));
    files.push((
        format!("{p}_bridge.cpp").into(),
        testbench::bridge_cpp(m, t),
    ));
    files.push(("project.tcl".into(), scripts::project_tcl(m)));
    files.push(("build_lib.sh".into(), scripts::build_lib_sh(m, t, &st)));
    let keras = source_model.map(|_| {
        out_dir
            .join("keras_model.keras")
            .to_string_lossy()
            .into_owned()
    });
    files.push((
        "hls4ml_config.yml".into(),
        scripts::hls4ml_config_yml(m, out_dir, keras.as_deref(), &st),
    ));

    let mut template_files: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(128);
    let mut shared_files: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(128);
    let gen_code = firmware::has_generated_code(m);
    for (name, src) in t.nnet_utils(m.backend) {
        shared_files.push((Path::new("nnet_utils").join(name), src.clone()));
        if name == "nnet_code_gen.h" && gen_code {
            continue;
        }
        template_files.push((Path::new("firmware/nnet_utils").join(name), src.clone()));
    }
    if gen_code {
        files.push((
            "firmware/nnet_utils/nnet_code_gen.h".into(),
            firmware::nnet_code_gen_h(m, t),
        ));
    }
    for (rel, src) in &t.ap_types {
        template_files.push((Path::new("firmware/ap_types").join(rel), src.clone()));
        shared_files.push((Path::new("ap_types").join(rel), src.clone()));
    }
    for (dst, src) in t.scripts(m.backend) {
        template_files.push((dst.into(), src));
    }
    Project {
        files,
        template_files,
        shared_files,
        shared_key: stamp(&[&t.root.to_string_lossy(), m.backend.name()]),
        nnet_generated: gen_code,
        source_model: source_model.map(Path::to_path_buf),
        warnings: m.warnings.clone(),
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Write `project` to `dir` atomically: everything goes into a temporary directory beside
/// `dir`, renamed to `dir` only when complete (an existing `dir` is replaced only when
/// `overwrite`). On error nothing is left behind.
pub fn write_project(project: &Project, dir: &Path, mode: LinkMode, overwrite: bool) -> Result<()> {
    let name = dir
        .file_name()
        .ok_or_else(|| {
            CodegenError::io(
                dir,
                std::io::Error::other("the output path has no final component"),
            )
        })?
        .to_string_lossy()
        .into_owned();
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Ok(meta) = std::fs::symlink_metadata(dir) {
        if !meta.is_dir() {
            // A rename would put the project where the file was, and then fail to remove it.
            return Err(CodegenError::OutputNotDirectory(dir.to_path_buf()));
        }
        if !overwrite {
            return Err(CodegenError::OutputExists(dir.to_path_buf()));
        }
    }
    std::fs::create_dir_all(&parent).map_err(|e| CodegenError::io(&parent, e))?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = parent.join(format!(".{name}.presynth-tmp-{}-{n}", std::process::id()));
    let result = fill_dir(project, &tmp, mode).and_then(|_| {
        if dir.is_dir() {
            let old = parent.join(format!(".{name}.presynth-old-{}-{n}", std::process::id()));
            std::fs::rename(dir, &old).map_err(|e| CodegenError::io(dir, e))?;
            std::fs::rename(&tmp, dir).map_err(|e| CodegenError::io(dir, e))?;
            std::fs::remove_dir_all(&old).map_err(|e| CodegenError::io(&old, e))
        } else {
            std::fs::rename(&tmp, dir).map_err(|e| CodegenError::io(dir, e))
        }
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

fn fill_dir(project: &Project, root: &Path, mode: LinkMode) -> Result<()> {
    let mkdir = |p: &Path| std::fs::create_dir_all(p).map_err(|e| CodegenError::io(p, e));
    mkdir(&root.join("firmware/weights"))?;
    mkdir(&root.join("tb_data"))?;
    let shared = if mode == LinkMode::Symlink {
        Some(shared_dir(project)?)
    } else {
        None
    };
    match &shared {
        Some(dir) if !project.nnet_generated => {
            symlink(&dir.join("nnet_utils"), &root.join("firmware/nnet_utils"))?
        }
        _ => mkdir(&root.join("firmware/nnet_utils"))?,
    }
    for (rel, text) in &project.files {
        let p = root.join(rel);
        std::fs::write(&p, text).map_err(|e| CodegenError::io(&p, e))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = root.join("build_lib.sh");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| CodegenError::io(&p, e))?;
    }
    if let Some(dir) = &shared {
        // two links to the shared directory (one per file of nnet_utils when nnet_code_gen.h is
        // generated), scripts copied
        symlink(&dir.join("ap_types"), &root.join("firmware/ap_types"))?;
        if project.nnet_generated {
            for (rel, _) in project
                .shared_files
                .iter()
                .filter(|(r, _)| r.starts_with("nnet_utils"))
            {
                if rel.file_name().is_some_and(|n| n != "nnet_code_gen.h") {
                    symlink(&dir.join(rel), &root.join("firmware").join(rel))?;
                }
            }
        }
        for (rel, src) in project
            .template_files
            .iter()
            .filter(|(r, _)| !r.starts_with("firmware"))
        {
            copy(src, &root.join(rel))?;
        }
    } else {
        let mut made_dirs = std::collections::HashSet::new();
        for (rel, src) in &project.template_files {
            let dst = root.join(rel);
            if let Some(d) = dst.parent() {
                if made_dirs.insert(d.to_path_buf()) {
                    mkdir(d)?;
                }
            }
            if mode == LinkMode::HardLink && std::fs::hard_link(src, &dst).is_ok() {
                continue;
            }
            copy(src, &dst)?;
        }
    }
    if let Some(src) = &project.source_model {
        copy(src, &root.join("keras_model.keras"))?;
    }
    Ok(())
}

/// Where shared template directories live: `PRESYNTH_TEMPLATE_CACHE`, else the user's cache
/// directory (`$XDG_CACHE_HOME/presynth` or `~/.cache/presynth`), else the temp directory.
pub fn template_cache_root() -> PathBuf {
    if let Some(p) = std::env::var_os("PRESYNTH_TEMPLATE_CACHE") {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(p).join("presynth");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h).join(".cache/presynth");
    }
    std::env::temp_dir().join("presynth")
}

/// The shared template directory of a project's templates and backend (nnet_utils/ with the
/// backend's overrides, ap_types/), made once (atomically) and reused by every project.
fn shared_dir(project: &Project) -> Result<PathBuf> {
    let root = template_cache_root();
    let dir = root.join(format!("hls4ml-templates-{}", project.shared_key));
    if dir.join(".complete").exists() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&root).map_err(|e| CodegenError::io(&root, e))?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = root.join(format!(
        ".tmp-{}-{}-{n}",
        project.shared_key,
        std::process::id()
    ));
    let fill = || -> Result<()> {
        for (rel, src) in &project.shared_files {
            let dst = tmp.join(rel);
            if let Some(d) = dst.parent() {
                std::fs::create_dir_all(d).map_err(|e| CodegenError::io(d, e))?;
            }
            copy(src, &dst)?;
        }
        let mark = tmp.join(".complete");
        std::fs::write(&mark, "").map_err(|e| CodegenError::io(&mark, e))
    };
    let r = fill();
    if r.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
        return r.map(|_| dir);
    }
    // another process may have won the race: keep theirs
    if std::fs::rename(&tmp, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
        if !dir.join(".complete").exists() {
            return Err(CodegenError::io(
                &dir,
                std::io::Error::other("could not create the shared template directory"),
            ));
        }
    }
    Ok(dir)
}

fn copy(src: &Path, dst: &Path) -> Result<()> {
    std::fs::copy(src, dst)
        .map(|_| ())
        .map_err(|e| CodegenError::io(src, e))
}

#[cfg(unix)]
fn symlink(src: &Path, dst: &Path) -> Result<()> {
    let abs = std::fs::canonicalize(src).map_err(|e| CodegenError::io(src, e))?;
    std::os::unix::fs::symlink(abs, dst).map_err(|e| CodegenError::io(dst, e))
}

#[cfg(not(unix))]
fn symlink(src: &Path, dst: &Path) -> Result<()> {
    copy(src, dst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(template_src: &Path) -> Project {
        Project {
            files: vec![
                ("firmware/myproject.cpp".into(), "// top\n".into()),
                ("build_lib.sh".into(), "#!/bin/bash\n".into()),
            ],
            template_files: vec![(
                "firmware/nnet_utils/nnet_common.h".into(),
                template_src.to_path_buf(),
            )],
            shared_files: vec![],
            shared_key: "test".into(),
            nnet_generated: false,
            source_model: None,
            warnings: vec![],
        }
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("prj");
        let e = write_project(
            &project(&tmp.path().join("missing.h")),
            &dir,
            LinkMode::Copy,
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("missing.h"), "{e}");
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            0,
            "no DIR, no temp dir"
        );
    }

    #[test]
    fn writes_replace_atomically_only_when_asked() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("nnet_common.h");
        std::fs::write(&src, "// template\n").unwrap();
        let dir = tmp.path().join("prj");
        write_project(&project(&src), &dir, LinkMode::HardLink, false).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("firmware/nnet_utils/nnet_common.h")).unwrap(),
            "// template\n"
        );
        assert!(matches!(
            write_project(&project(&src), &dir, LinkMode::Copy, false),
            Err(CodegenError::OutputExists(_))
        ));
        std::fs::write(dir.join("stale"), "x").unwrap();
        write_project(&project(&src), &dir, LinkMode::Copy, true).unwrap();
        assert!(!dir.join("stale").exists() && dir.join("firmware/myproject.cpp").exists());
        // only prj and the template source remain: no temp or old directories
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_file_is_never_replaced_by_a_project() {
        // Issue 18: `codegen -o FILE --force` renamed the project over the file and then failed
        // with "Not a directory".
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("nnet_common.h");
        std::fs::write(&src, "// template\n").unwrap();
        let file = tmp.path().join("notes.txt");
        std::fs::write(&file, "keep me").unwrap();
        for overwrite in [false, true] {
            let e = write_project(&project(&src), &file, LinkMode::Copy, overwrite).unwrap_err();
            assert!(matches!(e, CodegenError::OutputNotDirectory(_)), "{e:?}");
            assert!(e.to_string().contains("is not a directory"), "{e}");
        }
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);
    }
}
