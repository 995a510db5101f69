//! hls4ml's forward rule of an `EinsumDense` node (`produce_kif`: `einsum(eq, qint_in, kernel)
//! + bias`), which is also its `Dense` rule over positions: the input's intervals contracted
//! with the constant kernel (per product the smaller and larger of `kernel × input end`, the
//! step an input step times `2^-minimal_f(weight)`), then the bias added (its value to both
//! ends, the step at most `2^-minimal_f(bias)`). Requests are hls4ml's default (every bit).

use super::einsum::{execute, operand_order};
use super::layout::broadcast_sources;
use super::{minimal_f, Interval, Kif};
use crate::einsum::EinsumRecipe;

/// A constant operand with its shape (C order).
#[derive(Debug, Clone, Copy)]
pub struct Constant<'a> {
    pub data: &'a [f64],
    pub shape: &'a [usize],
}

impl Interval {
    /// `QIntervalArray + ndarray`: the constant (numpy-broadcast to this interval's `shape`)
    /// added to both ends, the step at most `2^-minimal_f(constant)`; `None` when the shapes do
    /// not broadcast.
    pub fn plus_constant(&self, shape: &[usize], c: Constant) -> Option<Interval> {
        let at = broadcast_sources(c.shape, shape)?;
        let mut out = self.clone();
        for (e, &s) in at.iter().enumerate() {
            let v = c.data[s];
            out.min[e] += v;
            out.max[e] += v;
            out.delta[e] = out.delta[e].min(2f64.powi(-minimal_f(v)));
        }
        Some(out)
    }
}

/// `produce_kif` of an `EinsumDense` with the recipe of its (batch-less) equation, the input of
/// `in_shape`, its (quantized) kernel and optional bias, and the output of `out_shape`; `None`
/// when the bias does not broadcast to the output.
pub fn produce(
    recipe: &EinsumRecipe,
    input: &Kif,
    in_shape: &[usize],
    kernel: Constant,
    bias: Option<Constant>,
    out_shape: &[usize],
) -> Option<Kif> {
    let x = Interval::from_kif(input).gather(&operand_order(recipe, 0, in_shape));
    let w: Vec<f64> = operand_order(recipe, 1, kernel.shape)
        .iter()
        .map(|&s| kernel.data[s])
        .collect();
    let term = |j0: usize, j1: usize| {
        let (v1, v2) = (w[j1] * x.min[j0], w[j1] * x.max[j0]);
        let d = 2f64.powi(-minimal_f(w[j1])) * x.delta[j0];
        (
            v1.min(v2),
            v1.max(v2),
            if d == 0.0 { f64::INFINITY } else { d },
        )
    };
    let out = execute(recipe, &term);
    let out = match bias {
        Some(b) => out.plus_constant(out_shape, b)?,
        None => out,
    };
    Some(out.to_kif())
}
