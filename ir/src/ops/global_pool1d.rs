//! Global max or average pooling of a rank-2 input (width, channels) to its channels.

use super::util::{expect_rank, first};
use super::{Arity, Cost, LayerOp, WeightSpec};
use crate::layer::{Layer, PoolOp};
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalPool1D {
    pub op: PoolOp,
}

impl LayerOp for GlobalPool1D {
    fn name(&self) -> &'static str {
        match self.op {
            PoolOp::Max => "GlobalMaxPooling1D",
            PoolOp::Average => "GlobalAveragePooling1D",
        }
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &[
            "GlobalMaxPooling1D",
            "GlobalAveragePooling1D",
            "GlobalMaxPool1D",
            "GlobalAvgPool1D",
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
        expect_rank(layer, &s, 2, "width, channels")?;
        Ok(vec![s[2 - 1]])
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
