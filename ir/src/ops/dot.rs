//! Keras's `Dot` of two 1-D operands: their inner product, shape `(1,)`. hls4ml 1.3.0 converts
//! only this form (`converters/keras_v3/merge.py` asserts rank-1 operands of one length;
//! `model/layers.py` `Dot` raises on rank > 1) as its `Dot` (`nnet::dot1d`); the IR holds the
//! same, and the Keras frontend refuses `normalize=True` (hls4ml ignores it).

use super::util::{first, prod, shape_err};
use super::{Arity, Cost, LayerOp, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;

/// The `Dot` layer (no attributes: 1-D operands, contracted over their one axis).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dot;

impl LayerOp for Dot {
    fn name(&self) -> &'static str {
        "Dot"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Dot"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(2)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        match inputs {
            [a, b] if a.len() == 1 && a == b => Ok(vec![1]),
            _ => Err(shape_err(
                layer,
                format!(
                    "expects two rank-1 operands of one length (hls4ml 1.3.0's Dot takes only those), got {inputs:?}"
                ),
            )),
        }
    }
    fn cost(&self, inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost {
            params: 0,
            macs: prod(&first(inputs)),
        }
    }
    fn weights(&self, _inputs: &[Shape]) -> Vec<WeightSpec> {
        Vec::new()
    }
}
