//! The surrogate commands (`train`, `estimate`/`evaluate` with a learned estimator) as the CLI
//! sees them. They need libtorch, which the `presynth` binary does not link: the `presynth-ml`
//! binary (crate `ml/`) installs a [`Backend`] that runs them in-process; without one, each call
//! re-runs the same command line in `presynth-ml` (found beside this executable, or on PATH)
//! and exits with its status.

use crate::cli::train::{Args, EstimateWith};
use anyhow::{bail, Context};
use estimator::evaluate::Predictor;
use estimator::samples::Sample as EvalSample;
use estimator::Calibration;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const ML_BIN: &str = "presynth-ml";

/// What the learned estimators provide to the CLI (implemented by the `presynth-ml` crate).
pub trait Backend: Sync {
    /// `presynth train`.
    fn train(&self, args: Args) -> anyhow::Result<()>;
    /// Replace the totals of `report` (the analytic estimate `analytic` of `net`) by the
    /// surrogate's prediction, with its interval per figure and its coverage.
    fn apply_surrogate(
        &self,
        net: &ir::Network,
        dev: &estimator::Device,
        analytic: &estimator::NetworkEstimate,
        with: EstimateWith,
        model_dir: Option<&Path>,
        report: &mut estimator::EstimateReport,
    ) -> anyhow::Result<()>;
    /// The predictor `evaluate --estimator NAME` measures.
    fn evaluation_predictor(
        &self,
        name: &str,
        model: Option<&Path>,
        eval_rows: &[EvalSample],
        fit_rows: &[EvalSample],
        calib: &Calibration,
    ) -> anyhow::Result<Box<dyn Predictor>>;
}

static BACKEND: OnceLock<&'static dyn Backend> = OnceLock::new();

/// Run the surrogate commands in this process from now on (called once by `presynth-ml`).
pub fn install(backend: &'static dyn Backend) {
    // A second call keeps the first backend: there is only one in a process.
    let _ = BACKEND.set(backend);
}

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

/// Ok when this process runs the surrogate commands itself; otherwise run this command line in
/// `presynth-ml` and exit with its status (returns only on failure to start it).
pub fn require() -> anyhow::Result<()> {
    if BACKEND.get().is_some() {
        return Ok(());
    }
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

fn backend() -> anyhow::Result<&'static dyn Backend> {
    require()?;
    match BACKEND.get() {
        Some(b) => Ok(*b),
        None => bail!("{ML_BIN} exited without a result"),
    }
}

pub fn train(args: Args) -> anyhow::Result<()> {
    backend()?.train(args)
}

pub fn apply_surrogate(
    net: &ir::Network,
    dev: &estimator::Device,
    analytic: &estimator::NetworkEstimate,
    with: EstimateWith,
    model_dir: Option<&Path>,
    report: &mut estimator::EstimateReport,
) -> anyhow::Result<()> {
    backend()?.apply_surrogate(net, dev, analytic, with, model_dir, report)
}

pub fn evaluation_predictor(
    name: &str,
    model: Option<&Path>,
    eval_rows: &[EvalSample],
    fit_rows: &[EvalSample],
    calib: &Calibration,
) -> anyhow::Result<Box<dyn Predictor>> {
    backend()?.evaluation_predictor(name, model, eval_rows, fit_rows, calib)
}
