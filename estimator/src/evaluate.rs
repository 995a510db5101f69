//! Accuracy of an estimator on labelled samples: per target (label kind × quantity) the
//! predicted and true values, their metrics, and the synthesise / will-not-synthesise
//! classification of failed runs. The [`Predictor`] trait lets another estimator (the
//! surrogate) be evaluated the same way.

use crate::calibration::{Calibration, LabelKind};
use crate::metrics::{self, Metrics};
use crate::network::NetworkEstimate;
use crate::samples::Sample;
use serde::Serialize;

/// What an evaluated estimator predicts for one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// csynth lut, ff, dsp, bram_18k.
    pub csynth: [f64; 4],
    /// post-synthesis lut, ff, dsp, bram_18k.
    pub post: [f64; 4],
    pub latency_best: f64,
    pub latency_worst: f64,
    pub ii: f64,
    pub will_synthesise: bool,
}

impl From<&NetworkEstimate> for Prediction {
    fn from(e: &NetworkEstimate) -> Self {
        let c = e.resources(LabelKind::Csynth);
        let p = e.post_synthesis;
        Prediction {
            csynth: [c.lut, c.ff, c.dsp, c.bram_18k],
            post: [p.lut, p.ff, p.dsp, p.bram_18k],
            latency_best: e.total.latency_cycles as f64,
            latency_worst: e.latency_worst as f64,
            ii: e.total.ii as f64,
            will_synthesise: e.will_synthesise,
        }
    }
}

/// An estimator that can be evaluated.
pub trait Predictor: Sync {
    fn name(&self) -> &str;
    fn predict(&self, sample: &Sample) -> Result<Prediction, String>;
}

/// The analytic model with a calibration.
pub struct Analytic<'a> {
    pub calib: &'a Calibration,
}

impl Predictor for Analytic<'_> {
    fn name(&self) -> &str {
        "analytic"
    }
    fn predict(&self, s: &Sample) -> Result<Prediction, String> {
        crate::network::estimate(&s.network, &s.device, self.calib)
            .map(|e| Prediction::from(&e))
            .map_err(|e| format!("{}: {e}", s.id))
    }
}

/// The predicted and true values of one target, with its metrics.
#[derive(Debug, Clone, Serialize)]
pub struct TargetResult {
    /// e.g. `csynth.lut`, `post_synthesis.bram_18k`, `latency_best`, `ii`.
    pub target: String,
    /// The network family of the rows (`dense`, `conv2d`, ...).
    pub family: String,
    /// The strategy the rows used (`Latency`, `Resource`, or `all`).
    pub strategy: String,
    pub metrics: Metrics,
    #[serde(skip)]
    pub pred: Vec<f64>,
    #[serde(skip)]
    pub truth: Vec<f64>,
    /// Sample ids, parallel to `pred` and `truth`.
    #[serde(skip)]
    pub ids: Vec<String>,
}

/// The will-it-synthesise classification.
#[derive(Debug, Clone, Copy, Serialize, Default)]
pub struct SynthClassification {
    pub true_ok: usize,
    pub true_fail: usize,
    pub predicted_fail_but_ok: usize,
    pub predicted_ok_but_failed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub estimator: String,
    pub rows: usize,
    pub failed_predictions: Vec<String>,
    pub targets: Vec<TargetResult>,
    pub synthesis: SynthClassification,
}

const RES: [&str; 4] = ["lut", "ff", "dsp", "bram_18k"];

/// Evaluate on every sample, grouped by target, network family and strategy.
pub fn evaluate(predictor: &dyn Predictor, samples: &[Sample]) -> Evaluation {
    use rayon::prelude::*;
    let preds: Vec<Result<Prediction, String>> =
        samples.par_iter().map(|s| predictor.predict(s)).collect();
    let mut failed = Vec::new();
    let mut synthesis = SynthClassification::default();
    // (target, family, strategy) → (pred, truth, ids)
    type Acc = (Vec<f64>, Vec<f64>, Vec<String>);
    let mut acc: std::collections::BTreeMap<(String, String, String), Acc> = Default::default();
    for (s, p) in samples.iter().zip(preds) {
        let p = match p {
            Ok(p) => p,
            Err(e) => {
                failed.push(e);
                continue;
            }
        };
        match (s.success, p.will_synthesise) {
            (true, true) => synthesis.true_ok += 1,
            (false, false) => synthesis.true_fail += 1,
            (true, false) => synthesis.predicted_fail_but_ok += 1,
            (false, true) => synthesis.predicted_ok_but_failed += 1,
        }
        if !s.success {
            continue;
        }
        let strat = s.network.config.strategy.to_string();
        let mut push = |t: String, pv: f64, tv: f64| {
            let e = acc.entry((t, s.family.clone(), strat.clone())).or_default();
            e.0.push(pv);
            e.1.push(tv);
            e.2.push(s.id.clone());
        };
        if let Some(c) = s.labels.csynth {
            for i in 0..4 {
                push(format!("csynth.{}", RES[i]), p.csynth[i], c[i]);
            }
        }
        if let Some(c) = s.labels.post {
            for i in 0..4 {
                push(format!("post_synthesis.{}", RES[i]), p.post[i], c[i]);
            }
        }
        if let Some(v) = s.labels.latency_best {
            push("latency_best".into(), p.latency_best, v);
        }
        if let Some(v) = s.labels.latency_worst {
            push("latency_worst".into(), p.latency_worst, v);
        }
        if let Some(v) = s.labels.ii {
            push("ii".into(), p.ii, v);
        }
    }
    let targets = acc
        .into_iter()
        .map(
            |((target, family, strategy), (pred, truth, ids))| TargetResult {
                metrics: metrics::compute(&pred, &truth),
                target,
                family,
                strategy,
                pred,
                truth,
                ids,
            },
        )
        .collect();
    Evaluation {
        estimator: predictor.name().to_string(),
        rows: samples.len(),
        failed_predictions: failed,
        targets,
        synthesis,
    }
}
