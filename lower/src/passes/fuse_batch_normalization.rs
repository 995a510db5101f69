//! `fuse_batch_normalization` (`model/optimizer/passes/bn_fuse.py`): hls4ml folds a
//! BatchNormalization into the Dense/Conv1D/Conv2D that feeds it when that layer's result type
//! is unspecified (`UnspecifiedPrecisionType`: the config gives it as `auto`, as
//! `config_from_keras_model(granularity='name')` does), the layer feeds nothing else, and the
//! quantizers allow it. The BatchNormalization node is removed (its index stays used) and the
//! producer's weights become, in numpy float32 as hls4ml computes them,
//!
//! ```text
//! weight = scale · weight        (scale broadcast over the kernel's last axis: the filters)
//! bias   = scale · bias + shift  (a layer without bias has hls4ml's zero bias: bias = shift)
//! ```
//!
//! with `scale = γ/√(σ²+ε)`, `shift = β − scale·μ` ([`scale_and_shift`], hls4ml's
//! `BatchNormalization.initialize`). The fused weights keep the producer's weight/bias type
//! variables (`add_weights_variable` without a quantizer reads the config: `auto` is inferred
//! later by `infer_precision_types`); a layer without bias gets the config's bias type instead
//! of hls4ml's `ap_uint<1>` zero bias. This pass records the fold in [`Graph::folded`]; codegen
//! multiplies the weights ([`fold_weights`]), the estimator prices the folded layer as gone.
//!
//! Under a model-granularity config every layer has a result type, so hls4ml keeps the
//! BatchNormalization and so does this pass (harness: `dense_bn`, `conv2d_bn`, `conv2d_bn_*`
//! write a `normalize` call in both io types); under `granularity='name'` it folds (harness:
//! `dense_bn__name_*`, `conv2d_bn__name_*`, bit-identical and text-identical).
//!
//! Quantizers (`match`): a weight/bias type the frontend set is a QKeras quantizer's (the IR
//! keeps no other mark of one; a plain Keras layer with an explicit weight type and an `auto`
//! result would be treated as quantized and kept). hls4ml folds a quantized side only where
//! the other is the identity (a scale of ones, a bias of zeros); QBatchNormalization's own
//! quantizers are not kept by the frontend (it reads it as a plain BatchNormalization).
//!
//! hls4ml's optimizer restarts its flow after every change, so a linear activation between the
//! layer and the BatchNormalization (removed later by `eliminate_linear_activation`) does not
//! stop the fold: this pass looks through one that is not a cast. Not folded by presynth, and
//! refused with a clear error instead of writing a different project: a DepthwiseConv2D
//! producer (hls4ml's class is a Conv2D subclass, and numpy broadcasts the per-channel scale
//! over the `(kh, kw, C, 1)` kernel into a `(kh, kw, C, C)` array), and a BatchNormalization
//! after another whose result is `auto` (`fuse_consecutive_batch_normalization`).

use super::Pass;
use crate::error::{LowerError, Result};
use crate::graph::{Folded, Graph, Key, Sweep};
use crate::op::{ActKind, Op};
use ir::{Layer, LayerKind, Network};
use std::collections::HashMap;

pub struct FuseBatchNormalization;

/// Whether `producer` is a class hls4ml's pass matches (`Dense`, `Conv1D`, `Conv2D` and their
/// subclasses).
fn product(producer: &Op) -> bool {
    match producer {
        Op::Dense { .. } | Op::Conv1D { .. } | Op::Conv2D { .. } => true,
        Op::Input
        | Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. }
        | Op::BatchNorm { .. }
        | Op::Activation { .. }
        | Op::Merge { .. }
        | Op::Concatenate { .. }
        | Op::Reshape
        | Op::Dropout
        | Op::Clone
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. }
        | Op::Transpose { .. }
        | Op::Dot { .. }
        | Op::LayerNorm { .. }
        | Op::EinsumDense { .. }
        | Op::Einsum { .. }
        | Op::Embedding { .. }
        | Op::Recurrent { .. }
        | Op::FixedPointQuantizer { .. }
        // split by separable_to_depthwise_and_conv before this pass
        | Op::SeparableConv { .. } => false,
    }
}

/// hls4ml's BatchNormalization scale `γ/√(σ²+ε)` and shift `β − scale·μ` over `n_ch` channels,
/// in float32 as numpy computes them (`None` when the layer is not a BatchNormalization or
/// lacks its statistics).
pub fn scale_and_shift(layer: &Layer, n_ch: usize) -> Option<(Vec<f32>, Vec<f32>)> {
    let LayerKind::BatchNorm(bn) = &layer.kind else {
        return None;
    };
    let get = |name: &str| {
        layer
            .weight(name)
            .map(|t| t.data.clone())
            .filter(|d| d.len() == n_ch)
    };
    let gamma = if bn.scale {
        get("gamma")?
    } else {
        vec![1.0; n_ch]
    };
    let beta = if bn.center {
        get("beta")?
    } else {
        vec![0.0; n_ch]
    };
    let mean = get("moving_mean")?;
    let var = get("moving_variance")?;
    let eps = bn.epsilon as f32;
    let scale: Vec<f32> = gamma
        .iter()
        .zip(&var)
        .map(|(g, v)| g / (v + eps).sqrt())
        .collect();
    let shift = beta
        .iter()
        .zip(&scale)
        .zip(&mean)
        .map(|((b, s), m)| b - s * m)
        .collect();
    Some((scale, shift))
}

/// The fold's arithmetic (`bn_fuse.py` `transform`): `kernel` (Keras layout, filters last) and
/// `bias` (`None`: hls4ml's zero bias) of `n_out` filters, times the BatchNormalization's
/// `scale`, plus its `shift`; float32 products and sums, as numpy.
pub fn fold_weights(
    kernel: &mut [f32],
    bias: Option<Vec<f32>>,
    scale: &[f32],
    shift: &[f32],
) -> Vec<f32> {
    let n_out = scale.len().max(1);
    for (i, w) in kernel.iter_mut().enumerate() {
        *w *= scale[i % n_out];
    }
    match bias {
        Some(b) => b
            .iter()
            .zip(scale)
            .zip(shift)
            .map(|((b, s), t)| s * b + t)
            .collect(),
        // hls4ml: scale · zeros (float64) + shift = shift exactly
        None => shift.to_vec(),
    }
}

impl Pass for FuseBatchNormalization {
    fn name(&self) -> &'static str {
        "fuse_batch_normalization"
    }

    fn run(&self, net: &Network, g: &mut Graph) -> Result<bool> {
        let positions = g.positions();
        let readers = g.readers();
        let sole = |key: Key| readers.get(&crate::Port::of(key)).map(Vec::len) == Some(1);
        // BatchNormalization key -> the producer it folds into
        let mut fold: HashMap<Key, (Key, Folded)> = HashMap::new();
        for n in &g.nodes {
            if !matches!(n.op, Op::BatchNorm { .. }) {
                continue;
            }
            let Some(bn_id) = n.origin.layer() else {
                continue;
            };
            let bn_layer = net.layer(bn_id);
            if !matches!(bn_layer.kind, LayerKind::BatchNorm(_)) {
                continue;
            }
            let Some(&i) = n.inputs.first().and_then(|p| positions.get(&p.node)) else {
                continue;
            };
            let mut p = &g.nodes[i];
            // a linear activation eliminate_linear_activation removes (not a cast)
            if matches!(
                p.op,
                Op::Activation {
                    act: ActKind::Plain("linear"),
                    ..
                }
            ) && sole(p.key)
            {
                if let Some(&j) = p.inputs.first().and_then(|q| positions.get(&q.node)) {
                    if g.nodes[j].precision == p.precision {
                        p = &g.nodes[j];
                    }
                }
            }
            if matches!(p.op, Op::BatchNorm { .. }) && p.settings.auto.result && sole(p.key) {
                return Err(LowerError::NotImplemented {
                    layer: n.name.clone(),
                    kind: "BatchNormalization".into(),
                    message: format!(
                        "hls4ml 1.3.0 merges it into the BatchNormalization '{}' before it, whose \
                         result type is 'auto' (fuse_consecutive_batch_normalization); presynth \
                         does not: give '{}' an explicit result type in the config",
                        p.name, p.name
                    ),
                });
            }
            if !product(&p.op) || !p.settings.auto.result || !sole(p.key) {
                continue;
            }
            // `match`: a quantized side folds only with the other side the identity
            let w_quant = p.settings.precision.weight.is_some();
            let b_quant = p.settings.precision.bias.is_some();
            let n_ch = *n.shape.last().unwrap_or(&1);
            // (scale is all ones, shift all zeros); a network without weights: unknown
            let identity = scale_and_shift(bn_layer, n_ch).map(|(scale, shift)| {
                (
                    scale.iter().all(|s| *s == 1.0),
                    shift.iter().all(|s| *s == 0.0),
                )
            });
            let (scale_ones, shift_zeros) = identity.unwrap_or((false, false));
            // hls4ml's scale_compatible / bias_compatible with no BatchNormalization quantizer
            if (w_quant && !scale_ones) || (b_quant && !shift_zeros) {
                continue;
            }
            if b_quant && !scale_ones {
                // hls4ml requantises scale·bias with the layer's bias quantizer
                return Err(LowerError::NotImplemented {
                    layer: n.name.clone(),
                    kind: "BatchNormalization".into(),
                    message: format!(
                        "hls4ml 1.3.0 folds it into '{}' (result type 'auto') and requantises \
                         the scaled bias with that layer's QKeras bias quantizer; presynth does \
                         not: give '{}' an explicit result type in the config",
                        p.name, p.name
                    ),
                });
            }
            if p.op.is_depthwise() {
                return Err(LowerError::NotImplemented {
                    layer: n.name.clone(),
                    kind: "BatchNormalization".into(),
                    message: format!(
                        "hls4ml 1.3.0 folds it into the {} '{}' (result type 'auto'), \
                         broadcasting the per-channel scale over the (k.., C, 1) kernel into a \
                         C times larger weight array; presynth does not: give '{}' an explicit \
                         result type in the config",
                        p.class, p.name, p.name
                    ),
                });
            }
            fold.insert(
                n.key,
                (
                    p.key,
                    Folded {
                        layer: bn_id,
                        name: n.name.clone(),
                    },
                ),
            );
        }
        if fold.is_empty() {
            return Ok(false);
        }
        g.sweep(|g, n| match fold.remove(&n.key) {
            Some((into, f)) => {
                g.folded.entry(into).or_default().push(f);
                let readers_read = n.inputs[0];
                Sweep::Remove { readers_read }
            }
            None => Sweep::Keep(n),
        });
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_matches_numpy_float32() {
        // numpy float32 (.venv): g=[1.5,0.25] b=[0.1,-0.3] m=[0.2,-1] v=[0.5,2] eps=1e-3;
        // s=g/np.sqrt(v+1e-3); t=b-s*m; kernel (3,2) w; bias bb=[0.01,-0.02];
        // s*w and s*bb+t printed as float(x)
        let mut layer = Layer::new(
            "bn",
            LayerKind::BatchNorm(ir::ops::BatchNorm {
                epsilon: 1e-3,
                center: true,
                scale: true,
            }),
        );
        for (name, d) in [
            ("gamma", [1.5f32, 0.25]),
            ("beta", [0.1, -0.3]),
            ("moving_mean", [0.2, -1.0]),
            ("moving_variance", [0.5, 2.0]),
        ] {
            layer
                .weights
                .push((name.into(), ir::layer::Tensor::new(vec![2], d.to_vec())));
        }
        let (s, t) = scale_and_shift(&layer, 2).unwrap();
        assert_eq!(s, [2.119_202_4_f32, 0.176_732_53]);
        assert_eq!(t, [-0.323_840_5_f32, -0.123_267_49]);
        let mut w = vec![0.3f32, -0.7, 1.1, 0.05, -0.2, 0.9];
        let b = fold_weights(&mut w, Some(vec![0.01, -0.02]), &s, &t);
        assert_eq!(
            w,
            [
                0.635_760_7_f32,
                -0.123_712_76,
                2.331_122_6,
                0.008_836_626,
                -0.423_840_5,
                0.159_059_27
            ]
        );
        assert_eq!(b, [-0.302_648_48_f32, -0.126_802_13]);
        // no bias: hls4ml's zero bias (float64) times the scale plus the shift is the shift
        let mut w = vec![1.0f32; 2];
        assert_eq!(fold_weights(&mut w, None, &s, &t), t);
        // a missing statistic: nothing to fold
        layer.weights.pop();
        assert!(scale_and_shift(&layer, 2).is_none());
    }
}
