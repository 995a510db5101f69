//! Training: samples in, an [`Ensemble`] out. The validation split groups rows by architecture
//! (no architecture is in both), the loss is a masked mean squared error on standardised
//! log-space targets (missing labels are masked), the optimiser AdamW; training stops early when
//! the validation loss has not improved for `patience` epochs and keeps the best weights. Each
//! ensemble member gets its own seed (`seed + i`); with the device on CPU and one libtorch
//! thread the result is bit-for-bit repeatable for a seed.

use crate::batch::{rows_tensor, Batch, Normalizer};
use crate::ensemble::{Ensemble, Member, ModelMeta, TrainingSummary};
use crate::error::SurrogateError;
use crate::features::GraphFeatures;
use crate::model::{build, Arch, Hyper};
use crate::netgen::Rng;
use crate::targets::{base, to_target, Estimate, Labels, Mode, N_TARGETS};
use std::collections::BTreeSet;
use tch::nn::{self, OptimizerConfig};
use tch::{Device, Kind, Tensor};

/// One training row.
#[derive(Debug, Clone)]
pub struct Sample {
    pub id: String,
    /// Architecture key: rows with the same key go to the same side of the split.
    pub architecture: String,
    pub family: String,
    pub features: GraphFeatures,
    /// The analytic model's totals (required in hybrid mode).
    pub analytic: Option<Estimate>,
    pub labels: Labels,
}

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub arch: Arch,
    pub mode: Mode,
    pub hyper: Hyper,
    /// Most epochs per member.
    pub epochs: usize,
    /// Stop after this many epochs without a better validation loss.
    pub patience: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub seed: u64,
    /// Ensemble size.
    pub members: usize,
    /// Share of the architectures held out for validation.
    pub val_fraction: f64,
    pub device: Device,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            arch: Arch::Gnn,
            mode: Mode::Hybrid,
            hyper: Hyper::default(),
            epochs: 300,
            patience: 40,
            batch_size: 128,
            learning_rate: 3e-3,
            weight_decay: 1e-4,
            seed: 0,
            members: 1,
            val_fraction: 0.2,
            device: Device::Cpu,
        }
    }
}

/// What the progress callback sees after each epoch.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub member: usize,
    pub members: usize,
    pub epoch: usize,
    pub epochs: usize,
    pub train_loss: f64,
    pub val_loss: Option<f64>,
    pub best_epoch: usize,
}

/// Split sample indices into (train, validation) by architecture: a seeded shuffle of the
/// sorted distinct keys, the first `ceil(fraction × keys)` held out. With fewer than two
/// architectures nothing is held out.
pub fn split_by_architecture(
    samples: &[Sample],
    fraction: f64,
    seed: u64,
) -> (Vec<usize>, Vec<usize>) {
    let keys: BTreeSet<&str> = samples.iter().map(|s| s.architecture.as_str()).collect();
    let mut keys: Vec<&str> = keys.into_iter().collect();
    if keys.len() < 2 || fraction <= 0.0 {
        return ((0..samples.len()).collect(), Vec::new());
    }
    Rng::new(seed).shuffle(&mut keys);
    let n_val = ((keys.len() as f64 * fraction).ceil() as usize).clamp(1, keys.len() - 1);
    let held: BTreeSet<&str> = keys[..n_val].iter().copied().collect();
    let (mut train, mut val) = (Vec::new(), Vec::new());
    for (i, s) in samples.iter().enumerate() {
        if held.contains(s.architecture.as_str()) {
            val.push(i);
        } else {
            train.push(i);
        }
    }
    (train, val)
}

/// Log-space targets of a sample in `mode` (label minus the mode's base), `None` where the label
/// is missing.
fn log_targets(s: &Sample, mode: Mode) -> [Option<f64>; N_TARGETS] {
    let b = base(mode, s.analytic.as_ref());
    let mut t = [None; N_TARGETS];
    for (j, l) in s.labels.iter().enumerate() {
        t[j] = l.map(|y| to_target(y, b[j]));
    }
    t
}

/// Standardised targets and the mask of present labels, for a set of rows.
fn target_tensors(
    samples: &[Sample],
    idx: &[usize],
    mode: Mode,
    mean: &[f64],
    std: &[f64],
    device: Device,
) -> (Tensor, Tensor) {
    let mut y = Vec::with_capacity(idx.len());
    let mut m = Vec::with_capacity(idx.len());
    for &i in idx {
        let t = log_targets(&samples[i], mode);
        let mut yr = [0f32; N_TARGETS];
        let mut mr = [0f32; N_TARGETS];
        for j in 0..N_TARGETS {
            if let Some(v) = t[j] {
                yr[j] = ((v - mean[j]) / std[j]) as f32;
                mr[j] = 1.0;
            }
        }
        y.push(yr);
        m.push(mr);
    }
    (rows_tensor(&y, device), rows_tensor(&m, device))
}

fn masked_mse(pred: &Tensor, y: &Tensor, mask: &Tensor) -> Tensor {
    let se = (pred - y).square() * mask;
    se.sum(Kind::Float) / mask.sum(Kind::Float).clamp_min(1.0)
}

fn check(samples: &[Sample], cfg: &TrainConfig) -> Result<(), SurrogateError> {
    if samples.is_empty() {
        return Err(SurrogateError::Data("no training rows".into()));
    }
    if cfg.members == 0 || cfg.batch_size == 0 || cfg.epochs == 0 {
        return Err(SurrogateError::Setting {
            field: "members/batch_size/epochs".into(),
            message: "must all be positive".into(),
        });
    }
    if cfg.mode == Mode::Hybrid {
        if let Some(s) = samples.iter().find(|s| s.analytic.is_none()) {
            return Err(SurrogateError::Data(format!(
                "row '{}' has no analytic estimate, which hybrid mode needs",
                s.id
            )));
        }
    }
    if let Some(s) = samples
        .iter()
        .find(|s| s.labels.iter().all(|l| l.is_none()))
    {
        return Err(SurrogateError::Data(format!(
            "row '{}' has no label at all",
            s.id
        )));
    }
    cfg.hyper.validate(cfg.arch)
}

/// Mean and standard deviation of each target over the rows that have it (std 1 when constant
/// or absent). In hybrid mode the mean is 0: an output of 0 then means "the analytic figure".
fn target_stats(samples: &[Sample], idx: &[usize], mode: Mode) -> (Vec<f64>, Vec<f64>) {
    let mut mean = vec![0.0; N_TARGETS];
    let mut std = vec![1.0; N_TARGETS];
    for j in 0..N_TARGETS {
        let v: Vec<f64> = idx
            .iter()
            .filter_map(|&i| log_targets(&samples[i], mode)[j])
            .collect();
        if v.is_empty() {
            continue;
        }
        let m = match mode {
            Mode::Pure => v.iter().sum::<f64>() / v.len() as f64,
            Mode::Hybrid => 0.0,
        };
        let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64;
        mean[j] = m;
        std[j] = if var.sqrt() > 1e-6 { var.sqrt() } else { 1.0 };
    }
    (mean, std)
}

/// The best epoch so far: its loss, index and a copy of the weights.
type Best = (f64, usize, Vec<(String, Tensor)>);

/// Train an ensemble on `samples`. `progress` is called after every epoch.
pub fn train(
    samples: &[Sample],
    cfg: &TrainConfig,
    progress: &mut dyn FnMut(Progress),
) -> Result<Ensemble, SurrogateError> {
    check(samples, cfg)?;
    let (train_idx, val_idx) = split_by_architecture(samples, cfg.val_fraction, cfg.seed);
    let train_feats: Vec<&GraphFeatures> =
        train_idx.iter().map(|&i| &samples[i].features).collect();
    let norm = Normalizer::fit(&train_feats);
    let (t_mean, t_std) = target_stats(samples, &train_idx, cfg.mode);
    let layout = cfg.arch.layout();

    let make_batches = |idx: &[usize]| -> Vec<(Batch, Tensor, Tensor)> {
        idx.chunks(cfg.batch_size)
            .map(|chunk| {
                let feats: Vec<&GraphFeatures> =
                    chunk.iter().map(|&i| &samples[i].features).collect();
                let (y, m) = target_tensors(samples, chunk, cfg.mode, &t_mean, &t_std, cfg.device);
                (Batch::new(&feats, &norm, layout, cfg.device), y, m)
            })
            .collect()
    };
    let val_batches = make_batches(&val_idx);

    let mut members = Vec::with_capacity(cfg.members);
    let mut summary = TrainingSummary {
        rows: samples.len(),
        train_rows: train_idx.len(),
        val_rows: val_idx.len(),
        val_architectures: val_idx
            .iter()
            .map(|&i| samples[i].architecture.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        ..Default::default()
    };
    for k in 0..cfg.members {
        let seed = cfg.seed.wrapping_add(k as u64);
        tch::manual_seed(seed as i64);
        let mut vs = nn::VarStore::new(cfg.device);
        let net = build(&vs.root(), cfg.arch, &cfg.hyper)?;
        let mut opt = nn::AdamW {
            wd: cfg.weight_decay,
            ..Default::default()
        }
        .build(&vs, cfg.learning_rate)?;
        let mut rng = Rng::new(seed);
        let mut order = train_idx.clone();
        let mut best: Option<Best> = None;
        let mut epochs_run = 0;
        let mut first_loss = None;
        let mut last_loss = f64::NAN;
        for epoch in 0..cfg.epochs {
            epochs_run = epoch + 1;
            rng.shuffle(&mut order);
            let (mut total, mut count) = (0.0, 0.0);
            for (batch, y, m) in make_batches(&order) {
                let loss = masked_mse(&net.forward(&batch), &y, &m);
                opt.backward_step(&loss);
                let n = m.sum(Kind::Float).double_value(&[]);
                total += loss.double_value(&[]) * n;
                count += n;
            }
            let train_loss = total / count.max(1.0);
            first_loss.get_or_insert(train_loss);
            last_loss = train_loss;
            let val_loss = (!val_batches.is_empty()).then(|| {
                tch::no_grad(|| {
                    let (mut t, mut c) = (0.0, 0.0);
                    for (batch, y, m) in &val_batches {
                        let n = m.sum(Kind::Float).double_value(&[]);
                        t += masked_mse(&net.forward(batch), y, m).double_value(&[]) * n;
                        c += n;
                    }
                    t / f64::max(c, 1.0)
                })
            });
            let score = val_loss.unwrap_or(train_loss);
            if best.as_ref().is_none_or(|(b, _, _)| score < *b) {
                let snap = tch::no_grad(|| {
                    vs.variables()
                        .into_iter()
                        .map(|(n, t)| (n, t.detach().copy()))
                        .collect()
                });
                best = Some((score, epoch, snap));
            }
            let best_epoch = best.as_ref().map(|b| b.1).unwrap_or(0);
            progress(Progress {
                member: k,
                members: cfg.members,
                epoch,
                epochs: cfg.epochs,
                train_loss,
                val_loss,
                best_epoch,
            });
            if epoch - best_epoch >= cfg.patience {
                break;
            }
        }
        let (best_loss, best_epoch, snap) = best.expect("at least one epoch ran");
        tch::no_grad(|| {
            let vars = vs.variables();
            for (name, t) in &snap {
                vars[name].shallow_clone().copy_(t);
            }
        });
        vs.freeze();
        summary.epochs.push(epochs_run);
        summary.best_epoch.push(best_epoch);
        summary.best_loss.push(best_loss);
        summary
            .first_train_loss
            .push(first_loss.unwrap_or(f64::NAN));
        summary.last_train_loss.push(last_loss);
        members.push(Member { seed, vs, net });
    }
    let meta = ModelMeta::new(
        cfg,
        norm,
        t_mean,
        t_std,
        members.iter().map(|m| m.seed).collect(),
        summary,
    );
    let mut model = Ensemble::from_parts(meta, members);
    if cfg.mode == Mode::Hybrid && !val_idx.is_empty() {
        model.meta.dead_band = fit_dead_band(&model, samples, &val_idx, cfg.batch_size);
    }
    Ok(model)
}

/// Candidate dead bands (log space: 0.5 %, 1 %, 2 %, 5 % ... of the analytic figure).
const DEAD_BANDS: [f64; 7] = [0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2];

/// Per target, the dead band that minimises the mean |ln(pred+1) − ln(y+1)| on the validation
/// rows (ties go to the smaller band).
fn fit_dead_band(model: &Ensemble, samples: &[Sample], val: &[usize], batch: usize) -> Vec<f64> {
    let items: Vec<_> = val
        .iter()
        .map(|&i| (&samples[i].features, samples[i].analytic.as_ref()))
        .collect();
    let moments = model.log_moments(&items, batch);
    (0..N_TARGETS)
        .map(|j| {
            let err = |band: f64| -> f64 {
                let (mut e, mut n) = (0.0, 0.0);
                for (&i, (mu, _)) in val.iter().zip(&moments) {
                    if let Some(y) = samples[i].labels[j] {
                        let b = base(Mode::Hybrid, samples[i].analytic.as_ref())[j];
                        let pred = crate::targets::from_target(
                            crate::ensemble::apply_dead_band(mu[j], Some(band)),
                            b,
                        );
                        e += (pred.ln_1p() - y.max(0.0).ln_1p()).abs();
                        n += 1.0;
                    }
                }
                if n > 0.0 {
                    e / n
                } else {
                    0.0
                }
            };
            let mut best = (err(0.0), 0.0);
            for band in &DEAD_BANDS[1..] {
                let e = err(*band);
                if e < best.0 - 1e-12 {
                    best = (e, *band);
                }
            }
            best.1
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(arch: &str) -> Sample {
        Sample {
            id: arch.into(),
            architecture: arch.into(),
            family: "dense".into(),
            features: GraphFeatures {
                nodes: vec![],
                edges: vec![],
                depth: vec![],
                graph: vec![],
            },
            analytic: None,
            labels: [Some(1.0); N_TARGETS],
        }
    }

    #[test]
    fn split_keeps_architectures_apart() {
        let samples: Vec<Sample> = ["a", "b", "a", "c", "d", "b", "e"]
            .iter()
            .map(|a| sample(a))
            .collect();
        let (train, val) = split_by_architecture(&samples, 0.2, 3);
        assert_eq!(train.len() + val.len(), samples.len());
        let archs = |idx: &[usize]| -> BTreeSet<&str> {
            idx.iter()
                .map(|&i| samples[i].architecture.as_str())
                .collect()
        };
        assert!(archs(&train).is_disjoint(&archs(&val)));
        // ceil(0.2 * 5 architectures) = 1 held out.
        assert_eq!(archs(&val).len(), 1);
        // Same seed, same split.
        assert_eq!(split_by_architecture(&samples, 0.2, 3), (train, val));
        // One architecture: nothing to hold out.
        let one: Vec<Sample> = ["a", "a"].iter().map(|a| sample(a)).collect();
        assert_eq!(split_by_architecture(&one, 0.2, 3).1.len(), 0);
    }

    #[test]
    fn hybrid_needs_analytic() {
        let cfg = TrainConfig::default();
        let err = check(&[sample("a")], &cfg).unwrap_err();
        assert!(err.to_string().contains("analytic"), "{err}");
    }
}
