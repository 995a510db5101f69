//! Checks of a network against [`crate::limits`]: one layer's output size and cost
//! ([`checked_output`], used by the Keras and DSL frontends while they build), and a whole
//! network that did not come through a frontend — a dataset record read from JSONL, a CSV row,
//! a network deserialised from anywhere ([`check_network`]): a consistent graph (no holes, no
//! dangling inputs or outputs, the right number of operands, unique names, no cycle), the size
//! limits, no zero or empty shapes, and finite weights.

use crate::graph::Network;
use crate::layer::{Layer, LayerKind};
use crate::limits::{MAX_COST, MAX_ELEMENTS, MAX_LAYERS, MAX_RANK};
use crate::shape::{infer_layer, Shape};
use crate::IrError;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::HashSet;

/// Why a layer's output was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum SizeError {
    /// Shape inference failed.
    Ir(IrError),
    /// The output or the cost is beyond the limits (the message says which).
    TooBig(String),
}

/// Infer `layer`'s output from its input shapes and check it against the limits: at most
/// [`MAX_ELEMENTS`] values, no zero dimension, at most [`MAX_RANK`] dimensions, and at most
/// [`MAX_COST`] parameters plus multiply-accumulates, all in `u128` so nothing can overflow.
pub fn checked_output(layer: &Layer, ins: &[Shape]) -> Result<Shape, SizeError> {
    let elements = |s: &[usize]| s.iter().fold(1u128, |a, &d| a.saturating_mul(d as u128));
    let out = infer_layer(layer, ins).map_err(SizeError::Ir)?;
    if out.is_empty() || out.len() > MAX_RANK || out.contains(&0) {
        return Err(SizeError::TooBig(format!(
            "output shape {out:?} (expected 1 to {MAX_RANK} dimensions, none of them 0)"
        )));
    }
    let n_out = elements(&out);
    if n_out > MAX_ELEMENTS {
        return Err(SizeError::TooBig(format!(
            "output {out:?} has more than {MAX_ELEMENTS} values"
        )));
    }
    let in_all: u128 = ins.iter().map(|s| elements(s)).sum();
    // Work per output: the product's inputs, else the window (pooling), from the registry.
    let window: u128 = match layer.kind.op().product_shape(ins) {
        Some((n_in, _)) => n_in as u128,
        None => layer.kind.op().window().0 as u128,
    };
    let cost = n_out
        .saturating_mul(window)
        .saturating_add(in_all)
        .saturating_add(n_out);
    if cost > MAX_COST {
        return Err(SizeError::TooBig(format!(
            "the layer needs more than {MAX_COST} operations"
        )));
    }
    Ok(out)
}

/// Check the structure of a network that was deserialised rather than built with
/// [`Network::add_layer`]: every input and output exists, inputs are Input layers, every layer
/// has as many operands as its kind takes on distinct ports, names are unique, and there is no
/// cycle. A `node_holes` entry makes a node id vacant: an input, output or edge naming it is
/// refused here instead of panicking later.
pub fn check_graph(net: &Network) -> Result<(), IrError> {
    let bad = |message: String| IrError::Setting {
        field: "network".into(),
        message,
    };
    let g = &net.graph;
    if g.node_count() > MAX_LAYERS {
        return Err(bad(format!(
            "{} layers, more than the limit of {MAX_LAYERS}",
            g.node_count()
        )));
    }
    if net.inputs.is_empty() {
        return Err(IrError::Empty("input layer"));
    }
    for (what, ids) in [("input", &net.inputs), ("output", &net.outputs)] {
        for id in ids.iter() {
            if !g.contains_node(*id) {
                return Err(bad(format!(
                    "{what} {} is not a layer of the graph",
                    id.index()
                )));
            }
        }
    }
    for id in &net.inputs {
        if !matches!(g[*id].kind, LayerKind::Input(_)) {
            return Err(bad(format!(
                "input '{}' is not an Input layer",
                g[*id].name
            )));
        }
    }
    let mut names = HashSet::new();
    for id in g.node_indices() {
        let l = &g[id];
        if !names.insert(l.name.as_str()) {
            return Err(IrError::DuplicateName(l.name.clone()));
        }
        let mut ports: Vec<usize> = g
            .edges_directed(id, Direction::Incoming)
            .map(|e| *e.weight())
            .collect();
        ports.sort_unstable();
        let n = ports.len();
        let arity_ok = match l.kind.arity() {
            Some(k) => k == n,
            None => n >= 2,
        };
        if !arity_ok || ports.iter().enumerate().any(|(i, &p)| p != i) {
            return Err(IrError::Layer {
                layer: l.name.clone(),
                kind: l.kind.name().into(),
                message: format!("fed on ports {ports:?}, which its kind does not take"),
            });
        }
        if let LayerKind::Input(crate::ops::Input { shape }) = &l.kind {
            if !net.inputs.contains(&id) {
                return Err(bad(format!(
                    "Input layer '{}' is not a network input",
                    l.name
                )));
            }
            if shape.is_empty() || shape.len() > MAX_RANK || shape.contains(&0) {
                return Err(IrError::Layer {
                    layer: l.name.clone(),
                    kind: "Input".into(),
                    message: format!(
                        "input shape {shape:?} (expected 1 to {MAX_RANK} dimensions, none 0)"
                    ),
                });
            }
        }
        for e in g.edges_directed(id, Direction::Outgoing) {
            if e.target() == id {
                return Err(IrError::Cycle(l.name.clone()));
            }
        }
    }
    net.topo_order().map(|_| ())
}

/// Check a network that came from data ([`check_graph`], then every layer with
/// [`checked_output`] in topological order, and every weight finite) and infer its shapes.
pub fn check_network(net: &mut Network) -> Result<(), IrError> {
    check_graph(net)?;
    for id in net.topo_order()? {
        let ins: Vec<Shape> = net
            .inputs_of(id)
            .into_iter()
            .map(|i| net.layer(i).output_shape.clone())
            .collect();
        let layer = net.layer(id);
        let err = |message: String| IrError::Layer {
            layer: layer.name.clone(),
            kind: layer.kind.name().into(),
            message,
        };
        let out = match checked_output(layer, &ins) {
            Ok(out) => out,
            Err(SizeError::Ir(e)) => return Err(e),
            Err(SizeError::TooBig(m)) => return Err(err(m)),
        };
        if let Some(w) = finite_weights(layer) {
            return Err(err(w));
        }
        net.layer_mut(id).output_shape = out;
    }
    net.infer_shapes()
}

/// The first bad weight tensor of a layer, described: a value that is NaN or infinite, or a
/// shape whose size is not the number of values. `None` when all are good.
pub fn finite_weights(layer: &Layer) -> Option<String> {
    layer.weights.iter().find_map(|(name, t)| {
        let size = t.shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        if size != Some(t.data.len()) {
            return Some(format!(
                "weight '{name}' has shape {:?} but {} values",
                t.shape,
                t.data.len()
            ));
        }
        t.data.iter().position(|v| !v.is_finite()).map(|i| {
            format!(
                "weight '{name}' has a non-finite value ({}) at index {i}",
                t.data[i]
            )
        })
    })
}
