//! Max or average pooling over (height, width, channels).

use super::util::{expect_rank, first, positive, shape_err};
use super::{Arity, Cost, LayerOp};
use crate::layer::{Layer, Padding, PoolOp};
use crate::shape::{window_out, Shape};
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pool2D {
    pub op: PoolOp,
    pub pool: [usize; 2],
    pub stride: [usize; 2],
    pub padding: Padding,
}

impl LayerOp for Pool2D {
    fn name(&self) -> &'static str {
        match self.op {
            PoolOp::Max => "MaxPooling2D",
            PoolOp::Average => "AveragePooling2D",
        }
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["MaxPooling2D", "AveragePooling2D", "MaxPool2D", "AvgPool2D"]
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
        let mut out = vec![0, 0, s[2]];
        for a in 0..2 {
            positive(layer, self.pool[a], "pool_size")?;
            positive(layer, self.stride[a], "strides")?;
            out[a] =
                window_out(s[a], self.pool[a], self.stride[a], self.padding).ok_or_else(|| {
                    shape_err(
                        layer,
                        format!(
                            "pool {:?} is larger than the input {:?}",
                            self.pool,
                            &s[..2]
                        ),
                    )
                })?;
        }
        Ok(out)
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
    fn window(&self) -> (usize, usize) {
        (
            self.pool[0].saturating_mul(self.pool[1]),
            self.stride[0].saturating_mul(self.stride[1]),
        )
    }
}
