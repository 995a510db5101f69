//! Nested models: a Sequential, Functional or Model used as a layer of another model. They are
//! flattened into the outer model's layer list as hls4ml 1.3.0's tf.keras converter does
//! (`converters/keras/model.py` makes a `LayerGroup` of the nested model's parsed layers, and
//! the `expand_layer_group` pass puts them in its place, keeping their own names:
//! `inner_dense`, `inner_dense_relu`; the nested model's InputLayer is removed).
//!
//! hls4ml numbers the outer model's layers first (the LayerGroup itself takes an index), and a
//! group's layers when the pass expands it (its InputLayer takes one too): [`ModelSpec::numbering`]
//! records that order, which the lowering uses instead of the topological one. Checked on the
//! QKeras harness cases `nested_seq` and `nested_func` (`scripts/qkeras_reference.py`).
//!
//! hls4ml's Keras 3 converter cannot convert a nested model at all (its `v2_call` fallback
//! hands the nested-model handler an `IsolatedLayerReader`, which has no `model`:
//! AttributeError); a shared sub-model (called more than once) is refused by
//! [`super::json`]'s shared-layer check: hls4ml's tf.keras converter reads only a layer's first
//! call, so its project of such a model computes something other than Keras.

use super::json::ModelSpec;
use super::layers::KerasLayer;
use crate::error::FrontendError;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// The class names of models used as layers.
pub const MODEL_CLASSES: [&str; 3] = ["Sequential", "Functional", "Model"];

/// Whether a layer of this class is a nested model.
pub fn is_model(class_name: &str) -> bool {
    MODEL_CLASSES.contains(&class_name)
}

/// One nested model, for the weights readers: its name, class and its own layers
/// `(name, class)` in config order (nested models among them by their own name and class).
#[derive(Debug, Clone)]
pub struct NestedModel {
    pub name: String,
    pub class_name: String,
    pub children: Vec<(String, String)>,
}

fn refuse(file: &str, kl: &KerasLayer, attribute: &str, message: String) -> FrontendError {
    FrontendError::UnsupportedAttribute {
        file: file.to_string(),
        layer: kl.name.clone(),
        kind: format!("nested {}", kl.class_name),
        attribute: attribute.to_string(),
        message,
    }
}

/// Give a Sequential spec explicit inbound names (each layer fed by the one before), its first
/// layer as input and its last as output, so that nested layers can be spliced into it.
fn to_functional(spec: &mut ModelSpec) {
    if !spec.sequential {
        return;
    }
    for i in 1..spec.layers.len() {
        if spec.layers[i].class_name != "InputLayer" {
            let prev = spec.layers[i - 1].name.clone();
            spec.layers[i].inbound = vec![prev];
        }
    }
    spec.inputs = spec
        .layers
        .first()
        .map(|l| l.name.clone())
        .into_iter()
        .collect();
    spec.outputs = spec
        .layers
        .last()
        .map(|l| l.name.clone())
        .into_iter()
        .collect();
    spec.sequential = false;
}

/// Flatten the nested models of `spec` (recursively), recording hls4ml's numbering and the
/// nested models' layers. Nothing changes in a model without nested models.
pub fn flatten(file: &str, spec: &mut ModelSpec) -> Result<(), FrontendError> {
    if !spec.layers.iter().any(|l| is_model(&l.class_name)) {
        return Ok(());
    }
    to_functional(spec);
    let mut numbering: Vec<Option<String>> = Vec::new();
    let mut expansions: Vec<Vec<Option<String>>> = Vec::new();
    let mut layers: Vec<KerasLayer> = Vec::with_capacity(spec.layers.len());
    let mut alias: HashMap<String, String> = HashMap::new();
    let mut names: HashSet<String> = spec
        .layers
        .iter()
        .filter(|l| !is_model(&l.class_name))
        .map(|l| l.name.clone())
        .collect();
    for kl in std::mem::take(&mut spec.layers) {
        if !is_model(&kl.class_name) {
            numbering.push(Some(kl.name.clone()));
            let mut kl = kl;
            for n in kl.inbound.iter_mut() {
                if let Some(a) = alias.get(n) {
                    *n = a.clone();
                }
            }
            layers.push(kl);
            continue;
        }
        numbering.push(None);
        let mut v = Map::new();
        v.insert("class_name".into(), Value::from(kl.class_name.clone()));
        v.insert("config".into(), Value::Object(kl.config.clone()));
        let mut inner = ModelSpec::from_value(file, &Value::Object(v)).map_err(|e| match e {
            FrontendError::Field {
                file,
                field,
                expected,
                found,
            } => FrontendError::Field {
                file,
                field: format!("nested model '{}' {field}", kl.name),
                expected,
                found,
            },
            other => other,
        })?;
        to_functional(&mut inner);
        if inner.inputs.len() != 1 || inner.outputs.len() != 1 {
            return Err(refuse(
                file,
                &kl,
                "input_layers/output_layers",
                format!(
                    "the nested model has {} inputs and {} outputs; nested models with one input \
                     and one output are supported",
                    inner.inputs.len(),
                    inner.outputs.len()
                ),
            ));
        }
        let source = match kl.inbound.as_slice() {
            [one] => alias.get(one).cloned().unwrap_or_else(|| one.clone()),
            other => {
                return Err(refuse(
                    file,
                    &kl,
                    "inbound_nodes",
                    format!(
                        "the nested model is called on {} tensors; one is supported",
                        other.len()
                    ),
                ))
            }
        };
        let (in_name, out_name) = (inner.inputs[0].clone(), inner.outputs[0].clone());
        let mut group: Vec<Option<String>> = if inner.numbering.is_empty() {
            inner.layers.iter().map(|l| Some(l.name.clone())).collect()
        } else {
            inner.numbering.clone()
        };
        for e in group.iter_mut() {
            if e.as_deref() == Some(in_name.as_str()) {
                *e = None;
            }
        }
        expansions.push(group);
        for mut il in inner.layers {
            if il.name == in_name {
                continue;
            }
            if !names.insert(il.name.clone()) {
                return Err(refuse(
                    file,
                    &kl,
                    "layers",
                    format!(
                        "its layer '{}' has the name of another layer of the model; hls4ml \
                         keeps a nested model's layer names, which must be unique (its \
                         expand_layer_group raises 'Layer names must be unique')",
                        il.name
                    ),
                ));
            }
            for n in il.inbound.iter_mut() {
                if *n == in_name {
                    *n = source.clone();
                }
            }
            layers.push(il);
        }
        let produced = if out_name == in_name {
            source
        } else {
            out_name
        };
        alias.insert(kl.name.clone(), produced);
        spec.nested.push(NestedModel {
            name: kl.name.clone(),
            class_name: kl.class_name.clone(),
            children: inner.top_classes.clone(),
        });
        spec.nested.extend(inner.nested);
    }
    for o in spec.outputs.iter_mut() {
        if let Some(a) = alias.get(o) {
            *o = a.clone();
        }
    }
    numbering.extend(expansions.into_iter().flatten());
    spec.layers = layers;
    spec.numbering = numbering;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dense(name: &str, units: u64, activation: &str) -> Value {
        json!({"class_name": "Dense", "config": {"name": name, "units": units,
            "activation": activation, "use_bias": true}})
    }

    #[test]
    fn a_nested_sequential_is_spliced_and_numbered_after_the_outer_layers() {
        // the model tf.keras 2.14 writes for Sequential([InputLayer((4,)), Sequential([Dense(8,
        // relu, name='inner_dense'), Dense(6, name='inner_d2')], name='inner'), Dense(3,
        // name='out')]); hls4ml 1.3.0 numbers input_1 1, inner 2, out 3, then
        // inner_dense_input 5 (removed), inner_dense 6 (as probed: layer6_out, layer7 relu)
        let v = json!({"class_name": "Sequential", "config": {"name": "outer", "layers": [
            {"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [null, 4]}},
            {"class_name": "Sequential", "config": {"name": "inner", "layers": [
                {"class_name": "InputLayer", "config": {"name": "inner_dense_input", "batch_input_shape": [null, 4]}},
                dense("inner_dense", 8, "relu"), dense("inner_d2", 6, "linear")]}},
            dense("out", 3, "linear")]}});
        let spec = ModelSpec::from_value("m.json", &v).unwrap();
        let names: Vec<_> = spec.layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["input_1", "inner_dense", "inner_d2", "out"]);
        assert_eq!(spec.layers[1].inbound, ["input_1"]);
        assert_eq!(spec.layers[3].inbound, ["inner_d2"]);
        assert_eq!(spec.outputs, ["out"]);
        let n: Vec<_> = spec.numbering.iter().map(|e| e.as_deref()).collect();
        assert_eq!(
            n,
            [
                Some("input_1"),
                None,
                Some("out"),
                None,
                Some("inner_dense"),
                Some("inner_d2")
            ]
        );
        assert_eq!(spec.nested.len(), 1);
        assert_eq!(spec.nested[0].children.len(), 3);
    }

    #[test]
    fn a_nested_layer_named_like_an_outer_one_is_refused() {
        let v = json!({"class_name": "Sequential", "config": {"name": "outer", "layers": [
            {"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [null, 4]}},
            {"class_name": "Sequential", "config": {"name": "inner", "layers": [
                {"class_name": "InputLayer", "config": {"name": "i", "batch_input_shape": [null, 4]}},
                dense("out", 8, "relu")]}},
            dense("out", 3, "linear")]}});
        let e = ModelSpec::from_value("m.json", &v).unwrap_err().to_string();
        assert!(e.contains("'out'") && e.contains("unique"), "{e}");
    }
}
