//! TimeDistributed: Keras's wrapper that applies one layer to every time step (the first axis)
//! of its input with the same weights. The wrapped layer (its Keras name, kind, activation and
//! per-layer settings) lives inside the attributes; its weights are the wrapper's, under the
//! wrapped kind's Keras names (as Keras stores them). Output shape, parameters and weights are
//! the wrapped layer's on one time step, the output with the time axis put back in front and
//! the MACs times the number of steps, as Keras's `count_params()` and `compute_output_shape`.

use super::util::{attr_err, first, shape_err};
use super::{Arity, Cost, LayerOp, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeDistributed {
    /// The wrapped layer: its own Keras name, kind, fused activation and settings (a QKeras
    /// layer's quantizer types). Its `weights` and `output_shape` are not used: the wrapper
    /// holds the weights, and [`TimeDistributed::step_output`] gives one step's output.
    pub layer: Box<Layer>,
}

impl TimeDistributed {
    /// The input of the wrapped layer on one time step: the input without its first axis.
    pub fn step_inputs(inputs: &[Shape]) -> Vec<Shape> {
        let s = first(inputs);
        vec![s.get(1..).map(<[usize]>::to_vec).unwrap_or_default()]
    }

    /// The number of time steps of an input (its first axis; 0 when it has none).
    pub fn time_steps(inputs: &[Shape]) -> usize {
        first(inputs).first().copied().unwrap_or(0)
    }

    /// The wrapped layer's output on one time step, given the wrapper's inputs.
    pub fn step_output(&self, inputs: &[Shape]) -> Result<Shape, IrError> {
        self.layer
            .kind
            .op()
            .infer(&self.layer, &Self::step_inputs(inputs))
    }
}

impl LayerOp for TimeDistributed {
    fn name(&self) -> &'static str {
        "TimeDistributed"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["TimeDistributed"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let inner = &self.layer.kind;
        if inner.arity() != Some(1) || matches!(inner, super::LayerKind::Input(_)) {
            return Err(attr_err(
                layer,
                format!(
                    "wraps '{}' ({}), which does not take exactly one input",
                    self.layer.name,
                    inner.name()
                ),
            ));
        }
        let s = first(inputs);
        if s.len() < 2 {
            return Err(shape_err(
                layer,
                format!("expects an input of rank 2 or more (time steps first), got shape {s:?}"),
            ));
        }
        let step = self.step_output(inputs)?;
        Ok(std::iter::once(s[0]).chain(step).collect())
    }
    fn cost(&self, inputs: &[Shape], output: &[usize]) -> Cost {
        let step_out = output.get(1..).unwrap_or_default();
        let c = self
            .layer
            .kind
            .op()
            .cost(&Self::step_inputs(inputs), step_out);
        Cost {
            params: c.params,
            macs: c.macs.saturating_mul(Self::time_steps(inputs) as u64),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        self.layer.kind.op().weights(&Self::step_inputs(inputs))
    }
    fn window(&self) -> (usize, usize) {
        self.layer.kind.op().window()
    }
    fn product_shape(&self, inputs: &[Shape]) -> Option<(u64, u64)> {
        self.layer
            .kind
            .op()
            .product_shape(&Self::step_inputs(inputs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::Padding;
    use crate::ops::{Conv1D, Dense, LayerKind};

    fn td(kind: LayerKind) -> (Layer, TimeDistributed) {
        let op = TimeDistributed {
            layer: Box::new(Layer::new("inner", kind)),
        };
        (Layer::new("td", LayerKind::TimeDistributed(op.clone())), op)
    }

    #[test]
    fn shapes_and_counts_are_the_wrapped_layers_per_step() {
        // Keras 3.15 / tf.keras 2.14: TimeDistributed(Dense(4)) over (5, 3) -> (None, 5, 4),
        // count_params() = 3·4+4 = 16; MACs 5 steps × 12
        let (layer, op) = td(LayerKind::Dense(Dense {
            units: 4,
            use_bias: true,
        }));
        let ins = vec![vec![5, 3]];
        let out = op.infer(&layer, &ins).unwrap();
        assert_eq!(out, vec![5, 4]);
        assert_eq!(
            op.cost(&ins, &out),
            Cost {
                params: 16,
                macs: 60
            }
        );
        let names: Vec<_> = op
            .weights(&ins)
            .iter()
            .map(|w| (w.name, w.shape.clone()))
            .collect();
        assert_eq!(names, vec![("kernel", vec![3, 4]), ("bias", vec![4])]);
        // TimeDistributed(Conv1D(3, 3)) over (4, 6, 2) -> (4, 4, 3), 3·2·3+3 = 21 parameters,
        // 4 steps × 4 positions × 18 MACs
        let (layer, op) = td(LayerKind::Conv1D(Conv1D {
            filters: 3,
            kernel: 3,
            stride: 1,
            padding: Padding::Valid,
            use_bias: true,
        }));
        let ins = vec![vec![4, 6, 2]];
        let out = op.infer(&layer, &ins).unwrap();
        assert_eq!(out, vec![4, 4, 3]);
        assert_eq!(op.cost(&ins, &out).params, 21);
        assert_eq!(op.cost(&ins, &out).macs, 4 * 4 * 18);
    }

    #[test]
    fn a_rank_one_input_or_a_wrapped_input_is_an_error() {
        let (layer, op) = td(LayerKind::Dense(Dense {
            units: 4,
            use_bias: true,
        }));
        let e = op.infer(&layer, &[vec![3]]).unwrap_err().to_string();
        assert!(e.contains("'td'") && e.contains("rank 2"), "{e}");
        let (layer, op) = td(LayerKind::Input(crate::ops::Input { shape: vec![3] }));
        let e = op.infer(&layer, &[vec![5, 3]]).unwrap_err().to_string();
        assert!(e.contains("does not take exactly one input"), "{e}");
    }
}
