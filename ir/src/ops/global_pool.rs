//! Global max or average pooling of a rank-2 (width, channels) or rank-3 (height, width,
//! channels) input to its channels: one type over the spatial rank, a kind per rank.

use super::util::{expect_rank, first};
use super::{Arity, Cost, LayerOp};
use crate::layer::{Layer, PoolOp};
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

/// Global pooling over `DIMS` spatial dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalPool<const DIMS: usize> {
    pub op: PoolOp,
}

/// GlobalMaxPooling1D / GlobalAveragePooling1D.
pub type GlobalPool1D = GlobalPool<1>;
/// GlobalMaxPooling2D / GlobalAveragePooling2D.
pub type GlobalPool2D = GlobalPool<2>;

impl<const DIMS: usize> LayerOp for GlobalPool<DIMS> {
    fn name(&self) -> &'static str {
        match (DIMS, self.op) {
            (1, PoolOp::Max) => "GlobalMaxPooling1D",
            (1, PoolOp::Average) => "GlobalAveragePooling1D",
            (_, PoolOp::Max) => "GlobalMaxPooling2D",
            (_, PoolOp::Average) => "GlobalAveragePooling2D",
        }
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        if DIMS == 1 {
            &[
                "GlobalMaxPooling1D",
                "GlobalAveragePooling1D",
                "GlobalMaxPool1D",
                "GlobalAvgPool1D",
            ]
        } else {
            &[
                "GlobalMaxPooling2D",
                "GlobalAveragePooling2D",
                "GlobalMaxPool2D",
                "GlobalAvgPool2D",
            ]
        }
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let s = first(inputs);
        let what = if DIMS == 1 {
            "width, channels"
        } else {
            "height, width, channels"
        };
        expect_rank(layer, &s, DIMS + 1, what)?;
        Ok(vec![s[DIMS]])
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}
