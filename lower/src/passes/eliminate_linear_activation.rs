//! `eliminate_linear_activation` (`model/optimizer/passes/linear.py`): a linear Activation is
//! removed unless it changes the type of its input (a QONNX Quant's `_act` layer, which hls4ml
//! keeps as a cast).

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Key, Sweep};
use crate::op::{ActKind, Op};
use ir::FixedType;
use ir::Network;
use std::collections::HashMap;

pub struct EliminateLinearActivation;

impl Pass for EliminateLinearActivation {
    fn name(&self) -> &'static str {
        "eliminate_linear_activation"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        let mut changed = false;
        // precision of every node seen (a removed one has its input's: it is not a cast)
        let mut precision: HashMap<Key, FixedType> = HashMap::new();
        g.sweep(|_, n| {
            let linear = matches!(
                n.op,
                Op::Activation {
                    act: ActKind::Plain("linear"),
                    ..
                }
            );
            let input = n.inputs.first().copied();
            let cast = input
                .and_then(|p| precision.get(&p.node))
                .is_some_and(|src| *src != n.precision);
            precision.insert(n.key, n.precision.clone());
            if let (Some(input), true) = (input, linear && !cast) {
                changed = true;
                Sweep::Remove {
                    readers_read: input,
                }
            } else {
                Sweep::Keep(n)
            }
        });
        Ok(changed)
    }
}
