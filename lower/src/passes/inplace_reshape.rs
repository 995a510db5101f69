//! `inplace_stream_flatten` and `inplace_parallel_reshape` (`backends/fpga/passes/
//! inplace_stream_flatten.py`, `inplace_parallel_reshape.py`): a Flatten or Reshape writes no
//! call; its output is hls4ml's in-place variable of its input (`auto& out = in` in io_parallel,
//! the same stream in io_stream). In io_stream only a Reshape to one dimension (a Flatten) that
//! is not a network output is in place: `reshape_stream` makes the others a Repack.

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Key};
use crate::op::Op;
use ir::Network;
use std::collections::HashMap;

pub struct InplaceStreamFlatten;
pub struct InplaceParallelReshape;

/// Mark the Reshape/Flatten nodes that `keep` accepts as in place.
fn mark(g: &mut Graph, keep: impl Fn(&Graph, &HashMap<Key, usize>, usize) -> bool) -> bool {
    let mut changed = false;
    let positions = g.positions();
    for pos in 0..g.nodes.len() {
        if g.nodes[pos].op == Op::Reshape && !g.nodes[pos].inplace && keep(g, &positions, pos) {
            g.nodes[pos].inplace = true;
            changed = true;
        }
    }
    changed
}

/// Whether the Reshape at `pos` is one hls4ml's `inplace_stream_flatten` makes in place: its
/// output has one dimension (a Flatten, or a Reshape to a vector) and is not a network output.
/// The others (`reshape_stream`) become a Repack.
pub fn keeps_packing(g: &Graph, _positions: &HashMap<Key, usize>, pos: usize) -> bool {
    let n = &g.nodes[pos];
    n.shape.len() == 1 && !g.outputs.iter().any(|p| p.node == n.key)
}

impl Pass for InplaceStreamFlatten {
    fn name(&self) -> &'static str {
        "inplace_stream_flatten"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if !g.is_stream() {
            return Ok(false);
        }
        Ok(mark(g, keeps_packing))
    }
}

impl Pass for InplaceParallelReshape {
    fn name(&self) -> &'static str {
        "inplace_parallel_reshape"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if g.is_stream() {
            return Ok(false);
        }
        Ok(mark(g, |_, _, _| true))
    }
}
