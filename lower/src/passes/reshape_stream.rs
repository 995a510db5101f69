//! `reshape_stream` (`backends/fpga/passes/repack_stream.py`): in io_stream a Reshape that is
//! not in place (its output has more than one dimension, or is a network output) becomes
//! hls4ml's `Repack` layer `repack_<name>` (`nnet::repack_stream`), made by `make_node` (the
//! next free index names its output, `layer<N>_out`) and given the Reshape's type object (its
//! output type keeps the Reshape's name, `layer<M>_t`: kept here as the node's `var_index`).

use super::inplace_reshape::keeps_packing;
use super::Pass;
use crate::error::Result;
use crate::graph::Graph;
use crate::op::Op;
use ir::Network;

pub struct ReshapeStream;

impl Pass for ReshapeStream {
    fn name(&self) -> &'static str {
        "reshape_stream"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if !g.is_stream() {
            return Ok(false);
        }
        let positions = g.positions();
        let mut changed = false;
        for pos in 0..g.nodes.len() {
            let n = &g.nodes[pos];
            if n.op != Op::Reshape || n.inplace || n.class == "Repack" {
                continue;
            }
            if keeps_packing(g, &positions, pos) {
                continue;
            }
            let index = g.next_index();
            let n = &mut g.nodes[pos];
            n.var_index = n.index;
            n.index = index;
            n.name = format!("repack_{}", n.name);
            n.class = "Repack".into();
            changed = true;
        }
        Ok(changed)
    }
}
