//! The estimator's use of the shared lowering (`lower`, hls4ml 1.3.0's layer graph): which
//! hls4ml layers each IR layer became (for per-layer tables), and the FIFOs hls4ml adds inside
//! one IR layer in io_stream, read off the graph instead of re-derived per kind: every edge
//! between two hls4ml layers of the same IR layer is a stream, e.g. the ZeroPadding inserted
//! before a `same` conv feeding the conv, and a Dense/Conv feeding the activation split off it.
//! A FIFO is `(depth, width bits)`: the producer's pixels and one pixel's word (last dimension
//! times the producer's precision), as `#pragma HLS STREAM variable=layerN_out depth=` in the
//! project hls4ml writes.

use crate::layers::pixels;
use ir::NodeId;
use lower::{Graph, Node};
use std::collections::{HashMap, HashSet};

/// The hls4ml layers of each IR layer, in hls4ml's order (a clone belongs to no IR layer).
pub fn hls_layers(g: &Graph) -> HashMap<NodeId, Vec<&Node>> {
    let mut m: HashMap<NodeId, Vec<&Node>> = HashMap::new();
    for n in &g.nodes {
        if let Some(id) = n.origin.layer() {
            m.entry(id).or_default().push(n);
        }
    }
    m
}

/// The FIFOs inside each IR layer (edges between its own hls4ml layers), in hls4ml's order.
pub fn internal_fifos(g: &Graph) -> HashMap<NodeId, Vec<(f64, f64)>> {
    let positions = g.positions();
    let mut m: HashMap<NodeId, Vec<(f64, f64)>> = HashMap::new();
    for n in &g.nodes {
        let Some(id) = n.origin.layer() else {
            continue;
        };
        for p in &n.inputs {
            let Some(src) = positions.get(&p.node).map(|&i| &g.nodes[i]) else {
                continue;
            };
            if src.origin.layer() == Some(id) {
                let word = *src.shape.last().unwrap_or(&1) as f64 * src.precision.width() as f64;
                m.entry(id).or_default().push((pixels(&src.shape), word));
            }
        }
    }
    m
}

/// Every FIFO of the io_stream project hls4ml writes, charged to an IR layer: each edge between
/// two hls4ml layers is a stream, unless its producer is the top-level input (a port) or it is
/// read through an in-place Flatten/Reshape (the same stream). A FIFO is charged to the IR layer
/// of the layer that reads it; the FIFO into a Clone (io_stream fan-out) to the IR layer whose
/// output is cloned, and each copy to the layer that reads it.
pub fn stream_fifos(g: &Graph) -> HashMap<NodeId, Vec<(f64, f64)>> {
    let positions = g.positions();
    let node = |key| positions.get(&key).map(|&i| &g.nodes[i]);
    let mut m: HashMap<NodeId, Vec<(f64, f64)>> = HashMap::new();
    for n in &g.nodes {
        if n.inplace {
            continue;
        }
        let Some(id) = owner(g, &positions, n) else {
            continue;
        };
        for p in &n.inputs {
            // through in-place nodes to the layer that writes the stream
            let mut src = node(p.node);
            while let Some(s) = src.filter(|s| s.inplace) {
                src = s.inputs.first().and_then(|q| node(q.node));
            }
            let Some(src) = src.filter(|s| s.op != lower::Op::Input) else {
                continue;
            };
            let word = *src.shape.last().unwrap_or(&1) as f64 * src.precision.width() as f64;
            m.entry(id).or_default().push((pixels(&src.shape), word));
        }
    }
    m
}

/// The IR layer a node's costs go to: its own, or for a clone its producer's.
fn owner(g: &Graph, positions: &HashMap<lower::Key, usize>, n: &Node) -> Option<NodeId> {
    let mut n = n;
    loop {
        match n.origin {
            lower::Origin::Clone(src) => n = &g.nodes[*positions.get(&src)?],
            lower::Origin::Layer(id)
            | lower::Origin::SplitActivation(id)
            | lower::Origin::Inserted(id) => return Some(id),
        }
    }
}

/// For `--explain`: the hls4ml layers priced in each IR layer's row, in hls4ml's order, as
/// `class name (why)`: the layer itself, the activation hls4ml splits off it, the nodes a pass
/// inserts for it (the ZeroPadding before a `same` io_stream conv) and the clones of its
/// output at an io_stream fan-out. An IR layer hls4ml removes (Dropout, a linear activation)
/// has none.
pub fn explain_rows(g: &Graph) -> HashMap<NodeId, Vec<String>> {
    let positions = g.positions();
    let mut m: HashMap<NodeId, Vec<String>> = HashMap::new();
    for n in &g.nodes {
        let Some(id) = owner(g, &positions, n) else {
            continue;
        };
        let why = match n.origin {
            lower::Origin::Layer(_) if n.inplace => " (in place)",
            lower::Origin::Layer(_) => "",
            lower::Origin::SplitActivation(_) => " (activation split off)",
            lower::Origin::Inserted(_) => " (inserted by hls4ml)",
            lower::Origin::Clone(_) => " (io_stream fan-out copy)",
        };
        m.entry(id)
            .or_default()
            .push(format!("{} {}{why}", n.class, n.name));
    }
    m
}

/// The settings of each IR layer that has `auto` precisions, with the types the lowering
/// inferred for them (`infer_precision_types`: result, accum, weight, bias, scale), taken from
/// the layer's own lowered node (`Origin::Layer`), and the type of what the layer hands on (its
/// last node: the activation split off it, if any). Layers with no `auto` type are left out:
/// their own settings already hold every type.
pub fn inferred_settings(g: &Graph) -> HashMap<NodeId, (&ir::LayerSettings, &ir::FixedType)> {
    let mut m: HashMap<NodeId, (&ir::LayerSettings, &ir::FixedType)> = HashMap::new();
    for n in &g.nodes {
        match n.origin {
            lower::Origin::Layer(id) if !n.settings.auto.is_none() => {
                m.entry(id).or_insert((&n.settings, &n.precision));
            }
            lower::Origin::SplitActivation(id) => {
                if let Some(e) = m.get_mut(&id) {
                    e.1 = &n.precision;
                }
            }
            lower::Origin::Layer(_) | lower::Origin::Inserted(_) | lower::Origin::Clone(_) => {}
        }
    }
    m
}

/// The IR layers hls4ml folds into the weights of the Dense/Conv before them
/// (`fuse_batch_normalization`): no hls4ml layer of their own, nothing to price.
pub fn folded_layers(g: &Graph) -> HashSet<NodeId> {
    g.folded.values().flatten().map(|f| f.layer).collect()
}
