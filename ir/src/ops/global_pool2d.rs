//! Global max or average pooling of a rank-3 input (height, width, channels) to its channels.

use super::util::{expect_rank, first};
use super::{Arity, Cost, LayerOp, WeightSpec};
use crate::layer::{Layer, PoolOp};
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalPool2D {
    pub op: PoolOp,
}

impl LayerOp for GlobalPool2D {
    fn name(&self) -> &'static str {
        match self.op {
            PoolOp::Max => "GlobalMaxPooling2D",
            PoolOp::Average => "GlobalAveragePooling2D",
        }
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &[
            "GlobalMaxPooling2D",
            "GlobalAveragePooling2D",
            "GlobalMaxPool2D",
            "GlobalAvgPool2D",
        ]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let s = first(inputs);
        expect_rank(layer, &s, 3, "height, width, channels")?;
        Ok(vec![s[3 - 1]])
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
