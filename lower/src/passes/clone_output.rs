//! `clone_output` (`backends/fpga/passes/clone.py`): in io_stream a stream is read once, so an
//! output read by several layers is copied by a Clone layer `clone_<producer>` placed right
//! after its producer, with the next free index and one output `layer<N>_cpy<k>` per reader
//! (hls4ml 1.3.0 on the harness case `branch_concat__stream`: `clone_input_layer`, index 9
//! after the last layer 8, outputs layer9_cpy1/2).

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Key, Node, Origin, Port};
use crate::op::Op;
use ir::Network;
use std::collections::HashMap;

pub struct CloneOutput;

impl Pass for CloneOutput {
    fn name(&self) -> &'static str {
        "clone_output"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if !g.is_stream() {
            return Ok(false);
        }
        let readers = g.readers();
        // (reader, port it reads) -> the clone output it reads instead
        let mut copy_of: HashMap<(Key, Port), Port> = HashMap::new();
        let old = std::mem::take(&mut g.nodes);
        let mut changed = false;
        for mut n in old {
            for p in n.inputs.iter_mut() {
                if let Some(q) = copy_of.get(&(n.key, *p)) {
                    *p = *q;
                }
            }
            let mut clones = Vec::new();
            for output in 0..n.outputs {
                let from = Port {
                    node: n.key,
                    output,
                };
                let Some(rs) = readers.get(&from).filter(|rs| rs.len() > 1) else {
                    continue;
                };
                let key = g.new_key();
                for (k, &r) in rs.iter().enumerate() {
                    copy_of.insert(
                        (r, from),
                        Port {
                            node: key,
                            output: k,
                        },
                    );
                }
                let index = g.next_index();
                clones.push(Node {
                    key,
                    index,
                    var_index: index,
                    name: format!("clone_{}", n.name),
                    class: "Clone".into(),
                    op: Op::Clone,
                    inputs: vec![from],
                    outputs: rs.len(),
                    shape: n.shape.clone(),
                    precision: n.precision.clone(),
                    settings: ir::LayerSettings::default(),
                    origin: Origin::Clone(n.key),
                    inplace: false,
                    pending_activation: None,
                });
                changed = true;
            }
            g.nodes.push(n);
            g.nodes.extend(clones);
        }
        Ok(changed)
    }
}
