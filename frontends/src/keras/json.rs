//! The structure of a Keras model config (`model.to_json()`, the `model_config` of a legacy
//! `.h5`, the `config.json` of a `.keras`): Sequential (Keras 2.0's bare layer list, later
//! `{"layers": [...]}`) and Functional/Model, with Keras 2 inbound nodes
//! (`[[["name", 0, 0, {}]]]`) and Keras 3 ones (`[{"args": [...keras_history...], "kwargs": {}}]`).

use super::layers::{declared_input_shape, KerasLayer};
use crate::error::FrontendError;
use serde_json::{Map, Value};

/// A model config reduced to what the IR needs.
#[derive(Debug, Clone)]
pub struct ModelSpec {
    pub name: Option<String>,
    pub sequential: bool,
    pub layers: Vec<KerasLayer>,
    /// Keras names of the model inputs and outputs (Functional only; empty for Sequential).
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    /// The model's own layers `(name, class)` in config order, before nested models are
    /// flattened (what the Keras 3 weights layout names its groups after).
    pub top_classes: Vec<(String, String)>,
    /// Every nested model, at any depth (see [`super::nested`]); empty when none.
    pub nested: Vec<super::nested::NestedModel>,
    /// hls4ml's layer numbering when the model has nested models: Keras layer names in the
    /// order hls4ml's tf.keras converter numbers them, `None` for an index it gives a node it
    /// removes (the nested model's LayerGroup and InputLayer). Empty without nested models.
    pub numbering: Vec<Option<String>>,
}

/// Parse JSON text, reporting the line and column of a syntax error. Python's `Infinity`,
/// `-Infinity` and `NaN` (HGQ2 configs have them) are read as the strings of their names
/// (see [`super::nonfinite`]).
pub fn parse_json_text(file: &str, text: &str) -> Result<Value, FrontendError> {
    let syntax = |e: serde_json::Error, column: usize| {
        // serde_json's text ends with its own position, which the quoting may have shifted
        let text = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        FrontendError::Syntax {
            file: file.to_string(),
            line: e.line(),
            column,
            message: format!(
                "invalid JSON: {}",
                text.strip_suffix(&suffix).unwrap_or(&text)
            ),
        }
    };
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(strict) => match super::nonfinite::quote_non_finite(text) {
            None => {
                let c = strict.column();
                Err(syntax(strict, c))
            }
            Some((quoted, inserted)) => serde_json::from_str(&quoted).map_err(|e| {
                let c = super::nonfinite::original_column(&inserted, e.line(), e.column());
                syntax(e, c)
            }),
        },
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn obj<'a>(file: &str, field: &str, v: &'a Value) -> Result<&'a Map<String, Value>, FrontendError> {
    v.as_object()
        .ok_or_else(|| FrontendError::field(file, field, "an object", type_name(v)))
}

fn str_field<'a>(
    file: &str,
    field: &str,
    o: &'a Map<String, Value>,
    key: &str,
) -> Result<&'a str, FrontendError> {
    match o.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(v) => Err(FrontendError::field(
            file,
            format!("{field}.{key}"),
            "a string",
            type_name(v),
        )),
        None => Err(FrontendError::field(
            file,
            format!("{field}.{key}"),
            "a string",
            "nothing (the field is missing)",
        )),
    }
}

/// The names in a Keras 3 node's `args`: every `keras_history` in order, nested lists included.
fn keras3_history(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| keras3_history(x, out)),
        Value::Object(o) => {
            if let Some(Value::Array(h)) = o.get("config").and_then(|c| c.get("keras_history")) {
                if let Some(Value::String(n)) = h.first() {
                    out.push(n.clone());
                }
            } else if let Some(Value::Array(h)) = o.get("keras_history") {
                if let Some(Value::String(n)) = h.first() {
                    out.push(n.clone());
                }
            }
        }
        _ => {}
    }
}

/// The inbound layer names of a functional layer (first and only node), and the call's other
/// keyword arguments (Keras 3 `kwargs` that are not tensors, e.g. `use_causal_mask`).
fn inbound_names(
    file: &str,
    layer: &str,
    v: Option<&Value>,
) -> Result<(Vec<String>, Map<String, Value>), FrontendError> {
    let field = format!("layer '{layer}' inbound_nodes");
    let nodes = match v {
        None | Some(Value::Null) => return Ok((Vec::new(), Map::new())),
        Some(Value::Array(n)) => n,
        Some(other) => {
            return Err(FrontendError::field(
                file,
                field,
                "a list of nodes",
                type_name(other),
            ))
        }
    };
    if nodes.len() > 1 {
        return Err(FrontendError::UnsupportedAttribute {
            file: file.to_string(),
            layer: layer.to_string(),
            kind: "shared layer".to_string(),
            attribute: "inbound_nodes".to_string(),
            message: format!(
                "the layer is called {} times; shared layers are not supported",
                nodes.len()
            ),
        });
    }
    let node = match nodes.first() {
        None => return Ok((Vec::new(), Map::new())),
        Some(n) => n,
    };
    let mut names = Vec::new();
    let mut call = Map::new();
    match node {
        // Keras 2: [["name", node_index, tensor_index, {kwargs}], ...]
        Value::Array(entries) => {
            for e in entries {
                match e.as_array().and_then(|x| x.first()).and_then(Value::as_str) {
                    Some(n) => names.push(n.to_string()),
                    None => {
                        return Err(FrontendError::field(
                            file,
                            field,
                            "entries like [\"layer_name\", 0, 0, {}]",
                            e.to_string(),
                        ))
                    }
                }
            }
        }
        // Keras 3: {"args": [...], "kwargs": {...}}
        Value::Object(o) => {
            if let Some(args) = o.get("args") {
                keras3_history(args, &mut names);
            }
            if let Some(Value::Object(kw)) = o.get("kwargs") {
                // tensors passed by keyword: attention's query, value and key, in that order;
                // any other tensor (a mask) is an input the IR does not model
                for key in ["query", "value", "key"] {
                    if let Some(v) = kw.get(key) {
                        keras3_history(v, &mut names);
                    }
                }
                for (key, v) in kw {
                    let mut t = Vec::new();
                    keras3_history(v, &mut t);
                    if !t.is_empty() && !["query", "value", "key"].contains(&key.as_str()) {
                        return Err(FrontendError::UnsupportedAttribute {
                            file: file.to_string(),
                            layer: layer.to_string(),
                            kind: "call argument".to_string(),
                            attribute: format!("inbound_nodes.kwargs.{key}"),
                            message: format!(
                                "the tensor '{}' is passed as {key}; mask tensors are not supported (a causal mask is: use_causal_mask=True)",
                                t[0]
                            ),
                        });
                    }
                    if t.is_empty() && !v.is_null() {
                        call.insert(key.clone(), v.clone());
                    }
                }
            }
            if names.is_empty() {
                return Err(FrontendError::field(
                    file,
                    field,
                    "args with keras_history entries",
                    "none",
                ));
            }
        }
        other => {
            return Err(FrontendError::field(
                file,
                field,
                "a node (list or object)",
                type_name(other),
            ))
        }
    }
    Ok((names, call))
}

/// `input_layers`/`output_layers`: `[["x", 0, 0], ...]` or Keras 3's flat `["x", 0, 0]`.
fn endpoint_names(
    file: &str,
    field: &str,
    v: Option<&Value>,
) -> Result<Vec<String>, FrontendError> {
    let list = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(FrontendError::field(
                file,
                field,
                "a list of [name, 0, 0]",
                type_name(other),
            ))
        }
    };
    if let Some(Value::String(n)) = list.first() {
        return Ok(vec![n.clone()]);
    }
    list.iter()
        .map(|e| {
            e.as_array()
                .and_then(|x| x.first())
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| {
                    FrontendError::field(
                        file,
                        field,
                        "entries like [\"name\", 0, 0]",
                        e.to_string(),
                    )
                })
        })
        .collect()
}

/// A shared nested model gets hls4ml's reason: its tf.keras converter reads only a layer's
/// first call (`inbound_nodes[0]`), so its project of a sub-model called twice computes
/// something else than Keras (checked: a Dense(4) sub-model applied twice, hls4ml 1.3.0 under
/// tf.keras 2.14 converts it without error and its outputs differ from Keras's).
fn shared_model_reason(e: FrontendError, model: bool) -> FrontendError {
    match e {
        FrontendError::UnsupportedAttribute {
            file,
            layer,
            kind,
            attribute,
            message,
        } if model && kind == "shared layer" => FrontendError::UnsupportedAttribute {
            file,
            layer,
            kind: "shared nested model".into(),
            attribute,
            message: format!(
                "{message}: hls4ml 1.3.0's tf.keras converter reads only the first call of a \
                 layer (its project of a shared sub-model computes something else than Keras), \
                 and its Keras 3 converter fails on nested models"
            ),
        },
        other => other,
    }
}

impl ModelSpec {
    /// Read a model config (the whole `to_json()` object).
    pub fn from_value(file: &str, v: &Value) -> Result<ModelSpec, FrontendError> {
        let top = obj(file, "model", v)?;
        let class = str_field(file, "model", top, "class_name")?;
        let config = top.get("config").ok_or_else(|| {
            FrontendError::field(
                file,
                "model.config",
                "the model config",
                "nothing (the field is missing)",
            )
        })?;
        let sequential = match class {
            "Sequential" => true,
            "Model" | "Functional" => false,
            other => {
                return Err(FrontendError::field(
                    file,
                    "model.class_name",
                    "Sequential, Functional or Model",
                    format!("'{other}'"),
                ))
            }
        };
        // Keras 2.0 Sequential: `config` is the bare list of layers.
        let (name, layer_values, cfg) = match config {
            Value::Array(a) if sequential => (None, a, None),
            Value::Object(o) => {
                let layers = match o.get("layers") {
                    Some(Value::Array(a)) => a,
                    Some(other) => {
                        return Err(FrontendError::field(
                            file,
                            "model.config.layers",
                            "a list of layers",
                            type_name(other),
                        ))
                    }
                    None => {
                        return Err(FrontendError::field(
                            file,
                            "model.config.layers",
                            "a list of layers",
                            "nothing (the field is missing)",
                        ))
                    }
                };
                (
                    o.get("name").and_then(Value::as_str).map(str::to_string),
                    layers,
                    Some(o),
                )
            }
            other => {
                return Err(FrontendError::field(
                    file,
                    "model.config",
                    "an object with 'layers'",
                    type_name(other),
                ))
            }
        };
        if layer_values.is_empty() {
            return Err(FrontendError::field(
                file,
                "model.config.layers",
                "at least one layer",
                "an empty list",
            ));
        }
        let mut layers = Vec::with_capacity(layer_values.len());
        for (i, lv) in layer_values.iter().enumerate() {
            let field = format!("model.config.layers[{i}]");
            let lo = obj(file, &field, lv)?;
            let class_name = str_field(file, &field, lo, "class_name")?.to_string();
            let mut config = match lo.get("config") {
                Some(Value::Object(c)) => c.clone(),
                Some(other) => {
                    return Err(FrontendError::field(
                        file,
                        format!("{field}.config"),
                        "an object",
                        type_name(other),
                    ))
                }
                None => Map::new(),
            };
            let name = match config.get("name").or_else(|| lo.get("name")) {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(other) => {
                    return Err(FrontendError::field(
                        file,
                        format!("{field}.config.name"),
                        "a non-empty string",
                        other.to_string(),
                    ))
                }
                None => {
                    return Err(FrontendError::field(
                        file,
                        format!("{field}.config.name"),
                        "the layer name",
                        "nothing",
                    ))
                }
            };
            // Keras 3 Sequential built without an Input: the first layer's build config has the
            // input shape.
            if i == 0
                && sequential
                && class_name != "InputLayer"
                && !config.contains_key("batch_input_shape")
            {
                if let Some(shape) = lo.get("build_config").and_then(|b| b.get("input_shape")) {
                    config.insert("batch_input_shape".into(), shape.clone());
                }
            }
            let (inbound, call) = if sequential {
                (Vec::new(), Map::new())
            } else {
                inbound_names(file, &name, lo.get("inbound_nodes"))
                    .map_err(|e| shared_model_reason(e, super::nested::is_model(&class_name)))?
            };
            layers.push(KerasLayer {
                name,
                class_name,
                config,
                inbound,
                call,
                hgq2: super::hgq2::is_hgq2(lo),
            });
        }
        let (inputs, outputs) = match (sequential, cfg) {
            (false, Some(o)) => (
                endpoint_names(file, "model.config.input_layers", o.get("input_layers"))?,
                endpoint_names(file, "model.config.output_layers", o.get("output_layers"))?,
            ),
            _ => (Vec::new(), Vec::new()),
        };
        let top_classes = layers
            .iter()
            .map(|l| (l.name.clone(), l.class_name.clone()))
            .collect();
        let mut spec = ModelSpec {
            name,
            sequential,
            layers,
            inputs,
            outputs,
            top_classes,
            nested: Vec::new(),
            numbering: Vec::new(),
        };
        spec.add_implicit_input(file)?;
        super::nested::flatten(file, &mut spec)?;
        Ok(spec)
    }

    /// Sequential models from before Keras 2.4 have no InputLayer: the first layer declares the
    /// input shape. Add the input layer as hls4ml does (named `input1`).
    fn add_implicit_input(&mut self, file: &str) -> Result<(), FrontendError> {
        if !self.sequential || self.layers[0].class_name == "InputLayer" {
            return Ok(());
        }
        let first = &self.layers[0];
        let shape = match declared_input_shape(file, first)? {
            Some(s) => s,
            None => return Err(FrontendError::field(
                file,
                format!("layer '{}' config.batch_input_shape", first.name),
                "the input shape of the first layer of a Sequential model without an InputLayer",
                "nothing (the field is missing)",
            )),
        };
        let mut config = Map::new();
        let mut dims = vec![Value::Null];
        dims.extend(shape.iter().map(|d| Value::from(*d as u64)));
        config.insert("batch_input_shape".into(), Value::Array(dims));
        config.insert("name".into(), Value::from("input1"));
        self.layers.insert(
            0,
            KerasLayer {
                name: "input1".into(),
                class_name: "InputLayer".into(),
                config,
                inbound: Vec::new(),
                call: Map::new(),
                hgq2: false,
            },
        );
        Ok(())
    }
}
