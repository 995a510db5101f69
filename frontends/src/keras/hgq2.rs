//! HGQ2 (pip `hgq2`, module `hgq`) layers: the Keras 3 layer each one quantizes, the config
//! fields that change the computation beyond it, and the quantizer state Keras counts.
//!
//! An HGQ2 layer is recognised by its serialisation (`registered_name` `hgq>...` or `module`
//! `hgq....`), not by its class name: QKeras has a `QDense` too. Each layer computes what its
//! Keras base class computes on quantized inputs, kernels and biases, so it maps to the same
//! IR kind; its quantizers (`iq`/`kq`/`bq`/`oq`, per element or per axis, with trainable
//! integer and fractional bits) are kept in the weights file, not in the config. What differs:
//! - `QMultiHeadAttention` builds its key projection without a bias (HGQ2's
//!   `multi_head_attention.py`: the key EinsumDense gets `bias_axes=None`), and `fuse` other
//!   than `'none'` stores fused query/key/value kernels, which is refused;
//! - Keras's `count_params()` counts every variable of the layer: the bit widths of each
//!   quantizer (`k`, `i`, `f` or `b`, shaped like the quantized tensor with its homogeneous
//!   axes collapsed, plus `i_decay_speed` for a WRAP quantizer) and the layer's `beta` and
//!   `ebops`. The frontend counts them from the weights file (every value of the layer's group,
//!   see `WeightSet::stored_values`) as the layer's `quantizer_params`; the scalar `beta` and
//!   `ebops` are dropped from the layer's own weights (no Keras weight of a Dense, EinsumDense
//!   or attention projection is a scalar).
//! - the fixed-point quantizers themselves (`iq`/`kq`/`bq`/`oq` groups of the weights file,
//!   with their config's modes) are read per element into `Layer::hgq_quantizers`
//!   ([`quantizers`]): hls4ml derives every type of an HGQ2 project from them. The quantizers
//!   deeper in the layer's group (the attention's projections and softmax, a softmax's tables,
//!   an add's per-input list) go to `Layer::hgq_sub_quantizers` ([`sub_quantizers`]) with the
//!   modes of the config entry HGQ2 built each from (`qkvo_iq_conf`, `softmax_exp_oq_conf`,
//!   `iq_confs[n]`, ...).

use super::layers::{describe, Attrs, KerasLayer};
use super::weights::RawWeight;
use crate::error::FrontendError;
use serde_json::{Map, Value};

/// Whether a layer object of a model config (`{"module", "class_name", "config",
/// "registered_name", ...}`) is an HGQ2 layer.
pub fn is_hgq2(layer_object: &Map<String, Value>) -> bool {
    let starts = |key: &str, prefix: &str| {
        layer_object
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|s| s.starts_with(prefix))
    };
    starts("registered_name", "hgq>") || starts("module", "hgq.")
}

/// The HGQ2 classes whose computation is their Keras base class's on quantized values, and that
/// base class.
const BASES: &[(&str, &str)] = &[
    ("QDense", "Dense"),
    ("QEinsumDense", "EinsumDense"),
    ("QMultiHeadAttention", "MultiHeadAttention"),
    ("QAdd", "Add"),
    ("QSubtract", "Subtract"),
    ("QMultiply", "Multiply"),
    ("QMaximum", "Maximum"),
    ("QMinimum", "Minimum"),
    ("QSoftmax", "Softmax"),
    ("QConv1D", "Conv1D"),
    ("QConv2D", "Conv2D"),
    ("QBatchNormalization", "BatchNormalization"),
    ("QMaxPooling1D", "MaxPooling1D"),
    ("QMaxPool1D", "MaxPooling1D"),
    ("QMaxPooling2D", "MaxPooling2D"),
    ("QMaxPool2D", "MaxPooling2D"),
    ("QAveragePooling1D", "AveragePooling1D"),
    ("QAvgPool1D", "AveragePooling1D"),
    ("QAveragePooling2D", "AveragePooling2D"),
    ("QAvgPool2D", "AveragePooling2D"),
    ("QGlobalAveragePooling1D", "GlobalAveragePooling1D"),
    ("QGlobalAvgPool1D", "GlobalAveragePooling1D"),
    ("QGlobalAveragePooling2D", "GlobalAveragePooling2D"),
    ("QGlobalAvgPool2D", "GlobalAveragePooling2D"),
    ("QGlobalMaxPooling1D", "GlobalMaxPooling1D"),
    ("QGlobalMaxPool1D", "GlobalMaxPooling1D"),
    ("QGlobalMaxPooling2D", "GlobalMaxPooling2D"),
    ("QGlobalMaxPool2D", "GlobalMaxPooling2D"),
];

/// The Keras class an HGQ2 layer computes, or an unsupported-layer error naming the HGQ2 class
/// (QEinsum, QDot, QSum, QUnaryFunctionLUT, QLinformerAttention, the recurrent and
/// batch-norm-fused classes, ... have no IR kind here).
pub fn keras_class(file: &str, layer: &KerasLayer) -> Result<&'static str, FrontendError> {
    BASES
        .iter()
        .find(|(q, _)| *q == layer.class_name)
        .map(|(_, base)| *base)
        .ok_or_else(|| FrontendError::UnsupportedLayer {
            file: file.to_string(),
            layer: layer.name.clone(),
            kind: format!("HGQ2 {}", layer.class_name),
        })
}

/// Config fields of an HGQ2 layer that change its weights or computation beyond its base
/// class: refused with the field named.
pub(super) fn check(a: &Attrs) -> Result<(), FrontendError> {
    if a.layer.class_name == "QSoftmax" {
        // `input_scaler` multiplies the logits before the softmax
        if let Some(v) = a.get("input_scaler") {
            if v.as_f64() != Some(1.0) {
                return Err(a.unsupported(
                    "input_scaler",
                    format!(
                        "{} (only 1.0, an unscaled softmax, is supported)",
                        describe(v)
                    ),
                ));
            }
        }
        // HGQ2 counts `axes` without the batch axis; a single axis is what Keras's Softmax takes
        if let Some(v) = a.get("axes") {
            if v.as_array().is_none_or(|x| x.len() != 1) {
                return Err(a.unsupported(
                    "axes",
                    format!(
                        "{} (only a softmax over one axis is supported)",
                        describe(v)
                    ),
                ));
            }
        }
    }
    // hls4ml sizes the partitions of a QDense over positions and of a softmax from it; presynth
    // writes HGQ2's default (-1: every position at once) only
    if let Some(v) = a.get("parallelization_factor") {
        if v.as_i64() != Some(-1) {
            return Err(a.unsupported(
                "parallelization_factor",
                format!(
                    "{} (only HGQ2's default -1 is supported: presynth writes one partition \
                     per position)",
                    describe(v)
                ),
            ));
        }
    }
    if a.layer.class_name == "QMultiHeadAttention" {
        match a.get("fuse") {
            None => {}
            Some(Value::String(s)) if s == "none" => {}
            Some(v) => {
                return Err(a.unsupported(
                    "fuse",
                    format!(
                        "{} (fused query/key/value kernels are not supported; only 'none')",
                        describe(v)
                    ),
                ))
            }
        }
    }
    Ok(())
}

/// An HGQ2 layer's own weights without its scalar `beta` and `ebops`.
pub fn without_scalars(found: &[RawWeight]) -> Vec<RawWeight> {
    found
        .iter()
        .filter(|w| !w.tensor.shape.is_empty())
        .cloned()
        .collect()
}

/// The quantizer state of an HGQ2 layer: every value its group stores less its weights.
pub fn quantizer_values(stored: u64, weights: &[RawWeight]) -> u64 {
    let kept = weights
        .iter()
        .fold(0u64, |a, w| a.saturating_add(w.tensor.len() as u64));
    stored.saturating_sub(kept)
}

/// The quantizers of an HGQ2 layer from its weights file's `<attr>/quantizer/vars` datasets and
/// its config's `<attr>_conf` (`q_type`, `round_mode`, `overflow_mode`). HGQ2 0.1.6 creates a
/// `kif` quantizer's variables in the order `f`, `k`, `i` (then `i_decay_speed` for WRAP) and a
/// `kbi` quantizer's as `b`, `i`, `k` (`hgq/quantizer/internal/fixed_point_quantizer.py`); its
/// bit widths are rounded half to even (`round_conv`) and a `kbi` quantizer's `f` is `b - i`.
/// Other quantizer types (`float`, `binary`, ...) are not kept; fixed-point variables that do not
/// fit are refused with the layer and quantizer named.
pub fn quantizers(
    file: &str,
    layer: &KerasLayer,
    vars: &[super::weights::QuantizerVars],
) -> Result<Vec<ir::hgq::HgqQuantizer>, FrontendError> {
    let mut out = Vec::new();
    for (attr, tensors) in vars {
        let Some(role) = role_of(attr) else {
            continue;
        };
        // a group without its config entry (a quantizer of a sub-layer) is not one of these
        let Some(conf) = layer
            .config
            .get(&format!("{attr}_conf"))
            .and_then(|c| c.get("config"))
        else {
            continue;
        };
        if let Some(q) = fixed_point(file, layer, attr, role, conf, tensors)? {
            out.push(q);
        }
    }
    Ok(out)
}

/// The quantizer role of an HGQ2 attribute name.
fn role_of(attr: &str) -> Option<ir::hgq::QuantizerRole> {
    use ir::hgq::QuantizerRole;
    match attr {
        "iq" => Some(QuantizerRole::Input),
        "kq" => Some(QuantizerRole::Kernel),
        "bq" => Some(QuantizerRole::Bias),
        "oq" => Some(QuantizerRole::Output),
        _ => None,
    }
}

/// The config entry of a nested quantizer (its group path under the layer, split): a list's
/// `<attr>/quantizers/quantizer[_N]` is entry N of `<attr>_confs`; a sub-layer's
/// `<sub>/.../<attr>` is `<prefix>_<attr>_conf`, the prefix naming the sub-layers as HGQ2's
/// configs do (`query_dense` ... `output_dense`: `qkvo`; `_softmax`: `softmax`; `exp_table`:
/// `exp`; `inv_table`: `inv`).
fn nested_conf<'a>(layer: &'a KerasLayer, parts: &[&str]) -> Option<(&'a Value, &'a str)> {
    let conf = |v: &'a Value| v.get("config");
    if let [attr, "quantizers", q] = parts {
        let n = match q.strip_prefix("quantizer")? {
            "" => 0,
            rest => rest.strip_prefix('_')?.parse::<usize>().ok()?,
        };
        let list = layer.config.get(&format!("{attr}_confs"))?;
        let attr: &'a str = BASE_ATTRS.iter().find(|a| *a == attr)?;
        return Some((conf(list.get(n)?)?, attr));
    }
    let (attr, subs) = parts.split_last()?;
    let attr: &'a str = BASE_ATTRS.iter().find(|a| *a == attr)?;
    let mut names = Vec::with_capacity(subs.len());
    for s in subs {
        names.push(match *s {
            "query_dense" | "key_dense" | "value_dense" | "output_dense" => "qkvo",
            "_softmax" => "softmax",
            "exp_table" => "exp",
            "inv_table" => "inv",
            _ => return None,
        });
    }
    let key = format!("{}_{attr}_conf", names.join("_"));
    Some((conf(layer.config.get(&key)?)?, attr))
}

/// The four quantizer attributes of an HGQ2 layer.
const BASE_ATTRS: [&str; 4] = ["iq", "kq", "bq", "oq"];

/// The quantizers of an HGQ2 layer below its own four ([`ir::hgq::HgqSubQuantizer`]): its
/// sub-layers' and its quantizer lists', by their group path, with the modes of the config
/// entry HGQ2 built each from. A group no config entry describes is left out, as are
/// quantizers that are not fixed-point.
pub fn sub_quantizers(
    file: &str,
    layer: &KerasLayer,
    vars: &[super::weights::QuantizerVars],
) -> Result<Vec<ir::hgq::HgqSubQuantizer>, FrontendError> {
    let mut out = Vec::new();
    for (path, tensors) in vars {
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() < 2 {
            continue;
        }
        let Some((conf, attr)) = nested_conf(layer, &parts) else {
            continue;
        };
        let Some(role) = role_of(attr) else {
            continue;
        };
        if let Some(q) = fixed_point(file, layer, path, role, conf, tensors)? {
            out.push(ir::hgq::HgqSubQuantizer {
                path: path.clone(),
                quantizer: q,
            });
        }
    }
    Ok(out)
}

/// One fixed-point quantizer from its stored variables and its config (`q_type`, modes);
/// `None` for another quantizer type.
fn fixed_point(
    file: &str,
    layer: &KerasLayer,
    attr: &str,
    role: ir::hgq::QuantizerRole,
    conf: &Value,
    tensors: &[ir::layer::Tensor],
) -> Result<Option<ir::hgq::HgqQuantizer>, FrontendError> {
    let bad = |what: String| {
        FrontendError::weights(
            file,
            format!("HGQ2 layer '{}' quantizer {attr}: {what}", layer.name),
        )
    };
    let text = |key: &str| {
        conf.get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| bad(format!("its config has no {key}")))
    };
    let q_type = text("q_type")?;
    let (round_mode, overflow_mode) = (text("round_mode")?, text("overflow_mode")?);
    // positions of (k, i, f or b) in the stored variables
    let (ki, ii, fb) = match q_type.as_str() {
        "kif" => (1, 2, 0),
        "kbi" => (2, 1, 0),
        // minifloat, binary, ...: not kept (the layer's quantizer_params still counts it, and
        // codegen refuses the layer)
        _ => return Ok(None),
    };
    if tensors.len() < 3 {
        return Err(bad(format!(
            "{} variables stored, expected at least 3",
            tensors.len()
        )));
    }
    let shape = tensors[0].shape.clone();
    if tensors[..3].iter().any(|t| t.shape != shape) {
        return Err(bad("its bit-width variables differ in shape".to_string()));
    }
    let round = |t: &ir::layer::Tensor| -> Vec<i32> {
        t.data.iter().map(|v| v.round_ties_even() as i32).collect()
    };
    let (k, i, fb) = (
        round(&tensors[ki]),
        round(&tensors[ii]),
        round(&tensors[fb]),
    );
    let f = if q_type == "kbi" {
        fb.iter().zip(&i).map(|(b, i)| b - i).collect()
    } else {
        fb
    };
    Ok(Some(ir::hgq::HgqQuantizer {
        role,
        round_mode,
        overflow_mode,
        shape,
        k,
        i,
        f,
    }))
}
