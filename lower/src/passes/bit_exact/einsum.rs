//! hls4ml's forward rule of an `Einsum` node (two tensors, `produce_kif` over
//! `utils/qinterval.py`'s `einsum`), and the execution both einsum rules share
//! (`_exec_einsum`): each operand transposed to (in-place, free, contracted) axes, then for each
//! in-place index and free index of operand 0 a product of its `C` contracted elements with an
//! `L1 × C` block of operand 1, laid out as (in-place, free of 0, free of 1) and transposed
//! into the output's order. Each output interval sums, over the contracted elements, the
//! smaller and the larger end of each product; its step is the smallest step of the products.
//! Requests of an einsum are hls4ml's default (every bit of both inputs).

use super::layout::transpose_sources;
use super::{Interval, Kif};
use crate::einsum::EinsumRecipe;

/// One product term of an einsum: (smaller end, larger end, step) of `operand 1 element ×
/// operand 0 element`, given their flat indices in the transposed operands.
pub(super) type Term<'a> = dyn Fn(usize, usize) -> (f64, f64, f64) + 'a;

/// `_exec_einsum` over intervals: `term(j0, j1)` is the product of element `j0` of the
/// transposed operand 0 and `j1` of the transposed operand 1.
pub(super) fn execute(recipe: &EinsumRecipe, term: &Term) -> Interval {
    let (l0, l1, c) = (recipe.l0, recipe.l1, recipe.contract);
    let n = recipe.inplace * l0 * l1;
    let mut out = Interval {
        min: Vec::with_capacity(n),
        max: Vec::with_capacity(n),
        delta: Vec::with_capacity(n),
    };
    for i in 0..recipe.inplace {
        for a in 0..l0 {
            let row = (i * l0 + a) * c;
            for b in 0..l1 {
                let block = (i * l1 + b) * c;
                let (mut lo, mut hi, mut step) = (0.0, 0.0, f64::INFINITY);
                for e in 0..c {
                    let (x, y, d) = term(row + e, block + e);
                    lo += x;
                    hi += y;
                    step = f64::min(step, d);
                }
                out.min.push(lo);
                out.max.push(hi);
                out.delta.push(step);
            }
        }
    }
    out.gather(&transpose_sources(
        &recipe.out_interpret_shape,
        &recipe.out_perm,
    ))
}

/// The recipe's operand `which` (0 or 1) of `shape`, transposed as hls4ml executes it: per
/// element of the transposed operand, its flat index in the operand.
pub(super) fn operand_order(recipe: &EinsumRecipe, which: usize, shape: &[usize]) -> Vec<usize> {
    let perm = if which == 0 {
        &recipe.in0_perm
    } else {
        &recipe.in1_perm
    };
    transpose_sources(shape, perm)
}

/// `produce_kif` of an `Einsum` of the tensors `in0` (shape `shape0`) and `in1` (`shape1`):
/// per product the four corner products of the two intervals, the step the product of the
/// two steps.
pub fn produce(
    recipe: &EinsumRecipe,
    in0: &Kif,
    shape0: &[usize],
    in1: &Kif,
    shape1: &[usize],
) -> Kif {
    let a = Interval::from_kif(in0).gather(&operand_order(recipe, 0, shape0));
    let b = Interval::from_kif(in1).gather(&operand_order(recipe, 1, shape1));
    let term = |j0: usize, j1: usize| {
        let corners = [
            b.min[j1] * a.min[j0],
            b.max[j1] * a.max[j0],
            b.min[j1] * a.max[j0],
            b.max[j1] * a.min[j0],
        ];
        let lo = corners.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = corners.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi, b.delta[j1] * a.delta[j0])
    };
    execute(recipe, &term).to_kif()
}
