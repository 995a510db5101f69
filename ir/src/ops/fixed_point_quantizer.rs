//! HGQ1's `FixedPointQuantizer` (pip `HGQ` 0.2.x, `HGQ/proxy/fixed_point_quantizer.py`): the
//! layer HGQ's `to_proxy_model` puts after each quantized tensor of a proxy model. It casts
//! every element to its own fixed-point format, `ap_[u]fixed<bits, integers, RND, SAT>`
//! (HGQ's `gfixed_quantizer`; an element with 0 bits becomes 0), stored as three int8
//! variables `keep_negative`, `bits`, `integers` of one shape (the tensor's with its
//! homogeneous axes of size 1, a leading batch axis of 1; `[]` or `[1]` for one format). The
//! IR keeps that state as an [`HgqQuantizer`] (role `Output`; per element `k` = keep_negative,
//! `i` = integers − keep_negative, `f` = bits − integers, HGQ's own `result_t_kif` split).
//!
//! hls4ml 1.3.0 (`converters/keras/hgq_proxy_model.py`, `model/optimizer/passes/
//! hgq_proxy_model.py`, `backends/fpga/passes/hgq_proxy_model.py`) folds a `fusible` (one
//! format, sole reader of its input) quantizer into the result type of the layer before it and
//! writes every other one as a generated per-element cast function; its bit-exact pass derives
//! the other layers' types from the quantizers. Keras's `count_params()` counts the three int8
//! variables: the frontend puts their size in `Layer::quantizer_params` (this kind has no float
//! weights).

use super::util::first;
use super::{Arity, Cost, LayerOp, WeightSpec};
use crate::hgq::HgqQuantizer;
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

/// One HGQ1 `FixedPointQuantizer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedPointQuantizer {
    /// The modes (HGQ's `RND`, `SAT`), the stored shape and the per-element k/i/f (empty when
    /// the model was read without its weights).
    /// Boxed: the per-element vectors would otherwise widen every `LayerKind`.
    pub quantizer: Box<HgqQuantizer>,
    /// HGQ's `fusible` (one format for every element, and the input has no other reader):
    /// hls4ml folds the quantizer into the preceding layer's result type.
    pub fusible: bool,
}

impl FixedPointQuantizer {
    /// Whether the per-element state was read (the weights file was given).
    pub fn has_state(&self) -> bool {
        !self.quantizer.k.is_empty()
    }

    /// The widest format over the elements, `(keep_negative, integer bits with the sign,
    /// total bits)`: the `k`, `i` and `f` maxima taken independently, as HGQ's
    /// `result_t_kif` and hls4ml's `kif_arrs_to_ints` take them. `None` without state.
    pub fn widest(&self) -> Option<(bool, i32, i32)> {
        let q = &self.quantizer;
        let k = *q.k.iter().max()?;
        let i = *q.i.iter().max()?;
        let f = *q.f.iter().max()?;
        Some((k != 0, k + i, k + i + f))
    }

    /// Total bits of each element (`k + i + f`; 0 for an element the quantizer zeroes).
    pub fn element_bits(&self) -> impl Iterator<Item = i32> + '_ {
        let q = &self.quantizer;
        q.k.iter()
            .zip(&q.i)
            .zip(&q.f)
            .map(|((k, i), f)| (k + i + f).max(0))
    }
}

impl LayerOp for FixedPointQuantizer {
    fn name(&self) -> &'static str {
        "FixedPointQuantizer"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["FixedPointQuantizer"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let shape = first(inputs);
        // the stored shape broadcasts against (1, *shape): HGQ asserts it in Keras
        let stored = &self.quantizer.shape;
        let full: Vec<usize> = std::iter::once(1).chain(shape.iter().copied()).collect();
        let fits = stored.len() <= full.len()
            && stored
                .iter()
                .rev()
                .zip(full.iter().rev())
                .all(|(s, d)| *s == 1 || s == d);
        if !fits {
            return Err(super::util::shape_err(
                layer,
                format!(
                    "its bit widths have shape {stored:?}, which does not broadcast to the input \
                     (batch, {}) ",
                    shape
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        Ok(shape)
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        // no float weights (the int8 state is the layer's `quantizer_params`), no products
        Cost::default()
    }
    fn weights(&self, _inputs: &[Shape]) -> Vec<WeightSpec> {
        Vec::new()
    }
    fn window(&self) -> (usize, usize) {
        (1, 1)
    }
    fn product_shape(&self, _inputs: &[Shape]) -> Option<(u64, u64)> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hgq::QuantizerRole;
    use crate::layer::LayerKind;

    fn q(shape: Vec<usize>, k: Vec<i32>, i: Vec<i32>, f: Vec<i32>) -> FixedPointQuantizer {
        FixedPointQuantizer {
            quantizer: Box::new(HgqQuantizer {
                role: QuantizerRole::Output,
                round_mode: "TRN".into(),
                overflow_mode: "WRAP".into(),
                shape,
                k,
                i,
                f,
            }),
            fusible: false,
        }
    }

    #[test]
    fn the_widest_format_takes_each_maximum_alone() {
        // elements (k, i, f) = (1, 3, 1), (0, 4, 0), (1, 0, 5): k 1, i 4, f 5 -> 10 bits, 5 integer
        let fq = q(vec![1, 3], vec![1, 0, 1], vec![3, 4, 0], vec![1, 0, 5]);
        assert_eq!(fq.widest(), Some((true, 5, 10)));
        assert_eq!(fq.element_bits().collect::<Vec<_>>(), vec![5, 4, 6]);
        assert_eq!(q(vec![], vec![], vec![], vec![]).widest(), None);
    }

    #[test]
    fn the_stored_shape_must_broadcast_to_the_input() {
        let layer =
            |fq: FixedPointQuantizer| Layer::new("q", LayerKind::FixedPointQuantizer(fq.clone()));
        let fq = q(vec![1, 4], vec![], vec![], vec![]);
        assert_eq!(fq.infer(&layer(fq.clone()), &[vec![4]]).unwrap(), vec![4]);
        assert!(fq.infer(&layer(fq.clone()), &[vec![5]]).is_err());
        // one format for every element: `[]` (HGQ's scalar variables)
        let scalar = q(vec![], vec![1], vec![2], vec![3]);
        assert_eq!(
            scalar.infer(&layer(scalar.clone()), &[vec![2, 3]]).unwrap(),
            vec![2, 3]
        );
    }
}
