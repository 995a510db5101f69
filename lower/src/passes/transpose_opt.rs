//! hls4ml 1.3.0's transpose rewrites of the `convert` flow (`model/optimizer/passes/
//! convert_to_channels_last.py` `RemoveTransposeBeforeFlatten`, `transpose_opt.py`
//! `RemoveNopTranspose` and `RemoveSingleChannelTranspose`), which remove a Transpose node and,
//! for the first, permute the next Dense's weights. presynth does not rewrite the weights of a
//! lowered graph, so a network they match is refused naming the layer (codegen then says
//! NotImplemented; the estimator still prices the IR): one pass per hls4ml optimizer, in
//! hls4ml's order, each only checking.

use super::Pass;
use crate::error::{LowerError, Result};
use crate::graph::{Graph, Node};
use crate::op::Op;
use ir::{IoType, Network};

fn refuse(n: &Node, optimizer: &str, what: &str) -> LowerError {
    LowerError::NotImplemented {
        layer: n.name.clone(),
        kind: n.class.clone(),
        message: format!(
            "{what}: hls4ml 1.3.0's {optimizer} removes this Transpose{}, which presynth does not do yet",
            if optimizer == "remove_transpose_before_flatten" {
                " and permutes the Dense's weights"
            } else {
                ""
            }
        ),
    }
}

/// `remove_transpose_before_flatten` (io_parallel): Transpose of a rank-2 or rank-3 tensor →
/// Flatten → Dense, each read by the next only.
pub struct RemoveTransposeBeforeFlatten;

impl Pass for RemoveTransposeBeforeFlatten {
    fn name(&self) -> &'static str {
        "remove_transpose_before_flatten"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if g.io_type != IoType::Parallel {
            return Ok(false);
        }
        let readers = g.readers();
        let only_reader = |n: &Node| -> Option<&Node> {
            match readers
                .get(&crate::graph::Port::of(n.key))
                .map(Vec::as_slice)
            {
                Some([k]) => g.find(*k),
                _ => None,
            }
        };
        for n in &g.nodes {
            let Op::Transpose { from_shape, .. } = &n.op else {
                continue;
            };
            let Some(flat) = only_reader(n) else { continue };
            if !matches!(flat.op, Op::Reshape) || flat.shape.len() != 1 {
                continue;
            }
            let dense_next = matches!(only_reader(flat).map(|d| &d.op), Some(Op::Dense { .. }));
            if dense_next && (2..=3).contains(&from_shape.len()) {
                return Err(refuse(
                    n,
                    self.name(),
                    "a Permute read by a Flatten read by a Dense (io_parallel)",
                ));
            }
        }
        Ok(false)
    }
}

/// `remove_nop_transpose`: a rank-1 Permute (`perm == [0]`).
pub struct RemoveNopTranspose;

impl Pass for RemoveNopTranspose {
    fn name(&self) -> &'static str {
        "remove_nop_transpose"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        for n in &g.nodes {
            if matches!(&n.op, Op::Transpose { perm, .. } if perm.as_slice() == [0]) {
                return Err(refuse(n, self.name(), "a Permute of a rank-1 tensor"));
            }
        }
        Ok(false)
    }
}

/// `remove_single_channel_transpose` (io_parallel): a Transpose of the network input whose
/// first axis has size 1.
pub struct RemoveSingleChannelTranspose;

impl Pass for RemoveSingleChannelTranspose {
    fn name(&self) -> &'static str {
        "remove_single_channel_transpose"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if g.io_type != IoType::Parallel {
            return Ok(false);
        }
        for n in &g.nodes {
            let Op::Transpose { from_shape, .. } = &n.op else {
                continue;
            };
            let from_input = n
                .inputs
                .first()
                .and_then(|p| g.find(p.node))
                .is_some_and(|i| matches!(i.op, Op::Input));
            if from_input && from_shape.first() == Some(&1) {
                return Err(refuse(
                    n,
                    self.name(),
                    "a Permute of the network input whose first axis has size 1 (io_parallel)",
                ));
            }
        }
        Ok(false)
    }
}
