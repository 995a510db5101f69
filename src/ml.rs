//! The surrogate commands (`train`, `estimate`/`evaluate` with a learned estimator) as the CLI
//! sees them. They need libtorch, which the `presynth` binary does not link: the `presynth-ml`
//! binary (crate `ml/`) installs a [`Backend`] that runs them in-process; without one, each call
//! re-runs the same command line in `presynth-ml` (found beside this executable, or on PATH)
//! and exits with its status.
//!
//! The child is tied to this process: SIGINT and SIGTERM received here are forwarded to it, and
//! it is started with `PR_SET_PDEATHSIG` so that it gets SIGTERM when this process dies by any
//! means (kill -9 included) instead of running on as an orphan that writes its output later.

use crate::cli::train::{Args, EstimateWith};
use anyhow::{bail, Context};
use estimator::evaluate::Predictor;
use estimator::samples::Sample as EvalSample;
use estimator::Calibration;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};
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

/// The running child's pid (0 before it starts), read by the signal handler.
static CHILD: AtomicI32 = AtomicI32::new(0);

/// Forward a signal to the child. Only async-signal-safe calls: an atomic load and kill(2).
extern "C" fn forward(sig: libc::c_int) {
    let pid = CHILD.load(Ordering::SeqCst);
    if pid > 0 {
        // SAFETY: kill(2) is async-signal-safe; a stale pid only gets a signal it ignores.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// Run `bin` with `args`, forwarding SIGINT/SIGTERM to it, and with the child set to die with
/// this process. Returns the exit code to pass on (128 + signal when it was killed).
fn run_tied(
    bin: &Path,
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> std::io::Result<i32> {
    let parent = std::process::id() as libc::pid_t;
    let mut cmd = Command::new(bin);
    cmd.args(args);
    // SAFETY: the closure runs in the forked child before exec and only makes async-signal-safe
    // system calls (prctl, getppid), allocating nothing.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGTERM as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died between fork and prctl: then no signal would come.
            if libc::getppid() != parent {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
    // SAFETY: `forward` is an extern "C" fn that only does async-signal-safe work.
    unsafe {
        for sig in [libc::SIGINT, libc::SIGTERM] {
            libc::signal(
                sig,
                forward as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }
    let mut child = cmd.spawn()?;
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    let status = child.wait()?;
    CHILD.store(0, Ordering::SeqCst);
    Ok(status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(1)))
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
    let code = run_tied(&bin, std::env::args_os().skip(1))
        .with_context(|| format!("running {}", bin.display()))?;
    std::process::exit(code);
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
