//! `eliminate_linear_activation` (`model/optimizer/passes/linear.py`): a linear Activation is
//! removed unless it changes the type of its input (a QONNX Quant's `_act` layer, which hls4ml
//! keeps as a cast).

use super::Pass;
use crate::error::Result;
use crate::graph::Graph;
use crate::op::{ActKind, Op};
use ir::Network;

pub struct EliminateLinearActivation;

impl Pass for EliminateLinearActivation {
    fn name(&self) -> &'static str {
        "eliminate_linear_activation"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        let mut changed = false;
        let mut pos = 0;
        while pos < g.nodes.len() {
            let n = &g.nodes[pos];
            let linear = matches!(
                n.op,
                Op::Activation {
                    act: ActKind::Plain("linear"),
                    ..
                }
            );
            let cast = n
                .inputs
                .first()
                .and_then(|p| g.node(p.node))
                .is_some_and(|src| src.precision != n.precision);
            if linear && !cast {
                g.remove_passthrough(pos);
                changed = true;
            } else {
                pos += 1;
            }
        }
        Ok(changed)
    }
}
