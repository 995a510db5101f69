//! Cropping of the spatial dimensions (Keras Cropping1D/2D, hls4ml's `Cropping1D/2D`): the output
//! is the input without rows/columns on each side; no parameters, no arithmetic.

use super::util::{expect_rank, first, shape_err};
use super::{Arity, Cost, LayerOp};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

/// Elements removed before and after the width: `[left, right]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cropping1D {
    pub crop: [usize; 2],
}

/// Elements removed around the image: `[[top, bottom], [left, right]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cropping2D {
    pub crop: [[usize; 2]; 2],
}

/// `len - before - after`, or a shape error when nothing (or less) would be left, as Keras
/// refuses it.
fn cropped(layer: &Layer, len: usize, [a, b]: [usize; 2], axis: &str) -> Result<usize, IrError> {
    match len.checked_sub(a).and_then(|v| v.checked_sub(b)) {
        Some(v) if v > 0 => Ok(v),
        _ => Err(shape_err(
            layer,
            format!("cropping {a}+{b} leaves nothing of the {axis} {len}"),
        )),
    }
}

impl LayerOp for Cropping1D {
    fn name(&self) -> &'static str {
        "Cropping1D"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Cropping1D"]
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
        Ok(vec![cropped(layer, s[0], self.crop, "width")?, s[1]])
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}

impl LayerOp for Cropping2D {
    fn name(&self) -> &'static str {
        "Cropping2D"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Cropping2D"]
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
            cropped(layer, s[0], self.crop[0], "height")?,
            cropped(layer, s[1], self.crop[1], "width")?,
            s[2],
        ])
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}
