//! The targets — the resources of both label kinds (HLS C-synthesis `csynth.*` and Vivado
//! `post_synthesis.*`: LUT, FF, DSP, BRAM_18K), best and worst latency in cycles, and II — and
//! the two learning modes: `hybrid` learns `ln(y+1) − ln(analytic+1)`, `pure` learns `ln(y+1)`.
//! The `ln(1+x)` transform keeps zero labels (a third of DSP labels) finite and treats half BRAM
//! blocks as ordinary values; predictions are mapped back with `exp(t) − 1`, clamped at 0.
//! A source that has only some of the labels (csynth-only or post-synthesis-only) leaves the
//! others `None`, and they are masked out of the loss.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Number of targets.
pub const N_TARGETS: usize = 11;
/// One value per target, in [`Target::ALL`] order.
pub type Estimate = [f64; N_TARGETS];
/// Labels of one row; `None` where the source has no such label (it is masked out of the loss).
pub type Labels = [Option<f64>; N_TARGETS];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target {
    #[serde(rename = "csynth.lut")]
    CsynthLut,
    #[serde(rename = "csynth.ff")]
    CsynthFf,
    #[serde(rename = "csynth.dsp")]
    CsynthDsp,
    #[serde(rename = "csynth.bram_18k")]
    CsynthBram18k,
    #[serde(rename = "post_synthesis.lut")]
    PostLut,
    #[serde(rename = "post_synthesis.ff")]
    PostFf,
    #[serde(rename = "post_synthesis.dsp")]
    PostDsp,
    #[serde(rename = "post_synthesis.bram_18k")]
    PostBram18k,
    #[serde(rename = "latency_best")]
    LatencyBest,
    #[serde(rename = "latency_worst")]
    LatencyWorst,
    #[serde(rename = "ii")]
    Ii,
}

impl Target {
    pub const ALL: [Target; N_TARGETS] = [
        Target::CsynthLut,
        Target::CsynthFf,
        Target::CsynthDsp,
        Target::CsynthBram18k,
        Target::PostLut,
        Target::PostFf,
        Target::PostDsp,
        Target::PostBram18k,
        Target::LatencyBest,
        Target::LatencyWorst,
        Target::Ii,
    ];
    /// Stable field name used in JSON and tables (the estimator's evaluation names).
    pub fn name(self) -> &'static str {
        match self {
            Target::CsynthLut => "csynth.lut",
            Target::CsynthFf => "csynth.ff",
            Target::CsynthDsp => "csynth.dsp",
            Target::CsynthBram18k => "csynth.bram_18k",
            Target::PostLut => "post_synthesis.lut",
            Target::PostFf => "post_synthesis.ff",
            Target::PostDsp => "post_synthesis.dsp",
            Target::PostBram18k => "post_synthesis.bram_18k",
            Target::LatencyBest => "latency_best",
            Target::LatencyWorst => "latency_worst",
            Target::Ii => "ii",
        }
    }
    /// Index in [`Target::ALL`].
    pub fn index(self) -> usize {
        Target::ALL
            .iter()
            .position(|t| *t == self)
            .expect("every target is in ALL")
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the network learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A correction of the analytic model in log space.
    Hybrid,
    /// The label itself in log space.
    Pure,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Hybrid => "hybrid",
            Mode::Pure => "pure",
        })
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "hybrid" => Ok(Mode::Hybrid),
            "pure" => Ok(Mode::Pure),
            _ => Err(format!("unknown mode '{s}' (expected hybrid or pure)")),
        }
    }
}

/// `ln(1 + max(x, 0))`.
pub fn log1p(x: f64) -> f64 {
    x.max(0.0).ln_1p()
}

/// The log-space offset a mode adds back at prediction: `ln(analytic+1)` for hybrid, 0 for pure.
pub fn base(mode: Mode, analytic: Option<&Estimate>) -> [f64; N_TARGETS] {
    match (mode, analytic) {
        (Mode::Hybrid, Some(a)) => a.map(log1p),
        _ => [0.0; N_TARGETS],
    }
}

/// The training target in log space for one label: `ln(y+1) − base`.
pub fn to_target(label: f64, base: f64) -> f64 {
    log1p(label) - base
}

/// Back from log space: `exp(t + base) − 1`, never negative, rounded to a whole count (every
/// target counts something: LUTs, FFs, DSP slices, 18K BRAM blocks, clock cycles). Rounding also
/// keeps a zero label zero when the model's correction is a small fraction of a unit.
pub fn from_target(t: f64, base: f64) -> f64 {
    (t + base).exp_m1().max(0.0).round()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hybrid_round_trip_and_zero_labels() {
        let a = [100.0, 50.0, 0.0, 1.5, 90.0, 40.0, 0.0, 3.0, 10.0, 12.0, 1.0];
        let b = base(Mode::Hybrid, Some(&a));
        for (i, y) in [120.0, 0.0, 0.0, 2.5, 80.0, 41.0, 2.0, 3.0, 9.0, 9.0, 1.0]
            .iter()
            .enumerate()
        {
            let t = to_target(*y, b[i]);
            assert!(t.is_finite());
            assert_eq!(from_target(t, b[i]), y.round());
        }
        // When the analytic model is exact, the hybrid target is 0.
        assert_eq!(to_target(100.0, b[0]), 0.0);
        assert_eq!(base(Mode::Pure, Some(&a)), [0.0; N_TARGETS]);
        assert_eq!(from_target(-5.0, 0.0), 0.0);
        // A small correction on a zero label stays zero: ln(1.4) ~ 0.336 -> 0.4 -> 0.
        assert_eq!(from_target(0.336, 0.0), 0.0);
    }
}
