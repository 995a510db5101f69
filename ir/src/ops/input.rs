//! A network input of a given shape.

use super::util::attr_err;
use super::{Arity, Cost, LayerOp};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub shape: Vec<usize>,
}

impl LayerOp for Input {
    fn name(&self) -> &'static str {
        "Input"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["InputLayer"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(0)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, _inputs: &[Shape]) -> Result<Shape, IrError> {
        if self.shape.is_empty() || self.shape.contains(&0) {
            return Err(attr_err(
                layer,
                format!(
                    "input shape {:?} must be non-empty with positive sizes",
                    self.shape
                ),
            ));
        }
        Ok(self.shape.clone())
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}
