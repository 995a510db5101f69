//! Input, BatchNormalization, activations, Flatten/Reshape, Dropout and the merges as hls4ml's
//! parser makes them. Dropout and linear activations are parsed (they take an index) and
//! removed by later passes; merges of other than 2 inputs, or of differently shaped inputs,
//! hls4ml 1.3.0 does not convert.

use super::{Parse, ParseCx, Parsed};
use crate::error::Result;
use crate::op::{ActKind, Op};
use ir::Activation;

impl Parse for ir::ops::Input {
    fn parse(&self, _cx: &ParseCx) -> Result<Parsed> {
        Ok(Parsed::new("InputLayer", Op::Input))
    }
}

impl Parse for ir::ops::BatchNorm {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let shape = cx.input(0)?;
        // hls4ml writes n_filt = -1 for 1-D inputs, else the channel count
        let n_filt = if shape.len() == 1 {
            -1
        } else {
            *shape.last().unwrap_or(&1) as i64
        };
        Ok(Parsed::new("BatchNormalization", Op::BatchNorm { n_filt }))
    }
}

/// A node whose output is its input under another name (Flatten, Reshape, Dropout): same
/// precision.
fn alias(class: &'static str, op: Op) -> Result<Parsed> {
    Ok(Parsed {
        keeps_input_precision: true,
        ..Parsed::new(class, op)
    })
}

/// hls4ml's activation node for `act`: its op and class (`Activation`, `LeakyReLU`, `Softmax`).
pub fn activation_op(act: Activation) -> (Op, &'static str) {
    match act {
        Activation::Relu
        | Activation::Sigmoid
        | Activation::Tanh
        | Activation::Softplus
        | Activation::Softsign
        | Activation::Selu
        | Activation::HardTanh
        | Activation::BinaryTanh
        | Activation::Linear => (
            Op::Activation {
                act: ActKind::Plain(act.name()),
                config_name: act.name().to_string(),
            },
            "Activation",
        ),
        Activation::LeakyRelu { alpha } => (
            Op::Activation {
                act: ActKind::Param {
                    func: "leaky_relu",
                    alpha,
                },
                config_name: "leakyrelu".to_string(),
            },
            "LeakyReLU",
        ),
        Activation::Elu { alpha } => (
            Op::Activation {
                act: ActKind::Param { func: "elu", alpha },
                config_name: "elu".to_string(),
            },
            "ELU",
        ),
        Activation::ThresholdedRelu { theta } => (
            Op::Activation {
                act: ActKind::Param {
                    func: "thresholded_relu",
                    alpha: theta,
                },
                config_name: "thresholdedrelu".to_string(),
            },
            "ThresholdedReLU",
        ),
        // hls4ml's HardActivation defaults (model/layers.py), which its Keras 3 handler keeps
        Activation::HardSigmoid => (
            Op::Activation {
                act: ActKind::HardSigmoid {
                    slope: 0.2,
                    shift: 0.5,
                },
                config_name: "hard_sigmoid".to_string(),
            },
            "HardActivation",
        ),
        // converters/keras/qkeras.py get_activation_quantizer: a HardActivation named
        // hard_sigmoid / hard_tanh
        Activation::QKerasHardSigmoid | Activation::QKerasHardTanh => (
            Op::Activation {
                act: ActKind::QKerasHard(act.name()),
                config_name: act.name().to_string(),
            },
            "HardActivation",
        ),
        Activation::Softmax => (
            Op::Activation {
                act: ActKind::Softmax,
                config_name: "softmax".to_string(),
            },
            "Softmax",
        ),
    }
}

impl Parse for ir::ops::Activation {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let (mut op, class) = activation_op(*self);
        // a tf.keras ReLU layer under hls4ml's Keras 2 parser: its config is `ReLU_config<N>`
        if let (Op::Activation { config_name, .. }, true) = (&mut op, cx.layer.hls4ml_relu_class) {
            *config_name = "ReLU".into();
        }
        Ok(Parsed::new(class, op))
    }
}

impl Parse for ir::ops::Flatten {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        alias(cx.layer.kind.name(), Op::Reshape)
    }
}

impl Parse for ir::ops::Reshape {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        alias(cx.layer.kind.name(), Op::Reshape)
    }
}

impl Parse for ir::ops::Dropout {
    fn parse(&self, _cx: &ParseCx) -> Result<Parsed> {
        alias("Dropout", Op::Dropout)
    }
}

/// hls4ml's merge layers take exactly 2 inputs.
fn two_inputs(cx: &ParseCx) -> Result<()> {
    let n = cx.inputs.len();
    if n != 2 {
        return Err(cx.not_in_hls4ml(format!("{n} inputs: hls4ml's merge layers take exactly 2")));
    }
    Ok(())
}

impl Parse for ir::ops::Merge {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        two_inputs(cx)?;
        let (sa, sb) = (cx.input(0)?, cx.input(1)?);
        if sa != sb {
            return Err(cx.not_in_hls4ml(format!("inputs of different shapes {sa:?} and {sb:?}")));
        }
        Ok(Parsed::new(
            self.op.keras_class(),
            Op::Merge { op: self.op },
        ))
    }
}

impl Parse for ir::ops::Concatenate {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        two_inputs(cx)?;
        if cx.input(0)?.len() > 3 {
            return Err(cx.not_in_hls4ml("inputs of rank > 3"));
        }
        Ok(Parsed::new(
            "Concatenate",
            Op::Concatenate { axis: self.axis },
        ))
    }
}
