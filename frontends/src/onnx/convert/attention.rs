//! ONNX `Attention` (opset 23) with 3-D inputs, as an exporter writes a transformer's attention
//! block: Q, K and V each a `MatMul` of a constant (with an optional bias `Add`), the
//! `Attention` node, and one `MatMul` (+ bias) output projection. The three projection Dense
//! layers the converter has already made are folded into one IR `MultiHeadAttention` with the
//! output projection, Keras's weight layout: `query/kernel` `[d_q, H, k]` is the `[d_q, H·k]`
//! MatMul weight (ONNX splits the hidden axis into heads head-major, as Keras does),
//! `attention_output/kernel` `[H, v, o]` the `[H·v, o]` one. Anything else (masks, past
//! key/values, a scale other than 1/√k, soft-capping, 4-D inputs, projections that are not
//! MatMuls of constants) is refused with the reason.

use super::{attr_float, attr_int, f32_tensor, Converter, Layout, NodeResult, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::tensor::attr;
use ir::{Layer, LayerKind, NodeId};

/// One projection's weights: kernel (row-major `[n_in, n_out]`) and bias.
pub(super) struct ProjWeights {
    pub n_in: usize,
    pub n_out: usize,
    pub kernel: Vec<f32>,
    pub bias: Option<Vec<f32>>,
}

/// One projection Dense: its IR node, input layer and weights.
struct Projection {
    id: NodeId,
    input: String,
    w: ProjWeights,
}

/// The IR attention layer of Q, K, V projections and the `[H·v, o]` output projection `wo`
/// (+ bias `bo`), in Keras's weight layout (see the module note).
pub(super) fn attention_layer(
    name: String,
    op: ir::ops::MultiHeadAttention,
    [q, k, v]: [&ProjWeights; 3],
    wo: &[f32],
    bo: Option<&[f32]>,
) -> Layer {
    let (h, g, kd, vd, o) = (
        op.heads,
        op.kv_heads,
        op.key_dim,
        op.value_dim,
        op.output_dim.unwrap_or(q.n_in),
    );
    let mut layer = Layer::new(name, LayerKind::MultiHeadAttention(op));
    let f32s = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
    let mut push = |name: &str, shape: Vec<usize>, data: &[f32]| {
        layer
            .weights
            .push((name.to_string(), f32_tensor(shape, f32s(data))));
    };
    for (p, name, heads, dim) in [(q, "query", h, kd), (k, "key", g, kd), (v, "value", g, vd)] {
        push(
            &format!("{name}/kernel"),
            vec![p.n_in, heads, dim],
            &p.kernel,
        );
        if let Some(b) = &p.bias {
            push(&format!("{name}/bias"), vec![heads, dim], b);
        }
    }
    push("attention_output/kernel", vec![h, vd, o], wo);
    if let Some(b) = bo {
        push("attention_output/bias", vec![o], b);
    }
    layer
}

/// Whether all four projections have a bias (`Some(true)`), none has (`Some(false)`), or some
/// have (`None`: the IR's attention has one `use_bias`).
pub(super) fn common_bias(qkv: [&ProjWeights; 3], out_bias: bool) -> Option<bool> {
    let b: Vec<bool> = qkv.iter().map(|p| p.bias.is_some()).collect();
    if b.iter().all(|&x| x == out_bias) {
        Some(out_bias)
    } else {
        None
    }
}

impl Converter<'_> {
    /// The Dense layer that produced the Attention operand `tensor`, when nothing else reads it.
    fn projection(&self, tensor: &str, what: &str) -> Result<Projection, String> {
        let v = self.value(tensor)?;
        let id = self
            .net
            .find(&v.layer)
            .ok_or_else(|| format!("{what} '{tensor}' has no layer"))?;
        let l = self.net.layer(id);
        let LayerKind::Dense(ir::ops::Dense { units, .. }) = l.kind else {
            return Err(format!(
                "{what} '{tensor}' must be a MatMul of a constant (a projection), found a {} layer",
                l.kind.name()
            ));
        };
        let readers = self.consumers.get(tensor).map_or(0, Vec::len);
        if readers != 1 || !self.net.consumers_of(id).is_empty() || !l.activation.is_linear() {
            return Err(format!(
                "{what} projection '{tensor}' is read by other nodes too ({} readers)",
                readers
            ));
        }
        let kernel = l.weight("kernel").ok_or("a projection without weights")?;
        let input = self
            .net
            .inputs_of(id)
            .first()
            .map(|&i| self.net.layer(i).name.clone())
            .ok_or("a projection without an input")?;
        Ok(Projection {
            id,
            input,
            w: ProjWeights {
                n_in: kernel.shape[0],
                n_out: units,
                kernel: kernel.data.clone(),
                bias: l.weight("bias").map(|b| b.data.clone()),
            },
        })
    }

    pub(super) fn attention(&mut self, node: &NodeProto) -> NodeResult {
        if node.input.len() != 3 || node.output.len() != 1 {
            return Err(
                "only the Q, K, V inputs and one output are supported (no mask, no past key/value, no extra outputs)"
                    .into(),
            );
        }
        let h = attr_int(node, "q_num_heads", 0)?;
        let g = attr_int(node, "kv_num_heads", 0)?;
        if h <= 0 || g <= 0 {
            return Err(
                "q_num_heads and kv_num_heads are needed (3-D inputs; 4-D inputs are not supported)"
                    .into(),
            );
        }
        if attr_float(node, "softcap", 0.0)? != 0.0 {
            return Err("soft-capping (softcap) is not supported".into());
        }
        let causal = attr_int(node, "is_causal", 0)? != 0;
        let q = self.projection(&node.input[0], "query")?;
        let k = self.projection(&node.input[1], "key")?;
        let v = self.projection(&node.input[2], "value")?;
        let (h, g) = (h as usize, g as usize);
        let (qw, kw, vw) = (&q.w, &k.w, &v.w);
        if qw.n_out % h != 0
            || kw.n_out % g != 0
            || vw.n_out % g != 0
            || qw.n_out / h != kw.n_out / g
        {
            return Err(format!(
                "projection widths Q {}, K {}, V {} do not split into {h} query and {g} key/value heads of one size",
                qw.n_out, kw.n_out, vw.n_out
            ));
        }
        let (key_dim, value_dim) = (qw.n_out / h, vw.n_out / g);
        if let Some(a) = attr(node, "scale") {
            let want = 1.0 / (key_dim as f64).sqrt();
            if (a.f as f64 - want).abs() > 1e-6 * want {
                return Err(format!(
                    "scale {} is not 1/sqrt(head size) = {want} (the only scale the IR's attention has)",
                    a.f
                ));
            }
        }
        // the output projection: the Attention output's only reader, a MatMul of a constant
        let out = &node.output[0];
        let [j] = self.consumers.get(out).map(Vec::as_slice).unwrap_or(&[])[..] else {
            return Err(
                "the attention output must feed exactly one MatMul (the output projection)".into(),
            );
        };
        let mm = &self.graph.node[j];
        if mm.op_type != "MatMul" || mm.input.len() != 2 || &mm.input[0] != out {
            return Err(format!(
                "the attention output feeds a {} node; only a MatMul output projection is supported",
                mm.op_type
            ));
        }
        let w = self
            .constant(&mm.input[1], "the output projection weight")?
            .clone();
        let [hv, o] = w.shape[..] else {
            return Err(format!(
                "output projection weight has shape {:?}, expected [H*v, o]",
                w.shape
            ));
        };
        if hv != h * value_dim {
            return Err(format!(
                "output projection takes {hv} inputs, the attention gives {h} heads of {value_dim}"
            ));
        }
        let mm_out = mm.output[0].clone();
        let (out_bias, final_out) = self.following_bias(&mm_out, o);
        let out_bias: Option<Vec<f32>> =
            out_bias.map(|(b, _)| b.iter().map(|&x| x as f32).collect());
        let use_bias = common_bias([qw, kw, vw], out_bias.is_some()).ok_or(
            "some projections have a bias and some do not; the IR's attention has one use_bias",
        )?;
        self.folded.insert(j);
        let op = ir::ops::MultiHeadAttention {
            heads: h,
            kv_heads: g,
            key_dim,
            value_dim,
            use_bias,
            key_bias: true,
            causal,
            output_dim: Some(o),
        };
        let wo: Vec<f32> = w.data.iter().map(|&x| x as f32).collect();
        let layer = attention_layer(
            self.layer_name(node, ""),
            op,
            [qw, kw, vw],
            &wo,
            out_bias.as_deref(),
        );
        // the projections become part of the attention layer
        let (qi, ki, vi) = (q.input.clone(), k.input.clone(), v.input.clone());
        for id in [q.id, k.id, v.id] {
            self.net.graph.remove_node(id);
        }
        self.net.reindex();
        let operands: Vec<&str> = if ki == vi {
            vec![&qi, &vi]
        } else {
            vec![&qi, &vi, &ki]
        };
        let l = self.add(layer, &operands)?;
        self.values.insert(
            final_out,
            Value {
                layer: l,
                layout: Layout::Same,
            },
        );
        Ok(())
    }
}
