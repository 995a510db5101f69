//! `split_activation`: hls4ml's parser makes a Dense/Conv's non-linear `activation` its own
//! layer `<name>_<activation>` right after it, at the index it reserved
//! (`converters/keras_v3/_base.py`, `maybe_get_activation_config`). The new layer has none of
//! the Dense's per-layer settings: hls4ml gives it the model's (checked with a LayerName config
//! on the harness, case `*__layer_prec`), or those of a `LayerName` entry naming it
//! (`fc1_relu`: the IR layer's `activation_settings`; QKeras harness, cases `split_override*`).

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Node, Origin, Port, Sweep};
use crate::kinds::activation_op;
use ir::Network;

pub struct SplitActivation;

impl Pass for SplitActivation {
    fn name(&self) -> &'static str {
        "split_activation"
    }

    fn run(&self, net: &Network, g: &mut Graph) -> Result<bool> {
        let mut changed = false;
        g.sweep(|g, mut n| {
            let Some((act, index)) = n.pending_activation.take() else {
                return Sweep::Keep(n);
            };
            let (op, class) = activation_op(act);
            let from = Port::of(n.key);
            let settings = n
                .origin
                .layer()
                .map(|id| net.layer(id).activation_settings.clone())
                .unwrap_or_default();
            let precision = settings
                .precision
                .result
                .clone()
                .unwrap_or_else(|| g.default_precision.clone());
            let split = Node {
                key: g.new_key(),
                index,
                var_index: index,
                name: format!("{}_{}", n.name, act.name()),
                class: class.to_string(),
                op,
                inputs: vec![from],
                outputs: 1,
                shape: n.shape.clone(),
                precision,
                settings,
                origin: n
                    .origin
                    .layer()
                    .map_or(Origin::Clone(from.node), Origin::SplitActivation),
                inplace: false,
                pending_activation: None,
            };
            changed = true;
            Sweep::Then(n, Box::new(split))
        });
        Ok(changed)
    }
}
