//! The CLI on hostile or broken inputs (issue 18): every case used to hang, loop, write where it
//! should not, or exit 0 with a meaningless result; each must now end quickly with a non-zero
//! status and one clear `error:` line naming the file.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_presynth");

fn repo(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Run presynth with a deadline; panics if it runs past it (the old behaviour: forever).
fn run(args: &[&str], secs: u64) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if t.elapsed() > Duration::from_secs(secs) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("presynth {args:?} ran past {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn attention_sweep_to_2_pow_63_ends_at_once() {
    // `n *= 2` wrapped at 2^63 and the sweep looped until memory ran out.
    let o = run(
        &[
            "attention",
            "--heads",
            "1",
            "--head-dim",
            "64",
            "--target",
            "h100",
            "--sweep",
            "seq=1..9223372036854775807",
        ],
        20,
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("seq") && e.contains("at most 16777216"), "{e}");
    // A sweep within the limits still works: 512, 1024, 2048.
    let o = run(
        &[
            "attention",
            "--heads",
            "1",
            "--head-dim",
            "64",
            "--target",
            "h100",
            "--sweep",
            "seq=512..2048",
            "--format",
            "csv",
        ],
        60,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut seqs: Vec<&str> = out
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    seqs.dedup();
    assert_eq!(seqs, ["512", "1024", "2048"]);
}

#[test]
fn a_fifo_or_a_device_as_the_model_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("m.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let o = run(&["estimate", fifo.to_str().unwrap()], 20);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("m.json: cannot read: a FIFO"),
        "{}",
        stderr(&o)
    );
    let zero = dir.path().join("z.psn");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let o = run(&["estimate", zero.to_str().unwrap()], 20);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("a device file"), "{}", stderr(&o));
}

#[test]
fn evaluate_on_a_garbage_file_fails() {
    // It printed "rows: 0" and exited 0.
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("garbage.jsonl");
    std::fs::write(&g, "hello\nworld\n").unwrap();
    let plots = dir.path().join("plots");
    let o = run(
        &[
            "evaluate",
            g.to_str().unwrap(),
            "--plots",
            plots.to_str().unwrap(),
        ],
        60,
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("no rows to evaluate") && e.contains("garbage.jsonl:1"),
        "{e}"
    );
}

#[test]
fn errors_do_not_repeat_their_cause() {
    // "(os error 2): No such file or directory (os error 2)"
    let o = run(
        &[
            "estimate",
            "examples/jet_tagger_mlp.psn",
            "--calibration",
            "/nonexistent/c.json",
        ],
        30,
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert_eq!(e.matches("No such file or directory").count(), 1, "{e}");
}

#[test]
fn an_unknown_part_names_the_file_that_set_it() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.psn");
    std::fs::write(
        &m,
        "network \"t\"\nconfig { part: xc9nonexistent }\nx = input(4) -> dense(2)\n",
    )
    .unwrap();
    let o = run(&["estimate", m.to_str().unwrap()], 30);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("m.psn") && e.contains("xc9nonexistent"), "{e}");
}

#[test]
fn codegen_force_never_replaces_a_file() {
    // `codegen -o FILE --force` renamed the project over the file, then said "Not a directory".
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notes.txt");
    std::fs::write(&f, "keep me").unwrap();
    let model = repo("examples/hls4ml-examples/keras/KERAS_3layer.json");
    let o = run(
        &[
            "codegen",
            model.to_str().unwrap(),
            "-o",
            f.to_str().unwrap(),
            "--force",
        ],
        120,
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("is not a directory") || e.contains("templates not found"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "keep me");
}

#[test]
fn codegen_refuses_a_hostile_part() {
    let dir = tempfile::tempdir().unwrap();
    let model = repo("examples/hls4ml-examples/keras/KERAS_3layer.json");
    let out = dir.path().join("prj");
    let o = run(
        &[
            "codegen",
            model.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--part",
            "xcu250\"; [exec touch pwned]; #",
        ],
        120,
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--part: ") && stderr(&o).contains("not an FPGA part name"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}
