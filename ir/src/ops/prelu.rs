//! Keras's `PReLU`: `y = x` for `x > 0`, else `alpha · x`, with a learned alpha per element of
//! the input (Keras's `alpha` weight has the input's shape without the batch axis when
//! `shared_axes` is None). hls4ml 1.3.0 converts it as its `PReLU` class (an Activation
//! subclass with the weight `param`, written as the array `a{index}`, `nnet::prelu`); hls4ml's
//! tf.keras converter refuses `shared_axes`, and its Keras 3 handler would write an alpha array
//! shorter than the input that `nnet::prelu` reads past, so the Keras frontend refuses
//! `shared_axes` and the IR kind carries one alpha per element.

use super::util::{first, prod};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;

/// The `PReLU` layer (no attributes: its weight is `alpha`, shaped as the input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PReLU;

impl LayerOp for PReLU {
    fn name(&self) -> &'static str {
        "PReLU"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["PReLU"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, _layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        Ok(first(inputs))
    }
    fn cost(&self, inputs: &[Shape], _output: &[usize]) -> Cost {
        // Keras: one alpha per input element; one product per element (the negative branch)
        let n = prod(&first(inputs));
        Cost { params: n, macs: n }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        vec![WeightSpec {
            name: "alpha",
            // Keras's default alpha_initializer is zeros, as for an additive bias
            role: WeightRole::Bias,
            shape: first(inputs),
        }]
    }
}
