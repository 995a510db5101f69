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

/// One projection Dense: its IR node, input layer, kernel (row-major `[n_in, n_out]`) and bias.
struct Projection {
    id: NodeId,
    input: String,
    n_in: usize,
    n_out: usize,
    kernel: Vec<f32>,
    bias: Option<Vec<f32>>,
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
            n_in: kernel.shape[0],
            n_out: units,
            kernel: kernel.data.clone(),
            bias: l.weight("bias").map(|b| b.data.clone()),
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
        if q.n_out % h != 0 || k.n_out % g != 0 || v.n_out % g != 0 || q.n_out / h != k.n_out / g {
            return Err(format!(
                "projection widths Q {}, K {}, V {} do not split into {h} query and {g} key/value heads of one size",
                q.n_out, k.n_out, v.n_out
            ));
        }
        let (key_dim, value_dim) = (q.n_out / h, v.n_out / g);
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
        let out_bias = out_bias.map(|(b, _)| b);
        let biases = [&q.bias, &k.bias, &v.bias].map(Option::is_some);
        let use_bias = biases.iter().all(|b| *b) && out_bias.is_some();
        if !use_bias && (biases.iter().any(|b| *b) || out_bias.is_some()) {
            return Err(
                "some projections have a bias and some do not; the IR's attention has one use_bias"
                    .into(),
            );
        }
        self.folded.insert(j);
        let mut layer = Layer::new(
            self.layer_name(node, ""),
            LayerKind::MultiHeadAttention(ir::ops::MultiHeadAttention {
                heads: h,
                kv_heads: g,
                key_dim,
                value_dim,
                use_bias,
                key_bias: true,
                causal,
                output_dim: Some(o),
            }),
        );
        let f32s = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
        let mut push = |name: &str, shape: Vec<usize>, data: &[f32]| {
            layer
                .weights
                .push((name.to_string(), f32_tensor(shape, f32s(data))));
        };
        for (p, name, heads, dim) in [
            (&q, "query", h, key_dim),
            (&k, "key", g, key_dim),
            (&v, "value", g, value_dim),
        ] {
            push(
                &format!("{name}/kernel"),
                vec![p.n_in, heads, dim],
                &p.kernel,
            );
            if let Some(b) = &p.bias {
                push(&format!("{name}/bias"), vec![heads, dim], b);
            }
        }
        let wo: Vec<f32> = w.data.iter().map(|&x| x as f32).collect();
        push("attention_output/kernel", vec![h, value_dim, o], &wo);
        if let Some(b) = &out_bias {
            let b: Vec<f32> = b.iter().map(|&x| x as f32).collect();
            push("attention_output/bias", vec![o], &b);
        }
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
