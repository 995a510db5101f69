//! hls4ml's `ApplyAlpha`: the per-channel scale (and the moved bias) that hls4ml 1.3.0's
//! `qkeras_factorize_alpha` pass (`model/optimizer/passes/qkeras.py`) inserts after a QDense or
//! QConv whose kernel quantizer has `alpha != 1` (`"auto_po2"`, `"auto"`, or numbers). hls4ml's
//! class is a BatchNormalization subclass, `y = x·scale + bias` per channel (`nnet::normalize`),
//! with the weights `scale` (the quantizer's alphas) and `bias` (the layer's quantised bias,
//! moved here; the layer's own bias becomes 0). It is not a Keras layer: the Keras frontend
//! inserts it as hls4ml does (`frontends/src/keras/alpha.rs`).

use super::util::{channels, first, prod};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;

/// The `ApplyAlpha` layer (no attributes: its weights are the scale and bias).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyAlpha;

impl LayerOp for ApplyAlpha {
    fn name(&self) -> &'static str {
        "ApplyAlpha"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &[]
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
    fn cost(&self, inputs: &[Shape], _output: &[usize]) -> Cost {
        // hls4ml's weights: scale and bias per channel; one product per element.
        Cost {
            params: 2u64.saturating_mul(channels(inputs) as u64),
            macs: prod(&first(inputs)),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let c = channels(inputs);
        vec![
            WeightSpec {
                name: "scale",
                role: WeightRole::Scale,
                shape: vec![c],
            },
            WeightSpec {
                name: "bias",
                role: WeightRole::Bias,
                shape: vec![c],
            },
        ]
    }
}
