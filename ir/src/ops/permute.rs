//! Keras's `Permute(dims)`: the input's axes reordered, `dims` numbering them from 1 (the batch
//! axis is not counted), output axis `i` being input axis `dims[i]`. hls4ml 1.3.0 converts it as
//! its `Transpose` (`perm = dims - 1`, `nnet::transpose`), whose output keeps the input's
//! precision.

use super::util::{attr_err, first};
use super::{Arity, Cost, LayerOp, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permute {
    /// Keras's `dims`: a permutation of `1..=rank`.
    pub dims: Vec<usize>,
}

impl Permute {
    /// hls4ml's `perm`: `dims` from 0.
    pub fn perm(&self) -> Vec<usize> {
        self.dims.iter().map(|d| d.saturating_sub(1)).collect()
    }
}

impl LayerOp for Permute {
    fn name(&self) -> &'static str {
        "Permute"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Permute"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let input = first(inputs);
        let rank = input.len();
        let mut sorted = self.dims.clone();
        sorted.sort_unstable();
        if sorted != (1..=rank).collect::<Vec<_>>() {
            return Err(attr_err(
                layer,
                format!(
                    "dims {:?} is not a permutation of 1..={rank} (the axes of the rank-{rank} input {input:?}, numbered from 1)",
                    self.dims
                ),
            ));
        }
        Ok(self.dims.iter().map(|&d| input[d - 1]).collect())
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
    fn weights(&self, _inputs: &[Shape]) -> Vec<WeightSpec> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::LayerKind;

    #[test]
    fn output_axes_follow_dims_and_bad_dims_are_errors() {
        // Keras: Permute((2, 1)) on (6, 4) gives (4, 6); Permute((3, 1, 2)) on (2, 3, 5) gives
        // (5, 2, 3)
        let p = |dims: Vec<usize>| Permute { dims };
        let l = Layer::new("perm", LayerKind::Permute(p(vec![2, 1])));
        assert_eq!(p(vec![2, 1]).infer(&l, &[vec![6, 4]]).unwrap(), vec![4, 6]);
        assert_eq!(
            p(vec![3, 1, 2]).infer(&l, &[vec![2, 3, 5]]).unwrap(),
            vec![5, 2, 3]
        );
        assert_eq!(p(vec![3, 1, 2]).perm(), vec![2, 0, 1]);
        for bad in [vec![1, 1], vec![0, 1], vec![1, 2, 3]] {
            let e = p(bad).infer(&l, &[vec![6, 4]]).unwrap_err().to_string();
            assert!(e.contains("perm") && e.contains("not a permutation"), "{e}");
        }
    }
}
