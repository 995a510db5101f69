//! The `presynth` binary's stand-in for `crate::ml` (src/ml/mod.rs): the surrogate commands
//! need libtorch, which only `presynth-ml` links, so this module re-runs the same command line
//! in `presynth-ml` (found beside this executable, or on PATH) and exits with its status.

use crate::cli::train::{Args, EstimateWith};
use anyhow::{bail, Context};
use estimator::evaluate::Predictor;
use estimator::samples::Sample as EvalSample;
use estimator::Calibration;
use std::path::{Path, PathBuf};
use std::process::Command;

const ML_BIN: &str = "presynth-ml";

fn ml_binary() -> Option<PathBuf> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join(ML_BIN)))
        .filter(|p| p.is_file());
    beside.or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(ML_BIN))
                .find(|p| p.is_file())
        })
    })
}

/// Run this command line in `presynth-ml` and exit with its status; returns only on failure
/// to start it.
pub fn require() -> anyhow::Result<()> {
    let Some(bin) = ml_binary() else {
        bail!(
            "this command needs the surrogate models, which run in the `{ML_BIN}` binary (it links libtorch); \
             build it with `cargo build --bin {ML_BIN}` (after scripts/setup.sh) and keep it beside `presynth` or on PATH"
        );
    };
    let status = Command::new(&bin)
        .args(std::env::args_os().skip(1))
        .status()
        .with_context(|| format!("running {}", bin.display()))?;
    std::process::exit(status.code().unwrap_or(1));
}

pub fn train(_args: Args) -> anyhow::Result<()> {
    require()
}

pub fn apply_surrogate(
    _net: &ir::Network,
    _dev: &estimator::Device,
    _analytic: &estimator::NetworkEstimate,
    _with: EstimateWith,
    _model_dir: Option<&Path>,
    _report: &mut estimator::EstimateReport,
) -> anyhow::Result<()> {
    require()
}

pub fn evaluation_predictor(
    _name: &str,
    _model: Option<&Path>,
    _eval_rows: &[EvalSample],
    _fit_rows: &[EvalSample],
    _calib: &Calibration,
) -> anyhow::Result<Box<dyn Predictor>> {
    require()?;
    bail!("{ML_BIN} exited without a result")
}
