//! An hls4ml project as a model: a directory hls4ml wrote (`hls4ml_config.yml`, the model file,
//! `firmware/`) or its `hls4ml_config.yml` given directly. The config names the model file
//! ([`ModelRef`]); hls4ml writes it as an absolute path on the machine that made the project
//! (`KerasModel: !keras_model '/home/.../keras_model.keras'`), so a path that does not exist is
//! looked up relative to the config's folder, its parent, and by file name beside the config.
//! When no model file is found, the network is rebuilt from the project's C++
//! ([`crate::hls4ml_firmware`]). The config's settings are then applied.

use crate::error::{display, FrontendError};
use crate::hls4ml_firmware;
use crate::hls4ml_yaml::{self, ConfigReport, ModelRef};
use ir::graph::Network;
use serde_yaml::Value;
use std::path::{Path, PathBuf};

/// The file name hls4ml gives a project's config.
pub const CONFIG_FILE: &str = "hls4ml_config.yml";

/// Whether `path` is read as an hls4ml project: a directory, or a `.yml`/`.yaml` file.
pub fn is_project_path(path: &Path) -> bool {
    path.is_dir()
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// Where to look for a file a config names: as written (absolute, or relative to the config's
/// folder, then its parent), then by file name beside the config.
fn candidates(written: &Path, dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if written.is_absolute() {
        out.push(written.to_path_buf());
    } else {
        out.push(dir.join(written));
        if let Some(parent) = dir.parent() {
            out.push(parent.join(written));
        }
    }
    if let Some(name) = written.file_name() {
        let beside = dir.join(name);
        if !out.contains(&beside) {
            out.push(beside);
        }
    }
    out
}

fn find(written: &Path, dir: &Path) -> Result<PathBuf, Vec<PathBuf>> {
    let c = candidates(written, dir);
    c.iter().find(|p| p.is_file()).cloned().ok_or(c)
}

/// The `LayerName` keys of a config, in file order, and its `ProjectName`.
fn names_and_project(doc: &Value) -> (Vec<String>, String) {
    let hls = doc.get("HLSConfig").unwrap_or(doc);
    let names = hls
        .get("LayerName")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.keys()
                .filter_map(|k| k.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let project = doc
        .get("ProjectName")
        .and_then(Value::as_str)
        .unwrap_or("myproject")
        .to_string();
    (names, project)
}

/// Load the project at `path` (a directory or its config file): the network with the config
/// applied, and the config's report with notes on where the model came from.
pub fn load_project(path: &Path) -> Result<(Network, ConfigReport), FrontendError> {
    let cfg_path = if path.is_dir() {
        path.join(CONFIG_FILE)
    } else {
        path.to_path_buf()
    };
    if !cfg_path.is_file() {
        return Err(FrontendError::io(
            &cfg_path,
            if path.is_dir() {
                "no such file (expected the hls4ml_config.yml of an hls4ml project directory)"
            } else {
                "no such file"
            },
        ));
    }
    let file = display(&cfg_path);
    let dir = cfg_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let text = std::fs::read_to_string(&cfg_path).map_err(|e| FrontendError::io(&cfg_path, e))?;
    let model = hls4ml_yaml::config_model_ref(&text, &file)?;
    let mut notes = Vec::new();
    let (found, field, written) = match &model {
        Some(ModelRef::Keras(p)) => (find(p, &dir), "KerasModel", p.clone()),
        Some(ModelRef::KerasJson { json, .. }) => (find(json, &dir), "KerasJson", json.clone()),
        Some(ModelRef::Onnx(p)) => (find(p, &dir), "OnnxModel", p.clone()),
        None => (Err(Vec::new()), "KerasModel", PathBuf::new()),
    };
    let mut net = match found {
        Ok(model_path) => {
            if model_path != written {
                notes.push(format!(
                    "{file}: {field} '{}' {}; using {}",
                    written.display(),
                    if written.is_absolute() {
                        "does not exist (a path of the machine that wrote the project)"
                    } else {
                        "is relative"
                    },
                    model_path.display()
                ));
            }
            let weights = match &model {
                Some(ModelRef::KerasJson { h5: Some(h5), .. }) => {
                    Some(find(h5, &dir).map_err(|tried| {
                        FrontendError::config(&file, "KerasH5", not_found(h5, &tried))
                    })?)
                }
                _ => None,
            };
            super::load_model(&model_path, weights.as_deref(), None)?
        }
        Err(tried) => {
            let firmware = dir.join("firmware");
            if !firmware.join("parameters.h").is_file() {
                let what = if model.is_none() {
                    "names no model file (expected KerasModel, KerasJson or OnnxModel) and"
                        .to_string()
                } else {
                    format!("{field}: {};", not_found(&written, &tried))
                };
                return Err(FrontendError::config(
                    &file,
                    field,
                    format!("{what} there is no firmware/parameters.h beside it to rebuild the network from"),
                ));
            }
            let doc = hls4ml_yaml::parse_yaml(&text, &file)?;
            let (names, project) = names_and_project(&doc);
            notes.push(format!(
                "{file}: {}; network rebuilt from {}/ (parameters.h, defines.h, {project}.cpp, weights/*.txt)",
                if model.is_none() {
                    "no model file named".to_string()
                } else {
                    format!("{field} '{}' not found", written.display())
                },
                firmware.display()
            ));
            let mut net = hls4ml_firmware::rebuild(&dir, &project, &names)?;
            let rebuilt_types: Vec<_> = net
                .graph
                .node_indices()
                .map(|id| (id, net.layer(id).settings.precision.clone()))
                .collect();
            // hls4ml drops Dropout layers and keeps Flatten as an alias: the config may name
            // layers the C++ no longer has.
            let mut report = hls4ml_yaml::apply_config_str_lenient(&mut net, &text, &file)?;
            keep_resolved_types(&mut net, &rebuilt_types);
            report.notes.splice(0..0, notes);
            return Ok((net, report));
        }
    };
    let mut report = hls4ml_yaml::apply_config_str_report(&mut net, &text, &file)?;
    report.notes.splice(0..0, notes);
    Ok((net, report))
}

fn not_found(written: &Path, tried: &[PathBuf]) -> String {
    format!(
        "'{}' not found (looked at {})",
        written.display(),
        tried
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The C++ of a project holds the types hls4ml resolved (an `auto` of its config already
/// inferred): a variable the config gives as `auto` keeps the rebuilt layer's type and is not
/// inferred again.
fn keep_resolved_types(net: &mut ir::Network, rebuilt: &[(ir::NodeId, ir::Precision)]) {
    for (id, p) in rebuilt {
        let s = &mut net.layer_mut(*id).settings;
        let a = std::mem::take(&mut s.auto);
        let q = &mut s.precision;
        for (auto, slot, from) in [
            (a.weight, &mut q.weight, &p.weight),
            (a.bias, &mut q.bias, &p.bias),
            (a.result, &mut q.result, &p.result),
            (a.accum, &mut q.accum, &p.accum),
            (a.scale, &mut q.scale, &p.scale),
        ] {
            if auto {
                *slot = from.clone();
            }
        }
    }
}
