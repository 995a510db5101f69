//! Dense (fully connected) layer; on a rank > 1 input it applies to the last axis at every
//! position, as Keras does.

use super::util::{bias, channels, first, positive, prod, shape_err};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dense {
    pub units: usize,
    pub use_bias: bool,
}

impl LayerOp for Dense {
    fn name(&self) -> &'static str {
        "Dense"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Dense", "QDense"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        true
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        positive(layer, self.units, "units")?;
        let mut s = first(inputs);
        match s.last_mut() {
            Some(last) => *last = self.units,
            None => return Err(shape_err(layer, "input has no dimensions".into())),
        }
        Ok(s)
    }
    fn cost(&self, inputs: &[Shape], _output: &[usize]) -> Cost {
        let inp = first(inputs);
        let (c, u) = (channels(inputs) as u64, self.units as u64);
        let positions = prod(&inp[..inp.len().saturating_sub(1)]);
        Cost {
            params: c.saturating_mul(u).saturating_add(bias(self.use_bias, u)),
            macs: positions.saturating_mul(c.saturating_mul(u)),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let mut v = vec![WeightSpec {
            name: "kernel",
            role: WeightRole::Kernel,
            shape: vec![channels(inputs), self.units],
        }];
        if self.use_bias {
            v.push(WeightSpec {
                name: "bias",
                role: WeightRole::Bias,
                shape: vec![self.units],
            });
        }
        v
    }
    fn product_shape(&self, inputs: &[Shape]) -> Option<(u64, u64)> {
        Some((channels(inputs) as u64, self.units as u64))
    }
}
