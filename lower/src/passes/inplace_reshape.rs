//! `inplace_stream_flatten` and `inplace_parallel_reshape` (`backends/fpga/passes/
//! inplace_stream_flatten.py`, `inplace_parallel_reshape.py`): a Flatten or Reshape writes no
//! call; its output is hls4ml's in-place variable of its input (`auto& out = in` in io_parallel,
//! the same stream in io_stream). In io_stream only a Flatten, or a Reshape that keeps the
//! last dimension (the stream's packing), is in place: `reshape_stream` handles the others.

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

/// Whether the Reshape at `pos` keeps its input's last dimension (a Flatten counts as keeping
/// it: hls4ml streams its input unchanged).
pub fn keeps_packing(g: &Graph, positions: &HashMap<Key, usize>, pos: usize) -> bool {
    let n = &g.nodes[pos];
    if n.class == "Flatten" {
        return true;
    }
    let input_last = n
        .inputs
        .first()
        .and_then(|p| positions.get(&p.node))
        .and_then(|&i| g.nodes[i].shape.last().copied());
    input_last == n.shape.last().copied()
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
