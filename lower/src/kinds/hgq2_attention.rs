//! HGQ2's `QMultiHeadAttention` as hls4ml 1.3.0's HGQ2 converter decomposes it
//! (`converters/keras_v3/hgq2/multi_head_attention.py`): the plain decomposition of
//! [`super::transformer`] (query, key and value EinsumDense, the scores Einsum, the softmax,
//! the values Einsum, the output EinsumDense), each sub-layer wrapped in the
//! `FixedPointQuantizer` nodes of its own quantizers (`<sub>_iq` before, `<sub>_oq` after, as
//! `QLayerHandler` makes them), named as the converter names them: `{layer}_{sub-layer}` with the
//! sub-layers `query`, `key`, `value`, `{layer}_QK`, `q_softmax` (the name Keras gives HGQ2's
//! unnamed QSoftmax), `{layer}_aV`, `attention_output`. The 1/sqrt(key_dim) scaling is not
//! folded into the query kernel: hls4ml keeps it in the softmax (`exp_scale`).

use super::{ParseCx, SubInput, SubNode};
use crate::error::{LowerError, Result};
use crate::op::Op;
use crate::passes::bit_exact::hgq2::sub_quantizer_node;

/// Each plain sub-node's hls4ml name and the path of its quantizers in HGQ2's layer.
fn sub_layers(layer: &str) -> [(String, Option<&'static str>); 7] {
    [
        ("query".into(), Some("query_dense")),
        ("key".into(), Some("key_dense")),
        ("value".into(), Some("value_dense")),
        (format!("{layer}_QK"), None),
        ("q_softmax".into(), Some("_softmax")),
        (format!("{layer}_aV"), None),
        ("attention_output".into(), Some("output_dense")),
    ]
}

/// The plain decomposition `plain` (7 nodes, in [`super::transformer`]'s order) with HGQ2's
/// quantizer nodes and hls4ml's names.
pub(super) fn with_quantizers(cx: &ParseCx, plain: Vec<SubNode>) -> Result<Vec<SubNode>> {
    let layer = cx.layer;
    let names = sub_layers(&layer.name);
    if plain.len() != names.len() {
        return Err(LowerError::NotImplemented {
            layer: layer.name.clone(),
            kind: layer.kind.name().to_string(),
            message: format!(
                "an HGQ2 attention decomposed into {} nodes (expected {})",
                plain.len(),
                names.len()
            ),
        });
    }
    let mut out: Vec<SubNode> = Vec::with_capacity(plain.len() * 3);
    // where each plain node's output (its output quantizer, if any) is in `out`
    let mut at: Vec<usize> = Vec::with_capacity(plain.len());
    // the quantizer node `{name}_{attr}` of the sub-layer quantizer `{sub}/{attr}`, if any
    let quantizer = |sub: &str, name: &str, attr: &str, shape: &[usize], input: SubInput| {
        let node = sub_quantizer_node(layer, &format!("{sub}/{attr}"), shape)?;
        Ok::<_, LowerError>(node.map(|(quantizer, homogeneous)| SubNode {
            suffix: format!("{name}_{attr}"),
            class: "FixedPointQuantizer",
            op: Op::FixedPointQuantizer {
                quantizer,
                homogeneous,
            },
            shape: shape.to_vec(),
            inputs: vec![input],
        }))
    };
    for (mut node, (name, sub)) in plain.into_iter().zip(names) {
        let mut inputs: Vec<SubInput> = node
            .inputs
            .iter()
            .map(|i| match *i {
                SubInput::Operand(k) => SubInput::Operand(k),
                SubInput::Node(j) => SubInput::Node(at[j]),
            })
            .collect();
        if let (Some(sub), &[input]) = (sub, inputs.as_slice()) {
            let shape = match input {
                SubInput::Operand(k) => cx.input(k)?.to_vec(),
                SubInput::Node(j) => out[j].shape.clone(),
            };
            if let Some(iq) = quantizer(sub, &name, "iq", &shape, input)? {
                out.push(iq);
                inputs = vec![SubInput::Node(out.len() - 1)];
            }
        }
        let shape = node.shape.clone();
        node.suffix = name.clone();
        node.inputs = inputs;
        out.push(node);
        if let Some(sub) = sub {
            let read = SubInput::Node(out.len() - 1);
            if let Some(oq) = quantizer(sub, &name, "oq", &shape, read)? {
                out.push(oq);
            }
        }
        at.push(out.len() - 1);
    }
    Ok(out)
}
