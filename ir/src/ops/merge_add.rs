//! Element-wise sum of two or more inputs of one shape.

use super::util::{first, shape_err};
use super::{Arity, Cost, LayerOp, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;

/// Add has no attributes: [`crate::LayerKind::Add`] is a unit variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Add;

impl LayerOp for Add {
    fn name(&self) -> &'static str {
        "Add"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Add"]
    }
    fn arity(&self) -> Arity {
        Arity::AtLeastTwo
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let s = first(inputs);
        if let Some(o) = inputs.iter().find(|o| **o != s) {
            return Err(shape_err(
                layer,
                format!("operands have different shapes {s:?} and {o:?}"),
            ));
        }
        Ok(s)
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
    fn weights(&self, _inputs: &[Shape]) -> Vec<WeightSpec> {
        vec![]
    }
    fn window(&self) -> (usize, usize) {
        (1, 1)
    }
    fn product_shape(&self, _inputs: &[Shape]) -> Option<(u64, u64)> {
        None
    }
}
