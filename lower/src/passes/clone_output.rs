//! `clone_output` (`backends/fpga/passes/clone.py`): in io_stream a stream is read once, so an
//! output read by several layers is copied by a Clone layer `clone_<producer>` placed right
//! after its producer, with the next free index and one output `layer<N>_cpy<k>` per reader
//! (hls4ml 1.3.0 on the harness case `branch_concat__stream`: `clone_input_layer`, index 9
//! after the last layer 8, outputs layer9_cpy1/2).

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Node, Origin, Port};
use crate::op::Op;
use ir::Network;

pub struct CloneOutput;

impl Pass for CloneOutput {
    fn name(&self) -> &'static str {
        "clone_output"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if !g.is_stream() {
            return Ok(false);
        }
        let mut changed = false;
        let mut pos = 0;
        while pos < g.nodes.len() {
            let producer = g.nodes[pos].key;
            let mut inserted = 0;
            for output in 0..g.nodes[pos].outputs {
                let from = Port {
                    node: producer,
                    output,
                };
                // distinct reading layers, in list order (a layer reading it twice counts once)
                let readers: Vec<usize> = (0..g.nodes.len())
                    .filter(|&i| i != pos && g.nodes[i].inputs.contains(&from))
                    .collect();
                if readers.len() < 2 {
                    continue;
                }
                let key = g.new_key();
                for (k, &r) in readers.iter().enumerate() {
                    for p in g.nodes[r].inputs.iter_mut() {
                        if *p == from {
                            *p = Port {
                                node: key,
                                output: k,
                            };
                        }
                    }
                }
                let src = &g.nodes[pos];
                let node = Node {
                    key,
                    index: 0,
                    var_index: 0,
                    name: format!("clone_{}", src.name),
                    class: "Clone".into(),
                    op: Op::Clone,
                    inputs: vec![from],
                    outputs: readers.len(),
                    shape: src.shape.clone(),
                    precision: src.precision.clone(),
                    settings: ir::LayerSettings::default(),
                    origin: Origin::Clone(producer),
                    inplace: false,
                    pending_activation: None,
                };
                let index = g.next_index();
                g.nodes.insert(
                    pos + 1 + inserted,
                    Node {
                        index,
                        var_index: index,
                        ..node
                    },
                );
                inserted += 1;
                changed = true;
            }
            pos += 1;
        }
        Ok(changed)
    }
}
