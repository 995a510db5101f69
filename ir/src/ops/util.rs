//! Helpers the kinds' shape inference and cost share: error constructors, rank checks, window
//! arithmetic and saturating products.

use crate::layer::Layer;
use crate::IrError;

pub(crate) fn shape_err(layer: &Layer, message: String) -> IrError {
    IrError::Shape {
        layer: layer.name.clone(),
        kind: layer.kind.name().to_string(),
        message,
    }
}

pub(crate) fn attr_err(layer: &Layer, message: String) -> IrError {
    IrError::Layer {
        layer: layer.name.clone(),
        kind: layer.kind.name().to_string(),
        message,
    }
}

/// `v` when positive, else an attribute error naming `what`.
pub(crate) fn positive(layer: &Layer, v: usize, what: &str) -> Result<usize, IrError> {
    if v == 0 {
        Err(attr_err(layer, format!("{what} must be positive, got 0")))
    } else {
        Ok(v)
    }
}

pub(crate) fn expect_rank(
    layer: &Layer,
    shape: &[usize],
    rank: usize,
    what: &str,
) -> Result<(), IrError> {
    if shape.len() != rank {
        return Err(shape_err(
            layer,
            format!("expects a rank-{rank} input ({what}), got shape {shape:?}"),
        ));
    }
    Ok(())
}

/// Number of elements of a shape, or a shape error when it overflows.
pub(crate) fn elements(layer: &Layer, shape: &[usize]) -> Result<usize, IrError> {
    shape
        .iter()
        .try_fold(1usize, |a, &v| a.checked_mul(v))
        .ok_or_else(|| shape_err(layer, format!("shape {shape:?} has too many elements")))
}

/// The first input's shape (empty when there is none; the arity check reports that).
pub(crate) fn first(inputs: &[Vec<usize>]) -> Vec<usize> {
    inputs.first().cloned().unwrap_or_default()
}

/// Channels of the first input (its last dimension).
pub(crate) fn channels(inputs: &[Vec<usize>]) -> usize {
    inputs.first().and_then(|s| s.last()).copied().unwrap_or(0)
}

/// Saturating product (absurd sizes from hostile files give u64::MAX, never a panic).
pub(crate) fn prod(s: &[usize]) -> u64 {
    s.iter().fold(1u64, |a, &v| a.saturating_mul(v as u64))
}

/// `n` when `on`, else 0 (bias parameters).
pub(crate) fn bias(on: bool, n: u64) -> u64 {
    if on {
        n
    } else {
        0
    }
}

/// An error when a layer's parameters plus multiply-accumulates pass
/// [`crate::limits::MAX_COST`] (a saturated count is past it too), so that no later arithmetic
/// on them can overflow. For kinds whose cost is not bounded by their output size.
pub(crate) fn within_cost(layer: &Layer, cost: super::Cost) -> Result<(), IrError> {
    let total = cost.params as u128 + cost.macs as u128;
    if total > crate::limits::MAX_COST {
        return Err(attr_err(
            layer,
            format!(
                "needs more than {} parameters and multiply-accumulates",
                crate::limits::MAX_COST
            ),
        ));
    }
    Ok(())
}
