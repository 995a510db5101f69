//! Flatten to one dimension.

use super::util::{elements, first};
use super::{Arity, Cost, LayerOp};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;

/// Flatten has no attributes: [`crate::LayerKind::Flatten`] is a unit variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flatten;

impl LayerOp for Flatten {
    fn name(&self) -> &'static str {
        "Flatten"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Flatten"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        Ok(vec![elements(layer, &first(inputs))?])
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}
