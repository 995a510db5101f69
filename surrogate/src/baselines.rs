//! linfa baselines on the same features as the neural models, one regressor per target:
//! - [`Baseline::Linear`]: ordinary least squares (linfa-linear) on the standardised graph row
//!   plus the per-column sums of the node rows (all log features), with a small ridge penalty
//!   added as extra rows so that collinear one-hot columns do not make the system singular.
//! - [`Baseline::Tree`]: a linfa-trees decision tree. linfa-trees only classifies, so the log
//!   target is cut into quantile bins and a leaf predicts the median of its bin's training values.
//!
//! Both learn the same log-space target as the neural model of the same mode (hybrid residual or
//! pure), so they are directly comparable.

use crate::error::SurrogateError;
use crate::features::{GraphFeatures, GRAPH_DIM, NODE_DIM};
use crate::targets::{base, from_target, to_target, Estimate, Mode, N_TARGETS};
use crate::train::Sample;
use linfa::prelude::*;
use linfa_linear::{FittedLinearRegression, LinearRegression};
use linfa_trees::DecisionTree;
use ndarray::{Array1, Array2};
use std::fmt;
use std::str::FromStr;

/// Which baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    Linear,
    Tree,
}

impl fmt::Display for Baseline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Baseline::Linear => "linfa-linear",
            Baseline::Tree => "linfa-tree",
        })
    }
}

impl FromStr for Baseline {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "linfa-linear" | "linear" => Ok(Baseline::Linear),
            "linfa-tree" | "tree" => Ok(Baseline::Tree),
            _ => Err(format!(
                "unknown baseline '{s}' (expected linfa-linear or linfa-tree)"
            )),
        }
    }
}

/// Ridge penalty (on standardised columns) of the linear baseline.
const RIDGE: f64 = 1e-3;
/// Quantile bins of the tree baseline.
const TREE_BINS: usize = 24;
/// Depth limit of the tree baseline.
const TREE_DEPTH: usize = 10;

/// The flat feature row of one graph: the graph row, then the column sums of its node rows.
pub fn flat_row(f: &GraphFeatures) -> Vec<f64> {
    let mut row: Vec<f64> = f.graph.iter().map(|v| *v as f64).collect();
    let mut sums = vec![0f64; NODE_DIM];
    for n in f.nodes.chunks(NODE_DIM) {
        for (s, v) in sums.iter_mut().zip(n) {
            *s += *v as f64;
        }
    }
    row.extend(sums);
    row
}

/// Width of [`flat_row`].
pub const FLAT_DIM: usize = GRAPH_DIM + NODE_DIM;

enum PerTarget {
    Linear(FittedLinearRegression<f64>),
    /// The tree and the value each bin stands for.
    Tree(DecisionTree<f64, usize>, Vec<f64>),
    /// No training row had this label: predict the constant.
    Constant(f64),
}

/// A fitted baseline: column standardisation plus one regressor per target.
pub struct FittedBaseline {
    pub kind: Baseline,
    pub mode: Mode,
    mean: Vec<f64>,
    std: Vec<f64>,
    models: Vec<PerTarget>,
}

fn standardise(rows: &[Vec<f64>], mean: &[f64], std: &[f64]) -> Array2<f64> {
    let mut x = Array2::zeros((rows.len(), FLAT_DIM));
    for (i, r) in rows.iter().enumerate() {
        for j in 0..FLAT_DIM {
            x[[i, j]] = (r[j] - mean[j]) / std[j];
        }
    }
    x
}

fn linfa_err(e: impl fmt::Display) -> SurrogateError {
    SurrogateError::Data(format!("linfa: {e}"))
}

impl FittedBaseline {
    /// Fit on `samples` (hybrid mode needs their analytic totals).
    pub fn fit(kind: Baseline, mode: Mode, samples: &[Sample]) -> Result<Self, SurrogateError> {
        if samples.is_empty() {
            return Err(SurrogateError::Data(
                "no training rows for the baseline".into(),
            ));
        }
        if mode == Mode::Hybrid && samples.iter().any(|s| s.analytic.is_none()) {
            return Err(SurrogateError::Data(
                "hybrid baselines need analytic estimates".into(),
            ));
        }
        let rows: Vec<Vec<f64>> = samples.iter().map(|s| flat_row(&s.features)).collect();
        let n = rows.len() as f64;
        let mean: Vec<f64> = (0..FLAT_DIM)
            .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n)
            .collect();
        let std: Vec<f64> = (0..FLAT_DIM)
            .map(|j| {
                let v = rows.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n;
                if v.sqrt() > 1e-9 {
                    v.sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        let x_all = standardise(&rows, &mean, &std);
        let mut models = Vec::with_capacity(N_TARGETS);
        for j in 0..N_TARGETS {
            let (mut idx, mut t) = (Vec::new(), Vec::new());
            for (i, s) in samples.iter().enumerate() {
                if let Some(y) = s.labels[j] {
                    idx.push(i);
                    t.push(to_target(y, base(mode, s.analytic.as_ref())[j]));
                }
            }
            if idx.is_empty() {
                models.push(PerTarget::Constant(0.0));
                continue;
            }
            let x = x_all.select(ndarray::Axis(0), &idx);
            models.push(match kind {
                Baseline::Linear => {
                    // Ridge as extra rows: sqrt(lambda * n) * I with target 0.
                    let lam = (RIDGE * idx.len() as f64).sqrt();
                    let mut xa = Array2::zeros((idx.len() + FLAT_DIM, FLAT_DIM));
                    xa.slice_mut(ndarray::s![..idx.len(), ..]).assign(&x);
                    let mut ya = Array1::zeros(idx.len() + FLAT_DIM);
                    let t_mean = t.iter().sum::<f64>() / t.len() as f64;
                    for (i, v) in t.iter().enumerate() {
                        ya[i] = *v;
                    }
                    for k in 0..FLAT_DIM {
                        xa[[idx.len() + k, k]] = lam;
                        // The intercept is not penalised: the extra rows aim at the mean.
                        ya[idx.len() + k] = t_mean;
                    }
                    let fitted = LinearRegression::new()
                        .fit(&Dataset::new(xa, ya))
                        .map_err(linfa_err)?;
                    PerTarget::Linear(fitted)
                }
                Baseline::Tree => {
                    let mut sorted = t.clone();
                    sorted.sort_by(|a, b| a.total_cmp(b));
                    // Bin edges at quantiles; each bin is represented by its median.
                    let edges: Vec<f64> = (1..TREE_BINS)
                        .map(|q| sorted[q * sorted.len() / TREE_BINS])
                        .collect();
                    let bin = |v: f64| edges.partition_point(|e| *e <= v);
                    let labels: Vec<usize> = t.iter().map(|v| bin(*v)).collect();
                    let mut values = vec![0.0; TREE_BINS];
                    for (b, value) in values.iter_mut().enumerate() {
                        let mut in_bin: Vec<f64> =
                            t.iter().copied().filter(|v| bin(*v) == b).collect();
                        in_bin.sort_by(|a, b| a.total_cmp(b));
                        *value = in_bin.get(in_bin.len() / 2).copied().unwrap_or(f64::NAN);
                    }
                    let tree = DecisionTree::params()
                        .max_depth(Some(TREE_DEPTH))
                        .min_weight_leaf(2.0)
                        .fit(&Dataset::new(x, Array1::from(labels)))
                        .map_err(linfa_err)?;
                    PerTarget::Tree(tree, values)
                }
            });
        }
        Ok(FittedBaseline {
            kind,
            mode,
            mean,
            std,
            models,
        })
    }

    /// Predict the six targets of each item.
    pub fn predict(
        &self,
        items: &[(&GraphFeatures, Option<&Estimate>)],
    ) -> Result<Vec<Estimate>, SurrogateError> {
        if self.mode == Mode::Hybrid && items.iter().any(|(_, a)| a.is_none()) {
            return Err(SurrogateError::Data(
                "a hybrid baseline needs analytic estimates".into(),
            ));
        }
        let rows: Vec<Vec<f64>> = items.iter().map(|(f, _)| flat_row(f)).collect();
        let x = standardise(&rows, &self.mean, &self.std);
        let mut out = vec![[0.0; N_TARGETS]; items.len()];
        for (j, m) in self.models.iter().enumerate() {
            let t: Vec<f64> = match m {
                PerTarget::Linear(f) => f.predict(&x).to_vec(),
                PerTarget::Tree(tree, values) => {
                    tree.predict(&x).iter().map(|b| values[*b]).collect()
                }
                PerTarget::Constant(c) => vec![*c; items.len()],
            };
            for (i, (_, a)) in items.iter().enumerate() {
                out[i][j] = from_target(t[i], base(self.mode, *a)[j]);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{extract, DeviceInfo};
    use crate::netgen::{random_network, Rng};

    /// On a target that is an exact linear function of the log features (LUT = MACs × 3, so
    /// ln(LUT+1) ≈ ln(MACs+1) + ln 3 for large MACs), the linear baseline is close and the tree is
    /// within its bin resolution.
    #[test]
    fn baselines_fit_a_log_linear_target() {
        let mut rng = Rng::new(1);
        let dev = DeviceInfo::default();
        let samples: Vec<Sample> = (0..300)
            .map(|i| {
                let net = random_network(&mut rng, i);
                let macs = net.total_macs() as f64;
                Sample {
                    id: i.to_string(),
                    architecture: i.to_string(),
                    family: "gen".into(),
                    features: extract(&net, &dev, None).unwrap(),
                    analytic: None,
                    labels: std::array::from_fn(|j| (j == 0).then_some(3.0 * macs)),
                }
            })
            .collect();
        for kind in [Baseline::Linear, Baseline::Tree] {
            let fitted = FittedBaseline::fit(kind, Mode::Pure, &samples).unwrap();
            let items: Vec<_> = samples.iter().map(|s| (&s.features, None)).collect();
            let pred = fitted.predict(&items).unwrap();
            let mut errs: Vec<f64> = pred
                .iter()
                .zip(&samples)
                .map(|(p, s)| {
                    let y = s.labels[0].unwrap();
                    ((p[0] + 1.0).ln() - (y + 1.0).ln()).abs()
                })
                .collect();
            errs.sort_by(|a, b| a.total_cmp(b));
            let median = errs[errs.len() / 2];
            let tol = if kind == Baseline::Linear { 0.05 } else { 0.5 };
            assert!(median < tol, "{kind}: median log error {median}");
        }
    }
}
