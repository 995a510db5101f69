//! Concatenation of two or more inputs along one axis.

use super::util::{attr_err, first, shape_err};
use super::{Arity, Cost, LayerOp};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concatenate {
    /// Keras's axis: the batch dimension is axis 0, negative counts from the end.
    pub axis: isize,
}

impl LayerOp for Concatenate {
    fn name(&self) -> &'static str {
        "Concatenate"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Concatenate"]
    }
    fn arity(&self) -> Arity {
        Arity::AtLeastTwo
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let s = first(inputs);
        let rank = s.len() as isize;
        let axis = self.axis;
        let a = if axis < 0 { rank + axis } else { axis - 1 };
        if a < 0 || a >= rank {
            return Err(attr_err(
                layer,
                format!("axis {axis} is out of range for rank-{rank} inputs"),
            ));
        }
        let a = a as usize;
        let mut out = s.clone();
        out[a] = 0;
        for o in inputs {
            let same_elsewhere = o.len() == s.len()
                && o.iter()
                    .zip(&s)
                    .enumerate()
                    .all(|(i, (x, y))| i == a || x == y);
            if !same_elsewhere {
                return Err(shape_err(
                    layer,
                    format!("operands {s:?} and {o:?} differ outside axis {axis}"),
                ));
            }
            out[a] = out[a].saturating_add(o[a]);
        }
        Ok(out)
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}
