//! `insert_zero_padding_before_conv1d` and `insert_zero_padding_before_conv2d`
//! (`backends/vivado/passes/conv_same_pad.py`): the io_stream convolutions have no padding, so
//! before a `same`-padded Conv hls4ml inserts a ZeroPadding layer `zp1d_<conv>`/`zp2d_<conv>`
//! (made by `make_node`: the next free index), placed right after the conv's input producer,
//! whose output keeps the conv input's precision; the conv then reads the padded input with no
//! padding of its own. (hls4ml's `insert_node` reconnects the first layer that reads the
//! producer rather than the conv; the two differ only when two padded convs read copies of one
//! Clone, where hls4ml chains the second ZeroPadding into the first: here each conv reads its
//! own.)

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Key, Node, Origin, Port};
use crate::op::Op;
use ir::Network;
use std::collections::HashMap;

pub struct InsertZeroPaddingBeforeConv1D;
pub struct InsertZeroPaddingBeforeConv2D;

/// A ZeroPadding to insert before a conv: its op, output shape, name prefix and class.
struct Padding {
    op: Op,
    shape: Vec<usize>,
    prefix: &'static str,
    class: &'static str,
}

/// Insert a ZeroPadding before every conv for which `unpad` (which also removes the conv's own
/// padding) returns one. Each goes right after the conv's input producer; two for the same
/// producer end up in reverse order, as hls4ml's `insert_node` puts each new node right after
/// the producer.
fn insert(g: &mut Graph, unpad: impl Fn(&mut Op) -> Option<Padding>) -> bool {
    let positions = g.positions();
    let mut after: HashMap<Key, Vec<Node>> = HashMap::new();
    for pos in 0..g.nodes.len() {
        let Some(pad) = unpad(&mut g.nodes[pos].op) else {
            continue;
        };
        let conv = &g.nodes[pos];
        let Some(&input) = conv.inputs.first() else {
            continue;
        };
        let precision = positions.get(&input.node).map_or_else(
            || g.default_precision.clone(),
            |&i| g.nodes[i].precision.clone(),
        );
        let name = format!("{}_{}", pad.prefix, conv.name);
        let origin = conv
            .origin
            .layer()
            .map_or(Origin::Clone(conv.key), Origin::Inserted);
        let key = g.new_key();
        let index = g.next_index();
        g.nodes[pos].inputs[0] = Port::of(key);
        after.entry(input.node).or_default().insert(
            0,
            Node {
                key,
                index,
                var_index: index,
                name,
                class: pad.class.to_string(),
                op: pad.op,
                inputs: vec![input],
                outputs: 1,
                shape: pad.shape,
                precision,
                settings: ir::LayerSettings::default(),
                origin,
                inplace: false,
                pending_activation: None,
            },
        );
    }
    if after.is_empty() {
        return false;
    }
    let old = std::mem::take(&mut g.nodes);
    for n in old {
        let key = n.key;
        g.nodes.push(n);
        if let Some(pads) = after.remove(&key) {
            g.nodes.extend(pads);
        }
    }
    true
}

impl Pass for InsertZeroPaddingBeforeConv1D {
    fn name(&self) -> &'static str {
        "insert_zero_padding_before_conv1d"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if !g.is_stream() {
            return Ok(false);
        }
        Ok(insert(g, |op| {
            let Op::Conv1D {
                in_width,
                n_chan,
                pad_left,
                pad_right,
                ..
            } = op
            else {
                return None;
            };
            if *pad_left + *pad_right == 0 {
                return None;
            }
            let out_width = *pad_left + *in_width + *pad_right;
            let zp = Op::ZeroPadding1D {
                in_width: *in_width,
                n_chan: *n_chan,
                out_width,
                before: *pad_left,
                after: *pad_right,
            };
            (*pad_left, *pad_right, *in_width) = (0, 0, out_width);
            Some(Padding {
                op: zp,
                shape: vec![out_width, *n_chan],
                prefix: "zp1d",
                class: "ZeroPadding1D",
            })
        }))
    }
}

impl Pass for InsertZeroPaddingBeforeConv2D {
    fn name(&self) -> &'static str {
        "insert_zero_padding_before_conv2d"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if !g.is_stream() {
            return Ok(false);
        }
        Ok(insert(g, |op| {
            let Op::Conv2D {
                in_height,
                in_width,
                n_chan,
                pad_top,
                pad_bottom,
                pad_left,
                pad_right,
                ..
            } = op
            else {
                return None;
            };
            if *pad_top + *pad_bottom + *pad_left + *pad_right == 0 {
                return None;
            }
            let out_height = *pad_top + *in_height + *pad_bottom;
            let out_width = *pad_left + *in_width + *pad_right;
            let zp = Op::ZeroPadding2D {
                in_height: *in_height,
                in_width: *in_width,
                n_chan: *n_chan,
                out_height,
                out_width,
                sides: [[*pad_top, *pad_bottom], [*pad_left, *pad_right]],
            };
            (*pad_top, *pad_bottom, *pad_left, *pad_right) = (0, 0, 0, 0);
            (*in_height, *in_width) = (out_height, out_width);
            Some(Padding {
                op: zp,
                shape: vec![out_height, out_width, *n_chan],
                prefix: "zp2d",
                class: "ZeroPadding2D",
            })
        }))
    }
}
