//! Layer normalisation (Keras `LayerNormalization`): each position is normalised over the
//! `axes` (the last one by default) to zero mean and unit variance, then scaled by `gamma`
//! and shifted by `beta`, which have the size of the normalised axes.
//!
//! Cost: `gamma` (when `scale`) and `beta` (when `center`), each the product of the normalised
//! axes' sizes (Keras builds them with shape `[input_shape[a] for a in axis]`). MACs follow
//! hls4ml 1.3.0's `layernorm_1d` (`nnet_layernorm.h`) over a row of `dim` values: one multiply
//! for the mean (sum × 1/dim), `dim` squares of the differences, one for the variance, then
//! `dim` × (difference × 1/√var) and `dim` × scale: 3·dim + 2 per row.

use super::util::{attr_err, first, prod};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerNorm {
    /// Normalised axes as Keras numbers them (with the batch axis 0; negative from the end).
    pub axes: Vec<isize>,
    pub epsilon: f64,
    pub center: bool,
    pub scale: bool,
}

impl LayerNorm {
    /// The normalised axes as indices into a batch-less shape of `rank` dimensions, in the
    /// order given (Keras orders `gamma`'s dimensions so); `None` when one is out of range, is the batch axis, or repeats.
    pub fn resolved_axes(&self, rank: usize) -> Option<Vec<usize>> {
        let mut out = Vec::with_capacity(self.axes.len());
        for &a in &self.axes {
            // Keras counts the batch axis: axis a (a > 0) is batch-less index a − 1; a < 0
            // counts from the end of either.
            let i = if a < 0 {
                rank.checked_sub(a.unsigned_abs())?
            } else {
                (a as usize).checked_sub(1)?
            };
            if i >= rank || out.contains(&i) {
                return None;
            }
            out.push(i);
        }
        (!out.is_empty()).then_some(out)
    }

    /// The shape of `gamma` and `beta` for this input.
    fn param_shape(&self, inputs: &[Shape]) -> Vec<usize> {
        let s = first(inputs);
        self.resolved_axes(s.len())
            .map(|ax| ax.iter().map(|&i| s[i]).collect())
            .unwrap_or_default()
    }
}

impl LayerOp for LayerNorm {
    fn name(&self) -> &'static str {
        "LayerNormalization"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["LayerNormalization"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let s = first(inputs);
        if self.resolved_axes(s.len()).is_none() {
            return Err(attr_err(
                layer,
                format!(
                    "axis {:?} is not a list of distinct non-batch axes of an input of shape {s:?}",
                    self.axes
                ),
            ));
        }
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return Err(attr_err(
                layer,
                format!("epsilon must be a positive number, got {}", self.epsilon),
            ));
        }
        Ok(s)
    }
    fn cost(&self, inputs: &[Shape], _output: &[usize]) -> Cost {
        let dim = prod(&self.param_shape(inputs));
        let total = prod(&first(inputs));
        let rows = total.checked_div(dim).unwrap_or(0);
        let n = self.center as u64 + self.scale as u64;
        Cost {
            params: n.saturating_mul(dim),
            macs: rows.saturating_mul(dim.saturating_mul(3).saturating_add(2)),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let shape = self.param_shape(inputs);
        let mut v = Vec::new();
        if self.scale {
            v.push(WeightSpec {
                name: "gamma",
                role: WeightRole::Scale,
                shape: shape.clone(),
            });
        }
        if self.center {
            v.push(WeightSpec {
                name: "beta",
                role: WeightRole::Shift,
                shape,
            });
        }
        v
    }
}
