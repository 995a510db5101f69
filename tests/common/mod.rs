//! Helpers shared by the CLI tests of `presynth dataset`: the binary, the stand-in synthesis
//! tool put first on PATH (tests/fixtures/stand-in), JSON output, minimal projects.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_presynth");

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// PATH with the stand-in `vitis_hls`/`vivado_hls` first.
pub fn stand_in_path() -> String {
    let dir = root().join("tests/fixtures/stand-in");
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// presynth with the stand-in on PATH and `env` set.
pub fn cmd(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .envs(env.iter().copied())
        .env("PATH", stand_in_path());
    c
}

/// Run presynth; panic with its output unless it succeeds. Returns stdout.
pub fn presynth(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = cmd(args, env).output().unwrap();
    assert!(
        out.status.success(),
        "presynth {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn json(args: &[&str], env: &[(&str, &str)]) -> Value {
    let text = presynth(args, env);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

pub fn lines(p: &Path) -> Vec<Value> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Write the files the stand-in needs (build_prj.tcl, project.tcl) for every manifest record:
/// used when hls4ml's templates are not installed, and by the batch tests, which need no
/// real project.
pub fn minimal_projects(ds: &Path) {
    for r in lines(&ds.join("records.jsonl")) {
        let p = ds.join("projects").join(r["id"].as_str().unwrap());
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(p.join("build_prj.tcl"), "# minimal\n").unwrap();
        std::fs::write(p.join("project.tcl"), "set project_name \"myproject\"\n").unwrap();
    }
}

/// A dataset of `n` generated records (seed 3) with minimal projects, at `ds`.
pub fn small_dataset(ds: &Path, n: u64) {
    let out = Command::new(BIN)
        .args([
            "dataset",
            "generate",
            "--count",
            &n.to_string(),
            "--seed",
            "3",
        ])
        .args(["--family", "dense", "--out"])
        .arg(ds)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    minimal_projects(ds);
}

/// How often each project directory appears in the stand-in's run log.
pub fn run_counts(runs: &Path) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for l in std::fs::read_to_string(runs).unwrap_or_default().lines() {
        let id = Path::new(l)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        *m.entry(id).or_insert(0) += 1;
    }
    m
}

/// Whether hls4ml's templates are there to write a project (the venv of
/// scripts/setup-python.sh). In CI (CI set) a missing venv is an error; elsewhere the test says
/// why it is skipped.
pub fn have_hls4ml(test: &str) -> bool {
    if root().join(".venv/bin/python").exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: .venv/bin/python is missing in CI; run scripts/setup-python.sh first"
    );
    eprintln!("SKIPPED {test}: no .venv (run scripts/setup-python.sh to install hls4ml 1.3.0)");
    false
}
