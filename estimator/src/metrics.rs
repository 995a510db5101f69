//! Accuracy metrics of predicted against true values: SMAPE, MAPE, R² and the fraction within
//! 10 %, as the wa-hls4ml and rule4ml papers report them.
//!
//! Conventions: SMAPE = mean(2|p − t| / (|p| + |t|)) × 100, with 0 when both are 0.
//! MAPE = mean(|p − t| / |t|) × 100 over rows with t ≠ 0 (rows with t = 0 are left out and
//! counted in `mape_skipped`). R² = 1 − SS_res/SS_tot (NaN when all truths are equal).
//! Within 10 %: |p − t| ≤ 0.1·|t| (t = 0 counts only when p = 0 exactly).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    pub n: usize,
    pub smape: f64,
    pub mape: f64,
    pub mape_skipped: usize,
    pub r2: f64,
    pub within_10pct: f64,
    /// Fraction of rows where the rounded prediction equals the truth.
    pub exact: f64,
}

pub fn smape(pred: &[f64], truth: &[f64]) -> f64 {
    let n = pred.len().min(truth.len());
    if n == 0 {
        return f64::NAN;
    }
    let s: f64 = pred
        .iter()
        .zip(truth)
        .map(|(p, t)| {
            let d = p.abs() + t.abs();
            if d == 0.0 {
                0.0
            } else {
                2.0 * (p - t).abs() / d
            }
        })
        .sum();
    100.0 * s / n as f64
}

pub fn r2(pred: &[f64], truth: &[f64]) -> f64 {
    let n = pred.len().min(truth.len());
    if n == 0 {
        return f64::NAN;
    }
    let mean = truth.iter().sum::<f64>() / n as f64;
    let ss_tot: f64 = truth.iter().map(|t| (t - mean).powi(2)).sum();
    let ss_res: f64 = pred.iter().zip(truth).map(|(p, t)| (t - p).powi(2)).sum();
    if ss_tot == 0.0 {
        f64::NAN
    } else {
        1.0 - ss_res / ss_tot
    }
}

pub fn compute(pred: &[f64], truth: &[f64]) -> Metrics {
    let n = pred.len().min(truth.len());
    let mut mape_sum = 0.0;
    let mut mape_n = 0usize;
    let mut within = 0usize;
    let mut exact = 0usize;
    for (p, t) in pred.iter().zip(truth) {
        if *t != 0.0 {
            mape_sum += (p - t).abs() / t.abs();
            mape_n += 1;
        }
        if (p - t).abs() <= 0.1 * t.abs() {
            within += 1;
        }
        if p.round() == t.round() {
            exact += 1;
        }
    }
    let frac = |k: usize| {
        if n == 0 {
            f64::NAN
        } else {
            k as f64 / n as f64
        }
    };
    Metrics {
        n,
        smape: smape(pred, truth),
        mape: if mape_n == 0 {
            f64::NAN
        } else {
            100.0 * mape_sum / mape_n as f64
        },
        mape_skipped: n - mape_n,
        r2: r2(pred, truth),
        within_10pct: frac(within),
        exact: frac(exact),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        // p = [110, 90, 0], t = [100, 100, 0]:
        // SMAPE = (2·10/210 + 2·10/190 + 0)/3 × 100 = (0.095238 + 0.105263)/3 × 100 = 6.6834
        // MAPE over t≠0 = (0.1 + 0.1)/2 × 100 = 10; one skipped.
        // R²: mean t = 66.667, SS_tot = 2·33.333² + 66.667² = 6666.67, SS_res = 200 → 0.97.
        // Within 10 %: 110 and 90 are exactly 10 % off (≤ counts), 0 = 0 → 3/3.
        let m = compute(&[110.0, 90.0, 0.0], &[100.0, 100.0, 0.0]);
        assert!((m.smape - 6.6834).abs() < 1e-3, "{}", m.smape);
        assert!((m.mape - 10.0).abs() < 1e-12);
        assert_eq!(m.mape_skipped, 1);
        assert!((m.r2 - 0.97).abs() < 1e-9, "{}", m.r2);
        assert_eq!(m.within_10pct, 1.0);
        assert!((m.exact - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn perfect_and_constant() {
        let m = compute(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]);
        assert_eq!((m.smape, m.r2, m.exact), (0.0, 1.0, 1.0));
        assert!(r2(&[1.0, 1.0], &[2.0, 2.0]).is_nan());
    }
}
