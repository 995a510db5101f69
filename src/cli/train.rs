//! `presynth train`: the command-line arguments of surrogate training, and the estimator
//! choices of `estimate`. The work itself (libtorch, linfa) lives in `crate::ml`, which the
//! `presynth-ml` binary links; the lean `presynth` binary hands these commands over to it.

use super::common::Format;
use std::path::PathBuf;

/// The `--device` choice.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceArg {
    Cpu,
    Cuda,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth train --data data --arch gnn --mode hybrid -o my-model\n  \
presynth train --data data --arch transformer --mode pure --epochs 100 --seed 3 -o tf-pure\n  \
presynth train --data data --exclude-heldout --members 5 -o models/heldout-gnn\n\n\
The model directory holds one safetensors file per ensemble member and model.json (version,\n\
architecture, mode, feature normalisation, training summary). Use it with\n\
`presynth evaluate DATA --estimator hybrid --model DIR` or `presynth estimate MODEL --estimator hybrid --surrogate DIR`.\n\
Training on CPU is deterministic for a seed."
)]
pub struct Args {
    /// Data: directories or files of the shared CSVs, or dataset JSONL files
    #[arg(long, required = true, num_args = 1..)]
    pub data: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ArchArg::Gnn)]
    pub arch: ArchArg,
    #[arg(long, value_enum, default_value_t = ModeArg::Hybrid)]
    pub mode: ModeArg,
    /// Most epochs per ensemble member (training stops earlier when validation stalls)
    #[arg(long, default_value_t = 300)]
    pub epochs: usize,
    /// Epochs without a better validation loss before stopping
    #[arg(long, default_value_t = 40)]
    pub patience: usize,
    /// Seed of the first member (member i uses seed + i)
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Ensemble size
    #[arg(long, default_value_t = 5)]
    pub members: usize,
    /// Hidden size of the network
    #[arg(long, default_value_t = 64)]
    pub hidden: i64,
    /// Message-passing layers (GNN) or encoder blocks (transformer)
    #[arg(long, default_value_t = 3)]
    pub layers: i64,
    #[arg(long, default_value_t = 128)]
    pub batch_size: usize,
    #[arg(long, default_value_t = 3e-3)]
    pub learning_rate: f64,
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,
    /// Leave out the architectures the analytic calibration held out (to evaluate on them)
    #[arg(long)]
    pub exclude_heldout: bool,
    /// Calibration of the analytic model (default: the bundled one)
    #[arg(long)]
    pub calibration: Option<PathBuf>,
    /// Output model directory (written atomically)
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchArg {
    Gnn,
    Transformer,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeArg {
    Hybrid,
    Pure,
}

/// `presynth estimate --estimator ...`: the analytic model alone, or a surrogate on top of it.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EstimateWith {
    /// The calibrated analytic model
    #[default]
    Analytic,
    /// A hybrid surrogate: analytic estimate + learned correction (default model: models/default)
    Hybrid,
    /// A pure surrogate (--surrogate DIR)
    Pure,
    /// A GNN surrogate (--surrogate DIR, default: models/default)
    Gnn,
    /// A transformer surrogate (--surrogate DIR)
    Transformer,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    crate::ml::train(args)
}
