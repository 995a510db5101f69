//! What the Python side passes as a model and a config, and loading them into a network with
//! the same frontends the CLI uses: a file path (any format `presynth` reads, with an optional
//! Keras weights file), DSL text, or an in-memory Keras model (its `to_json()` text and its
//! weights as Keras 3 saves them, layer by layer); a config file or config text (the dict of
//! hls4ml's `config_from_keras_model`, serialised as JSON, which is YAML).
//!
//! The Python package (pysrc/presynth/_models.py) turns a user's argument into one of the
//! tagged tuples [`ModelSource::extract`] reads.

use anyhow::Context;
use frontends::keras::weights::{RawWeight, WeightSet};
use ir::layer::Tensor;
use ir::Network;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use std::path::PathBuf;

/// One weight array as the Python package hands it over: its shape and its float32 bytes.
type RawArray<'py> = (Vec<usize>, Bound<'py, PyBytes>);

/// A model as the Python package hands it over.
#[derive(Debug, Clone)]
pub enum ModelSource {
    /// `("path", path, weights_path_or_None)`.
    Path {
        path: PathBuf,
        weights: Option<PathBuf>,
    },
    /// `("dsl", text)`.
    Dsl(String),
    /// `("keras", json_text, label, [(layer_name, [(shape, float32_bytes), ...]), ...])`.
    Keras {
        json: String,
        label: String,
        weights: WeightSet,
    },
}

/// A config as the Python package hands it over: `("path", path)` or `("text", text)`.
#[derive(Debug, Clone)]
pub enum ConfigSource {
    Path(PathBuf),
    Text(String),
}

/// The name errors give to a model passed as DSL text.
pub const DSL_TEXT: &str = "DSL text";

/// The name errors give to config text passed as a dict.
pub const CONFIG_DICT: &str = "<config dict>";

fn tag<'py>(t: &Bound<'py, PyTuple>, what: &str) -> PyResult<String> {
    t.get_item(0)
        .and_then(|v| v.extract::<String>())
        .map_err(|_| PyValueError::new_err(format!("{what}: expected a tagged tuple")))
}

impl ModelSource {
    pub fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let t = obj.cast::<PyTuple>()?;
        match tag(t, "model")?.as_str() {
            "path" => Ok(ModelSource::Path {
                path: t.get_item(1)?.extract()?,
                weights: t.get_item(2)?.extract()?,
            }),
            "dsl" => Ok(ModelSource::Dsl(t.get_item(1)?.extract()?)),
            "keras" => {
                let json: String = t.get_item(1)?.extract()?;
                let label: String = t.get_item(2)?.extract()?;
                let mut weights = WeightSet::empty(label.clone());
                for layer in t.get_item(3)?.try_iter()? {
                    let layer = layer?;
                    let (name, arrays): (String, Vec<RawArray<'_>>) = layer.extract()?;
                    let mut ws = Vec::with_capacity(arrays.len());
                    for (i, (shape, bytes)) in arrays.into_iter().enumerate() {
                        ws.push(RawWeight {
                            name: None,
                            path: format!("layers/{name}/vars/{i}"),
                            tensor: tensor(&name, i, shape, bytes.as_bytes())?,
                        });
                    }
                    weights.layers.push((name, ws));
                }
                Ok(ModelSource::Keras {
                    json,
                    label,
                    weights,
                })
            }
            other => Err(PyValueError::new_err(format!(
                "model: unknown source kind '{other}'"
            ))),
        }
    }

    /// The model as errors name it: its path, `DSL text`, or the in-memory Keras label.
    pub fn display(&self) -> String {
        match self {
            ModelSource::Path { path, .. } => path.display().to_string(),
            ModelSource::Dsl(_) => DSL_TEXT.to_string(),
            ModelSource::Keras { label, .. } => label.clone(),
        }
    }

    /// Paths the user named (to tell a missing file from a bad one).
    pub fn paths(&self) -> Vec<PathBuf> {
        match self {
            ModelSource::Path { path, weights } => std::iter::once(path.clone())
                .chain(weights.clone())
                .collect(),
            ModelSource::Dsl(_) | ModelSource::Keras { .. } => Vec::new(),
        }
    }

    /// The network, with `config` applied over the model's own settings.
    pub fn load(&self, config: Option<&ConfigSource>) -> anyhow::Result<Network> {
        let file_config = match config {
            Some(ConfigSource::Path(p)) => Some(p.as_path()),
            Some(ConfigSource::Text(_)) | None => None,
        };
        let mut net = match self {
            ModelSource::Path { path, weights } => {
                frontends::load_model(path, weights.as_deref(), file_config)?
            }
            ModelSource::Dsl(text) => {
                let mut net = frontends::dsl::parse(text).context(DSL_TEXT)?;
                if let Some(p) = file_config {
                    frontends::apply_config(&mut net, p)?;
                }
                net
            }
            ModelSource::Keras {
                json,
                label,
                weights,
            } => {
                let mut net =
                    frontends::keras::load_json_text(label, json, Some(weights), "model")?;
                if let Some(p) = file_config {
                    frontends::apply_config(&mut net, p)?;
                }
                net
            }
        };
        if let Some(ConfigSource::Text(text)) = config {
            frontends::hls4ml_yaml::apply_config_str_report(&mut net, text, CONFIG_DICT)?;
        }
        Ok(net)
    }
}

impl ConfigSource {
    pub fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Option<Self>> {
        if obj.is_none() {
            return Ok(None);
        }
        let t = obj.cast::<PyTuple>()?;
        match tag(t, "config")?.as_str() {
            "path" => Ok(Some(ConfigSource::Path(t.get_item(1)?.extract()?))),
            "text" => Ok(Some(ConfigSource::Text(t.get_item(1)?.extract()?))),
            other => Err(PyValueError::new_err(format!(
                "config: unknown source kind '{other}'"
            ))),
        }
    }

    /// The config as errors name it: its path or [`CONFIG_DICT`].
    pub fn display(&self) -> String {
        match self {
            ConfigSource::Path(p) => p.display().to_string(),
            ConfigSource::Text(_) => CONFIG_DICT.to_string(),
        }
    }

    pub fn path(&self) -> Option<PathBuf> {
        match self {
            ConfigSource::Path(p) => Some(p.clone()),
            ConfigSource::Text(_) => None,
        }
    }
}

/// A float32 array from its shape and native-endian bytes.
fn tensor(layer: &str, i: usize, shape: Vec<usize>, bytes: &[u8]) -> PyResult<Tensor> {
    let n: usize = shape.iter().product();
    if bytes.len() != n * 4 {
        return Err(PyValueError::new_err(format!(
            "weights of layer '{layer}', array {i}: shape {shape:?} needs {} float32 bytes, got {}",
            n * 4,
            bytes.len()
        )));
    }
    let data = bytes
        .chunks_exact(4)
        .map(|c| f32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok(Tensor::new(shape, data))
}
