//! `replace_multidimensional_dense_with_conv` (`model/optimizer/passes/multi_dense.py`): a
//! Dense over a rank-2 or rank-3 input (Keras applies it at every position) becomes a Conv1D or
//! Conv2D with a kernel of 1, made anew by `make_node`, so it takes the next free index. The
//! kernel keeps its values: Keras's `[n_chan, units]` is the conv's `[1, (1,) n_chan, units]`.
//! `optimize_pointwise_conv` then makes it a pointwise conv. An HGQ2 QDense carries its
//! `parallelization_factor` into the conv (hls4ml's `QDenseHandler`); at HGQ2's default (-1,
//! every position at once) the conv has one partition. presynth does not read a non-default
//! factor and assumes the default.

use super::Pass;
use crate::error::{LowerError, Result};
use crate::graph::Graph;
use crate::op::Op;
use ir::Network;

pub struct ReplaceMultidimensionalDenseWithConv;

impl Pass for ReplaceMultidimensionalDenseWithConv {
    fn name(&self) -> &'static str {
        "replace_multidimensional_dense_with_conv"
    }

    fn run(&self, net: &Network, g: &mut Graph) -> Result<bool> {
        let mut changed = false;
        let positions = g.positions();
        for pos in 0..g.nodes.len() {
            let Op::Dense { n_out, .. } = g.nodes[pos].op else {
                continue;
            };
            let Some(src) = g.nodes[pos]
                .inputs
                .first()
                .and_then(|p| positions.get(&p.node))
                .map(|&i| &g.nodes[i])
            else {
                continue;
            };
            let input = src.shape.clone();
            // HGQ2's default parallelization factor: all positions in one partition
            let hgq2 = match g.nodes[pos].origin {
                crate::graph::Origin::Layer(id) => !net.layer(id).hgq_quantizers.is_empty(),
                _ => false,
            };
            let partitions = |n: usize| if hgq2 { 1 } else { n };
            let (op, class) = match input.len() {
                0 | 1 => continue,
                2 => (
                    Op::Conv1D {
                        in_width: input[0],
                        n_chan: input[1],
                        filt_width: 1,
                        n_filt: n_out,
                        stride: 1,
                        pad_left: 0,
                        pad_right: 0,
                        out_width: input[0],
                        n_partitions: partitions(input[0]),
                        pointwise: false,
                        depthwise: false,
                    },
                    "Conv1D",
                ),
                3 => (
                    Op::Conv2D {
                        in_height: input[0],
                        in_width: input[1],
                        n_chan: input[2],
                        filt_height: 1,
                        filt_width: 1,
                        n_filt: n_out,
                        stride_height: 1,
                        stride_width: 1,
                        pad_top: 0,
                        pad_bottom: 0,
                        pad_left: 0,
                        pad_right: 0,
                        out_height: input[0],
                        out_width: input[1],
                        n_partitions: partitions(input[0] * input[1]),
                        pointwise: false,
                        depthwise: false,
                    },
                    "Conv2D",
                ),
                rank => {
                    let n = &g.nodes[pos];
                    return Err(LowerError::NotInHls4ml {
                        layer: n.name.clone(),
                        kind: n.class.clone(),
                        message: format!(
                            "a Dense over a rank-{rank} input {input:?} (hls4ml replaces Dense over rank 2 and 3 inputs only)"
                        ),
                    });
                }
            };
            let index = g.next_index();
            let n = &mut g.nodes[pos];
            n.op = op;
            n.class = class.to_string();
            n.index = index;
            n.var_index = index;
            changed = true;
        }
        Ok(changed)
    }
}
