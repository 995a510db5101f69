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
    /// Symbolic links to one shared template directory (fastest; the templates must stay).
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
    /// The ap_types directory of the templates (linked whole in [`LinkMode::Symlink`]).
    pub ap_types_dir: PathBuf,
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
            weights::header_text(w, &values),
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
    let gen_code = firmware::has_generated_code(m);
    for (name, src) in t.nnet_utils(m.backend) {
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
    }
    for (dst, src) in t.scripts(m.backend) {
        template_files.push((dst.into(), src));
    }
    Project {
        files,
        template_files,
        ap_types_dir: t.root.join("vivado/ap_types"),
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
    if dir.exists() && !overwrite {
        return Err(CodegenError::OutputExists(dir.to_path_buf()));
    }
    std::fs::create_dir_all(&parent).map_err(|e| CodegenError::io(&parent, e))?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = parent.join(format!(".{name}.presynth-tmp-{}-{n}", std::process::id()));
    let result = fill_dir(project, &tmp, mode).and_then(|_| {
        if dir.exists() {
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
    mkdir(&root.join("firmware/nnet_utils"))?;
    mkdir(&root.join("tb_data"))?;
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
    let ap_prefix = Path::new("firmware/ap_types");
    let mut made_dirs = std::collections::HashSet::new();
    if mode == LinkMode::Symlink {
        symlink(&project.ap_types_dir, &root.join(ap_prefix))?;
    }
    for (rel, src) in &project.template_files {
        if mode == LinkMode::Symlink && rel.starts_with(ap_prefix) {
            continue;
        }
        let dst = root.join(rel);
        if let Some(d) = dst.parent() {
            if made_dirs.insert(d.to_path_buf()) {
                mkdir(d)?;
            }
        }
        match mode {
            LinkMode::Copy => copy(src, &dst)?,
            LinkMode::HardLink => {
                if std::fs::hard_link(src, &dst).is_err() {
                    copy(src, &dst)?;
                }
            }
            LinkMode::Symlink => symlink(src, &dst)?,
        }
    }
    if let Some(src) = &project.source_model {
        copy(src, &root.join("keras_model.keras"))?;
    }
    Ok(())
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
