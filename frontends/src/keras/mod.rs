//! Keras frontend: `model.to_json()` files (Keras 2 and 3, Sequential and Functional) with an
//! optional weights file, `.keras` archives and legacy full-model `.h5` files, QKeras layers
//! included. Builds the IR, attaches the weights by Keras layer and weight name, and infers
//! shapes.
//!
//! - [`json`]: the model config's structure (layers, inbound nodes, inputs, outputs)
//! - [`layers`]: one Keras layer class to IR layers, unsupported attributes as errors
//! - `attention`: the transformer classes (attention, LayerNormalization, EinsumDense, Embedding)
//! - [`qkeras`]: QKeras quantizers to hls4ml fixed-point types
//! - [`h5`]: weights from HDF5 in the legacy and Keras 3 layouts
//! - [`archive`]: the `.keras` zip
//! - [`hgq2`]: HGQ2 layers (their Keras base classes and quantizer state)
//! - [`nonfinite`]: Python's `Infinity`/`NaN` in configs
//! - [`nested`]: models used as layers, flattened as hls4ml's tf.keras converter does

pub mod alpha;
pub mod archive;
mod attention;
pub mod fold;
mod garnet;
#[cfg(feature = "hdf5")]
pub mod h5;
#[cfg(feature = "hdf5")]
pub mod h5guard;
pub mod hgq1;
pub mod hgq2;
pub mod json;
mod keras2;
pub mod layers;
pub mod nested;
pub mod nonfinite;
pub mod qkeras;
mod recurrent;
mod time_distributed;
pub mod weights;

use crate::error::{display, FrontendError};
use ir::graph::Network;
use ir::layer::{Layer, LayerKind, Tensor};
use json::ModelSpec;
use std::collections::HashMap;
use std::path::Path;
use weights::{RawWeight, WeightSet};

fn read_text(path: &Path) -> Result<String, FrontendError> {
    ir::limits::read_text(path).map_err(|e| FrontendError::io(path, e))
}

fn stem(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.split('.').next().unwrap_or(n).to_string())
        .unwrap_or_else(|| "model".to_string())
}

/// The weights file beside `X.json`: `X_weights.h5` (as hls4ml's example models ship them),
/// else `X.weights.h5` (the name Keras 3's `save_weights` requires), the first that exists.
pub fn default_weights_path(json_path: &Path) -> Option<std::path::PathBuf> {
    let stem = json_path.file_stem()?.to_str()?;
    ["_weights.h5", ".weights.h5"]
        .iter()
        .map(|suffix| json_path.with_file_name(format!("{stem}{suffix}")))
        .find(|p| p.exists())
}

/// Load a Keras JSON model; weights from `weights` when given (legacy or Keras 3 HDF5).
pub fn load_json(path: &Path, weights: Option<&Path>) -> Result<Network, FrontendError> {
    let file = display(path);
    let text = read_text(path)?;
    let spec = ModelSpec::from_value(&file, &json::parse_json_text(&file, &text)?)?;
    let w = match weights {
        None => None,
        #[cfg(not(feature = "hdf5"))]
        Some(wp) => return Err(no_hdf5(wp)),
        #[cfg(feature = "hdf5")]
        Some(wp) => {
            let classes = layer_classes(&spec);
            h5guard::probe(&display(wp), h5guard::limit(), || {
                let _ = h5::read_weights(wp, &classes);
            })?;
            Some(h5::read_weights(wp, &classes)?)
        }
    };
    build(&file, &spec, w.as_ref(), &stem(path))
}

/// Build a network from Keras JSON text (`model.to_json()`) and weights already in memory, by
/// Keras layer name in the order Keras 3 saves them (`layer.save_own_variables`): what the
/// Python package passes for an in-memory Keras model, no file written. `file` is the name
/// errors show; `default_name` is used when the JSON names no model.
pub fn load_json_text(
    file: &str,
    text: &str,
    weights: Option<&WeightSet>,
    default_name: &str,
) -> Result<Network, FrontendError> {
    let spec = ModelSpec::from_value(file, &json::parse_json_text(file, text)?)?;
    build(file, &spec, weights, default_name)
}

/// Load a Keras 3 `.keras` archive with its weights.
pub fn load_keras(path: &Path) -> Result<Network, FrontendError> {
    let file = display(path);
    let ar = archive::open(path)?;
    let cfg_file = format!("{file}:config.json");
    let spec = ModelSpec::from_value(
        &cfg_file,
        &json::parse_json_text(&cfg_file, &ar.config_json)?,
    )?;
    let w = match &ar.weights {
        None => None,
        #[cfg(not(feature = "hdf5"))]
        Some(_) => return Err(no_hdf5(path)),
        #[cfg(feature = "hdf5")]
        Some(tmp) => {
            let wfile = format!("{file}:model.weights.h5");
            let classes = layer_classes(&spec);
            h5guard::probe(&wfile, h5guard::limit(), || {
                if let Ok(f) = h5::open_named(tmp.path(), &wfile) {
                    let _ = h5::read_keras3(&wfile, &f, &classes);
                }
            })?;
            let f = h5::open_named(tmp.path(), &wfile)?;
            Some(h5::read_keras3(&wfile, &f, &layer_classes(&spec))?)
        }
    };
    build(&file, &spec, w.as_ref(), &stem(path))
}

/// The error of a build without the `hdf5` feature asked to read an HDF5 file.
#[cfg(not(feature = "hdf5"))]
fn no_hdf5(path: &Path) -> FrontendError {
    FrontendError::io(
        path,
        "this presynth was built without HDF5 support (the `hdf5` feature, on by default in \
         presynth, presynth-frontends and the Python wheel; `scripts/build-wheel.sh --no-hdf5` \
         leaves it out): Keras weights and .h5 files cannot be read",
    )
}

/// Load a legacy full-model `.h5`: not available in a build without HDF5.
#[cfg(not(feature = "hdf5"))]
pub fn load_h5(path: &Path) -> Result<Network, FrontendError> {
    Err(no_hdf5(path))
}

/// Load a legacy full-model `.h5` (`model.save('x.h5')`): `model_config` plus `model_weights`.
#[cfg(feature = "hdf5")]
pub fn load_h5(path: &Path) -> Result<Network, FrontendError> {
    let file = display(path);
    h5guard::probe(&file, h5guard::limit(), || {
        let Ok(f) = h5::open(path) else { return };
        let Ok(text) = h5::model_config(path, &f) else {
            return;
        };
        drop(f);
        let classes = json::parse_json_text(&file, &text)
            .and_then(|v| ModelSpec::from_value(&file, &v))
            .map(|spec| layer_classes(&spec))
            .unwrap_or_default();
        let _ = h5::read_weights(path, &classes);
    })?;
    let f = h5::open(path)?;
    let text = h5::model_config(path, &f)?;
    let cfg_file = format!("{file}:model_config");
    let spec = ModelSpec::from_value(&cfg_file, &json::parse_json_text(&cfg_file, &text)?)?;
    drop(f);
    let w = h5::read_weights(path, &layer_classes(&spec))?;
    build(&file, &spec, Some(&w), &stem(path))
}

/// The model's own layers `(name, class)` and its nested models, as the weights readers need.
#[cfg(feature = "hdf5")]
fn layer_classes(spec: &ModelSpec) -> h5::LayerClasses {
    h5::LayerClasses {
        top: spec.top_classes.clone(),
        nested: spec.nested.clone(),
    }
}

/// Build the network from a parsed model config and optional weights, then infer shapes.
pub fn build(
    file: &str,
    spec: &ModelSpec,
    weights: Option<&WeightSet>,
    default_name: &str,
) -> Result<Network, FrontendError> {
    let mut net = Network::new(
        spec.name
            .clone()
            .unwrap_or_else(|| default_name.to_string()),
    );
    // Keras layer name → the IR layer that holds its output (differs when a QKeras activation
    // quantizer was split off into its own layer).
    let mut output_of: HashMap<String, String> = HashMap::new();
    let mut weights_by_layer: HashMap<&str, &[RawWeight]> = HashMap::new();
    if let Some(w) = weights {
        for (name, ws) in &w.layers {
            if !ws.is_empty() && !spec.layers.iter().any(|l| &l.name == name) {
                return Err(FrontendError::weights(
                    &w.file,
                    format!(
                        "the file has weights for layer '{name}', which is not in the model {file}"
                    ),
                ));
            }
            weights_by_layer.insert(name.as_str(), ws.as_slice());
        }
    }
    // Every layer of an unsupported class is named at once, not only the first.
    let unsupported: Vec<String> = spec
        .layers
        .iter()
        .filter_map(|kl| match layers::convert(file, kl) {
            Err(FrontendError::UnsupportedLayer { layer, kind, .. }) => {
                Some(format!("'{layer}' ({kind})"))
            }
            Ok(_) | Err(_) => None,
        })
        .collect();
    if unsupported.len() > 1 {
        return Err(FrontendError::UnsupportedLayers {
            file: file.to_string(),
            layers: unsupported,
        });
    }
    let mut prev: Option<String> = None;
    // nested models: only hls4ml's tf.keras converter converts them (see `nested`)
    let keras2 = keras2::uses_keras2_parser(&spec.layers)
        || hgq1::is_proxy_model(&spec.layers)
        || !spec.numbering.is_empty();
    // the IR layers made of each Keras layer, for hls4ml's numbering
    let mut ir_names: HashMap<String, Vec<String>> = HashMap::new();
    for kl in &spec.layers {
        if keras2 && kl.class_name == "Dropout" {
            // hls4ml's Keras 2 parser skips it: readers read its input
            let input = if spec.sequential {
                prev.clone()
            } else {
                kl.inbound.first().and_then(|n| output_of.get(n).cloned())
            };
            if let Some(input) = input {
                output_of.insert(kl.name.clone(), input);
                continue;
            }
        }
        let mut chain = layers::convert(file, kl)?;
        if let Some(w) = weights {
            let found = weights_by_layer.get(kl.name.as_str()).copied();
            let folded;
            let mut unfolded = None;
            let hgq2_weights;
            let found = match kl.class_name.as_str() {
                _ if kl.hgq2 => {
                    hgq2_weights = hgq2::without_scalars(found.unwrap_or(&[]));
                    let stored = w
                        .stored_values
                        .iter()
                        .find(|(n, _)| *n == kl.name)
                        .map_or(0, |(_, v)| *v);
                    chain[0].quantizer_params = hgq2::quantizer_values(stored, &hgq2_weights);
                    if let Some((_, vars)) = w.quantizer_vars.iter().find(|(n, _)| *n == kl.name) {
                        chain[0].hgq_quantizers = hgq2::quantizers(&w.file, kl, vars)?.into();
                        chain[0].hgq_sub_quantizers =
                            hgq2::sub_quantizers(&w.file, kl, vars)?.into();
                    }
                    Some(hgq2_weights.as_slice())
                }
                "FixedPointQuantizer" => {
                    hgq1::attach_state(&w.file, &mut chain[0], found.unwrap_or(&[]))?;
                    Some(&[][..])
                }
                "QConv2DBatchnorm" | "QDenseBatchnorm" => {
                    let f = fold::fold_conv_batchnorm(&w.file, kl, found.unwrap_or(&[]))?;
                    folded = f.folded;
                    unfolded = Some(f.unfolded);
                    Some(folded.as_slice())
                }
                "TimeDistributed" => {
                    folded = time_distributed::unprefixed(kl, found.unwrap_or(&[]));
                    Some(folded.as_slice())
                }
                "DepthwiseConv2D" | "QDepthwiseConv2D" | "DepthwiseConv1D" => {
                    folded = alpha::rename_depthwise(found.unwrap_or(&[]));
                    Some(folded.as_slice())
                }
                _ => found,
            };
            attach_weights(&w.file, &mut chain[0], found)?;
            if !kl.hgq2 {
                // a TimeDistributed's weights are its wrapped layer's, quantized by its quantizers
                let wrapped = time_distributed::wrapped_keras_layer(kl);
                quantize_weights(file, wrapped.as_ref().unwrap_or(kl), &mut chain)?;
            }
            if let Some(unfolded) = unfolded {
                let stats = unfolded_stats(file, kl, &chain[0], &unfolded)?;
                chain[0].batchnorm_folded = Some(Box::new(stats));
            }
        }
        if keras2 {
            keras2::add_linear_activation(kl, &mut chain);
            chain[0].int_dtype = keras2::int_input_dtype(kl).map(Box::new);
            chain[0].hls4ml_relu_class = keras2::relu_layer_class(kl, &chain[0]);
        }
        let inputs: Vec<String> = if matches!(chain[0].kind, LayerKind::Input(_)) {
            Vec::new()
        } else if spec.sequential {
            prev.clone().into_iter().collect()
        } else {
            kl.inbound
                .iter()
                .map(|n| {
                    output_of.get(n).cloned().ok_or_else(|| {
                        FrontendError::field(
                            file,
                            format!("layer '{}' inbound_nodes", kl.name),
                            "names of layers defined earlier in the model",
                            format!("'{n}'"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?
        };
        let mut feed = inputs;
        ir_names.insert(
            kl.name.clone(),
            chain
                .iter()
                // hls4ml numbers an ApplyAlpha after every parsed layer (qkeras_factorize_alpha)
                .filter(|l| !matches!(l.kind, LayerKind::ApplyAlpha))
                .map(|l| l.name.clone())
                .collect(),
        );
        for layer in chain {
            let name = layer.name.clone();
            let refs: Vec<&str> = feed.iter().map(String::as_str).collect();
            net.add_layer(layer, &refs)
                .map_err(|e| FrontendError::ir(file, e))?;
            feed = vec![name];
        }
        let last = feed.pop().unwrap_or_default();
        output_of.insert(kl.name.clone(), last.clone());
        prev = Some(last);
    }
    if !spec.sequential {
        let resolve = |names: &[String], what: &str| -> Result<Vec<String>, FrontendError> {
            names
                .iter()
                .map(|n| {
                    output_of.get(n).cloned().ok_or_else(|| {
                        FrontendError::field(
                            file,
                            format!("model.config.{what}"),
                            "names of layers of the model",
                            format!("'{n}'"),
                        )
                    })
                })
                .collect()
        };
        let ins = resolve(&spec.inputs, "input_layers")?;
        // Order the network inputs as the model declares them.
        if !ins.is_empty() {
            let ids: Vec<_> = ins.iter().filter_map(|n| net.find(n)).collect();
            if ids.len() == net.inputs.len() {
                net.inputs = ids;
            }
        }
        let outs = resolve(&spec.outputs, "output_layers")?;
        if !outs.is_empty() {
            let refs: Vec<&str> = outs.iter().map(String::as_str).collect();
            net.set_outputs(&refs)
                .map_err(|e| FrontendError::ir(file, e))?;
        }
    }
    net.hls4ml_numbering = spec
        .numbering
        .iter()
        .flat_map(|e| match e {
            None => vec![None],
            Some(k) => ir_names
                .get(k)
                .map(|v| v.iter().cloned().map(Some).collect())
                .unwrap_or_default(),
        })
        .collect();
    net.nested_models = spec.nested.iter().map(|m| m.name.clone()).collect();
    check_sizes(file, &mut net)?;
    net.infer_shapes().map_err(|e| FrontendError::ir(file, e))?;
    hgq1::apply_overrides(file, &spec.layers, &mut net)?;
    layers::check_feature_axes(file, &spec.layers, |name| {
        let id = net.find(output_of.get(name)?)?;
        Some(net.layer(id).output_shape.len())
    })?;
    Ok(net)
}

pub use ir::limits::{MAX_COST, MAX_ELEMENTS};

/// Infer shapes layer by layer, rejecting a layer whose output or cost is beyond
/// [`ir::limits`] (so the IR's shape and cost arithmetic cannot overflow) or whose weights
/// are not finite.
pub(crate) fn check_sizes(file: &str, net: &mut Network) -> Result<(), FrontendError> {
    use ir::validate::{checked_output, finite_weights, SizeError};
    for id in net.topo_order().map_err(|e| FrontendError::ir(file, e))? {
        let ins: Vec<Vec<usize>> = net
            .inputs_of(id)
            .into_iter()
            .map(|i| net.layer(i).output_shape.clone())
            .collect();
        let layer = net.layer(id);
        let refuse = |attribute: &str, message: String| FrontendError::UnsupportedAttribute {
            file: file.to_string(),
            layer: layer.name.clone(),
            kind: layer.kind.name().to_string(),
            attribute: attribute.to_string(),
            message,
        };
        let out = match checked_output(layer, &ins) {
            Ok(out) => out,
            Err(SizeError::Ir(e)) => return Err(FrontendError::ir(file, e)),
            Err(SizeError::TooBig(m)) => return Err(refuse("size", m)),
        };
        if let Some(m) = finite_weights(layer) {
            return Err(refuse("weights", m));
        }
        net.layer_mut(id).output_shape = out;
    }
    Ok(())
}

/// Replace a QKeras layer's kernel and bias by their quantized values, as hls4ml does before it
/// writes them (see [`qkeras::Quantizer::quantize`]).
/// A kernel with `alpha="auto_po2"` is instead factorised into the kernel and the
/// ApplyAlpha layer that follows it in `chain` (see [`alpha`]).
fn quantize_weights(
    file: &str,
    kl: &layers::KerasLayer,
    chain: &mut [Layer],
) -> Result<(), FrontendError> {
    let (layer, rest) = match chain.split_first_mut() {
        Some(x) => x,
        None => return Ok(()),
    };
    let alpha_layer = rest
        .first_mut()
        .filter(|l| matches!(l.kind, LayerKind::ApplyAlpha));
    for &(key, weight) in layers::weight_quantizers(&kl.class_name) {
        let Some(v) = kl.config.get(key).filter(|v| !v.is_null()) else {
            continue;
        };
        let unsupported = |m: String| FrontendError::UnsupportedAttribute {
            file: file.to_string(),
            layer: kl.name.clone(),
            kind: kl.class_name.clone(),
            attribute: key.to_string(),
            message: m,
        };
        let q = qkeras::Quantizer::from_value(v).map_err(unsupported)?;
        if key == "kernel_quantizer" && alpha::is_auto_po2(&q) {
            continue;
        }
        if let Some((_, t)) = layer.weights.iter_mut().find(|(n, _)| n == weight) {
            if let Some(values) = q
                .quantize(&t.data, key == "kernel_quantizer")
                .map_err(unsupported)?
            {
                t.data = values;
            }
        }
    }
    if let Some(alpha_layer) = alpha_layer {
        let unsupported = |m: String| FrontendError::UnsupportedAttribute {
            file: file.to_string(),
            layer: kl.name.clone(),
            kind: kl.class_name.clone(),
            attribute: "kernel_quantizer".into(),
            message: m,
        };
        let q = kl
            .config
            .get("kernel_quantizer")
            .map(qkeras::Quantizer::from_value)
            .transpose()
            .map_err(unsupported)?;
        if let Some(q) = q {
            alpha::move_weights(layer, alpha_layer, &q).map_err(unsupported)?;
        }
    }
    Ok(())
}

/// The statistics hls4ml takes of a folded layer's stored kernel and bias, quantised by the
/// layer's quantizers (keras/fold.rs).
fn unfolded_stats(
    file: &str,
    kl: &layers::KerasLayer,
    layer: &Layer,
    unfolded: &[weights::RawWeight],
) -> Result<ir::layer::BatchnormFolded, FrontendError> {
    let mut probe = Layer::new(layer.name.clone(), layer.kind.clone());
    probe.weights = unfolded
        .iter()
        .map(|w| (w.name.clone().unwrap_or_default(), w.tensor.clone()))
        .collect();
    let mut one = [probe];
    quantize_weights(file, kl, &mut one)?;
    let stats = |name: &str| {
        one[0]
            .weight(name)
            .map(|t| ir::layer::WeightStats::of(&t.data))
    };
    Ok(ir::layer::BatchnormFolded {
        kernel: stats("kernel"),
        bias: stats("bias"),
        without_bias: layer
            .batchnorm_folded
            .as_ref()
            .is_some_and(|f| f.without_bias),
    })
}

/// Give a layer its weights from the file, named as Keras names them, checking the count. Shapes
/// are checked later by shape inference.
fn attach_weights(
    wfile: &str,
    layer: &mut Layer,
    found: Option<&[RawWeight]>,
) -> Result<(), FrontendError> {
    let expected = layers::weight_names(&layer.kind);
    let found = found.unwrap_or(&[]);
    if expected.is_empty() {
        if let Some(w) = found.first() {
            return Err(FrontendError::weights(
                wfile,
                format!(
                    "layer '{}' ({}) takes no weights, but the file has {} ({})",
                    layer.name,
                    layer.kind,
                    found.len(),
                    w.path
                ),
            ));
        }
        return Ok(());
    }
    if found.is_empty() {
        return Err(FrontendError::weights(
            wfile,
            format!(
                "no weights for layer '{}' ({}), expected {}",
                layer.name,
                layer.kind,
                expected.join(", ")
            ),
        ));
    }
    if found.len() != expected.len() {
        return Err(FrontendError::weights(
            wfile,
            format!(
                "layer '{}' ({}) has {} weight arrays in the file, expected {} ({})",
                layer.name,
                layer.kind,
                found.len(),
                expected.len(),
                expected.join(", ")
            ),
        ));
    }
    let mut out: Vec<(String, Tensor)> = Vec::with_capacity(expected.len());
    for (i, want) in expected.iter().enumerate() {
        let w = match found.iter().any(|w| w.name.is_some()) {
            false => &found[i],
            true => found
                .iter()
                .find(|w| w.name.as_deref() == Some(want))
                .ok_or_else(|| {
                    let names: Vec<&str> = found.iter().filter_map(|w| w.name.as_deref()).collect();
                    FrontendError::weights(
                        wfile,
                        format!(
                            "layer '{}' ({}): no weight '{want}' in the file (found {})",
                            layer.name,
                            layer.kind,
                            names.join(", ")
                        ),
                    )
                })?,
        };
        out.push((want.to_string(), w.tensor.clone()));
    }
    layer.weights = out;
    Ok(())
}

#[cfg(all(test, not(feature = "hdf5")))]
mod no_hdf5_tests {
    /// A build without HDF5 refuses HDF5 files with a message that says why, and still reads
    /// a Keras JSON architecture without weights (scripts/lint.sh runs this build).
    #[test]
    fn hdf5_files_are_refused_with_the_reason() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let h5 = root.join("hls4ml-examples/keras/KERAS_3layer_weights.h5");
        let json = root.join("hls4ml-examples/keras/KERAS_3layer.json");
        let e = super::load_h5(&h5).unwrap_err().to_string();
        assert!(e.contains("built without HDF5 support"), "{e}");
        let e = super::load_json(&json, Some(&h5)).unwrap_err().to_string();
        assert!(e.contains("built without HDF5 support"), "{e}");
        let net = super::load_json(&json, None).unwrap();
        assert_eq!(net.total_params(), 4389);
    }
}
