//! Zero padding of the spatial dimensions (Keras ZeroPadding1D/2D, hls4ml's `ZeroPadding1D/2D`):
//! the output is the input with rows/columns of zeros added on each side; no parameters, no
//! arithmetic.

use super::util::{expect_rank, first, shape_err};
use super::{Arity, Cost, LayerOp};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

/// Zeros added before and after the width: `[left, right]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZeroPadding1D {
    pub pad: [usize; 2],
}

/// Zeros added around the image: `[[top, bottom], [left, right]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZeroPadding2D {
    pub pad: [[usize; 2]; 2],
}

/// `len + before + after`, or a shape error when it overflows.
pub(crate) fn padded(layer: &Layer, len: usize, [a, b]: [usize; 2]) -> Result<usize, IrError> {
    len.checked_add(a)
        .and_then(|v| v.checked_add(b))
        .ok_or_else(|| shape_err(layer, format!("padding {a}+{b} of {len} overflows")))
}

impl LayerOp for ZeroPadding1D {
    fn name(&self) -> &'static str {
        "ZeroPadding1D"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["ZeroPadding1D"]
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
        Ok(vec![padded(layer, s[0], self.pad)?, s[1]])
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}

impl LayerOp for ZeroPadding2D {
    fn name(&self) -> &'static str {
        "ZeroPadding2D"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["ZeroPadding2D"]
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
        Ok(vec![
            padded(layer, s[0], self.pad[0])?,
            padded(layer, s[1], self.pad[1])?,
            s[2],
        ])
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}
