//! `insert_zero_padding_before_conv1d` and `insert_zero_padding_before_conv2d`
//! (`backends/vivado/passes/conv_same_pad.py`): the io_stream convolutions have no padding, so
//! before a `same`-padded Conv hls4ml inserts a ZeroPadding layer `zp1d_<conv>`/`zp2d_<conv>`
//! (made by `make_node`: the next free index), placed right after the conv's input producer,
//! whose output keeps the conv input's precision; the conv then reads the padded input with no
//! padding of its own.

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Node, Origin, Port};
use crate::op::Op;
use ir::Network;

pub struct InsertZeroPaddingBeforeConv1D;
pub struct InsertZeroPaddingBeforeConv2D;

/// Insert `op` (a ZeroPadding of output `shape`) before the conv at `pos`, named
/// `{prefix}_{conv}`.
fn insert(g: &mut Graph, pos: usize, prefix: &str, class: &str, op: Op, shape: Vec<usize>) {
    let key = g.new_key();
    let conv = &g.nodes[pos];
    let Some(&input) = conv.inputs.first() else {
        return;
    };
    let positions = g.positions();
    let Some(&producer) = positions.get(&input.node) else {
        return;
    };
    let precision = g.nodes[producer].precision.clone();
    let node = Node {
        key,
        index: 0,
        var_index: 0,
        name: format!("{prefix}_{}", conv.name),
        class: class.to_string(),
        op,
        inputs: vec![input],
        outputs: 1,
        shape,
        precision,
        settings: ir::LayerSettings::default(),
        origin: conv
            .origin
            .layer()
            .map_or(Origin::Clone(conv.key), Origin::Inserted),
        inplace: false,
        pending_activation: None,
    };
    g.nodes[pos].inputs[0] = Port::of(key);
    let index = g.next_index();
    g.nodes.insert(
        producer + 1,
        Node {
            index,
            var_index: index,
            ..node
        },
    );
}

impl Pass for InsertZeroPaddingBeforeConv1D {
    fn name(&self) -> &'static str {
        "insert_zero_padding_before_conv1d"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if !g.is_stream() {
            return Ok(false);
        }
        let mut changed = false;
        let mut pos = 0;
        while pos < g.nodes.len() {
            if let Op::Conv1D {
                ref mut in_width,
                n_chan,
                ref mut pad_left,
                ref mut pad_right,
                ..
            } = g.nodes[pos].op
            {
                if *pad_left + *pad_right > 0 {
                    let out_width = *pad_left + *in_width + *pad_right;
                    let zp = Op::ZeroPadding1D {
                        in_width: *in_width,
                        n_chan,
                        out_width,
                        before: *pad_left,
                        after: *pad_right,
                    };
                    (*pad_left, *pad_right, *in_width) = (0, 0, out_width);
                    insert(g, pos, "zp1d", "ZeroPadding1D", zp, vec![out_width, n_chan]);
                    changed = true;
                    pos += 1;
                }
            }
            pos += 1;
        }
        Ok(changed)
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
        let mut changed = false;
        let mut pos = 0;
        while pos < g.nodes.len() {
            if let Op::Conv2D {
                ref mut in_height,
                ref mut in_width,
                n_chan,
                ref mut pad_top,
                ref mut pad_bottom,
                ref mut pad_left,
                ref mut pad_right,
                ..
            } = g.nodes[pos].op
            {
                if *pad_top + *pad_bottom + *pad_left + *pad_right > 0 {
                    let out_height = *pad_top + *in_height + *pad_bottom;
                    let out_width = *pad_left + *in_width + *pad_right;
                    let zp = Op::ZeroPadding2D {
                        in_height: *in_height,
                        in_width: *in_width,
                        n_chan,
                        out_height,
                        out_width,
                        sides: [[*pad_top, *pad_bottom], [*pad_left, *pad_right]],
                    };
                    (*pad_top, *pad_bottom, *pad_left, *pad_right) = (0, 0, 0, 0);
                    (*in_height, *in_width) = (out_height, out_width);
                    insert(
                        g,
                        pos,
                        "zp2d",
                        "ZeroPadding2D",
                        zp,
                        vec![out_height, out_width, n_chan],
                    );
                    changed = true;
                    pos += 1;
                }
            }
            pos += 1;
        }
        Ok(changed)
    }
}
