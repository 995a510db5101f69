//! A learned positional embedding added to a sequence: `y[t, :] = x[t, :] + P[t, :]` with a
//! constant `P` of the input's shape (ONNX: an `Add` of a computed `[seq, d]` tensor and a
//! `[seq, d]` initializer, as `torch.onnx.export` writes `x + self.pos` for an
//! `nn.Parameter`). hls4ml 1.3.0's ONNX flow turns such an Add into an `ApplyAlpha` with one
//! scale (1) and one bias per element (`MergeToApplyAlpha`, `n_filt = -1`), i.e.
//! `nnet::normalize` over the whole tensor. Parameters: the embedding's values (the ONNX
//! initializer's element count); no products.

use super::util::{first, prod, shape_err};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;

/// The positional add (no attributes: its one weight, `embedding`, has the input's shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionalAdd;

impl LayerOp for PositionalAdd {
    fn name(&self) -> &'static str {
        "PositionalAdd"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &[]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let s = first(inputs);
        if s.is_empty() {
            return Err(shape_err(
                layer,
                "a positional add needs a [seq, features] input".into(),
            ));
        }
        if let Some(w) = layer.weight("embedding") {
            if w.shape != s {
                return Err(shape_err(
                    layer,
                    format!(
                        "embedding {:?} does not have the input's shape {s:?}",
                        w.shape
                    ),
                ));
            }
        }
        Ok(s)
    }
    fn cost(&self, inputs: &[Shape], _output: &[usize]) -> Cost {
        // one embedding value per element; additions, no multiplications
        Cost {
            params: prod(&first(inputs)),
            macs: 0,
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        vec![WeightSpec {
            name: "embedding",
            role: WeightRole::Bias,
            shape: first(inputs),
        }]
    }
}
