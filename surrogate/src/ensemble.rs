//! A trained model on disk and in memory: k ensemble members (same architecture, different
//! seeds), each a safetensors file, plus `model.json` with the version, architecture, mode,
//! sizes, feature normalisation, target standardisation and a training summary. Prediction
//! averages the members in log space; their spread gives an interval.

use crate::batch::{Batch, Normalizer};
use crate::error::SurrogateError;
use crate::features::{GraphFeatures, GRAPH_FEATURES, NODE_FEATURES};
use crate::model::{build, Arch, Hyper, Net};
use crate::targets::{base, from_target, Estimate, Mode, Target, N_TARGETS};
use crate::train::TrainConfig;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tch::{nn, Device, Kind};

/// The `format` field of model.json.
pub const FORMAT: &str = "presynth-surrogate";
/// The `format_version` this build reads and writes (2: per-group, per-target gates replace
/// version 1's dead bands).
pub const FORMAT_VERSION: u32 = 2;
/// Name of the JSON file in a model directory.
pub const META_FILE: &str = "model.json";

/// Why one member's training ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// It ran every epoch asked for (`--epochs`).
    EpochLimit,
    /// The validation loss had not improved for `--patience` epochs (early stopping).
    Patience,
    /// The training loss became NaN or infinite (a learning rate too high, or bad labels); the
    /// member keeps its best weights from before.
    NonFiniteLoss,
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopReason::EpochLimit => "epoch limit",
            StopReason::Patience => "no improvement (patience)",
            StopReason::NonFiniteLoss => "loss not finite",
        })
    }
}

/// How the model was trained (for people reading model.json, and the accuracy note).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    pub rows: usize,
    /// Rows each member trained on (its own split by architecture).
    pub train_rows: Vec<usize>,
    /// Rows held out by at least one member (the out-of-fold rows the gates were fitted on).
    pub val_rows: usize,
    /// Architectures held out by at least one member.
    pub val_architectures: Vec<String>,
    /// Per member: epochs run, best epoch (0-based), best validation (or training) loss.
    pub epochs: Vec<usize>,
    pub best_epoch: Vec<usize>,
    pub best_loss: Vec<f64>,
    pub first_train_loss: Vec<f64>,
    pub last_train_loss: Vec<f64>,
    /// Per member: why its training ended (absent in models saved before it was recorded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stopped: Vec<StopReason>,
    /// The command and data that produced the model, when the CLI trained it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// The contents of model.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    pub format: String,
    pub format_version: u32,
    pub presynth_version: String,
    pub arch: Arch,
    pub mode: Mode,
    pub hyper: Hyper,
    pub seeds: Vec<u64>,
    /// One safetensors file per member, relative to the model directory.
    pub member_files: Vec<String>,
    pub node_features: Vec<String>,
    pub graph_features: Vec<String>,
    pub normalizer: Normalizer,
    pub targets: Vec<Target>,
    /// Mean and standard deviation of the log-space training targets.
    pub target_mean: Vec<f64>,
    pub target_std: Vec<f64>,
    /// Hybrid only: per gate group ([`GATE_GROUPS`]) and target, how much of the learned
    /// correction to apply (see [`Gate`]), fitted on out-of-fold rows; empty for pure models.
    #[serde(default)]
    pub gates: std::collections::BTreeMap<String, Vec<Gate>>,
    /// The [`coverage_key`]s (family/strategy/io_type) of the training rows. A hybrid model
    /// gives the analytic figures for a network outside them (it learned nothing about it); a
    /// pure model's prediction for one is flagged as an extrapolation.
    #[serde(default)]
    pub coverage: Vec<String>,
    /// Hybrid only: per gate group ([`GATE_GROUPS`]) and target, the out-of-fold residual
    /// spread of the gated prediction in log space, and under [`ANALYTIC_RESIDUAL`] that of the
    /// analytic figures over all out-of-fold rows ([`crate::interval`]); empty in models saved
    /// before it was recorded.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub residual: std::collections::BTreeMap<String, Vec<f64>>,
    /// The training rows' normalised graph features, for the distance of a network to them
    /// ([`crate::interval::Support`]); absent in models saved before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<crate::interval::Support>,
    pub training: TrainingSummary,
}

/// The [`ModelMeta::residual`] key of the analytic figures' own out-of-fold spread (what a
/// network outside the coverage, or a group without enough out-of-fold rows, is priced with).
pub const ANALYTIC_RESIDUAL: &str = "analytic";

impl ModelMeta {
    pub(crate) fn new(
        cfg: &TrainConfig,
        normalizer: Normalizer,
        target_mean: Vec<f64>,
        target_std: Vec<f64>,
        seeds: Vec<u64>,
        training: TrainingSummary,
    ) -> Self {
        ModelMeta {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            presynth_version: env!("CARGO_PKG_VERSION").into(),
            arch: cfg.arch,
            mode: cfg.mode,
            hyper: cfg.hyper,
            member_files: (0..seeds.len())
                .map(|i| format!("member-{i}.safetensors"))
                .collect(),
            seeds,
            node_features: NODE_FEATURES.iter().map(|s| s.to_string()).collect(),
            graph_features: GRAPH_FEATURES.iter().map(|s| s.to_string()).collect(),
            normalizer,
            targets: Target::ALL.to_vec(),
            target_mean,
            target_std,
            gates: Default::default(),
            coverage: Vec::new(),
            residual: Default::default(),
            support: None,
            training,
        }
    }

    fn check(&self, path: &Path) -> Result<(), SurrogateError> {
        let bad = |message: String| {
            Err(SurrogateError::Model {
                path: path.to_path_buf(),
                message,
            })
        };
        if self.format != FORMAT {
            return bad(format!("format is '{}', expected '{FORMAT}'", self.format));
        }
        if self.format_version != FORMAT_VERSION {
            return bad(format!(
                "format_version is {}, this build reads {FORMAT_VERSION}: retrain the model",
                self.format_version
            ));
        }
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        if self.node_features != names(NODE_FEATURES)
            || self.graph_features != names(GRAPH_FEATURES)
            || !self.normalizer.matches_feature_set()
        {
            return bad("the feature set differs from this build's: retrain the model".into());
        }
        if self.targets != Target::ALL
            || self.target_mean.len() != N_TARGETS
            || self.target_std.len() != N_TARGETS
        {
            return bad(format!(
                "targets must be {:?} with a mean and std each",
                Target::ALL
            ));
        }
        if !self.gates.is_empty()
            && (!GATE_GROUPS.iter().all(|g| self.gates.contains_key(*g))
                || self.gates.len() != GATE_GROUPS.len()
                || self.gates.values().any(|v| v.len() != N_TARGETS))
        {
            return bad(format!(
                "gates must be empty or have the groups {GATE_GROUPS:?} with {N_TARGETS} gates each"
            ));
        }
        if let Some(g) = self
            .gates
            .values()
            .flatten()
            .find(|g| !(0.0..=1.0).contains(&g.scale) || !(0.0..=f64::MAX).contains(&g.band))
        {
            return bad(format!(
                "gate {{band: {}, scale: {}}}: expected band >= 0 and scale in [0, 1]",
                g.band, g.scale
            ));
        }
        if let Some((k, v)) = self.residual.iter().find(|(k, v)| {
            !(GATE_GROUPS.contains(&k.as_str()) || k.as_str() == ANALYTIC_RESIDUAL)
                || v.len() != N_TARGETS
                || v.iter().any(|r| !(r.is_finite() && *r >= 0.0))
        }) {
            return bad(format!(
                "residual '{k}' {v:?}: expected a gate group or '{ANALYTIC_RESIDUAL}' with {N_TARGETS} finite spreads >= 0"
            ));
        }
        if let Some(s) = &self.support {
            if !(s.reference.is_finite() && s.reference >= 0.0)
                || s.rows.iter().any(|r| r.len() != GRAPH_FEATURES.len())
            {
                return bad(format!(
                    "support: expected a finite reference >= 0 and rows of {} graph features",
                    GRAPH_FEATURES.len()
                ));
            }
        }
        if self.member_files.is_empty() || self.member_files.len() != self.seeds.len() {
            return bad("member_files must list one file per seed (at least one)".into());
        }
        self.hyper
            .validate(self.arch)
            .or_else(|e| bad(e.to_string()))
    }
}

/// One trained network.
pub struct Member {
    pub seed: u64,
    pub vs: nn::VarStore,
    pub net: Box<dyn Net>,
}

/// A prediction with its interval: `mean` is `exp(μ)−1` of the members' mean log value μ
/// (through the gate), `low`/`high` are `exp(μ ∓ w)−1` with w the half-width of
/// [`crate::interval`]: the members' spread where the correction applies, and the out-of-fold
/// residual spread widened with the distance to the training rows (never 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    pub mean: Estimate,
    pub low: Estimate,
    pub high: Estimate,
    pub log_spread: Estimate,
    /// The distance factor on the residual spread, `1 + ln(max(1, distance / reference))`
    /// ([`crate::interval::Support::factor`]).
    pub distance_factor: f64,
    /// Whether the network's family/strategy/io_type was among the training rows'
    /// ([`ModelMeta::coverage`]); a hybrid prediction outside it is the analytic figure.
    pub covered: bool,
}

/// A trained surrogate: metadata plus members.
pub struct Ensemble {
    pub meta: ModelMeta,
    members: Vec<Member>,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SurrogateError + '_ {
    move |source| SurrogateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Ensemble {
    pub(crate) fn from_parts(meta: ModelMeta, members: Vec<Member>) -> Self {
        Ensemble { meta, members }
    }

    pub fn members(&self) -> usize {
        self.members.len()
    }

    /// Write the model directory atomically: a temporary sibling directory is filled, then
    /// renamed over `dir`. An existing model there is replaced; any other existing path is an
    /// error.
    pub fn save(&self, dir: &Path) -> Result<(), SurrogateError> {
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        // Only ever replace a previous model: never a directory that holds something else.
        if dir.exists() && !dir.join(META_FILE).is_file() {
            return Err(SurrogateError::File {
                path: dir.to_path_buf(),
                message: format!(
                    "exists and is not a model directory (no {META_FILE}): not replacing it"
                ),
            });
        }
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("model");
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(io_err(&tmp))?;
        }
        std::fs::create_dir(&tmp).map_err(io_err(&tmp))?;
        for (m, file) in self.members.iter().zip(&self.meta.member_files) {
            m.vs.save(tmp.join(file))?;
        }
        let json = serde_json::to_string_pretty(&self.meta).expect("model metadata serialises");
        let meta_path = tmp.join(META_FILE);
        std::fs::write(&meta_path, json + "\n").map_err(io_err(&meta_path))?;
        if dir.exists() {
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(dir, &old).map_err(io_err(dir))?;
            std::fs::rename(&tmp, dir).map_err(io_err(dir))?;
            std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
        } else {
            std::fs::rename(&tmp, dir).map_err(io_err(dir))?;
        }
        Ok(())
    }

    /// Read a model directory written by [`Ensemble::save`], onto `device`.
    pub fn load(dir: &Path, device: Device) -> Result<Ensemble, SurrogateError> {
        let meta_path = dir.join(META_FILE);
        let text = std::fs::read_to_string(&meta_path).map_err(io_err(&meta_path))?;
        let meta: ModelMeta = serde_json::from_str(&text).map_err(|e| SurrogateError::Model {
            path: meta_path.clone(),
            message: format!("line {}: {e}", e.line()),
        })?;
        meta.check(&meta_path)?;
        let mut members = Vec::new();
        for (file, &seed) in meta.member_files.iter().zip(&meta.seeds) {
            let path = dir.join(file);
            let mut vs = nn::VarStore::new(device);
            let net = build(&vs.root(), meta.arch, &meta.hyper)?;
            vs.load(&path).map_err(|e| SurrogateError::Model {
                path: path.clone(),
                message: e.to_string(),
            })?;
            // A NaN or infinite weight makes every prediction NaN, which the gate then turned
            // into 0 silently: refuse the file instead.
            let mut names: Vec<(String, tch::Tensor)> = vs.variables().into_iter().collect();
            names.sort_by(|a, b| a.0.cmp(&b.0));
            for (name, t) in names {
                if t.isfinite().all().int64_value(&[]) == 0 {
                    return Err(SurrogateError::Model {
                        path: path.clone(),
                        message: format!(
                            "weight {name} holds NaN or infinite values: the file is corrupt"
                        ),
                    });
                }
            }
            vs.freeze();
            members.push(Member { seed, vs, net });
        }
        Ok(Ensemble { meta, members })
    }

    /// Every member's log-space target (before the mode's base is added back and before the
    /// gate), per item: `out[item][member]`, in batches of `batch_size`.
    pub fn member_logs(
        &self,
        items: &[(&GraphFeatures, Option<&Estimate>)],
        batch_size: usize,
    ) -> Vec<Vec<Estimate>> {
        let device = self
            .members
            .first()
            .map(|m| m.vs.device())
            .unwrap_or(Device::Cpu);
        let layout = self.meta.arch.layout();
        // Batch graphs of similar size together (less padding for the transformer), then put
        // the results back in the callers' order.
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&i| items[i].0.n_nodes());
        let mut out = vec![Vec::new(); items.len()];
        for chunk in order.chunks(batch_size.max(1)) {
            let feats: Vec<&GraphFeatures> = chunk.iter().map(|&i| items[i].0).collect();
            let batch = Batch::new(&feats, &self.meta.normalizer, layout, device);
            // Per member: [B, N_TARGETS] standardised outputs.
            let outs: Vec<Vec<f32>> = tch::no_grad(|| {
                self.members
                    .iter()
                    .map(|m| {
                        let y = m
                            .net
                            .forward(&batch)
                            .to_device(Device::Cpu)
                            .to_kind(Kind::Float);
                        Vec::<f32>::try_from(&y.view([-1])).expect("float tensor")
                    })
                    .collect()
            });
            for (b, &item) in chunk.iter().enumerate() {
                out[item] = outs
                    .iter()
                    .map(|o| {
                        std::array::from_fn(|j| {
                            o[b * N_TARGETS + j] as f64 * self.meta.target_std[j]
                                + self.meta.target_mean[j]
                        })
                    })
                    .collect();
            }
        }
        out
    }

    /// The members' mean μ and standard deviation σ of the log-space target (before the mode's
    /// base is added back and before the gate), per item.
    pub fn log_moments(
        &self,
        items: &[(&GraphFeatures, Option<&Estimate>)],
        batch_size: usize,
    ) -> Vec<(Estimate, Estimate)> {
        self.member_logs(items, batch_size)
            .iter()
            .map(|logs| moments(logs))
            .collect()
    }

    /// Predict `items` (features and, for hybrid models, the analytic totals), in batches of
    /// `batch_size` graphs. A hybrid correction goes through the target's [`Gate`].
    pub fn predict(
        &self,
        items: &[(&GraphFeatures, Option<&Estimate>)],
        batch_size: usize,
    ) -> Result<Vec<Prediction>, SurrogateError> {
        let mode = self.meta.mode;
        if mode == Mode::Hybrid && items.iter().any(|(_, a)| a.is_none()) {
            return Err(SurrogateError::Data(
                "a hybrid model needs the analytic estimate of every network it predicts".into(),
            ));
        }
        let moments = self.log_moments(items, batch_size);
        Ok(items
            .iter()
            .zip(moments)
            .map(|((features, analytic), (mu, sigma))| {
                let off = base(mode, *analytic);
                let gates = self.meta.gates.get(GATE_GROUPS[gate_group(features)]);
                let covered = self.meta.coverage.is_empty()
                    || self.meta.coverage.contains(&coverage_key(features));
                let factor = self.meta.support.as_ref().map_or(1.0, |s| {
                    s.factor(&crate::interval::normalised(
                        &self.meta.normalizer,
                        features,
                    ))
                });
                let hybrid_outside = mode == Mode::Hybrid && !covered;
                let residual = self.meta.residual.get(if hybrid_outside {
                    ANALYTIC_RESIDUAL
                } else {
                    GATE_GROUPS[gate_group(features)]
                });
                let mut p = Prediction {
                    mean: [0.0; N_TARGETS],
                    low: [0.0; N_TARGETS],
                    high: [0.0; N_TARGETS],
                    log_spread: sigma,
                    distance_factor: factor,
                    covered,
                };
                for j in 0..N_TARGETS {
                    let gate = match (mode, covered) {
                        (Mode::Hybrid, false) => Gate::CLOSED,
                        _ => gates.and_then(|g| g.get(j)).copied().unwrap_or(Gate::OPEN),
                    };
                    let r = residual.and_then(|r| r.get(j)).copied().unwrap_or(0.0);
                    let m = gate.apply(mu[j]);
                    let sd = crate::interval::half_width(gate.scale * sigma[j], r, factor);
                    p.mean[j] = from_target(m, off[j]);
                    p.low[j] = from_target(m - sd, off[j]);
                    p.high[j] = from_target(m + sd, off[j]);
                    p.log_spread[j] = sd;
                }
                p
            })
            .collect())
    }
}

/// Mean and (population) standard deviation, per target, of a set of log-space values.
pub fn moments(logs: &[Estimate]) -> (Estimate, Estimate) {
    let k = logs.len().max(1) as f64;
    let mu: Estimate = std::array::from_fn(|j| logs.iter().map(|l| l[j]).sum::<f64>() / k);
    let sigma = std::array::from_fn(|j| {
        (logs.iter().map(|l| (l[j] - mu[j]).powi(2)).sum::<f64>() / k).sqrt()
    });
    (mu, sigma)
}

/// The groups hybrid gates are fitted for: hls4ml's model-level strategy × io_type, where the
/// analytic model's accuracy differs (its latency and II are exact for Resource io_parallel
/// layers, its Latency-strategy figures are not, io_stream adds FIFOs it prices from priors).
pub const GATE_GROUPS: [&str; 4] = [
    "Latency/io_parallel",
    "Resource/io_parallel",
    "Latency/io_stream",
    "Resource/io_stream",
];

/// Whether a graph-level 0/1 feature of `f` is set.
fn graph_flag(f: &GraphFeatures, name: &str) -> bool {
    GRAPH_FEATURES
        .iter()
        .position(|n| *n == name)
        .and_then(|i| f.graph.get(i))
        .is_some_and(|&v| v > 0.5)
}

/// The [`GATE_GROUPS`] index of a network, from its graph-level `strategy_resource` and
/// `io_stream` flags.
pub fn gate_group(f: &GraphFeatures) -> usize {
    graph_flag(f, "strategy_resource") as usize + 2 * graph_flag(f, "io_stream") as usize
}

/// `family/strategy/io_type` of a network, e.g. `conv2d/Resource/io_stream`: the family is
/// conv2d when a layer is a Conv2D, else conv1d for a Conv1D, else dense (as dataset-tools
/// names families), read from the node kind flags.
pub fn coverage_key(f: &GraphFeatures) -> String {
    let has = |name: &str| {
        NODE_FEATURES
            .iter()
            .position(|n| *n == name)
            .is_some_and(|c| (0..f.n_nodes()).any(|i| f.node(i)[c] > 0.5))
    };
    let family = if has("kind_conv2d") {
        "conv2d"
    } else if has("kind_conv1d") {
        "conv1d"
    } else {
        "dense"
    };
    format!("{family}/{}", GATE_GROUPS[gate_group(f)])
}

/// How much of a hybrid model's log-space correction μ to trust, per group and target: a correction
/// inside `(-band, band)` is dropped (targets the analytic model gets exactly right stay
/// exact), and the rest is shrunk by `scale` (0: the analytic figure stands; 1: the full
/// correction). Fitted on out-of-fold rows, so a target where the learned corrections did not
/// help rows the networks had not seen keeps the analytic figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    pub band: f64,
    pub scale: f64,
}

impl Gate {
    /// The full correction.
    pub const OPEN: Gate = Gate {
        band: 0.0,
        scale: 1.0,
    };

    /// No correction: the analytic figure stands.
    pub const CLOSED: Gate = Gate {
        band: 0.0,
        scale: 0.0,
    };

    pub fn apply(&self, mu: f64) -> f64 {
        if mu.abs() < self.band {
            0.0
        } else {
            self.scale * mu
        }
    }
}
