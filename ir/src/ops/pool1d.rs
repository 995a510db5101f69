//! Max or average pooling over (width, channels).

use super::util::{expect_rank, first, positive, shape_err};
use super::{Arity, Cost, LayerOp};
use crate::layer::{Layer, Padding, PoolOp};
use crate::shape::{window_out, Shape};
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pool1D {
    pub op: PoolOp,
    pub pool: usize,
    pub stride: usize,
    pub padding: Padding,
}

impl LayerOp for Pool1D {
    fn name(&self) -> &'static str {
        match self.op {
            PoolOp::Max => "MaxPooling1D",
            PoolOp::Average => "AveragePooling1D",
        }
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["MaxPooling1D", "AveragePooling1D", "MaxPool1D", "AvgPool1D"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        positive(layer, self.pool, "pool_size")?;
        positive(layer, self.stride, "strides")?;
        let s = first(inputs);
        expect_rank(layer, &s, 2, "width, channels")?;
        let w = window_out(s[0], self.pool, self.stride, self.padding).ok_or_else(|| {
            shape_err(
                layer,
                format!("pool {} is larger than the input width {}", self.pool, s[0]),
            )
        })?;
        Ok(vec![w, s[1]])
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
    fn window(&self) -> (usize, usize) {
        (self.pool, self.stride)
    }
}
