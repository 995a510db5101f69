//! Transformer blocks as exporters write them without fused operators, matched before the walk
//! and each read as one IR layer:
//!
//! - **Attention** (what `torch.onnx.export` writes for a hand-written multi-head attention, and
//!   tf2onnx for Keras's): Q, K, V projections (`MatMul` of a constant `[d, H·k]`, optional bias
//!   `Add`), each `Reshape`d to `[B, S, H, k]` and `Transpose`d to heads-first (`[0,2,1,3]`; K to
//!   `[0,2,3,1]`, or `[0,2,1,3]` then `[0,1,3,2]`), the scores `MatMul(Q, Kᵀ)` scaled by `Div`
//!   or `Mul` with scalar constants (on the scores or on Q and K), `Softmax` over the last axis,
//!   `MatMul(P, V)`, `Transpose` `[0,2,1,3]`, `Reshape` to `[B, S, H·v]` and the output
//!   projection `MatMul` (+ bias). A single head may skip the reshapes (`Transpose` `[0,2,1]` of
//!   K). The scale must be `1/√k` (the IR's attention has no other). → IR `MultiHeadAttention`
//!   with Keras's weight layout (as [`super::attention`] makes of the opset-23 `Attention`).
//! - **LayerNorm** (opset < 17, tf2onnx): `ReduceMean` over the last axis, `Sub`, `Pow` 2 (or
//!   `Mul` of the difference by itself), `ReduceMean`, `Add` ε, `Sqrt`, `Div`, then an optional
//!   `Mul` by γ and `Add` of β (constants over the last axis) → IR `LayerNorm`.
//!
//! hls4ml 1.3.0's ONNX converter has none of these (its MatMul needs a constant operand, it has
//! no Softmax over an axis of a 4-D tensor, no ReduceMean/Pow/Sqrt): presynth reads them for
//! inspect and estimate, and codegen writes what it writes for the same Keras layers.
//!
//! A Softmax whose input is a `MatMul` of two computed tensors is taken for attention: when the
//! rest of the pattern is missing, the Softmax is reported with what was expected.

use super::attention::{attention_layer, common_bias, ProjWeights};
use super::{attr_int, attr_ints, f32_tensor, Converter, Layout, NodeResult, Value};
use crate::onnx::proto::NodeProto;
use ir::{Layer, LayerKind};
use std::collections::BTreeSet;

/// One matched block: its nodes, the node at which it is emitted (the last), and what it is.
pub(super) struct Pattern {
    pub nodes: BTreeSet<usize>,
    pub anchor: usize,
    /// The node the layer is named after (the Softmax, the first ReduceMean).
    named_by: usize,
    /// The tensor the block's result stands for.
    out: String,
    block: Block,
}

enum Block {
    Attention {
        query: String,
        key: String,
        value: String,
        op: ir::ops::MultiHeadAttention,
        proj: Box<[ProjWeights; 3]>,
        wo: Vec<f32>,
        bo: Option<Vec<f32>>,
    },
    LayerNorm {
        input: String,
        epsilon: f64,
        gamma: Option<Vec<f64>>,
        beta: Option<Vec<f64>>,
    },
}

/// A projection traced back from a tensor: the tensor it reads, its weights, the heads its
/// reshape splits it into (`None`: no reshape, one head), and its nodes.
struct Traced {
    input: String,
    w: ProjWeights,
    heads: Option<(usize, usize)>,
}

impl Converter<'_> {
    /// Find every decomposed attention and LayerNorm (after constant folding, before the walk).
    pub(super) fn match_patterns(&mut self) {
        for (i, n) in self.graph.node.iter().enumerate() {
            let found = match n.op_type.as_str() {
                "Softmax" => self.match_attention(i),
                "ReduceMean" => self.match_layernorm(i),
                _ => Ok(None),
            };
            match found {
                Ok(Some(p)) if p.nodes.iter().all(|j| !self.pattern_of.contains_key(j)) => {
                    let k = self.patterns.len();
                    for &j in &p.nodes {
                        self.pattern_of.insert(j, k);
                    }
                    self.patterns.push(p);
                }
                Ok(_) => {}
                Err(reason) => {
                    let what = if n.op_type == "Softmax" {
                        "attention (MatMul of two computed tensors before the Softmax)"
                    } else {
                        "a decomposed LayerNorm"
                    };
                    self.pattern_errors
                        .insert(i, format!("read as {what}: {reason}"));
                }
            }
        }
    }

    /// Node `j`'s first output (a hostile file may give a node none).
    fn out0(&self, j: usize) -> Result<String, String> {
        let n = &self.graph.node[j];
        n.output
            .first()
            .cloned()
            .ok_or_else(|| format!("node '{}' ({}) has no output", n.name, n.op_type))
    }

    /// Node `j`'s first input.
    fn in0(&self, j: usize) -> Result<String, String> {
        let n = &self.graph.node[j];
        n.input
            .first()
            .cloned()
            .ok_or_else(|| format!("node '{}' ({}) has no input", n.name, n.op_type))
    }

    /// The index of the node that writes `tensor`.
    fn producer(&self, tensor: &str) -> Option<usize> {
        self.graph
            .node
            .iter()
            .position(|n| n.output.iter().any(|o| o == tensor))
    }

    /// The only node reading `tensor` (and not a graph output), or an error naming it.
    fn sole_reader(&self, tensor: &str) -> Result<usize, String> {
        let graph_out = self.graph.output.iter().any(|o| o.name == tensor);
        match self.consumers.get(tensor).map(Vec::as_slice) {
            Some(&[j]) if !graph_out => Ok(j),
            _ => Err(format!(
                "tensor '{tensor}' inside the pattern must have exactly one reader"
            )),
        }
    }

    /// Follow `tensor` back over `Div`/`Mul` by scalar constants, multiplying `scale`.
    fn strip_scale(
        &self,
        mut tensor: String,
        scale: &mut f64,
        nodes: &mut BTreeSet<usize>,
    ) -> Result<String, String> {
        while let Some(p) = self.producer(&tensor) {
            let n = &self.graph.node[p];
            if !matches!(n.op_type.as_str(), "Div" | "Mul") || n.input.len() != 2 {
                break;
            }
            let (var, k) = match (
                self.consts.get(&n.input[0]).and_then(|c| c.scalar()),
                self.consts.get(&n.input[1]).and_then(|c| c.scalar()),
            ) {
                (None, Some(k)) => (&n.input[0], k),
                (Some(k), None) if n.op_type == "Mul" => (&n.input[1], k),
                _ => break,
            };
            if n.op_type == "Div" {
                if k == 0.0 {
                    return Err(format!("node '{}' divides by zero", n.name));
                }
                *scale /= k;
            } else {
                *scale *= k;
            }
            self.sole_reader(&tensor)?;
            nodes.insert(p);
            tensor = var.clone();
        }
        Ok(tensor)
    }

    /// `tensor` is made by a node of type `op` (reading only it among the pattern's tensors):
    /// that node's index.
    fn made_by(&self, tensor: &str, op: &str, what: &str) -> Result<usize, String> {
        let p = self
            .producer(tensor)
            .ok_or_else(|| format!("{what} '{tensor}' is not computed by a node"))?;
        let n = &self.graph.node[p];
        if n.op_type != op {
            return Err(format!(
                "{what} '{tensor}' is made by a {} node where a {op} was expected",
                n.op_type
            ));
        }
        self.sole_reader(tensor)?;
        Ok(p)
    }

    fn perm(&self, p: usize) -> Result<Vec<i64>, String> {
        attr_ints(&self.graph.node[p], "perm")?.ok_or_else(|| "a Transpose without perm".into())
    }

    /// `MatMul(x, W)` (+ `Add` of a constant bias) making `tensor`.
    fn traced_projection(
        &self,
        tensor: &str,
        what: &str,
        nodes: &mut BTreeSet<usize>,
    ) -> Result<(String, ProjWeights), String> {
        let p = self
            .producer(tensor)
            .ok_or_else(|| format!("{what} '{tensor}' is not computed by a node"))?;
        let n = &self.graph.node[p];
        let (mm_out, bias) = if n.op_type == "Add" && n.input.len() == 2 {
            let (var, b) = if self.consts.contains_key(&n.input[1]) {
                (&n.input[0], &n.input[1])
            } else {
                (&n.input[1], &n.input[0])
            };
            let b = self.constant(b, "projection bias")?;
            nodes.insert(p);
            self.sole_reader(tensor)?;
            (
                var.clone(),
                Some(b.data.iter().map(|&x| x as f32).collect()),
            )
        } else {
            (tensor.to_string(), None)
        };
        let m = self.made_by(&mm_out, "MatMul", what)?;
        let mm = &self.graph.node[m];
        let w = self.constant(
            mm.input.get(1).ok_or("a MatMul without a second operand")?,
            "projection weight",
        )?;
        let [n_in, n_out] = w.shape[..] else {
            return Err(format!(
                "{what} projection weight has shape {:?}, expected [d, H*k]",
                w.shape
            ));
        };
        if bias.as_ref().is_some_and(|b: &Vec<f32>| b.len() != n_out) {
            return Err(format!(
                "{what} projection bias does not have {n_out} values"
            ));
        }
        nodes.insert(m);
        Ok((
            mm.input[0].clone(),
            ProjWeights {
                n_in,
                n_out,
                kernel: w.data.iter().map(|&x| x as f32).collect(),
                bias,
            },
        ))
    }

    /// `Reshape` of a projection to `[B, S, H, k]`: the projection and `(H, k)`.
    fn reshaped_projection(
        &self,
        tensor: &str,
        what: &str,
        nodes: &mut BTreeSet<usize>,
    ) -> Result<Traced, String> {
        let r = self.made_by(tensor, "Reshape", what)?;
        let rn = &self.graph.node[r];
        let target = self
            .constant(
                rn.input.get(1).ok_or("a Reshape without a shape")?,
                "reshape target",
            )
            .map_err(|e| format!("{e} (export with fixed shapes)"))?;
        let t: Vec<i64> = target.data.iter().map(|&v| v as i64).collect();
        nodes.insert(r);
        let (input, w) = self.traced_projection(&rn.input[0], what, nodes)?;
        let [_, _, h, k] = t[..] else {
            return Err(format!(
                "{what} is reshaped to {t:?}, expected [batch, seq, heads, head size]"
            ));
        };
        let (h, k) = match (h, k) {
            (h, k) if h > 0 && k > 0 => (h as usize, k as usize),
            (h, -1) if h > 0 => (h as usize, w.n_out / h as usize),
            (-1, k) if k > 0 => (w.n_out / k as usize, k as usize),
            _ => return Err(format!("{what} reshape target {t:?} has no head split")),
        };
        if h * k != w.n_out {
            return Err(format!(
                "{what} is reshaped into {h} heads of {k}, its projection gives {}",
                w.n_out
            ));
        }
        Ok(Traced {
            input,
            w,
            heads: Some((h, k)),
        })
    }

    /// Q or V: `Transpose [0,2,1,3]` of a reshaped projection, or (one head) the projection.
    fn traced_heads(
        &self,
        tensor: String,
        what: &str,
        scale: &mut f64,
        nodes: &mut BTreeSet<usize>,
    ) -> Result<Traced, String> {
        let t = self.strip_scale(tensor, scale, nodes)?;
        match self
            .producer(&t)
            .map(|p| (p, self.graph.node[p].op_type.as_str()))
        {
            Some((p, "Transpose")) => {
                if self.perm(p)? != [0, 2, 1, 3] {
                    return Err(format!(
                        "{what} is transposed by {:?}, expected [0, 2, 1, 3]",
                        self.perm(p)?
                    ));
                }
                self.sole_reader(&t)?;
                nodes.insert(p);
                let inner = self.strip_scale(self.in0(p)?, scale, nodes)?;
                self.reshaped_projection(&inner, what, nodes)
            }
            _ => {
                let (input, w) = self.traced_projection(&t, what, nodes)?;
                Ok(Traced {
                    input,
                    w,
                    heads: None,
                })
            }
        }
    }

    /// Kᵀ: `Transpose [0,2,3,1]` of a reshaped projection, `Transpose [0,1,3,2]` of Q's form,
    /// or (one head) `Transpose [0,2,1]` of the projection.
    fn traced_keys(
        &self,
        tensor: String,
        scale: &mut f64,
        nodes: &mut BTreeSet<usize>,
    ) -> Result<Traced, String> {
        let t = self.strip_scale(tensor, scale, nodes)?;
        let p = self.made_by(&t, "Transpose", "the transposed key")?;
        nodes.insert(p);
        let inner = self.strip_scale(self.in0(p)?, scale, nodes)?;
        match self.perm(p)?[..] {
            [0, 2, 3, 1] => self.reshaped_projection(&inner, "key", nodes),
            [0, 1, 3, 2] => self.traced_heads(inner, "key", scale, nodes),
            [0, 2, 1] => {
                let (input, w) = self.traced_projection(&inner, "key", nodes)?;
                Ok(Traced {
                    input,
                    w,
                    heads: None,
                })
            }
            ref other => Err(format!(
                "the key is transposed by {other:?}, expected [0, 2, 3, 1], [0, 1, 3, 2] or (one head) [0, 2, 1]"
            )),
        }
    }

    /// Whether node `m` is a MatMul of two computed tensors (attention scores or context).
    fn is_product_of_computed(&self, m: usize) -> bool {
        let n = &self.graph.node[m];
        n.op_type == "MatMul"
            && n.input.len() == 2
            && n.input.iter().all(|i| !self.consts.contains_key(i))
    }

    /// The attention around the Softmax node `s`; `Ok(None)` when its input is not a MatMul of
    /// two computed tensors (a plain Softmax).
    fn match_attention(&self, s: usize) -> Result<Option<Pattern>, String> {
        let sm = &self.graph.node[s];
        let Some(x) = sm.input.first() else {
            return Ok(None);
        };
        let mut nodes = BTreeSet::from([s]);
        let mut scale = 1.0;
        let scores = self.strip_scale(x.clone(), &mut scale, &mut nodes)?;
        let Some(m) = self.producer(&scores) else {
            return Ok(None);
        };
        let mm = &self.graph.node[m];
        if mm.op_type == "Add" && mm.input.len() == 2 {
            // an attention mask added to the scores, or a classifier's bias
            let var = mm.input.iter().find(|i| !self.consts.contains_key(*i));
            let scores_below = var.is_some_and(|v| {
                let mut unused = (1.0, BTreeSet::new());
                self.strip_scale(v.clone(), &mut unused.0, &mut unused.1)
                    .ok()
                    .and_then(|t| self.producer(&t))
                    .is_some_and(|p| self.is_product_of_computed(p))
            });
            if scores_below && mm.input.iter().any(|i| self.consts.contains_key(i)) {
                return Err("an additive mask before the Softmax is not supported (the IR's attention knows only the causal mask)".into());
            }
        }
        if !self.is_product_of_computed(m) {
            return Ok(None);
        }
        self.sole_reader(&scores)?;
        nodes.insert(m);
        let axis = attr_int(sm, "axis", -1)?;
        let q = self.traced_heads(mm.input[0].clone(), "query", &mut scale, &mut nodes)?;
        let k = self.traced_keys(mm.input[1].clone(), &mut scale, &mut nodes)?;
        let rank = if q.heads.is_some() { 4 } else { 3 };
        if axis != -1 && axis != rank - 1 {
            return Err(format!(
                "the attention Softmax is over axis {axis}, expected the last (keys)"
            ));
        }
        // P · V
        let pv = self.sole_reader(sm.output.first().ok_or("no output")?)?;
        let pvn = &self.graph.node[pv];
        if pvn.op_type != "MatMul" || pvn.input.len() != 2 || pvn.input[0] != sm.output[0] {
            return Err(format!(
                "the attention weights feed a {} node; expected MatMul(weights, values)",
                pvn.op_type
            ));
        }
        nodes.insert(pv);
        let mut unit = 1.0;
        let v = self.traced_heads(pvn.input[1].clone(), "value", &mut unit, &mut nodes)?;
        if unit != 1.0 {
            return Err("the values are scaled; only the scores may be".into());
        }
        // heads back together, then the output projection
        let mut out = self.out0(pv)?;
        if q.heads.is_some() {
            let t = self.sole_reader(&out)?;
            if self.graph.node[t].op_type != "Transpose" || self.perm(t)? != [0, 2, 1, 3] {
                return Err("the attention output must be transposed back by [0, 2, 1, 3]".into());
            }
            nodes.insert(t);
            out = self.out0(t)?;
            let r = self.sole_reader(&out)?;
            if self.graph.node[r].op_type != "Reshape" {
                return Err("the heads must be merged by a Reshape to [batch, seq, H*v]".into());
            }
            nodes.insert(r);
            out = self.out0(r)?;
        }
        let o = self.sole_reader(&out)?;
        let on = &self.graph.node[o];
        if on.op_type != "MatMul" || on.input.len() != 2 || on.input[0] != out {
            return Err(format!(
                "the attention output feeds a {} node; expected the output projection MatMul",
                on.op_type
            ));
        }
        let wo = self.constant(&on.input[1], "the output projection weight")?;
        nodes.insert(o);
        let [hv, d_out] = wo.shape[..] else {
            return Err(format!(
                "output projection weight has shape {:?}, expected [H*v, o]",
                wo.shape
            ));
        };
        let mut final_out = self.out0(o)?;
        let mut bo = None;
        if let Ok(a) = self.sole_reader(&final_out) {
            let an = &self.graph.node[a];
            if an.op_type == "Add" && an.input.len() == 2 {
                let other = if an.input[0] == final_out {
                    &an.input[1]
                } else {
                    &an.input[0]
                };
                if let Some(b) = self.consts.get(other).filter(|b| b.len() == d_out) {
                    bo = Some(b.data.iter().map(|&x| x as f32).collect::<Vec<f32>>());
                    nodes.insert(a);
                    final_out = self.out0(a)?;
                }
            }
        }
        let (h, key_dim) = q.heads.unwrap_or((1, q.w.n_out));
        let (g, k_dim) = k.heads.unwrap_or((1, k.w.n_out));
        let (gv, value_dim) = v.heads.unwrap_or((1, v.w.n_out));
        if k_dim != key_dim || gv != g || h % g != 0 {
            return Err(format!(
                "query heads {h}×{key_dim}, key heads {g}×{k_dim}, value heads {gv}×{value_dim} do not make one attention"
            ));
        }
        if hv != h * value_dim {
            return Err(format!(
                "output projection takes {hv} inputs, the attention gives {h} heads of {value_dim}"
            ));
        }
        let want = 1.0 / (key_dim as f64).sqrt();
        if (scale - want).abs() > 1e-5 * want {
            return Err(format!(
                "the scores are scaled by {scale}, not 1/sqrt(head size) = {want} (the only scale the IR's attention has)"
            ));
        }
        let use_bias = common_bias([&q.w, &k.w, &v.w], bo.is_some()).ok_or(
            "some projections have a bias and some do not; the IR's attention has one use_bias",
        )?;
        let op = ir::ops::MultiHeadAttention {
            heads: h,
            kv_heads: g,
            key_dim,
            value_dim,
            use_bias,
            key_bias: true,
            causal: false,
            // Keras's default (None) is the query's width
            output_dim: (d_out != q.w.n_in).then_some(d_out),
        };
        let anchor = *nodes.iter().next_back().expect("the Softmax at least");
        Ok(Some(Pattern {
            nodes,
            anchor,
            named_by: s,
            out: final_out,
            block: Block::Attention {
                query: q.input,
                key: k.input,
                value: v.input,
                op,
                proj: Box::new([q.w, k.w, v.w]),
                wo: wo.data.iter().map(|&x| x as f32).collect(),
                bo,
            },
        }))
    }

    /// Whether a ReduceMean reduces only the last axis, keeping it.
    fn reduces_last_axis(&self, n: &NodeProto) -> Result<bool, String> {
        let axes: Option<Vec<i64>> = match n.input.get(1).filter(|s| !s.is_empty()) {
            Some(a) => Some(
                self.constant(a, "axes")?
                    .data
                    .iter()
                    .map(|&v| v as i64)
                    .collect(),
            ),
            None => attr_ints(n, "axes")?,
        };
        Ok(axes.as_deref() == Some(&[-1]) && attr_int(n, "keepdims", 1)? == 1)
    }

    /// A decomposed LayerNorm starting at the ReduceMean `r` of its input; `Ok(None)` when `r`
    /// is not the start of one.
    fn match_layernorm(&self, r: usize) -> Result<Option<Pattern>, String> {
        let rn = &self.graph.node[r];
        let (Some(x), Some(mean)) = (rn.input.first(), rn.output.first()) else {
            return Ok(None);
        };
        let Ok(s) = self.sole_reader(mean) else {
            return Ok(None);
        };
        let sub = &self.graph.node[s];
        if sub.op_type != "Sub"
            || sub.input.len() != 2
            || &sub.input[0] != x
            || &sub.input[1] != mean
        {
            return Ok(None);
        }
        if !self.reduces_last_axis(rn)? {
            return Err("the mean is not over the last axis only (keepdims=1)".into());
        }
        let d = sub.output.first().ok_or("no output")?;
        let readers = self.consumers.get(d).cloned().unwrap_or_default();
        let mut nodes = BTreeSet::from([r, s]);
        let [a, b] = readers[..] else {
            return Err("the centred input must feed the square and the division".into());
        };
        let (sq, div) = if self.graph.node[a].op_type == "Div" {
            (b, a)
        } else {
            (a, b)
        };
        let sqn = &self.graph.node[sq];
        let squares = match sqn.op_type.as_str() {
            "Pow" => {
                self.consts
                    .get(sqn.input.get(1).map_or("", String::as_str))
                    .and_then(|c| c.scalar())
                    == Some(2.0)
            }
            "Mul" => sqn.input.len() == 2 && sqn.input[0] == *d && sqn.input[1] == *d,
            _ => false,
        };
        if !squares {
            return Err(format!(
                "the centred input feeds a {} node where Pow(x, 2) was expected",
                sqn.op_type
            ));
        }
        nodes.insert(sq);
        let step = |t: &str, op: &str| -> Result<usize, String> {
            let j = self.sole_reader(t)?;
            if self.graph.node[j].op_type != op {
                return Err(format!(
                    "'{t}' feeds a {} node where the LayerNorm's {op} was expected",
                    self.graph.node[j].op_type
                ));
            }
            Ok(j)
        };
        let var = step(&self.out0(sq)?, "ReduceMean")?;
        if !self.reduces_last_axis(&self.graph.node[var])? {
            return Err("the variance is not over the last axis only (keepdims=1)".into());
        }
        let add = step(&self.out0(var)?, "Add")?;
        let addn = &self.graph.node[add];
        let epsilon = addn
            .input
            .iter()
            .find_map(|i| self.consts.get(i).and_then(|c| c.scalar()))
            .ok_or("the variance's Add has no scalar epsilon")?;
        let sqrt = step(&self.out0(add)?, "Sqrt")?;
        let dv = step(&self.out0(sqrt)?, "Div")?;
        if dv != div || self.graph.node[div].input[0] != *d {
            return Err("the centred input is not divided by the standard deviation".into());
        }
        nodes.extend([var, add, sqrt, div]);
        let mut out = self.out0(div)?;
        let mut affine = |op: &str, nodes: &mut BTreeSet<usize>| -> Option<Vec<f64>> {
            let j = self.sole_reader(&out).ok()?;
            let n = &self.graph.node[j];
            if n.op_type != op || n.input.len() != 2 {
                return None;
            }
            let other = if n.input[0] == out {
                &n.input[1]
            } else {
                &n.input[0]
            };
            let c = self.consts.get(other)?;
            if c.shape.iter().filter(|&&d| d != 1).count() > 1 {
                return None;
            }
            nodes.insert(j);
            out = n.output.first()?.clone();
            Some(c.data.clone())
        };
        let gamma = affine("Mul", &mut nodes);
        let beta = affine("Add", &mut nodes);
        let anchor = *nodes.iter().next_back().expect("nodes");
        Ok(Some(Pattern {
            nodes,
            anchor,
            named_by: r,
            out,
            block: Block::LayerNorm {
                input: x.clone(),
                epsilon,
                gamma,
                beta,
            },
        }))
    }

    /// Emit the matched block `k` (at its anchor node).
    pub(super) fn emit_pattern(&mut self, k: usize) -> NodeResult {
        let graph = self.graph;
        let name = match common_scope(self.patterns[k].nodes.iter().map(|&j| &graph.node[j])) {
            Some(scope) => self.unique(super::sanitize(&scope, "layer")),
            None => {
                let named_by = &graph.node[self.patterns[k].named_by];
                let prefix = match self.patterns[k].block {
                    Block::Attention { .. } => "attention_",
                    Block::LayerNorm { .. } => "layernorm_",
                };
                self.layer_name(named_by, prefix)
            }
        };
        let p = &self.patterns[k];
        let (layer, inputs) = match &p.block {
            Block::Attention {
                query,
                key,
                value,
                op,
                proj,
                wo,
                bo,
            } => {
                let (q, kk, v) = (self.value(query)?, self.value(key)?, self.value(value)?);
                for (t, what) in [(&q, "query"), (&kk, "key"), (&v, "value")] {
                    if t.layout != Layout::Same || self.ir_shape(t).len() != 2 {
                        return Err(format!(
                            "the attention's {what} is not a [seq, features] sequence"
                        ));
                    }
                }
                let layer = attention_layer(
                    name,
                    op.clone(),
                    [&proj[0], &proj[1], &proj[2]],
                    wo,
                    bo.as_deref(),
                );
                let ins = if kk.layer == v.layer {
                    vec![q.layer, v.layer]
                } else {
                    vec![q.layer, v.layer, kk.layer]
                };
                (layer, ins)
            }
            Block::LayerNorm {
                input,
                epsilon,
                gamma,
                beta,
            } => {
                let x = self.value(input)?;
                let s = self.ir_shape(&x);
                if s.len() >= 2 && x.layout != Layout::Same {
                    return Err("normalises a channels-first tensor held channels-last".into());
                }
                let n = *s.last().ok_or("a LayerNorm of a scalar")?;
                let mut layer = Layer::new(
                    name,
                    LayerKind::LayerNorm(ir::ops::LayerNorm {
                        axes: vec![s.len() as isize],
                        epsilon: *epsilon,
                        center: beta.is_some(),
                        scale: gamma.is_some(),
                    }),
                );
                for (w, wname) in [(gamma, "gamma"), (beta, "beta")] {
                    if let Some(w) = w {
                        if w.len() != n {
                            return Err(format!("{wname} has {} values, expected {n}", w.len()));
                        }
                        layer
                            .weights
                            .push((wname.into(), f32_tensor(vec![n], w.iter().copied())));
                    }
                }
                (layer, vec![x.layer])
            }
        };
        let out = p.out.clone();
        let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let l = self.add(layer, &refs)?;
        self.values.insert(
            out,
            Value {
                layer: l,
                layout: Layout::Same,
            },
        );
        Ok(())
    }
}

/// The scope all the nodes' names share, as exporters name nodes (`/encoder/attn/q_proj/MatMul`,
/// `mha/Softmax`): the common leading `/`-separated parts before each name's last part, joined
/// by `_` (`encoder_attn`); `None` when they share none or a node is unnamed.
fn common_scope<'a>(nodes: impl Iterator<Item = &'a NodeProto>) -> Option<String> {
    let mut common: Option<Vec<&str>> = None;
    for n in nodes {
        let parts: Vec<&str> = n.name.split('/').filter(|p| !p.is_empty()).collect();
        let scope = &parts[..parts.len().saturating_sub(1)];
        common = Some(match common {
            None => scope.to_vec(),
            Some(c) => c
                .iter()
                .zip(scope)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    common.filter(|c| !c.is_empty()).map(|c| c.join("_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> NodeProto {
        NodeProto {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn scope_is_the_shared_path_of_the_node_names() {
        let ns = [named("/enc/attn/q/MatMul"), named("/enc/attn/Softmax")];
        assert_eq!(common_scope(ns.iter()).as_deref(), Some("enc_attn"));
        let ns = [named("ln1/Sub"), named("ln1/ReduceMean_1")];
        assert_eq!(common_scope(ns.iter()).as_deref(), Some("ln1"));
        // no shared scope, or an unnamed node: none
        let ns = [named("a/Sub"), named("b/Div")];
        assert_eq!(common_scope(ns.iter()), None);
        let ns = [named("a/Sub"), named("")];
        assert_eq!(common_scope(ns.iter()), None);
    }
}
