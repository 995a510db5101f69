//! Multi-head attention (Keras `MultiHeadAttention`, and `GroupedQueryAttention` through
//! `kv_heads`): the query, key and value projections, the scaled dot-product scores, the
//! softmax over the key positions, the weighted sum of the values and the output projection.
//!
//! Operands, in Keras's call order: `query` `(T_q, d_q)`, `value` `(T_v, d_v)` and optionally
//! `key` `(T_v, d_k)` (the value when absent). Only attention over the sequence axis of rank-2
//! (sequence, features) operands is modelled (Keras's default `attention_axes` for them).
//!
//! Cost (Keras `count_params()` and the multiplies of one inference, derived by hand from
//! Keras 3's `MultiHeadAttention._build_from_signature` and `_compute_attention`; H query heads,
//! G key/value heads (G = H for MHA), key_dim k, value_dim v, output width o (the query's
//! width unless `output_dim` is set)):
//! - parameters: query kernel d_q·H·k (+ bias H·k), key kernel d_k·G·k (+ G·k), value kernel
//!   d_v·G·v (+ G·v), output kernel H·v·o (+ o);
//! - MACs: the four projections T_q·d_q·H·k + T_v·d_k·G·k + T_v·d_v·G·v + T_q·H·v·o, plus
//!   the scores Q·Kᵀ (H·T_q·T_v·k) and the weighted sum P·V (H·T_q·T_v·v). The causal mask
//!   does not change the count: hls4ml's decomposition (and Keras) computes every score and
//!   masks afterwards. The 1/√k scaling of the query (T_q·H·k multiplies, folded into the
//!   projection by hls4ml) and the softmax's exponentials are not MACs and are not counted.

use super::util::{attr_err, first, positive, prod, shape_err, within_cost};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiHeadAttention {
    /// Query heads (Keras `num_heads`, `num_query_heads` for GroupedQueryAttention).
    pub heads: usize,
    /// Key/value heads: equal to `heads` for MultiHeadAttention, fewer for grouped-query.
    pub kv_heads: usize,
    /// Size of each query and key head.
    pub key_dim: usize,
    /// Size of each value head (Keras: `key_dim` unless given).
    pub value_dim: usize,
    pub use_bias: bool,
    /// Whether the key projection has its bias when `use_bias` is set: false for HGQ2's
    /// `QMultiHeadAttention`, which builds its key EinsumDense without one (a key bias adds
    /// the same amount to every score of a query row, which the softmax cancels).
    #[serde(default = "yes")]
    pub key_bias: bool,
    /// Causal (lower-triangular) mask: Keras's `use_causal_mask=True` call argument.
    pub causal: bool,
    /// Width of the output projection (Keras `output_shape`); `None` is the query's width.
    pub output_dim: Option<usize>,
}

fn yes() -> bool {
    true
}

/// The operand shapes of one attention layer: (T_q, d_q), (T_v, d_v), (T_v, d_k).
struct Operands {
    tq: u64,
    dq: u64,
    tv: u64,
    dv: u64,
    dk: u64,
}

fn operands(inputs: &[Shape]) -> Operands {
    let dims = |s: Option<&Shape>| match s.map(|s| s.as_slice()) {
        Some([t, d]) => (*t as u64, *d as u64),
        _ => (0, 0),
    };
    let (tq, dq) = dims(inputs.first());
    let (tv, dv) = dims(inputs.get(1));
    let (_, dk) = match inputs.get(2) {
        Some(_) => dims(inputs.get(2)),
        None => (tv, dv),
    };
    Operands { tq, dq, tv, dv, dk }
}

impl MultiHeadAttention {
    /// The output width for a query of width `dq`.
    pub fn out_dim(&self, dq: usize) -> usize {
        self.output_dim.unwrap_or(dq)
    }
    /// Whether the projection named by its bias weight (`query/bias`, `key/bias`,
    /// `value/bias`, `attention_output/bias`) has a bias.
    pub fn has_bias(&self, bias_weight: &str) -> bool {
        self.use_bias && (self.key_bias || bias_weight != "key/bias")
    }
}

impl LayerOp for MultiHeadAttention {
    fn name(&self) -> &'static str {
        "MultiHeadAttention"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["MultiHeadAttention", "GroupedQueryAttention"]
    }
    fn arity(&self) -> Arity {
        // query, value and optionally key (checked in `infer`)
        Arity::AtLeastTwo
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        positive(layer, self.heads, "heads")?;
        positive(layer, self.kv_heads, "kv_heads")?;
        positive(layer, self.key_dim, "key_dim")?;
        positive(layer, self.value_dim, "value_dim")?;
        if let Some(o) = self.output_dim {
            positive(layer, o, "output_dim")?;
        }
        if !self.heads.is_multiple_of(self.kv_heads) {
            return Err(attr_err(
                layer,
                format!(
                    "{} query heads cannot be grouped over {} key/value heads",
                    self.heads, self.kv_heads
                ),
            ));
        }
        if inputs.len() > 3 {
            return Err(shape_err(
                layer,
                format!(
                    "takes query, value and optionally key (2 or 3 operands), got {}",
                    inputs.len()
                ),
            ));
        }
        for (i, s) in inputs.iter().enumerate() {
            if s.len() != 2 {
                let what = ["query", "value", "key"][i];
                return Err(shape_err(
                    layer,
                    format!("expects rank-2 (sequence, features) operands; {what} has shape {s:?}"),
                ));
            }
        }
        if let Some(key) = inputs.get(2) {
            if key[0] != inputs[1][0] {
                return Err(shape_err(
                    layer,
                    format!(
                        "key {key:?} and value {:?} must have the same sequence length",
                        inputs[1]
                    ),
                ));
            }
        }
        let q = first(inputs);
        if self.causal && inputs[1][0] < q[0] {
            return Err(shape_err(
                layer,
                format!(
                    "a causal mask needs at least as many keys ({}) as queries ({})",
                    inputs[1][0], q[0]
                ),
            ));
        }
        let out = vec![q[0], self.out_dim(q[1])];
        within_cost(layer, self.cost(inputs, &out))?;
        Ok(out)
    }
    fn cost(&self, inputs: &[Shape], output: &[usize]) -> Cost {
        let Operands { tq, dq, tv, dv, dk } = operands(inputs);
        let (h, g) = (self.heads as u64, self.kv_heads as u64);
        let (k, v) = (self.key_dim as u64, self.value_dim as u64);
        let o = output.last().copied().unwrap_or(0) as u64;
        let params = [
            prod(&[dq as usize, (h * k) as usize]),
            prod(&[dk as usize, (g * k) as usize]),
            prod(&[dv as usize, (g * v) as usize]),
            prod(&[(h * v) as usize, o as usize]),
        ]
        .iter()
        .fold(0u64, |a, &x| a.saturating_add(x));
        let biases = [
            ("query/bias", h * k),
            ("key/bias", g * k),
            ("value/bias", g * v),
            ("attention_output/bias", o),
        ]
        .iter()
        .filter(|(name, _)| self.has_bias(name))
        .fold(0u64, |a, (_, n)| a.saturating_add(*n));
        let mul = |xs: &[u64]| xs.iter().fold(1u64, |a, &x| a.saturating_mul(x));
        let macs = [
            mul(&[tq, dq, h, k]),
            mul(&[tv, dk, g, k]),
            mul(&[tv, dv, g, v]),
            mul(&[h, tq, tv, k]),
            mul(&[h, tq, tv, v]),
            mul(&[tq, h, v, o]),
        ]
        .iter()
        .fold(0u64, |a, &x| a.saturating_add(x));
        Cost {
            params: params.saturating_add(biases),
            macs,
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let Operands { dq, dv, dk, .. } = operands(inputs);
        let (h, g, k, v) = (self.heads, self.kv_heads, self.key_dim, self.value_dim);
        let o = self.out_dim(dq as usize);
        let mut out = Vec::new();
        let mut push =
            |kernel: &'static str, bias: &'static str, ks: Vec<usize>, bs: Vec<usize>| {
                out.push(WeightSpec {
                    name: kernel,
                    role: WeightRole::Kernel,
                    shape: ks,
                });
                if self.has_bias(bias) {
                    out.push(WeightSpec {
                        name: bias,
                        role: WeightRole::Bias,
                        shape: bs,
                    });
                }
            };
        push(
            "query/kernel",
            "query/bias",
            vec![dq as usize, h, k],
            vec![h, k],
        );
        push(
            "key/kernel",
            "key/bias",
            vec![dk as usize, g, k],
            vec![g, k],
        );
        push(
            "value/kernel",
            "value/bias",
            vec![dv as usize, g, v],
            vec![g, v],
        );
        push(
            "attention_output/kernel",
            "attention_output/bias",
            vec![h, v, o],
            vec![o],
        );
        out
    }
    fn product_shape(&self, _inputs: &[Shape]) -> Option<(u64, u64)> {
        // several products of different shapes (see the module comment); no single array
        None
    }
}
