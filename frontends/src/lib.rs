//! Frontends: build an [`ir::Network`] from the text DSL ([`dsl`]), Keras files ([`keras`]),
//! ONNX/QONNX files ([`onnx`]) and hls4ml
//! config YAML ([`hls4ml_yaml`]). Each reports errors with the file, the line or field, and what
//! was expected ([`FrontendError`]). [`load_model`] picks the frontend from the file extension.

pub mod dsl;
pub mod error;
pub mod hls4ml_firmware;
pub mod hls4ml_keys;
mod hls4ml_onnx_names;
pub mod hls4ml_project;
pub mod hls4ml_yaml;
pub mod keras;
pub mod onnx;

pub use error::FrontendError;
pub use hls4ml_yaml::{
    apply_config, read_settings, read_settings_str, write_config, ConfigReport, ConfigSettings,
};

use ir::graph::Network;
use std::path::Path;

/// Load a model file, picking the frontend from its extension, with shapes inferred:
/// - `.json`: Keras `model.to_json()`; weights from `weights`, else `X_weights.h5` or
///   `X.weights.h5` beside `X.json` when one exists, else none;
/// - `.keras`: Keras 3 or tf.keras 2.13+ archive with its weights;
/// - `.h5`/`.hdf5`: legacy full-model Keras HDF5 with its weights;
/// - `.onnx`: ONNX or QONNX model with its initializers as weights (PyTorch models: export them
///   with `torch.onnx.export`);
/// - `.psn`/`.dsl`: the presynth text DSL (no weights);
/// - a directory hls4ml wrote, or its `hls4ml_config.yml` (`.yml`/`.yaml`): the model the
///   config names with the config applied, or the network rebuilt from its C++
///   ([`hls4ml_project`]).
///
/// A `config` file (hls4ml config YAML) is then applied to the network's settings.
pub fn load_model(
    path: &Path,
    weights: Option<&Path>,
    config: Option<&Path>,
) -> Result<Network, FrontendError> {
    load_model_report(path, weights, config).map(|(n, _)| n)
}

/// [`load_model`], with what the configs read accepted without using and notes on where the
/// model came from (shown by the CLI's `--verbose`).
pub fn load_model_report(
    path: &Path,
    weights: Option<&Path>,
    config: Option<&Path>,
) -> Result<(Network, ConfigReport), FrontendError> {
    if hls4ml_project::is_project_path(path) {
        if let Some(w) = weights {
            return Err(FrontendError::config(
                &error::display(w),
                "--weights",
                format!(
                    "{} is an hls4ml project, which names its own model",
                    error::display(path)
                ),
            ));
        }
        let (mut net, mut report) = hls4ml_project::load_project(path)?;
        if let Some(c) = config {
            report.extend(hls4ml_yaml::apply_config_report(&mut net, c)?);
        }
        return Ok((net, report));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if let (Some(w), false) = (weights, ext == "json") {
        return Err(FrontendError::config(
            &error::display(w),
            "--weights",
            format!(
                "a separate weights file applies to Keras .json models only; {} carries its own",
                error::display(path)
            ),
        ));
    }
    let mut net = match ext.as_str() {
        "json" => {
            let default_w = if weights.is_none() {
                keras::default_weights_path(path)
            } else {
                None
            };
            keras::load_json(path, weights.or(default_w.as_deref()))?
        }
        "keras" => keras::load_keras(path)?,
        "h5" | "hdf5" => keras::load_h5(path)?,
        "onnx" => onnx::load_onnx(path)?,
        "psn" | "dsl" => dsl::parse_file(path)?,
        _ => {
            if !path.exists() {
                return Err(FrontendError::io(path, "no such file"));
            }
            return Err(FrontendError::UnknownFormat {
                file: error::display(path),
            });
        }
    };
    let report = match config {
        Some(c) if ext == "onnx" => hls4ml_yaml::apply_config_report_onnx(&mut net, c)?,
        Some(c) => hls4ml_yaml::apply_config_report(&mut net, c)?,
        None => ConfigReport::default(),
    };
    Ok((net, report))
}
