//! Issue 14: `presynth attention --sweep` over batch and head dimension (as well as sequence
//! length), with an SVG plot of time against the swept size. The FLOP counts are the
//! FlashAttention convention worked by hand: 4·B·H·N·L·d for d_qk = d_v = d, not causal.

use std::process::Command;

fn presynth(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args(args)
        .output()
        .expect("run presynth")
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = presynth(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn field(v: &serde_json::Value, f: &dyn Fn(&serde_json::Value) -> f64) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

#[test]
fn batch_sweep_doubles_the_batch_and_the_flops() {
    let v = json(&[
        "attention",
        "--heads",
        "4",
        "--seq",
        "256",
        "--head-dim",
        "32",
        "--target",
        "h100",
        "--sweep",
        "batch=1..10",
        "--format",
        "json",
    ]);
    // 1, 2, 4, 8 (16 > 10); FLOPs 4·B·4·256·256·32 = B · 33,554,432.
    assert_eq!(
        field(&v, &|r| r["shape"]["batch"].as_f64().unwrap()),
        [1.0, 2.0, 4.0, 8.0]
    );
    assert_eq!(
        field(&v, &|r| r["flops"].as_f64().unwrap()),
        [33_554_432.0, 67_108_864.0, 134_217_728.0, 268_435_456.0]
    );
    // Everything else stays as given.
    for r in v.as_array().unwrap() {
        assert_eq!(r["shape"]["seq"], 256);
        assert_eq!(r["shape"]["d_qk"], 32);
    }
}

#[test]
fn head_dim_sweep_sets_both_head_dims_unless_v_is_given() {
    let v = json(&[
        "attention",
        "--batch",
        "2",
        "--heads",
        "4",
        "--seq",
        "256",
        "--head-dim",
        "8",
        "--target",
        "h100",
        "--sweep",
        "head-dim=32..128",
        "--format",
        "json",
    ]);
    // d = 32, 64, 128: FLOPs 4·2·4·256·256·d = d · 2,097,152.
    assert_eq!(
        field(&v, &|r| r["shape"]["d_qk"].as_f64().unwrap()),
        [32.0, 64.0, 128.0]
    );
    assert_eq!(
        field(&v, &|r| r["shape"]["d_v"].as_f64().unwrap()),
        [32.0, 64.0, 128.0]
    );
    assert_eq!(
        field(&v, &|r| r["flops"].as_f64().unwrap()),
        [67_108_864.0, 134_217_728.0, 268_435_456.0]
    );
    // With --v-head-dim 64: FLOPs 2·B·H·N·L·(d_qk + 64) = 1,048,576 · (d_qk + 64).
    let v = json(&[
        "attention",
        "--batch",
        "2",
        "--heads",
        "4",
        "--seq",
        "256",
        "--head-dim",
        "8",
        "--v-head-dim",
        "64",
        "--target",
        "h100",
        "--sweep",
        "head-dim=32..64",
        "--format",
        "json",
    ]);
    assert_eq!(
        field(&v, &|r| r["shape"]["d_v"].as_f64().unwrap()),
        [64.0, 64.0]
    );
    assert_eq!(
        field(&v, &|r| r["flops"].as_f64().unwrap()),
        [100_663_296.0, 134_217_728.0]
    );
}

#[test]
fn a_sweep_plot_draws_time_against_the_swept_size() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("batch.svg");
    let out = presynth(&[
        "attention",
        "--heads",
        "16",
        "--seq",
        "1024",
        "--head-dim",
        "128",
        "--target",
        "h100",
        "--sweep",
        "batch=1..8",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("│ batch"), "{table}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..80.min(text.len())]);
    for label in [
        "time vs batch",
        "time (s)",
        "GPU bound (best tile)",
        "flash2",
        "standard",
    ] {
        assert!(text.contains(label), "{label} missing from the SVG");
    }
    // One line per series (4 batch sizes each), nothing left beside the plot.
    assert!(text.matches("<polyline").count() >= 3);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn sweeps_other_than_seq_need_seq_and_a_known_name() {
    let out = presynth(&[
        "attention",
        "--head-dim",
        "64",
        "--target",
        "h100",
        "--sweep",
        "batch=1..4",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seq N is required"));
    let out = presynth(&[
        "attention",
        "--seq",
        "64",
        "--head-dim",
        "64",
        "--target",
        "h100",
        "--sweep",
        "heads=1..4",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("batch=FROM..TO") && err.contains("heads=1..4"),
        "{err}"
    );
}
