//! `optimize_pointwise_conv` (`backends/vivado/passes/pointwise.py`): a Conv1D/Conv2D with a
//! kernel of 1 becomes hls4ml's PointwiseConv1D/2D (its own function templates,
//! `pointwise_conv_{1,2}d_cl`). The pass matches the class names `Conv1D`/`Conv2D`, so its
//! subclasses stay: DepthwiseConv1D/2D and Conv2DBatchnorm (QKeras's QConv2DBatchnorm). The node is made anew by `make_node` with the conv's attributes,
//! so it takes the next free index (and its output and weights that index's names).

use super::Pass;
use crate::error::Result;
use crate::graph::Graph;
use crate::op::Op;
use ir::Network;

pub struct OptimizePointwiseConv;

impl Pass for OptimizePointwiseConv {
    fn name(&self) -> &'static str {
        "optimize_pointwise_conv"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        let mut changed = false;
        for pos in 0..g.nodes.len() {
            // hls4ml matches `node.class_name in ('Conv1D', 'Conv2D')`
            if !matches!(g.nodes[pos].class.as_str(), "Conv1D" | "Conv2D") {
                continue;
            }
            let class = if let Op::Conv1D {
                filt_width: 1,
                pointwise,
                // the pass matches class names Conv1D/Conv2D: a DepthwiseConv1D stays
                depthwise: false,
                ..
            } = &mut g.nodes[pos].op
            {
                if *pointwise {
                    continue;
                }
                *pointwise = true;
                "PointwiseConv1D"
            } else if let Op::Conv2D {
                filt_height: 1,
                filt_width: 1,
                pointwise,
                // the pass matches class names Conv1D/Conv2D: a DepthwiseConv2D stays
                depthwise: false,
                ..
            } = &mut g.nodes[pos].op
            {
                if *pointwise {
                    continue;
                }
                *pointwise = true;
                "PointwiseConv2D"
            } else {
                continue;
            };
            let index = g.next_index();
            let n = &mut g.nodes[pos];
            n.class = class.to_string();
            n.index = index;
            changed = true;
        }
        Ok(changed)
    }
}
