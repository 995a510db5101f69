//! `parse`: hls4ml's Keras parser (`converters/keras_v3_to_hls.py`): one node per IR layer in
//! topological (Keras) order, numbered from 1 (a layer with a non-linear fused activation
//! reserves the next index for it, as the parser makes the activation right after its layer),
//! outputs named by the network's outputs. Each kind's node comes from its
//! [`crate::kinds::Parse`] implementation; an HGQ2 layer's input and output quantizers become
//! hls4ml's `FixedPointQuantizer` nodes around it (`bit_exact::nodes`).

use super::bit_exact::nodes as bit_exact;
use super::Pass;
use crate::error::{LowerError, Result};
use crate::graph::{Graph, Node, Origin, Port};
use crate::kinds::{parse_layer, ParseCx, SubInput, SubNode};
use ir::{LayerKind, Network};
use std::collections::HashMap;

pub struct Parse;

impl Pass for Parse {
    fn name(&self) -> &'static str {
        "parse"
    }

    fn run(&self, net: &Network, g: &mut Graph) -> Result<bool> {
        let net_err = |message: String| LowerError::Network {
            network: net.name.clone(),
            message,
        };
        let order = net.topo_order()?;
        if net.inputs.is_empty() || net.outputs.is_empty() {
            return Err(net_err("the network has no inputs or no outputs".into()));
        }
        let numbered = numbering(net)?;
        let mut key_of = HashMap::new();
        for id in order {
            let layer = net.layer(id);
            let preds = net.inputs_of(id);
            let mut inputs = Vec::with_capacity(preds.len());
            for p in &preds {
                let key = key_of.get(p).copied().ok_or_else(|| {
                    net_err(format!(
                        "layer '{}' is used before it is computed",
                        net.layer(*p).name
                    ))
                })?;
                inputs.push(Port::of(key));
            }
            let shapes: Vec<&[usize]> = preds
                .iter()
                .map(|&p| net.layer(p).output_shape.as_slice())
                .collect();
            let cx = ParseCx {
                layer,
                inputs: &shapes,
                io_type: g.io_type,
            };
            let parsed = parse_layer(&cx).map_err(|e| match e {
                LowerError::Network { message, .. } => net_err(message),
                other => other,
            })?;
            // an HGQ2 layer's input quantizer: hls4ml's FixedPointQuantizer node before it
            let inputs =
                bit_exact::input_quantizer(g, layer, id, inputs, &shapes, numbered.is_some())?;
            let shape = if let LayerKind::Input(ir::ops::Input { shape }) = &layer.kind {
                shape.clone()
            } else {
                layer.output_shape.clone()
            };
            let precision = if parsed.keeps_input_precision {
                let k = inputs
                    .first()
                    .ok_or_else(|| net_err(format!("layer '{}' has no input", layer.name)))?;
                // during parse a node's key is its position
                g.nodes.get(k.node).map(|n| n.precision.clone())
            } else {
                None
            }
            .or_else(|| layer.settings.precision.result.clone())
            .unwrap_or_else(|| g.default_precision.clone());
            if !parsed.decomposed.is_empty() {
                if numbered.is_some() {
                    return Err(net_err(format!(
                        "layer '{}' (hls4ml makes several nodes of it) inside a nested model \
                         is not supported",
                        layer.name
                    )));
                }
                let key = push_decomposed(g, net, id, &inputs, parsed.decomposed, &precision)?;
                let out = bit_exact::output_quantizer(g, layer, id, Port::of(key), false)?;
                key_of.insert(id, out.node);
                continue;
            }
            // hls4ml inserts ApplyAlpha after parsing (qkeras_factorize_alpha gives its index)
            let fused = layer.kind.takes_activation() && !layer.activation.is_linear();
            let (index, pending_activation) = match &numbered {
                Some(_) if parsed.class == "ApplyAlpha" => (0, None),
                Some((at, _)) => {
                    let i = at.get(layer.name.as_str()).copied().ok_or_else(|| {
                        net_err(format!(
                            "layer '{}' is missing from the network's hls4ml numbering",
                            layer.name
                        ))
                    })?;
                    (i, fused.then_some((layer.activation, i + 1)))
                }
                None => {
                    let index = if parsed.class == "ApplyAlpha" {
                        0
                    } else {
                        g.next_index()
                    };
                    (index, fused.then(|| (layer.activation, g.next_index())))
                }
            };
            let key = g.new_key();
            g.nodes.push(Node {
                key,
                index,
                var_index: index,
                name: layer.name.clone(),
                class: parsed.class.to_string(),
                op: parsed.op,
                inputs,
                outputs: 1,
                shape,
                precision,
                settings: layer.settings.clone(),
                origin: Origin::Layer(id),
                inplace: false,
                pending_activation,
            });
            // its output quantizer after it (and after the index of its activation)
            let out = bit_exact::output_quantizer(g, layer, id, Port::of(key), numbered.is_some())?;
            key_of.insert(id, out.node);
        }
        if let Some((_, last)) = numbered {
            g.last_index = last;
        }
        for o in &net.outputs {
            let key = key_of
                .get(o)
                .copied()
                .ok_or_else(|| net_err("an output layer produced nothing".into()))?;
            g.outputs.push(Port::of(key));
        }
        Ok(true)
    }
}

/// The indices of [`Network::hls4ml_numbering`] by layer name (a layer with a non-linear
/// fused activation reserves the next one, as in topological numbering) and the last index
/// given; `None` when the network has no such numbering.
fn numbering(net: &Network) -> Result<Option<(HashMap<&str, usize>, usize)>> {
    if net.hls4ml_numbering.is_empty() {
        return Ok(None);
    }
    let mut at = HashMap::new();
    let mut last = 0;
    for entry in &net.hls4ml_numbering {
        last += 1;
        let Some(name) = entry else { continue };
        let layer = net
            .find(name)
            .map(|id| net.layer(id))
            .ok_or_else(|| LowerError::Network {
                network: net.name.clone(),
                message: format!("the hls4ml numbering names a layer '{name}' it does not have"),
            })?;
        at.insert(name.as_str(), last);
        if layer.kind.takes_activation() && !layer.activation.is_linear() {
            last += 1;
        }
    }
    Ok(Some((at, last)))
}

/// The nodes of a layer hls4ml converts as several (attention): consecutive indices, each
/// named `{layer}_{suffix}`, all carrying the layer's settings and origin (their weights are
/// the layer's); returns the key of the last, the layer's output.
fn push_decomposed(
    g: &mut Graph,
    net: &Network,
    id: ir::NodeId,
    operands: &[Port],
    nodes: Vec<SubNode>,
    precision: &ir::FixedType,
) -> Result<usize> {
    let layer = net.layer(id);
    let mut keys: Vec<usize> = Vec::with_capacity(nodes.len());
    for sub in nodes {
        let inputs = sub
            .inputs
            .iter()
            .map(|i| match *i {
                SubInput::Operand(k) => operands.get(k).copied(),
                SubInput::Node(j) => keys.get(j).map(|&key| Port::of(key)),
            })
            .collect::<Option<Vec<Port>>>()
            .ok_or_else(|| LowerError::Network {
                network: net.name.clone(),
                message: format!(
                    "layer '{}': a part of its decomposition reads a missing operand",
                    layer.name
                ),
            })?;
        let index = g.next_index();
        let key = g.new_key();
        g.nodes.push(Node {
            key,
            index,
            var_index: index,
            name: format!("{}_{}", layer.name, sub.suffix),
            class: sub.class.to_string(),
            op: sub.op,
            inputs,
            outputs: 1,
            shape: sub.shape,
            precision: precision.clone(),
            settings: layer.settings.clone(),
            origin: Origin::Layer(id),
            inplace: false,
            pending_activation: None,
        });
        keys.push(key);
    }
    keys.last().copied().ok_or_else(|| LowerError::Network {
        network: net.name.clone(),
        message: format!("layer '{}' decomposed into nothing", layer.name),
    })
}
