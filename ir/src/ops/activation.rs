//! An element-wise activation: a separate `Activation` layer, or fused into Dense/Conv (then it
//! is the layer's `activation`, not a kind of its own).

use super::util::first;
use super::{Arity, Cost, LayerOp};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub enum Activation {
    #[default]
    Linear,
    Relu,
    Sigmoid,
    Tanh,
    Softmax,
    /// ln(1 + e^x): hls4ml's table activation `nnet::softplus`.
    Softplus,
    /// x / (1 + |x|): table activation `nnet::softsign`.
    Softsign,
    /// Scaled ELU (Keras's fixed alpha and scale): table activation `nnet::selu`.
    Selu,
    LeakyRelu {
        alpha: f64,
    },
    /// x for x > 0, alpha·(e^x − 1) otherwise: hls4ml's parametrised `nnet::elu` (a table
    /// of e^x − 1 times alpha).
    Elu {
        alpha: f64,
    },
    /// x for x > theta, 0 otherwise: hls4ml's parametrised `nnet::thresholded_relu`, what
    /// hls4ml 1.3.0 makes of a Keras 3 `ReLU` layer with negative_slope 0 (any threshold, 0
    /// included) and of tf.keras's `ThresholdedReLU`.
    ThresholdedRelu {
        theta: f64,
    },
    /// clip(0.2·x + 0.5, 0, 1): hls4ml's `HardActivation` (`nnet::hard_sigmoid`, slope 0.2 and
    /// shift 0.5 whatever the Keras version: Keras 3's own is x/6 + 0.5).
    HardSigmoid,
    /// clip(x, -1, 1): `nnet::hard_tanh`.
    HardTanh,
    /// QKeras's hard `quantized_sigmoid` (its default, `use_real_sigmoid=False`):
    /// clip(0.5·x + 0.5, 0, 1), hls4ml's `HardActivation` `hard_sigmoid` with QKeras's slope
    /// and shift in `ap_ufixed<2,0>` constants (`converters/keras/qkeras.py`).
    QKerasHardSigmoid,
    /// QKeras's hard `quantized_tanh` (`use_real_tanh=False`): 2·clip(0.5·x + 0.5, 0, 1) − 1,
    /// hls4ml's `HardActivation` `hard_tanh` with QKeras's slope and shift.
    QKerasHardTanh,
    /// QKeras's `binary` / `binary_tanh` activation: 1 for x >= 0, else −1 (hls4ml's
    /// `nnet::binary_tanh`, the output cast to the layer's type).
    BinaryTanh,
}

impl Activation {
    /// The name Keras and hls4ml use (`relu`, `leaky_relu`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Softmax => "softmax",
            Activation::Softplus => "softplus",
            Activation::Softsign => "softsign",
            Activation::Selu => "selu",
            Activation::LeakyRelu { .. } => "leaky_relu",
            Activation::Elu { .. } => "elu",
            Activation::ThresholdedRelu { .. } => "thresholded_relu",
            Activation::HardSigmoid => "hard_sigmoid",
            Activation::HardTanh | Activation::QKerasHardTanh => "hard_tanh",
            Activation::QKerasHardSigmoid => "hard_sigmoid",
            Activation::BinaryTanh => "binary_tanh",
        }
    }
    /// Parse a Keras activation name; `None` for names the IR does not support.
    pub fn from_name(name: &str) -> Option<Activation> {
        Some(match name {
            "linear" | "None" | "none" => Activation::Linear,
            "relu" => Activation::Relu,
            "sigmoid" => Activation::Sigmoid,
            "tanh" => Activation::Tanh,
            "softmax" => Activation::Softmax,
            "softplus" => Activation::Softplus,
            "softsign" => Activation::Softsign,
            "selu" => Activation::Selu,
            "elu" | "ELU" => Activation::Elu { alpha: 1.0 },
            "leaky_relu" | "LeakyReLU" => Activation::LeakyRelu { alpha: 0.3 },
            "hard_sigmoid" => Activation::HardSigmoid,
            "hard_tanh" => Activation::HardTanh,
            _ => return None,
        })
    }
    pub fn is_linear(&self) -> bool {
        matches!(self, Activation::Linear)
    }
}

impl LayerOp for Activation {
    fn name(&self) -> &'static str {
        "Activation"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &[
            "Activation",
            "QActivation",
            "ReLU",
            "LeakyReLU",
            "Softmax",
            "ThresholdedReLU",
        ]
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
