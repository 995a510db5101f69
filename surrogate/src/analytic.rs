//! The bridge to the analytic model and its data: turns an `estimator` network estimate into
//! [`AnalyticEstimate`]s (totals and per-layer figures), an `estimator::Device` into
//! [`DeviceInfo`], estimator samples (records made ready for evaluation) into training
//! [`Sample`]s, and offers a trained surrogate or a linfa baseline as an
//! `estimator::evaluate::Predictor`, so that `presynth evaluate` scores every estimator the
//! same way.

use crate::baselines::FittedBaseline;
use crate::ensemble::Ensemble;
use crate::error::SurrogateError;
use crate::features::{extract, AnalyticEstimate, DeviceInfo};
use crate::targets::{Estimate, Labels, Target, N_TARGETS};
use crate::train::Sample;
use estimator::evaluate::{Prediction as EvalPrediction, Predictor};
use estimator::layers::LayerEstimate;
use estimator::network::NetworkEstimate;
use estimator::samples::Sample as EvalSample;
use estimator::{Calibration, Device, LabelKind, Resources};
use record::Family;
use std::collections::HashMap;

fn put_resources(e: &mut Estimate, first: Target, r: &Resources) {
    let i = first.index();
    e[i..i + 4].copy_from_slice(&[r.lut, r.ff, r.dsp, r.bram_18k]);
}

fn layer_figures(l: &LayerEstimate) -> Estimate {
    let mut e = [0.0; N_TARGETS];
    put_resources(&mut e, Target::CsynthLut, &l.csynth);
    put_resources(&mut e, Target::PostLut, &l.post_synthesis);
    e[Target::LatencyBest.index()] = l.latency_best as f64;
    e[Target::LatencyWorst.index()] = l.latency_worst as f64;
    e[Target::Ii.index()] = l.ii as f64;
    e
}

/// The analytic totals and per-layer figures of a network estimate.
pub fn from_network_estimate(est: &NetworkEstimate) -> AnalyticEstimate {
    let mut total = [0.0; N_TARGETS];
    put_resources(
        &mut total,
        Target::CsynthLut,
        &est.resources(LabelKind::Csynth),
    );
    put_resources(&mut total, Target::PostLut, &est.post_synthesis);
    total[Target::LatencyBest.index()] = est.total.latency_cycles as f64;
    total[Target::LatencyWorst.index()] = est.latency_worst as f64;
    total[Target::Ii.index()] = est.total.ii as f64;
    let per_layer = est
        .layers
        .iter()
        .map(|l| (l.name.clone(), layer_figures(l)))
        .collect();
    AnalyticEstimate { total, per_layer }
}

/// The device features of a part at a clock period.
pub fn device_info(d: &Device, clock_period_ns: f64) -> DeviceInfo {
    DeviceInfo {
        lut: d.capacity.lut,
        ff: d.capacity.ff,
        dsp: d.capacity.dsp,
        bram_18k: d.capacity.bram_18k,
        dsp_width: (d.dsp_a_width, d.dsp_b_width),
        clock_period_ns,
    }
}

/// The labels of an evaluation sample in target order.
pub fn labels_of(s: &EvalSample) -> Labels {
    let mut y: Labels = [None; N_TARGETS];
    let l = &s.labels;
    let mut put = |first: Target, r: Option<[f64; 4]>| {
        if let Some(r) = r {
            for (k, v) in r.into_iter().enumerate() {
                y[first.index() + k] = Some(v);
            }
        }
    };
    put(Target::CsynthLut, l.csynth);
    put(Target::PostLut, l.post);
    y[Target::LatencyBest.index()] = l.latency_best;
    y[Target::LatencyWorst.index()] = l.latency_worst;
    y[Target::Ii.index()] = l.ii;
    y
}

/// Features and analytic estimate of one evaluation sample.
pub fn featurise(
    s: &EvalSample,
    calib: &Calibration,
) -> Result<(crate::GraphFeatures, AnalyticEstimate), SurrogateError> {
    let est =
        estimator::estimate(&s.network, &s.device, calib).map_err(|e| SurrogateError::Network {
            network: s.id.clone(),
            message: format!("analytic model: {e}"),
        })?;
    let a = from_network_estimate(&est);
    let f = extract(
        &s.network,
        &device_info(&s.device, s.network.config.clock_period_ns),
        Some(&a),
    )?;
    Ok((f, a))
}

/// Training samples from evaluation samples: successful runs only (failed runs have no labels).
/// Returns the samples and one message per sample left out.
pub fn training_samples(samples: &[EvalSample], calib: &Calibration) -> (Vec<Sample>, Vec<String>) {
    let (mut out, mut skipped) = (Vec::new(), Vec::new());
    for s in samples.iter().filter(|s| s.success) {
        let labels = labels_of(s);
        if labels.iter().all(|l| l.is_none()) {
            skipped.push(format!("{}: no labels", s.id));
            continue;
        }
        match featurise(s, calib) {
            Ok((features, a)) => out.push(Sample {
                id: s.id.clone(),
                architecture: s.architecture.clone(),
                family: Family::of(&s.network).as_str().to_string(),
                features,
                analytic: Some(a.total),
                labels,
            }),
            Err(e) => skipped.push(e.to_string()),
        }
    }
    (out, skipped)
}

/// Predictions computed up front in batches, served by sample id.
pub struct Precomputed {
    name: String,
    by_id: HashMap<String, Result<EvalPrediction, String>>,
}

fn to_eval(mean: &Estimate, will_synthesise: bool) -> EvalPrediction {
    let r = |first: Target| {
        let i = first.index();
        [mean[i], mean[i + 1], mean[i + 2], mean[i + 3]]
    };
    EvalPrediction {
        csynth: r(Target::CsynthLut),
        post: r(Target::PostLut),
        latency_best: mean[Target::LatencyBest.index()],
        latency_worst: mean[Target::LatencyWorst.index()],
        ii: mean[Target::Ii.index()],
        will_synthesise,
    }
}

impl Precomputed {
    /// Run `predict` on the featurised samples (in one batch call) and keep the analytic
    /// model's will-it-synthesise verdict.
    fn build(
        name: String,
        samples: &[EvalSample],
        calib: &Calibration,
        predict: impl FnOnce(
            &[(&crate::GraphFeatures, Option<&Estimate>)],
        ) -> Result<Vec<Estimate>, SurrogateError>,
    ) -> Result<Self, SurrogateError> {
        let mut by_id = HashMap::new();
        let mut ok = Vec::new();
        for s in samples {
            match featurise(s, calib) {
                Ok((f, a)) => {
                    let synth = estimator::estimate(&s.network, &s.device, calib)
                        .map(|e| e.will_synthesise)
                        .unwrap_or(true);
                    ok.push((s.id.clone(), f, a.total, synth));
                }
                Err(e) => {
                    by_id.insert(s.id.clone(), Err(e.to_string()));
                }
            }
        }
        let items: Vec<_> = ok.iter().map(|(_, f, a, _)| (f, Some(a))).collect();
        let preds = predict(&items)?;
        for ((id, _, _, synth), p) in ok.iter().zip(preds) {
            by_id.insert(id.clone(), Ok(to_eval(&p, *synth)));
        }
        Ok(Precomputed { name, by_id })
    }

    /// A trained surrogate as a predictor of `samples`.
    pub fn surrogate(
        name: &str,
        model: &Ensemble,
        samples: &[EvalSample],
        calib: &Calibration,
    ) -> Result<Self, SurrogateError> {
        Self::build(name.to_string(), samples, calib, |items| {
            Ok(model
                .predict(items, 1024)?
                .into_iter()
                .map(|p| p.mean)
                .collect())
        })
    }

    /// A fitted linfa baseline as a predictor of `samples`.
    pub fn baseline(
        name: &str,
        model: &FittedBaseline,
        samples: &[EvalSample],
        calib: &Calibration,
    ) -> Result<Self, SurrogateError> {
        Self::build(name.to_string(), samples, calib, |items| {
            model.predict(items)
        })
    }
}

impl Predictor for Precomputed {
    fn name(&self) -> &str {
        &self.name
    }
    fn predict(&self, sample: &EvalSample) -> Result<EvalPrediction, String> {
        self.by_id
            .get(&sample.id)
            .cloned()
            .unwrap_or_else(|| Err(format!("{}: not among the precomputed samples", sample.id)))
    }
}
