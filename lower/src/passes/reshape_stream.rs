//! `reshape_stream` (`backends/fpga/passes/repack_stream.py`): in io_stream a Reshape that
//! changes the last dimension changes the stream's packing, and hls4ml inserts a Repack layer.
//! presynth does not emit Repack yet: such a network is refused here, naming the layer.

use super::inplace_reshape::keeps_packing;
use super::Pass;
use crate::error::{LowerError, Result};
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
        for pos in 0..g.nodes.len() {
            let n = &g.nodes[pos];
            if n.op == Op::Reshape && !keeps_packing(g, &positions, pos) {
                return Err(LowerError::NotImplemented {
                    layer: n.name.clone(),
                    kind: n.class.clone(),
                    message: "a Reshape that changes the last dimension in io_stream (hls4ml inserts a Repack layer, which presynth does not emit yet)".into(),
                });
            }
        }
        Ok(false)
    }
}
