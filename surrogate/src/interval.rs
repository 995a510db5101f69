//! The interval of a hybrid prediction: how far the figure may be off, from two measured
//! sources, neither of which vanishes when the gates close.
//!
//! - **Residual spread** (`ModelMeta::residual`, per gate group and target): the root mean
//!   square log error, `ln(y+1) − ln(prediction+1)`, of the gated prediction on the out-of-fold
//!   rows (architectures the members that predicted them had not seen), with the gate the model
//!   applies. A group with too few such rows takes the spread of all out-of-fold rows of the
//!   target with the correction dropped (the analytic model's own error). It is floored at
//!   [`MIN_SPREAD`] (1 %): a target the analytic model got exactly right on every out-of-fold row
//!   is still a model, not a measurement.
//! - **Distance to the training data** ([`Support`]): the Euclidean distance of the network's
//!   normalised graph features (part, clock, size, precision, reuse factor, strategy, io_type
//!   and the analytic totals) to the nearest training row, over the reference distance: the
//!   median, over training rows, of the distance to the nearest row of another architecture
//!   (how far an unseen architecture typically is: the distance at which the residual spread
//!   was measured). The spread is multiplied by `1 + ln(max(1, distance / reference))`: 1 inside
//!   the cloud, growing without bound but slowly (the reference distance is small: neighbouring
//!   architectures of the wa-hls4ml sweeps differ in one layer width, so a linear factor gave
//!   the hls4ml tutorial's jet tagger a 9× LUT interval).
//!
//! The half-width in log space is `sqrt((scale·σ)² + (r·f)²)`: σ the members' spread (kept where
//! the gate applies the correction, `scale` its share), r the residual spread, f the distance
//! factor. Models saved without these fields (before they existed) get r = [`MIN_SPREAD`] and
//! f = 1.

use crate::batch::Normalizer;
use crate::features::GraphFeatures;
use serde::{Deserialize, Serialize};

/// The least residual spread in log space (1 %).
pub const MIN_SPREAD: f64 = 0.01;

/// The training rows' normalised graph features and the reference distance between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Support {
    /// Median distance from a training row to the nearest row of another architecture.
    pub reference: f64,
    /// One normalised graph-feature row per distinct training row (rounded to 1/1000).
    pub rows: Vec<Vec<f32>>,
}

/// A network's graph features, normalised like the model's inputs.
pub fn normalised(norm: &Normalizer, f: &GraphFeatures) -> Vec<f32> {
    f.graph
        .iter()
        .zip(norm.graph_mean.iter().zip(&norm.graph_std))
        .map(|(v, (m, s))| (v - m) / s)
        .collect()
}

fn dist(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| ((x - y) as f64).powi(2))
        .sum::<f64>()
        .sqrt()
}

impl Support {
    /// The support of training rows (features and architecture keys).
    pub fn fit(norm: &Normalizer, rows: &[(&GraphFeatures, &str)]) -> Support {
        let points: Vec<(Vec<f32>, &str)> = rows
            .iter()
            .map(|(f, a)| {
                let v = normalised(norm, f)
                    .into_iter()
                    .map(|x| (x * 1000.0).round() / 1000.0)
                    .collect();
                (v, *a)
            })
            .collect();
        let mut nearest: Vec<f64> = points
            .iter()
            .filter_map(|(p, a)| {
                points
                    .iter()
                    .filter(|(_, b)| b != a)
                    .map(|(q, _)| dist(p, q))
                    .min_by(f64::total_cmp)
            })
            .collect();
        nearest.sort_by(f64::total_cmp);
        let reference = nearest.get(nearest.len() / 2).copied().unwrap_or(0.0);
        let mut rows: Vec<Vec<f32>> = points.into_iter().map(|(p, _)| p).collect();
        rows.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        rows.dedup();
        Support { reference, rows }
    }

    /// Distance of a normalised feature row to the nearest training row (infinite without rows).
    pub fn distance(&self, x: &[f32]) -> f64 {
        self.rows
            .iter()
            .map(|r| dist(r, x))
            .min_by(f64::total_cmp)
            .unwrap_or(f64::INFINITY)
    }

    /// The factor on the residual spread: `1 + ln(max(1, distance / reference))`; 1 for a
    /// support without rows or reference (a model saved before supports existed).
    pub fn factor(&self, x: &[f32]) -> f64 {
        if self.rows.is_empty() || self.reference.is_nan() || self.reference <= 0.0 {
            return 1.0;
        }
        1.0 + (self.distance(x) / self.reference).max(1.0).ln()
    }
}

/// Root mean square of log errors (0 for none).
pub fn rms(errors: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = errors.fold((0.0, 0usize), |(s, n), e| (s + e * e, n + 1));
    if n == 0 {
        0.0
    } else {
        (s / n as f64).sqrt()
    }
}

/// The log-space half-width: `sqrt((scale·σ)² + (max(r, MIN_SPREAD)·f)²)`.
pub fn half_width(scaled_sigma: f64, residual: f64, factor: f64) -> f64 {
    let r = residual.max(MIN_SPREAD) * factor;
    (scaled_sigma * scaled_sigma + r * r).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(v: &[f32]) -> GraphFeatures {
        GraphFeatures {
            nodes: vec![],
            edges: vec![],
            depth: vec![],
            graph: v.to_vec(),
        }
    }

    #[test]
    fn half_width_adds_the_spreads_in_quadrature() {
        // Gates closed (scale 0) and a residual of 0 on every out-of-fold row: still 1 %.
        assert_eq!(half_width(0.0, 0.0, 1.0), MIN_SPREAD);
        // 3-4-5: members' spread 0.03 and residual 0.04 give 0.05.
        assert!((half_width(0.03, 0.04, 1.0) - 0.05).abs() < 1e-12);
        // Three reference distances away: three times the residual.
        assert!((half_width(0.0, 0.1, 3.0) - 0.3).abs() < 1e-12);
    }

    #[test]
    fn the_factor_grows_with_the_distance_to_the_nearest_training_row() {
        // Identity normalisation over two features.
        let norm = Normalizer {
            node_mean: vec![],
            node_std: vec![],
            graph_mean: vec![0.0, 0.0],
            graph_std: vec![1.0, 1.0],
        };
        let (a, b, c) = (graph(&[0.0, 0.0]), graph(&[1.0, 0.0]), graph(&[3.0, 0.0]));
        // Nearest row of another architecture: (0,0) → 3, (1,0) → 2, (3,0) → 2; median 2.
        let s = Support::fit(&norm, &[(&a, "x"), (&b, "x"), (&c, "y")]);
        assert_eq!(s.reference, 2.0);
        assert_eq!(s.rows.len(), 3);
        // Inside the cloud: 1. (7,0) is 4 from (3,0): 1 + ln(4 / 2). (13,0): 1 + ln(10 / 2).
        assert_eq!(s.factor(&[1.0, 0.5]), 1.0);
        assert_eq!(s.factor(&[7.0, 0.0]), 1.0 + 2f64.ln());
        assert_eq!(s.factor(&[13.0, 0.0]), 1.0 + 5f64.ln());
        assert!(s.factor(&[13.0, 0.0]) > s.factor(&[7.0, 0.0]));
        // No support (an older model): 1.
        assert_eq!(Support::default().factor(&[13.0, 0.0]), 1.0);
    }
}
