//! A time limit on libhdf5. A one-byte corruption of a legacy `.h5` can make libhdf5 1.10.8 loop
//! forever inside one C call (issue 18), and a Rust thread cannot be stopped there: the call
//! holds hdf5-metno's global lock, so even abandoning the thread would block every later read.
//!
//! Choice: read the file once in a forked child process with a time limit ([`probe`]), then,
//! when the child finished, read it again in this process. The alternative, a pure-Rust reader
//! of the HDF5 subset Keras writes (superblock v0-v3, object headers v1/v2, B-tree v1 groups,
//! compact and dense attribute storage, contiguous and chunked+deflate datasets, variable-length
//! strings in the global heap), is several thousand lines of format code to keep bit-compatible
//! with h5py's output; the child costs a fork plus a second read. Measured on this machine
//! (debug build, 2 shared cores; `guard_costs_little` prints it): about 1 to 3 ms per file for
//! hls4ml's example models (KERAS_3layer_weights.h5, 24 KB), against about 1 ms for the read
//! itself — negligible beside the estimate. libhdf5 is deterministic, so a file the child read
//! to the end is read to the end again; the child also turns a crash inside libhdf5 (a
//! segfault on a corrupt file) into an error instead of killing presynth.
//!
//! The child runs only the read and leaves with `_exit`, so no destructor or atexit handler of
//! the parent runs twice. It first puts the crash signals (SIGSEGV, SIGBUS, SIGABRT, SIGILL,
//! SIGFPE) back to their default action: a handler the parent installed would otherwise run in
//! the child and hide the crash. libFuzzer's does exactly that (it writes a `crash-` file and
//! exits with status 77, its `-error_exitcode`), and the child's exit status was taken for a
//! finished read: the parent then read the file itself and crashed (how the `keras_h5` fuzz
//! target could exit 77 on an input that a later run read clean; docs/fuzzing.md). For the
//! same reason only an exit status of 0 counts as a finished read. The fork and the child's whole read happen inside one hold of
//! hdf5-metno's global reentrant lock, so no other thread is inside libhdf5 at the fork and the
//! child never touches the lock's queue of parked threads (the tests, which read HDF5 files on
//! several threads at once, deadlocked the child 1 run in 9 when it released and re-took it).

use crate::error::FrontendError;
use std::time::{Duration, Instant};

/// Default time limit of one guarded read. The largest model files presynth is meant for
/// (hundreds of MB of weights) read in a few seconds.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(60);

/// The time limit: `PRESYNTH_H5_TIMEOUT` seconds when set to a positive number, else
/// [`DEFAULT_LIMIT`].
pub fn limit() -> Duration {
    std::env::var("PRESYNTH_H5_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0 && s.is_finite())
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_LIMIT)
}

/// Run `read` in a forked child and wait at most `limit` for it. `Ok` when the child finished
/// (whatever `read` found: the caller reads again to get the result); an error naming `file`
/// when the child ran past the limit (it is killed), died of a signal or exited with a status
/// other than 0 (a panic in `read`: 101).
pub fn probe(file: &str, limit: Duration, read: impl FnOnce()) -> Result<(), FrontendError> {
    let err = |message: String| FrontendError::Io {
        file: file.to_string(),
        message,
    };
    // Fork while holding hdf5-metno's global (reentrant) lock, and run the child's read inside
    // that same hold: no other thread is inside libhdf5 at the fork, and the child (whose one
    // thread is a copy of this one) re-enters the lock without ever releasing it. Releasing it
    // in the child would hand it to a thread parked on it in the parent, which does not exist
    // in the child: a deadlock.
    // SAFETY: fork(2); the child only runs `read` and leaves with _exit, never returning into
    // the parent's code.
    let pid = hdf5::sync::sync(|| {
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: signal(2) is async-signal-safe; the child's crash must kill it.
            for sig in CRASH_SIGNALS {
                unsafe { libc::signal(sig, libc::SIG_DFL) };
            }
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).is_ok();
            // SAFETY: leave the child at once, without running the parent's exit handlers.
            unsafe { libc::_exit(if ok { 0 } else { PANICKED }) };
        }
        pid
    });
    if pid < 0 {
        return Err(err(format!(
            "cannot start a process to read it ({})",
            std::io::Error::last_os_error()
        )));
    }
    let t = Instant::now();
    let mut status: libc::c_int = 0;
    let mut pause = Duration::from_micros(200);
    loop {
        // SAFETY: waitpid on our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break;
        }
        if r < 0 {
            return Err(err(format!(
                "lost the reading process ({})",
                std::io::Error::last_os_error()
            )));
        }
        if t.elapsed() >= limit {
            // SAFETY: kill and reap our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return Err(err(format!(
                "libhdf5 did not finish reading it within {:.0} s (a corrupted file can make it \
                 loop forever; set PRESYNTH_H5_TIMEOUT to allow more time)",
                limit.as_secs_f64()
            )));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
    if libc::WIFSIGNALED(status) {
        return Err(err(format!(
            "libhdf5 crashed reading it (signal {}): a corrupted HDF5 file",
            libc::WTERMSIG(status)
        )));
    }
    match libc::WEXITSTATUS(status) {
        0 => Ok(()),
        PANICKED => Err(err(
            "reading it failed unexpectedly (a panic in the HDF5 reader): a corrupted HDF5 file"
                .to_string(),
        )),
        code => Err(err(format!(
            "the process reading it with libhdf5 exited with status {code}: a corrupted HDF5 file"
        ))),
    }
}

/// The signals of a crash, put back to their default action in the child.
const CRASH_SIGNALS: [libc::c_int; 5] = [
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGABRT,
    libc::SIGILL,
    libc::SIGFPE,
];

/// The child's exit status when `read` panicked.
const PANICKED: libc::c_int = 101;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_never_ends_is_stopped_at_the_limit() {
        let t = Instant::now();
        #[allow(clippy::empty_loop)]
        let e = probe("spin.h5", Duration::from_millis(300), || loop {}).unwrap_err();
        assert!(t.elapsed() < Duration::from_secs(5));
        let m = e.to_string();
        assert!(
            m.starts_with("spin.h5: ") && m.contains("did not finish"),
            "{m}"
        );
    }

    #[test]
    fn a_crash_in_the_reader_is_an_error_not_a_crash_of_presynth() {
        // abort(3), as libhdf5's assertions do on some corrupt files.
        let e = probe("crash.h5", Duration::from_secs(10), || unsafe {
            libc::abort()
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("crash.h5") && e.contains("signal 6"), "{e}");
    }

    #[test]
    fn a_crash_is_a_crash_even_where_the_parent_handles_the_signal() {
        // The parent handles SIGILL as libFuzzer handles every crash signal: write a report
        // and exit with status 77. Nothing else in these tests raises SIGILL.
        extern "C" fn exit_77(_: libc::c_int) {
            unsafe { libc::_exit(77) };
        }
        // SAFETY: installs an async-signal-safe handler.
        let old = unsafe {
            libc::signal(
                libc::SIGILL,
                exit_77 as extern "C" fn(libc::c_int) as libc::sighandler_t,
            )
        };
        let r = probe("ill.h5", Duration::from_secs(10), || unsafe {
            libc::raise(libc::SIGILL);
        });
        // SAFETY: restores the previous disposition.
        unsafe { libc::signal(libc::SIGILL, old) };
        let e = r.unwrap_err().to_string();
        assert!(e.contains("ill.h5") && e.contains("signal 4"), "{e}");
    }

    #[test]
    fn a_reader_that_exits_with_an_error_status_is_an_error() {
        // What libFuzzer's crash handler does in a child that inherited it; a panic is 101.
        let e = probe("exit.h5", Duration::from_secs(10), || unsafe {
            libc::_exit(77)
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("exit.h5") && e.contains("status 77"), "{e}");
        let e = probe("panic.h5", Duration::from_secs(10), || panic!("corrupt"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("panic.h5") && e.contains("panic"), "{e}");
    }

    #[test]
    fn a_read_that_finishes_passes() {
        probe("ok.h5", Duration::from_secs(10), || {}).unwrap();
        // A read that fails with an error is for the caller's second read to report.
        probe("bad.h5", Duration::from_secs(10), || {
            let _ = std::fs::read("/nonexistent/bad.h5");
        })
        .unwrap();
    }
}
