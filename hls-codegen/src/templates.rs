//! hls4ml's template tree (`hls4ml/templates/`), found at run time and never shipped with
//! presynth: `--templates PATH`, else `PRESYNTH_HLS4ML_TEMPLATES`, else a `.venv` next to the
//! working directory or the executable (no Python start-up), else the Python on PATH asked
//! where `hls4ml` is installed (without importing it). Loaded once: the small text templates
//! are read into memory, the nnet_utils/ap_types file lists are collected for copying or linking.

use crate::error::{CodegenError, Result};
use crate::model::Backend;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable naming the templates directory.
pub const ENV_VAR: &str = "PRESYNTH_HLS4ML_TEMPLATES";

/// A loaded hls4ml template tree.
#[derive(Debug, Clone)]
pub struct Templates {
    /// The `templates/` directory (contains `vivado/` and `vitis/`).
    pub root: PathBuf,
    pub myproject_cpp: String,
    pub myproject_h: String,
    pub defines_h: String,
    pub parameters_h: String,
    pub test_cpp: String,
    pub bridge_cpp: String,
    pub build_lib_sh: String,
    pub nnet_code_gen_h: String,
    /// nnet_utils headers: (file name, source path) with the Vitis overrides applied per backend.
    nnet_vivado: Vec<(String, PathBuf)>,
    nnet_vitis: Vec<(String, PathBuf)>,
    /// ap_types files: (path relative to ap_types/, source path).
    pub ap_types: Vec<(PathBuf, PathBuf)>,
}

impl Templates {
    /// Find the templates (see the module doc) and load them.
    pub fn discover(explicit: Option<&Path>) -> Result<Templates> {
        let mut tried = Vec::new();
        if let Some(p) = explicit {
            return match normalise(p) {
                Some(root) => Templates::load(&root),
                None => Err(CodegenError::TemplatesNotFound {
                    tried: format!("--templates {}: no vivado/nnet_utils under it", p.display()),
                }),
            };
        }
        if let Some(p) = std::env::var_os(ENV_VAR) {
            let p = PathBuf::from(p);
            return match normalise(&p) {
                Some(root) => Templates::load(&root),
                None => Err(CodegenError::TemplatesNotFound {
                    tried: format!("{ENV_VAR}={}: no vivado/nnet_utils under it", p.display()),
                }),
            };
        }
        tried.push(format!("{ENV_VAR} unset"));
        for base in venv_bases() {
            if let Some(root) = venv_templates(&base) {
                return Templates::load(&root);
            }
        }
        tried.push(
            "no .venv/lib/python3*/site-packages/hls4ml near the working directory or executable"
                .into(),
        );
        for py in ["python3", "python"] {
            match python_hls4ml(py) {
                Some(root) => return Templates::load(&root),
                None => tried.push(format!("`{py}` has no hls4ml")),
            }
        }
        Err(CodegenError::TemplatesNotFound {
            tried: tried.join("; "),
        })
    }

    /// Load from a `templates/` directory.
    pub fn load(root: &Path) -> Result<Templates> {
        let read = |rel: &str| -> Result<String> {
            let p = root.join(rel);
            std::fs::read_to_string(&p).map_err(|_| CodegenError::TemplateMissing {
                dir: root.to_path_buf(),
                file: rel.to_string(),
            })
        };
        let list = |dir: &Path| -> Vec<(String, PathBuf)> {
            let mut v: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == "h"))
                        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            v
        };
        let vivado = list(&root.join("vivado/nnet_utils"));
        if vivado.is_empty() {
            return Err(CodegenError::TemplateMissing {
                dir: root.to_path_buf(),
                file: "vivado/nnet_utils/*.h".into(),
            });
        }
        let overrides = list(&root.join("vitis/nnet_utils"));
        let mut vitis = vivado.clone();
        for (name, p) in overrides {
            match vitis.iter_mut().find(|(n, _)| *n == name) {
                Some(e) => e.1 = p,
                None => vitis.push((name, p)),
            }
        }
        vitis.sort();
        let mut ap_types = Vec::new();
        let ap_root = root.join("vivado/ap_types");
        walk(&ap_root, &ap_root, &mut ap_types).map_err(|e| CodegenError::io(&ap_root, e))?;
        ap_types.sort();
        Ok(Templates {
            root: root.to_path_buf(),
            myproject_cpp: read("vivado/firmware/myproject.cpp")?,
            myproject_h: read("vivado/firmware/myproject.h")?,
            defines_h: read("vivado/firmware/defines.h")?,
            parameters_h: read("vivado/firmware/parameters.h")?,
            test_cpp: read("vivado/myproject_test.cpp")?,
            bridge_cpp: read("vivado/myproject_bridge.cpp")?,
            build_lib_sh: read("vivado/build_lib.sh")?,
            nnet_code_gen_h: read("vivado/nnet_utils/nnet_code_gen.h")?,
            nnet_vivado: vivado,
            nnet_vitis: vitis,
            ap_types,
        })
    }

    /// The nnet_utils headers of a backend: (file name, source).
    pub fn nnet_utils(&self, backend: Backend) -> &[(String, PathBuf)] {
        match backend {
            Backend::Vivado => &self.nnet_vivado,
            Backend::Vitis => &self.nnet_vitis,
        }
    }

    /// Script files copied verbatim: (destination, source).
    pub fn scripts(&self, backend: Backend) -> Vec<(&'static str, PathBuf)> {
        let mut v = vec![(
            "vivado_synth.tcl",
            self.root.join("vivado/vivado_synth.tcl"),
        )];
        match backend {
            Backend::Vivado => v.push(("build_prj.tcl", self.root.join("vivado/build_prj.tcl"))),
            Backend::Vitis => {
                v.push(("build_prj.tcl", self.root.join("vitis/build_prj.tcl")));
                v.push(("build_opt.tcl", self.root.join("vitis/build_opt.tcl")));
            }
        }
        v
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, PathBuf)>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            walk(root, &p, out)?;
        } else {
            out.push((p.strip_prefix(root).unwrap_or(&p).to_path_buf(), p));
        }
    }
    Ok(())
}

/// Accept the hls4ml package directory, its `templates/`, or `templates/vivado`.
fn normalise(p: &Path) -> Option<PathBuf> {
    let parent = p.parent().map(Path::to_path_buf).unwrap_or_default();
    [p.join("templates"), p.to_path_buf(), parent]
        .into_iter()
        .find(|cand| cand.join("vivado/nnet_utils").is_dir())
}

/// Directories whose `.venv` may hold hls4ml: the working directory, the executable's
/// directory, and their ancestors.
fn venv_bases() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        v.extend(cwd.ancestors().map(Path::to_path_buf));
    }
    if let Ok(exe) = std::env::current_exe() {
        v.extend(exe.ancestors().skip(1).map(Path::to_path_buf));
    }
    v
}

fn venv_templates(base: &Path) -> Option<PathBuf> {
    let lib = base.join(".venv/lib");
    let rd = std::fs::read_dir(&lib).ok()?;
    for e in rd.filter_map(|e| e.ok()) {
        let t = e.path().join("site-packages/hls4ml/templates");
        if t.join("vivado/nnet_utils").is_dir() {
            return Some(t);
        }
    }
    None
}

/// Ask a Python where hls4ml is installed, without importing it (find_spec).
fn python_hls4ml(py: &str) -> Option<PathBuf> {
    let out = Command::new(py)
        .args([
            "-c",
            "import importlib.util as u; s = u.find_spec('hls4ml'); print(list(s.submodule_search_locations)[0] if s else '')",
        ])
        .output()
        .ok()?;
    let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if s.is_empty() {
        return None;
    }
    normalise(Path::new(&s))
}
