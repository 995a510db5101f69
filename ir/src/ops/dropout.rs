//! Dropout: kept in the IR so that parameter counts and layer lists match Keras; an identity at
//! inference, dropped by hls4ml.

use super::util::first;
use super::{Arity, Cost, LayerOp};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dropout {
    pub rate: f64,
}

impl LayerOp for Dropout {
    fn name(&self) -> &'static str {
        "Dropout"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Dropout"]
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
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}
