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
