//! Batch normalisation (inference form: scale and shift per channel from the moving statistics).

use super::util::{channels, first, prod};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchNorm {
    pub epsilon: f64,
    pub center: bool,
    pub scale: bool,
}

impl LayerOp for BatchNorm {
    fn name(&self) -> &'static str {
        "BatchNormalization"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["BatchNormalization", "QBatchNormalization"]
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
        // gamma, beta (when on) and the two moving statistics, per channel; one multiply per
        // element (the folded scale).
        let n = 2 + self.center as u64 + self.scale as u64;
        Cost {
            params: n.saturating_mul(channels(inputs) as u64),
            macs: prod(&first(inputs)),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let c = channels(inputs);
        let mut v = Vec::new();
        if self.scale {
            v.push(WeightSpec {
                name: "gamma",
                role: WeightRole::Scale,
                shape: vec![c],
            });
        }
        if self.center {
            v.push(WeightSpec {
                name: "beta",
                role: WeightRole::Shift,
                shape: vec![c],
            });
        }
        v.push(WeightSpec {
            name: "moving_mean",
            role: WeightRole::MovingMean,
            shape: vec![c],
        });
        v.push(WeightSpec {
            name: "moving_variance",
            role: WeightRole::MovingVariance,
            shape: vec![c],
        });
        v
    }
}
