//! The transformer classes of Keras 3 to IR kinds: `MultiHeadAttention`,
//! `GroupedQueryAttention` (exported as `GroupQueryAttention`), `LayerNormalization`,
//! `EinsumDense` and `Embedding`. Every config field that changes the computation or the weights
//! and is not modelled is refused with an error naming the layer and the field:
//! attention over other axes than the sequence, gated attention, sliding windows, returned
//! attention scores, RMS scaling, LoRA and quantized kernels, masked embeddings.

use super::layers::{describe, Attrs};
use crate::error::FrontendError;
use ir::layer::LayerKind;
use serde_json::Value;

/// `value` unless it is absent, null, false, 0 or an empty list.
fn is_set(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

fn refuse_if_set(a: &Attrs, key: &str, why: &str) -> Result<(), FrontendError> {
    match a.get(key) {
        Some(v) if is_set(Some(v)) => Err(a.unsupported(key, format!("{} ({why})", describe(v)))),
        _ => Ok(()),
    }
}

/// A call keyword argument of the layer (`use_causal_mask`, ...), false when absent.
fn call_flag(a: &Attrs, key: &str) -> Result<bool, FrontendError> {
    match a.layer.call.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(FrontendError::field(
            a.file,
            format!("layer '{}' inbound_nodes.kwargs.{key}", a.layer.name),
            "true or false",
            describe(v),
        )),
    }
}

pub(super) fn multi_head_attention(a: &Attrs) -> Result<LayerKind, FrontendError> {
    refuse_if_set(a, "use_gate", "gated attention is not supported")?;
    refuse_if_set(
        a,
        "sliding_window",
        "sliding-window masks are not supported",
    )?;
    if call_flag(a, "return_attention_scores")? {
        return Err(a.unsupported(
            "return_attention_scores",
            "the attention scores as a second output are not supported",
        ));
    }
    let causal = call_flag(a, "use_causal_mask")?;
    let use_bias = a.bool_or("use_bias", true)?;
    let grouped = matches!(
        a.layer.class_name.as_str(),
        "GroupedQueryAttention" | "GroupQueryAttention"
    );
    let (heads, kv_heads, key_dim, value_dim, output_dim) = if grouped {
        let d = a.usize_req("head_dim")?;
        (
            a.usize_req("num_query_heads")?,
            a.usize_req("num_key_value_heads")?,
            d,
            d,
            None,
        )
    } else {
        let heads = a.usize_req("num_heads")?;
        let key_dim = a.usize_req("key_dim")?;
        let value_dim = match a.get("value_dim") {
            None => key_dim,
            Some(v) => a.positive("value_dim", v)?,
        };
        // attention over the sequence axis (axis 1 of (batch, sequence, features)) only
        if let Some(v) = a.get("attention_axes") {
            let axes: Vec<i64> = match v {
                Value::Array(x) => x.iter().filter_map(Value::as_i64).collect(),
                other => other.as_i64().into_iter().collect(),
            };
            if !(axes == [1] || axes == [-2]) {
                return Err(a.unsupported(
                    "attention_axes",
                    format!(
                        "{} (only attention over the sequence axis, [1], is supported)",
                        describe(v)
                    ),
                ));
            }
        }
        let output_dim = match a.get("output_shape") {
            None => None,
            Some(Value::Array(x)) if x.len() == 1 => Some(a.positive("output_shape", &x[0])?),
            Some(v @ Value::Array(_)) => {
                return Err(a.unsupported(
                    "output_shape",
                    format!("{} (only one output dimension is supported)", describe(v)),
                ))
            }
            Some(v) => Some(a.positive("output_shape", v)?),
        };
        (heads, heads, key_dim, value_dim, output_dim)
    };
    Ok(LayerKind::MultiHeadAttention(ir::ops::MultiHeadAttention {
        heads,
        kv_heads,
        key_dim,
        value_dim,
        use_bias,
        // HGQ2's QMultiHeadAttention has no key bias (see keras/hgq2.rs)
        key_bias: !a.layer.hgq2,
        causal,
        output_dim,
    }))
}

pub(super) fn layer_normalization(a: &Attrs) -> Result<LayerKind, FrontendError> {
    refuse_if_set(a, "rms_scaling", "RMS normalisation is not supported")?;
    let axes = match a.get("axis") {
        None => vec![-1],
        Some(v) => {
            let list = match v {
                Value::Array(x) => x.iter().map(Value::as_i64).collect::<Option<Vec<_>>>(),
                other => other.as_i64().map(|n| vec![n]),
            };
            match list {
                Some(l) if !l.is_empty() && l.iter().all(|n| n.unsigned_abs() <= 64) => {
                    l.into_iter().map(|n| n as isize).collect()
                }
                _ => return Err(a.field_err("axis", "an integer or a list of integers", v)),
            }
        }
    };
    let epsilon = a.f64_or("epsilon", 1e-3)?;
    if !(epsilon.is_finite() && epsilon > 0.0) {
        return Err(a.field_err("epsilon", "a positive number", &Value::from(epsilon)));
    }
    Ok(LayerKind::LayerNorm(ir::ops::LayerNorm {
        axes,
        epsilon,
        center: a.bool_or("center", true)?,
        scale: a.bool_or("scale", true)?,
    }))
}

pub(super) fn einsum_dense(a: &Attrs) -> Result<LayerKind, FrontendError> {
    refuse_if_set(a, "lora_rank", "LoRA adapters are not supported")?;
    refuse_if_set(
        a,
        "quantization_config",
        "Keras-quantized kernels are not supported",
    )?;
    let equation = match a.get("equation") {
        Some(Value::String(s)) => s.clone(),
        Some(v) => return Err(a.field_err("equation", "an einsum equation string", v)),
        None => return Err(a.missing("equation", "an einsum equation such as 'abc,cd->abd'")),
    };
    let expected = "a size or a list of sizes and nulls";
    let output_shape = match a.get("output_shape") {
        None => return Err(a.missing("output_shape", expected)),
        Some(Value::Array(x)) => x
            .iter()
            .map(|d| {
                if d.is_null() {
                    Ok(None)
                } else {
                    a.positive("output_shape", d).map(Some)
                }
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(v) => vec![Some(a.positive("output_shape", v)?)],
    };
    let bias_axes = match a.get("bias_axes") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(v) => return Err(a.field_err("bias_axes", "a string of output axes", v)),
    };
    Ok(LayerKind::EinsumDense(ir::ops::EinsumDense {
        equation,
        output_shape,
        bias_axes,
    }))
}

pub(super) fn embedding(a: &Attrs) -> Result<LayerKind, FrontendError> {
    refuse_if_set(
        a,
        "mask_zero",
        "masks are not modelled: token 0 would be masked downstream",
    )?;
    refuse_if_set(a, "lora_rank", "LoRA adapters are not supported")?;
    refuse_if_set(
        a,
        "quantization_config",
        "Keras-quantized tables are not supported",
    )?;
    Ok(LayerKind::Embedding(ir::ops::Embedding {
        input_dim: a.usize_req("input_dim")?,
        output_dim: a.usize_req("output_dim")?,
    }))
}
