//! `expand_time_distributed` (`model/optimizer/passes/expand_time_distributed.py`, in hls4ml
//! 1.3.0's `convert` flow before `qkeras_factorize_alpha`): a `TimeDistributed` node holding its
//! wrapped layer's node becomes three, in order:
//!
//! - the wrapper itself, its output now one time step of its input (`read_time_step_*d`);
//! - the wrapped node (`make_node`: the next free index), named as the wrapped Keras layer,
//!   reading the wrapper, with its own settings and the default precision (hls4ml looks its
//!   config up by its own name, which a config from `config_from_keras_model` does not list);
//!   its fused activation is dropped (hls4ml's handler records it, but only the parser of
//!   top-level layers splits activations off);
//! - the end marker `<name>_end` (the next index), a `TimeDistributed` of the wrapper's
//!   output shape as hls4ml sizes it (see `Wrapped::hls4ml_output_shape`) reading the wrapped node, with the default precision and no settings
//!   (`write_time_step_*d`); whatever read the wrapper reads it.

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Node, Origin, Port};
use crate::op::Op;
use ir::Network;
use std::collections::HashMap;

pub struct ExpandTimeDistributed;

impl Pass for ExpandTimeDistributed {
    fn name(&self) -> &'static str {
        "expand_time_distributed"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        let old = std::mem::take(&mut g.nodes);
        let mut redirect: HashMap<Port, Port> = HashMap::new();
        let mut changed = false;
        for mut n in old {
            for p in n.inputs.iter_mut() {
                if let Some(q) = redirect.get(p) {
                    *p = *q;
                }
            }
            let Op::TimeDistributed {
                n_time_steps,
                wrapped,
                ..
            } = &mut n.op
            else {
                g.nodes.push(n);
                continue;
            };
            let n_time_steps = *n_time_steps;
            let Some(w) = wrapped.take().map(|w| *w) else {
                g.nodes.push(n);
                continue;
            };
            // the marker's array: hls4ml's shape of the wrapper's output (Parse says which)
            let full_shape = w.hls4ml_output_shape.clone();
            n.shape = g
                .nodes
                .iter()
                .find(|p| n.inputs.first().is_some_and(|i| i.node == p.key))
                .map(|p| p.shape.clone())
                .and_then(|s| s.get(1..).map(<[usize]>::to_vec))
                .unwrap_or_default();
            let id = n.origin.layer();
            let wrapped_index = g.next_index();
            let precision = if w.keeps_input_precision {
                n.precision.clone()
            } else {
                w.settings
                    .precision
                    .result
                    .clone()
                    .unwrap_or_else(|| g.default_precision.clone())
            };
            let wrapped = Node {
                key: g.new_key(),
                index: wrapped_index,
                var_index: wrapped_index,
                name: w.name,
                class: w.class.to_string(),
                op: w.op,
                inputs: vec![Port::of(n.key)],
                outputs: 1,
                shape: w.shape,
                precision,
                settings: w.settings,
                origin: n.origin,
                inplace: false,
                pending_activation: None,
            };
            let end_index = g.next_index();
            let marker = Node {
                key: g.new_key(),
                index: end_index,
                var_index: end_index,
                name: format!("{}_end", n.name),
                class: "TimeDistributed".to_string(),
                op: Op::TimeDistributed {
                    n_time_steps,
                    end: true,
                    wrapped: None,
                },
                inputs: vec![Port::of(wrapped.key)],
                outputs: 1,
                shape: full_shape,
                precision: g.default_precision.clone(),
                settings: ir::LayerSettings::default(),
                origin: id.map_or(n.origin, Origin::Inserted),
                inplace: false,
                pending_activation: None,
            };
            redirect.insert(Port::of(n.key), Port::of(marker.key));
            g.nodes.push(n);
            g.nodes.push(wrapped);
            g.nodes.push(marker);
            changed = true;
        }
        for p in g.outputs.iter_mut() {
            if let Some(q) = redirect.get(p) {
                *p = *q;
            }
        }
        Ok(changed)
    }
}
