//! `presynth` delegates the surrogate commands to `presynth-ml` (src/ml_delegate.rs). Issue 18:
//! killing `presynth` left `presynth-ml` running as an orphan that wrote its output later. A
//! SIGTERM to `presynth` must reach the child, and a SIGKILL of `presynth` must take the child
//! with it (PR_SET_PDEATHSIG).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A long `train` run through the delegating binary.
fn start_train(out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args(["train", "--data"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/wa-hls4ml-jdweitz-csv-sample"))
        .args([
            "--epochs",
            "1000000",
            "--patience",
            "1000000",
            "--hidden",
            "8",
            "--layers",
            "1",
            "-o",
        ])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("presynth starts")
}

/// The pid of `parent`'s child, waiting up to 60 s for it to appear.
fn child_of(parent: u32) -> u32 {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(60) {
        let list = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children"))
            .unwrap_or_default();
        if let Some(pid) = list.split_whitespace().next() {
            return pid.parse().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("presynth started no presynth-ml child within 60 s");
}

/// Whether `pid` is still running (a zombie waiting to be reaped counts as gone).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            let state = s.rsplit(')').next().unwrap_or("").split_whitespace().next();
            state != Some("Z") && state != Some("X")
        })
        .unwrap_or(false)
}

fn gone_within(pid: u32, secs: u64) -> bool {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(secs) {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn kill(pid: u32, sig: libc::c_int) {
    // SAFETY: kill(2) on a pid this test started.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}

#[test]
fn sigterm_is_forwarded_and_sigkill_takes_the_child_along() {
    let dir = tempfile::tempdir().unwrap();
    for sig in [libc::SIGTERM, libc::SIGKILL] {
        let mut p = start_train(&dir.path().join(format!("m{sig}")));
        let ml = child_of(p.id());
        assert!(alive(ml));
        kill(p.id(), sig);
        let status = p.wait().unwrap();
        let ok = gone_within(ml, 20);
        if !ok {
            kill(ml, libc::SIGKILL); // leave nothing behind
        }
        assert!(ok, "signal {sig}: presynth-ml ({ml}) outlived presynth");
        if sig == libc::SIGTERM {
            // The child died of the forwarded SIGTERM: 128 + 15.
            assert_eq!(status.code(), Some(143), "{status:?}");
        }
        assert!(!dir.path().join(format!("m{sig}/model.json")).exists());
    }
}
