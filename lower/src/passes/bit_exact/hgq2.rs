//! An HGQ2 layer's quantizers (`ir::Layer::hgq_quantizers`) as hls4ml 1.3.0's HGQ2 converter
//! takes them (`converters/keras_v3/hgq2/_base.py`): the input and output quantizers become
//! `FixedPointQuantizer` nodes whose mask is `(k, B, I)` per element of the quantized tensor
//! (`extract_fixed_quantizer_config`: B = k+i+f, I = k+i, I = 0 where B <= 0; one value for a
//! homogeneous quantizer), and the kernel and bias are HGQ2's quantized `qkernel`/`qbias`
//! (`QLayerHandler.load_weight`), quantized here as HGQ2 does in float32 ([`super::quantize`]).

use super::{quantize, Kif, Quantizer, QuantizerModes};
use crate::error::{LowerError, Result};
use ir::hgq::{HgqQuantizer, QuantizerRole};
use ir::Layer;

fn unsupported(layer: &Layer, message: String) -> LowerError {
    LowerError::NotImplemented {
        layer: layer.name.clone(),
        kind: layer.kind.name().to_string(),
        message,
    }
}

/// The layer's quantizer of `role`, if it has one.
pub fn quantizer(layer: &Layer, role: QuantizerRole) -> Option<&HgqQuantizer> {
    layer.hgq_quantizers.iter().find(|q| q.role == role)
}

/// hls4ml's modes of an HGQ2 quantizer: the stochastic `S_` prefix of the rounding dropped.
fn modes(q: &HgqQuantizer) -> QuantizerModes {
    let round = q.round_mode.strip_prefix("S_").unwrap_or(&q.round_mode);
    QuantizerModes {
        round: round.to_string(),
        overflow: q.overflow_mode.clone(),
    }
}

/// The flat index into an array of `from` shape (a quantizer's bit widths) of each element of
/// a `to`-shaped tensor, row-major (numpy broadcasting, axes aligned on the right), or None
/// when they do not broadcast.
pub fn broadcast_index(from: &[usize], to: &[usize]) -> Option<Vec<usize>> {
    if from.len() > to.len() {
        return None;
    }
    let pad = to.len() - from.len();
    let dims: Vec<usize> = std::iter::repeat_n(1, pad)
        .chain(from.iter().copied())
        .collect();
    if dims.iter().zip(to).any(|(&d, &t)| d != 1 && d != t) {
        return None;
    }
    let n: usize = to.iter().product();
    let mut out = Vec::with_capacity(n);
    for e in 0..n {
        // the element's index along each axis, then its place in the bit-width array
        let (mut rest, mut flat, mut stride) = (e, 0, 1);
        for a in (0..to.len()).rev() {
            let idx = rest % to[a];
            rest /= to[a];
            if dims[a] != 1 {
                flat += idx * stride;
            }
            stride *= dims[a];
        }
        out.push(flat);
    }
    Some(out)
}

/// The per-element bit widths of `q` over a tensor of `shape` (no batch axis); `batch` says
/// that the stored widths lead with the batch axis (an input or output quantizer).
fn widths(layer: &Layer, q: &HgqQuantizer, shape: &[usize], batch: bool) -> Result<Kif> {
    let drop = usize::from(batch && !q.shape.is_empty());
    widths_after(layer, q, shape, drop)
}

/// [`widths`] with the first `drop` stored axes dropped.
fn widths_after(layer: &Layer, q: &HgqQuantizer, shape: &[usize], drop: usize) -> Result<Kif> {
    let stored = &q.shape[drop.min(q.shape.len())..];
    let at = broadcast_index(stored, shape).ok_or_else(|| {
        unsupported(
            layer,
            format!(
                "HGQ2 quantizer {} has bit widths of shape {:?}, which do not broadcast to the \
                 quantized tensor's {shape:?}",
                q.role.attr(),
                q.shape
            ),
        )
    })?;
    let pick = |v: &[i32]| at.iter().map(|&j| v[j]).collect();
    Ok(Kif {
        k: pick(&q.k),
        i: pick(&q.i),
        f: pick(&q.f),
    })
}

/// The `FixedPointQuantizer` hls4ml makes of the layer's input (`Input`) or output (`Output`)
/// quantizer over a tensor of `shape`, and whether it is homogeneous; None without one.
pub fn quantizer_node(
    layer: &Layer,
    role: QuantizerRole,
    shape: &[usize],
) -> Result<Option<(Quantizer, bool)>> {
    let Some(q) = quantizer(layer, role) else {
        return Ok(None);
    };
    let w = widths(layer, q, shape, true)?;
    Ok(Some(mask_node(q, w)))
}

/// The `FixedPointQuantizer` hls4ml makes of one of the layer's sub-layer quantizers
/// (`Layer::hgq_sub_quantizers`, by its `path`, e.g. `query_dense/iq`) over a tensor of
/// `shape`; its stored leading axes of 1 (the batch axis) are dropped until it is no longer
/// than the tensor's. None when the layer has no such quantizer.
pub fn sub_quantizer_node(
    layer: &Layer,
    path: &str,
    shape: &[usize],
) -> Result<Option<(Quantizer, bool)>> {
    let Some(q) = sub_quantizer(layer, path) else {
        return Ok(None);
    };
    let ones = q.shape.iter().take_while(|&&d| d == 1).count();
    let drop = ones.min(q.shape.len().saturating_sub(shape.len()));
    let w = widths_after(layer, q, shape, drop)?;
    Ok(Some(mask_node(q, w)))
}

/// The layer's sub-layer quantizer at `path`, if it has one.
pub fn sub_quantizer<'a>(layer: &'a Layer, path: &str) -> Option<&'a HgqQuantizer> {
    layer
        .hgq_sub_quantizers
        .iter()
        .find(|q| q.path == path)
        .map(|q| &q.quantizer)
}

/// A quantizer node's `(k, B, I)` mask from its per-element widths (hls4ml keeps I = 0 where
/// B <= 0), and whether it is homogeneous.
fn mask_node(q: &HgqQuantizer, w: Kif) -> (Quantizer, bool) {
    let homogeneous = q.k.len() == 1;
    // hls4ml keeps (k, B, I) with I = 0 where B <= 0; back to (k, I - k, B - I)
    let mut mask = w.clone();
    for e in 0..w.len() {
        let (k, i, f) = (w.k[e], w.i[e], w.f[e]);
        let b = k + i + f;
        let big_i = if b > 0 { k + i } else { 0 };
        mask.i[e] = big_i - k;
        mask.f[e] = b - big_i;
    }
    (
        Quantizer {
            mask,
            modes: modes(q),
        },
        homogeneous,
    )
}

/// A kernel or bias as hls4ml loads it from an HGQ2 layer: HGQ2's `qkernel`/`qbias` (the float
/// weight through its `kq`/`bq` quantizer, in float32). None for other weights and for a
/// layer without that quantizer.
pub fn quantized_weight(layer: &Layer, weight: &str) -> Result<Option<Vec<f32>>> {
    let role = match weight {
        "kernel" => QuantizerRole::Kernel,
        "bias" => QuantizerRole::Bias,
        _ => return Ok(None),
    };
    quantize_weight(layer, weight, quantizer(layer, role))
}

/// A product's weight as hls4ml loads it from an HGQ2 layer: `kernel`/`bias` through the
/// layer's own `kq`/`bq`, an attention projection's `query/kernel` through its sub-layer's
/// quantizer (`query_dense/kq`; `attention_output/...` through `output_dense/...`). None for
/// a weight without a quantizer.
pub fn quantized_product_weight(layer: &Layer, weight: &str) -> Result<Option<Vec<f32>>> {
    let Some((sub, w)) = weight.split_once('/') else {
        return quantized_weight(layer, weight);
    };
    let attr = match w {
        "kernel" => "kq",
        "bias" => "bq",
        _ => return Ok(None),
    };
    let sub = match sub {
        "attention_output" => "output_dense".to_string(),
        s => format!("{s}_dense"),
    };
    quantize_weight(
        layer,
        weight,
        sub_quantizer(layer, &format!("{sub}/{attr}")),
    )
}

fn quantize_weight(
    layer: &Layer,
    weight: &str,
    q: Option<&HgqQuantizer>,
) -> Result<Option<Vec<f32>>> {
    let Some(q) = q else {
        return Ok(None);
    };
    let Some(t) = layer.weight(weight) else {
        return Ok(None);
    };
    let w = widths_after(layer, q, &t.shape, 0)?;
    let m = modes(q);
    t.data
        .iter()
        .enumerate()
        .map(|(e, &x)| {
            quantize(x, w.k[e], w.i[e], w.f[e], &m).ok_or_else(|| {
                unsupported(
                    layer,
                    format!(
                        "HGQ2 quantizer of {weight} with round mode {} and overflow mode {} \
                         (presynth quantizes RND/TRN with WRAP, SAT or SAT_SYM)",
                        m.round, m.overflow
                    ),
                )
            })
        })
        .collect::<Result<Vec<f32>>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::broadcast_index;

    #[test]
    fn bit_widths_broadcast_as_numpy_does() {
        assert_eq!(broadcast_index(&[3], &[2, 3]), Some(vec![0, 1, 2, 0, 1, 2]));
        assert_eq!(
            broadcast_index(&[2, 1], &[2, 3]),
            Some(vec![0, 0, 0, 1, 1, 1])
        );
        assert_eq!(broadcast_index(&[], &[2]), Some(vec![0, 0]));
        assert_eq!(broadcast_index(&[1, 1], &[2]), None);
        assert_eq!(broadcast_index(&[4], &[2, 3]), None);
    }
}
