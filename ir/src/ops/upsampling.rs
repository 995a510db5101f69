//! Nearest-neighbour upsampling (Keras UpSampling1D/2D with interpolation 'nearest'; hls4ml
//! converts both to its `Resize` layer): every input element repeated `size` times along each
//! spatial axis; no parameters, no arithmetic. Bilinear interpolation is refused by the
//! frontends (hls4ml's Vivado `resize_bilinear` does not exist in 1.3.0's nnet_utils).

use super::util::{expect_rank, first, positive, shape_err};
use super::{Arity, Cost, LayerOp};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

/// Repeat factor of the width.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpSampling1D {
    pub size: usize,
}

/// Repeat factors `[height, width]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpSampling2D {
    pub size: [usize; 2],
}

fn scaled(layer: &Layer, len: usize, f: usize) -> Result<usize, IrError> {
    positive(layer, f, "size")?;
    len.checked_mul(f)
        .ok_or_else(|| shape_err(layer, format!("upsampling {len} by {f} overflows")))
}

impl LayerOp for UpSampling1D {
    fn name(&self) -> &'static str {
        "UpSampling1D"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["UpSampling1D"]
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
        Ok(vec![scaled(layer, s[0], self.size)?, s[1]])
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}

impl LayerOp for UpSampling2D {
    fn name(&self) -> &'static str {
        "UpSampling2D"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["UpSampling2D"]
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
            scaled(layer, s[0], self.size[0])?,
            scaled(layer, s[1], self.size[1])?,
            s[2],
        ])
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}
