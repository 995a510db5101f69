//! Reshape to a target shape (no batch dim; at most one entry may be 0, meaning "infer", Keras's
//! -1).

use super::util::{elements, first, shape_err};
use super::{Arity, Cost, LayerOp};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reshape {
    pub target: Vec<usize>,
}

impl LayerOp for Reshape {
    fn name(&self) -> &'static str {
        "Reshape"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Reshape"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let target = &self.target;
        let n = elements(layer, &first(inputs))?;
        let zeros = target.iter().filter(|v| **v == 0).count();
        let known = target
            .iter()
            .filter(|v| **v != 0)
            .try_fold(1usize, |a, &v| a.checked_mul(v))
            .ok_or_else(|| shape_err(layer, format!("target {target:?} is too large")))?;
        let mut out = target.clone();
        let infer = out.iter_mut().find(|v| **v == 0);
        match (zeros, infer) {
            (0, _) if known == n => {}
            (1, Some(slot)) if known > 0 && n % known == 0 => *slot = n / known,
            _ => {
                return Err(shape_err(
                    layer,
                    format!(
                        "cannot reshape {} elements {:?} to {:?}",
                        n,
                        first(inputs),
                        target
                    ),
                ))
            }
        }
        Ok(out)
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}
