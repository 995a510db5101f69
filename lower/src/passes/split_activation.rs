//! `split_activation`: hls4ml's parser makes a Dense/Conv's non-linear `activation` its own
//! layer `<name>_<activation>` right after it, at the index it reserved
//! (`converters/keras_v3/_base.py`, `maybe_get_activation_config`). The new layer has none of
//! the Dense's per-layer settings: hls4ml gives it the model's (checked with a LayerName config
//! on the harness, case `*__layer_prec`).

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Node, Origin, Port};
use crate::kinds::activation_op;
use ir::Network;

pub struct SplitActivation;

impl Pass for SplitActivation {
    fn name(&self) -> &'static str {
        "split_activation"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        let mut changed = false;
        let mut pos = 0;
        while pos < g.nodes.len() {
            let Some((act, index)) = g.nodes[pos].pending_activation.take() else {
                pos += 1;
                continue;
            };
            let n = &g.nodes[pos];
            let (op, class) = activation_op(act);
            let (source, from) = (n.origin.layer(), Port::of(n.key));
            let name = format!("{}_{}", n.name, act.name());
            let shape = n.shape.clone();
            let key = g.new_key();
            g.rewire(from, Port::of(key));
            let node = Node {
                key,
                index,
                var_index: index,
                name,
                class: class.to_string(),
                op,
                inputs: vec![from],
                outputs: 1,
                shape,
                precision: g.default_precision.clone(),
                settings: ir::LayerSettings::default(),
                origin: source.map_or(Origin::Clone(from.node), Origin::SplitActivation),
                inplace: false,
                pending_activation: None,
            };
            g.nodes.insert(pos + 1, node);
            changed = true;
            pos += 2;
        }
        Ok(changed)
    }
}
