//! `fuse_batch_normalization` (`model/optimizer/passes/bn_fuse.py`): hls4ml folds a
//! BatchNormalization into the Dense/Conv that feeds it only when that layer's result type is
//! unspecified (`UnspecifiedPrecisionType`), it feeds nothing else, and the quantizers allow it.
//! Under a model-granularity config every layer has a result type (the model `Precision`, or the
//! layer's own), so hls4ml keeps the BatchNormalization and so does this pass (checked on the
//! harness: `dense_bn`, `conv2d_bn`, `conv2d_bn_*`: hls4ml writes a `normalize` call in both
//! io types). A result type given as `auto` (name granularity) is unspecified: hls4ml folds
//! the BatchNormalization, which presynth does not do yet; the pass refuses such a network
//! with a clear error rather than lowering it differently.
//! Checked with `.venv`'s hls4ml on in(8) → Dense(4) `fc1` → BatchNormalization `bn` →
//! Dense(2): at granularity `model` the layers are fc1, bn, fc2 (all `fixed<16,6>`); at
//! granularity `name` they are fc1 (`fixed<36,16>`) and fc2, with `bn` folded into fc1's
//! weights (`scale·w`, `scale·b + shift`, quantised to the inferred weight type).

use super::Pass;
use crate::error::{LowerError, Result};
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
        | Op::Transpose { .. }
        | Op::Dot { .. }
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
        // A result type is unspecified only where the config gives it as `auto`. hls4ml then
        // folds the BatchNormalization into the weights (when neither side is quantized: a
        // frontend-set weight/bias type is a quantizer's) and removes it; presynth does not
        // fold weights yet, so it says so instead of writing a different project.
        let positions = g.positions();
        let readers = g.readers();
        for n in &g.nodes {
            if !matches!(n.op, Op::BatchNorm { .. }) {
                continue;
            }
            let Some(port) = n.inputs.first() else {
                continue;
            };
            let Some(&i) = positions.get(&port.node) else {
                continue;
            };
            let p = &g.nodes[i];
            let unquantized =
                p.settings.precision.weight.is_none() && p.settings.precision.bias.is_none();
            let sole_reader = readers.get(port).is_some_and(|r| r.len() == 1);
            if fuses(&p.op, !p.settings.auto.result) && unquantized && sole_reader {
                return Err(LowerError::NotImplemented {
                    layer: n.name.clone(),
                    kind: "BatchNormalization".into(),
                    message: format!(
                        "hls4ml 1.3.0 folds it into '{}' because that layer's result type is \
                         'auto' (fuse_batch_normalization); presynth does not fold weights yet: \
                         give '{}' an explicit result type in the config",
                        p.name, p.name
                    ),
                });
            }
        }
        Ok(false)
    }
}
