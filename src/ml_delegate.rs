//! The `presynth` binary's stand-in for `crate::ml` (src/ml/mod.rs): the surrogate commands
//! need libtorch, which only `presynth-ml` links, so this module re-runs the same command line
//! in `presynth-ml` (found beside this executable, or on PATH) and exits with its status.
//!
//! The child is tied to this process: SIGINT and SIGTERM received here are forwarded to it, and
//! it is started with `PR_SET_PDEATHSIG` so that it gets SIGTERM when this process dies by any
//! means (kill -9 included) instead of running on as an orphan that writes its output later.

use crate::cli::common::Format;
use crate::cli::train::{Args, EstimateWith};
use anyhow::{bail, Context};
use estimator::evaluate::Predictor;
use estimator::samples::Sample as EvalSample;
use estimator::Calibration;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};

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
    let code = run_tied(&bin, std::env::args_os().skip(1))
        .with_context(|| format!("running {}", bin.display()))?;
    std::process::exit(code);
}

pub fn train(_args: Args) -> anyhow::Result<()> {
    require()
}

pub fn print_surrogate_estimate(
    _net: &ir::Network,
    _dev: &estimator::Device,
    _analytic: &estimator::NetworkEstimate,
    _with: EstimateWith,
    _model_dir: Option<&Path>,
    _format: Format,
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
