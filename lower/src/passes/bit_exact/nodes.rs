//! The `FixedPointQuantizer` nodes hls4ml's Keras 3 parser makes of an HGQ2 layer
//! (`QLayerHandler.__call__`): its input quantizer `<layer>_iq` right before it and its output
//! quantizer `<layer>_oq` right after it (after the activation split off it), each with the
//! next layer index, reading and feeding the tensor it quantizes. `parse` calls these.

use super::hgq2::quantizer_node;
use crate::error::{LowerError, Result};
use crate::graph::{Graph, Node, Origin, Port};
use crate::op::Op;
use ir::hgq::QuantizerRole;
use ir::{Layer, NodeId};

/// Push the quantizer node of `role` of `layer` (IR node `id`) reading `input` (a tensor of
/// `shape`); returns its port, or None when the layer has no such quantizer. `numbered`: the
/// network has a fixed hls4ml numbering (a nested model), where no node can be added.
fn push(
    g: &mut Graph,
    layer: &Layer,
    id: NodeId,
    role: QuantizerRole,
    input: Port,
    shape: &[usize],
    numbered: bool,
) -> Result<Option<Port>> {
    let Some(node) = quantizer_node(layer, role, shape)? else {
        return Ok(None);
    };
    let name = format!("{}_{}", layer.name, role.attr());
    push_node(g, layer, id, node, name, input, shape, numbered).map(Some)
}

/// Push one quantizer node named `name`.
#[allow(clippy::too_many_arguments)]
fn push_node(
    g: &mut Graph,
    layer: &Layer,
    id: NodeId,
    (quantizer, homogeneous): (super::Quantizer, bool),
    name: String,
    input: Port,
    shape: &[usize],
    numbered: bool,
) -> Result<Port> {
    if numbered {
        return Err(LowerError::NotImplemented {
            layer: layer.name.clone(),
            kind: layer.kind.name().to_string(),
            message: "an HGQ2 layer inside a nested model (its quantizer nodes cannot be \
                      numbered as hls4ml numbers them)"
                .into(),
        });
    }
    let index = g.next_index();
    let key = g.new_key();
    g.nodes.push(Node {
        key,
        index,
        var_index: index,
        name,
        class: "FixedPointQuantizer".into(),
        op: Op::FixedPointQuantizer {
            quantizer,
            homogeneous,
        },
        inputs: vec![input],
        outputs: 1,
        shape: shape.to_vec(),
        precision: g.default_precision.clone(),
        settings: ir::LayerSettings::default(),
        origin: Origin::Inserted(id),
        inplace: false,
        pending_activation: None,
    });
    Ok(Port::of(key))
}

/// HGQ2's per-input quantizers of a merge layer (`iq/quantizers/<name>` sub-quantizers, one
/// per input, in input order). hls4ml names each node after the Keras object, which Keras
/// names uniquely in the session that built the model: `quantizer`, `quantizer_1`, ... over
/// the model's merge layers in order (what the golden encoder shows); presynth numbers them so.
fn per_input(layer: &Layer) -> Vec<&ir::hgq::HgqSubQuantizer> {
    let mut qs: Vec<&ir::hgq::HgqSubQuantizer> = layer
        .hgq_sub_quantizers
        .iter()
        .filter(|q| q.path.starts_with("iq/quantizers/"))
        .collect();
    let number = |q: &ir::hgq::HgqSubQuantizer| -> usize {
        q.path
            .rsplit_once('_')
            .and_then(|(_, n)| n.parse().ok())
            .unwrap_or(0)
    };
    qs.sort_by_key(|q| number(q));
    qs
}

/// The inputs of `layer` after its input quantizer, if it has one (pushed now, before the
/// layer). A layer of several inputs with an input quantizer is refused (HGQ2 keeps one per
/// input; presynth reads one).
pub(crate) fn input_quantizer(
    g: &mut Graph,
    layer: &Layer,
    id: NodeId,
    inputs: Vec<Port>,
    shapes: &[&[usize]],
    numbered: bool,
) -> Result<Vec<Port>> {
    let each = per_input(layer);
    if !each.is_empty() {
        if each.len() != inputs.len() || shapes.len() != inputs.len() {
            return Err(LowerError::NotImplemented {
                layer: layer.name.clone(),
                kind: layer.kind.name().to_string(),
                message: format!(
                    "{} HGQ2 per-input quantizers on a layer of {} inputs",
                    each.len(),
                    inputs.len()
                ),
            });
        }
        let mut out = Vec::with_capacity(inputs.len());
        for ((q, input), shape) in each.into_iter().zip(inputs).zip(shapes) {
            let node =
                super::hgq2::sub_quantizer_node(layer, &q.path, shape)?.ok_or_else(|| {
                    LowerError::NotImplemented {
                        layer: layer.name.clone(),
                        kind: layer.kind.name().to_string(),
                        message: format!("HGQ2 quantizer {} not found", q.path),
                    }
                })?;
            let before = g
                .nodes
                .iter()
                .filter(|n| matches!(n.origin, Origin::Inserted(_)) && is_per_input_name(&n.name))
                .count();
            let name = match before {
                0 => "quantizer".to_string(),
                k => format!("quantizer_{k}"),
            };
            out.push(push_node(g, layer, id, node, name, input, shape, numbered)?);
        }
        return Ok(out);
    }
    if super::hgq2::quantizer(layer, QuantizerRole::Input).is_none() {
        return Ok(inputs);
    }
    let (&[input], &[shape]) = (inputs.as_slice(), shapes) else {
        return Err(LowerError::NotImplemented {
            layer: layer.name.clone(),
            kind: layer.kind.name().to_string(),
            message: format!(
                "an HGQ2 input quantizer on a layer of {} inputs",
                inputs.len()
            ),
        });
    };
    Ok(
        push(g, layer, id, QuantizerRole::Input, input, shape, numbered)?
            .map_or(inputs, |p| vec![p]),
    )
}

/// The port that stands for `layer`'s output: its output quantizer's (pushed now, after the
/// layer and the index of its activation) if it has one, else `out`.
pub(crate) fn output_quantizer(
    g: &mut Graph,
    layer: &Layer,
    id: NodeId,
    out: Port,
    numbered: bool,
) -> Result<Port> {
    let shape = layer.output_shape.clone();
    Ok(push(g, layer, id, QuantizerRole::Output, out, &shape, numbered)?.unwrap_or(out))
}

/// A name Keras gives an unnamed per-input quantizer (`quantizer`, `quantizer_<n>`).
fn is_per_input_name(name: &str) -> bool {
    name == "quantizer"
        || name
            .strip_prefix("quantizer_")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}
