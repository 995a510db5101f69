//! Golden files of `presynth estimate --explain` on the bundled examples: every per-layer figure
//! with the formula and inputs behind it. Where the truth lives: the formulas are hls4ml 1.3.0's
//! templates as docs/hls4ml-project.md reads them and the coefficients are the calibration in
//! estimator/calibration/v1.json, whose accuracy against real synthesis reports is measured in
//! estimator/tests/real_rows.rs and the estimator README. Each row's `hls4ml layers:` line is the
//! shared lowering's graph (hls4ml 1.3.0's layers after its optimizer passes), the graph
//! hls-codegen writes bit-exact against hls4ml (tests/cli_codegen.rs) and whose every node maps
//! back to one row (estimator/tests/lowered_layers.rs). These goldens pin the whole output so
//! that any change to a figure, a formula or the layout is seen and reviewed: after an intended
//! change run `INSTA_UPDATE=always cargo test --test golden_explain` (or `cargo insta review`)
//! and read the diff of tests/snapshots/ before committing it.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_presynth");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn explain(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .current_dir(ROOT)
        .arg("estimate")
        .args(args)
        .arg("--explain")
        .env("COLUMNS", "200")
        .output()
        .expect("run presynth");
    assert!(
        out.status.success(),
        "presynth estimate {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn jet_tagger_mlp() {
    insta::assert_snapshot!(explain(&["examples/jet_tagger_mlp.psn"]));
}

#[test]
fn jet_tagger_with_hls4ml_config() {
    insta::assert_snapshot!(explain(&[
        "examples/hls4ml-examples/keras/KERAS_3layer.json",
        "--config",
        "examples/jet_tagger_hls4ml_config.yml",
    ]));
}

#[test]
fn conv1d_small() {
    insta::assert_snapshot!(explain(&["examples/conv1d_small.psn"]));
}

#[test]
fn conv2d_small_io_stream() {
    insta::assert_snapshot!(explain(&[
        "examples/conv2d_small.psn",
        "--io-type",
        "io_stream",
        "--strategy",
        "Resource",
    ]));
}

#[test]
fn residual() {
    insta::assert_snapshot!(explain(&["examples/residual.psn"]));
}
