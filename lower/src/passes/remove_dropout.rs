//! `remove_dropout`: Dropout is an identity at inference; hls4ml's parser numbers it and drops
//! it (its index stays used: on the harness case `mlp_sep_act`, fc1 = 2, act1 = 3, the Dropout
//! takes 4 and vanishes, fc2 = 5).

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Sweep};
use crate::op::Op;
use ir::Network;

pub struct RemoveDropout;

impl Pass for RemoveDropout {
    fn name(&self) -> &'static str {
        "remove_dropout"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        let mut changed = false;
        g.sweep(|_, n| {
            if let (Op::Dropout, Some(&input)) = (&n.op, n.inputs.first()) {
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
