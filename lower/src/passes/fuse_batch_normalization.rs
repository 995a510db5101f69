//! `fuse_batch_normalization` (`model/optimizer/passes/bn_fuse.py`): hls4ml folds a
//! BatchNormalization into the Dense/Conv that feeds it only when that layer's result type is
//! unspecified (`UnspecifiedPrecisionType`), it feeds nothing else, and the quantizers allow it.
//! A presynth network always has a result type for every layer (the model `Precision`, or the
//! layer's own), as hls4ml's `config_from_keras_model(granularity='model')` gives too, so hls4ml
//! keeps the BatchNormalization and so does this pass (checked on the harness: `dense_bn`,
//! `conv2d_bn`, `conv2d_bn_*`: hls4ml writes a `normalize` call in both io types).
//!
//! A config *can* trigger the fold in hls4ml: `config_from_keras_model(granularity='name')`
//! writes `result: auto` (and `weight`, `bias`, `accum: auto`) for every layer, and hls4ml
//! 1.3.0 then removes the BatchNormalization. Checked with `.venv`'s hls4ml on in(8) → Dense(4)
//! `fc1` → BatchNormalization `bn` → Dense(2): at granularity `model` the layers are fc1, bn,
//! fc2 (all `fixed<16,6>`); at granularity `name` they are fc1 (`fixed<36,16>`, inferred by
//! `infer_precision_types`) and fc2, with `bn` folded into fc1's weights. presynth reads
//! `auto` as the inherited type (the IR has no unspecified type), so it keeps the
//! BatchNormalization; the config reader says so in its report for every Dense/Conv whose
//! result is `auto` and whose only reader is a BatchNormalization
//! (`frontends::hls4ml_yaml`, `AutoResult`). No harness case covers it: a bit-exact one needs
//! an unspecified result type in the IR, hls4ml's precision inference for Dense/Conv results
//! and accumulators, and the folded weights (`scale·w`, `scale·b + shift`) quantised to an
//! inferred weight type, none of which presynth models yet.

use super::Pass;
use crate::error::Result;
use crate::graph::Graph;
use crate::op::Op;
use ir::Network;

pub struct FuseBatchNormalization;

/// hls4ml's match: a BatchNormalization fed by a Dense/Conv whose result type is unspecified.
/// `result_specified` is whether the producer has a result type.
pub fn fuses(producer: &Op, result_specified: bool) -> bool {
    let product = match producer {
        Op::Dense { .. } | Op::Conv1D { .. } | Op::Conv2D { .. } => true,
        Op::Input
        | Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. }
        | Op::BatchNorm { .. }
        | Op::Activation { .. }
        | Op::Merge { .. }
        | Op::Concatenate { .. }
        | Op::Reshape
        | Op::Dropout
        | Op::Clone
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. }
        | Op::LayerNorm { .. }
        | Op::EinsumDense { .. }
        | Op::Einsum { .. }
        | Op::Embedding { .. }
        // split by separable_to_depthwise_and_conv before this pass
        | Op::SeparableConv2D { .. } => false,
    };
    product && !result_specified
}

impl Pass for FuseBatchNormalization {
    fn name(&self) -> &'static str {
        "fuse_batch_normalization"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        // Every node carries a precision (its own or the model's): no result type is ever
        // unspecified, so no BatchNormalization matches and nothing is fused.
        let positions = g.positions();
        let fused = g.nodes.iter().any(|n| {
            let producer = n.inputs.first().and_then(|p| positions.get(&p.node));
            matches!(n.op, Op::BatchNorm { .. })
                && producer.is_some_and(|&i| fuses(&g.nodes[i].op, true))
        });
        Ok(fused)
    }
}
