//! End-to-end tests of `presynth estimate`, `sweep`, `calibrate` and `evaluate` on hls4ml's
//! example models (examples/hls4ml-examples) and the shared synthesis data.

use std::process::Command;

fn repo(p: &str) -> String {
    format!("{}/{p}", env!("CARGO_MANIFEST_DIR"))
}
fn example(p: &str) -> String {
    format!("{}/examples/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn presynth(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn estimate_json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["estimate"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--format", "json"]);
    let (ok, out, err) = presynth(&a);
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn json_has_exactly_the_issue_fields() {
    let v = estimate_json(&[
        &repo("examples/hls4ml-examples/keras/KERAS_3layer.json"),
        "--part",
        "xcu250",
    ]);
    let keys: std::collections::BTreeSet<&str> =
        v.as_object().unwrap().keys().map(String::as_str).collect();
    let want = [
        "part",
        "clock_period_ns",
        "total",
        "post_synthesis",
        "utilization",
        "fits",
        "layers",
        "warnings",
    ];
    assert_eq!(keys, want.into_iter().collect());
    for k in [
        "lut",
        "ff",
        "dsp",
        "bram_18k",
        "uram",
        "latency_cycles",
        "latency_ns",
        "ii",
    ] {
        assert!(v["total"].get(k).is_some(), "total.{k}");
    }
    for k in ["lut", "ff", "dsp", "bram_18k", "uram"] {
        assert!(
            v["post_synthesis"].get(k).is_some() && v["utilization"].get(k).is_some(),
            "{k}"
        );
    }
    assert_eq!(v["part"], "xcu250-figd2104-2L-e");
    // latency_ns = cycles × the 5 ns default clock.
    assert_eq!(
        v["total"]["latency_ns"].as_f64().unwrap(),
        5.0 * v["total"]["latency_cycles"].as_f64().unwrap()
    );
}

#[test]
fn pruned_weights_remove_multipliers() {
    // KERAS_3layer_70pruned_retrained_weights.h5: fc1_relu's 16×64 kernel has 593 zeros
    // (counted with h5py). hls4ml Latency: multiplier_limit = ceil(1024/RF) − floor(593/RF):
    // RF 1 → 431; RF 4 → 256 − 148 = 108.
    let model = repo("examples/hls4ml-examples/keras/KERAS_3layer.json");
    let w = repo("examples/hls4ml-examples/keras/KERAS_3layer_70pruned_retrained_weights.h5");
    for (rf, want) in [("1", 431), ("4", 108)] {
        let v = estimate_json(&[
            &model,
            "--weights",
            &w,
            "--strategy",
            "Latency",
            "--reuse-factor",
            rf,
        ]);
        let fc1 = v["layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == "fc1_relu")
            .unwrap();
        assert_eq!(fc1["multipliers"], want, "RF {rf}");
    }
}

#[test]
fn invalid_reuse_factor_is_adjusted_with_a_warning() {
    // hls4ml 1.3.0 get_closest_reuse_factor(get_valid_reuse_factors(16, 64), 3) = 2.
    let v = estimate_json(&[
        &repo("examples/hls4ml-examples/keras/KERAS_3layer.json"),
        "--strategy",
        "Resource",
        "--reuse-factor",
        "3",
    ]);
    let fc1 = v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "fc1_relu")
        .unwrap();
    assert_eq!(
        (
            fc1["reuse_factor"].as_u64(),
            fc1["requested_reuse_factor"].as_u64()
        ),
        (Some(2), Some(3))
    );
    let w = v["warnings"].as_array().unwrap();
    assert!(w
        .iter()
        .any(|w| w.as_str().unwrap().contains("invalid ReuseFactor=3")
            && w.as_str().unwrap().contains("fc1_relu")));
}

#[test]
fn config_file_settings_apply() {
    // The example config: Resource RF 4, fc2_relu RF 8 with 8-bit weights.
    let v = estimate_json(&[
        &repo("examples/hls4ml-examples/keras/KERAS_3layer.json"),
        "--config",
        &example("jet_tagger_hls4ml_config.yml"),
    ]);
    let layer = |n: &str| {
        v["layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(layer("fc1_relu")["reuse_factor"], 4);
    assert_eq!(layer("fc2_relu")["reuse_factor"], 8);
    // block_factor of fc2: 64·32/8 = 256 multipliers; fc1: 16·64/4 = 256.
    assert_eq!(layer("fc2_relu")["multipliers"], 256);
    assert_eq!(layer("fc1_relu")["multipliers"], 256);
    // II = the largest layer RF (DATAFLOW, Resource).
    assert_eq!(v["total"]["ii"], 8);
}

#[test]
fn unroll_limit_warns_will_not_synthesise() {
    // 16-100-...-100-5 MLP: 100×100 = 10000 products per layer ≥ 4096 in Latency strategy.
    let (ok, out, _) = presynth(&[
        "estimate",
        &repo("examples/hls4ml-examples/keras/KERAS_dense_16x100x100x100x100x100x5.json"),
        "--strategy",
        "Latency",
    ]);
    assert!(ok);
    assert!(out.contains("will not synthesise"), "{out}");
}

#[test]
fn table_says_fits_and_explain_gives_formulas() {
    let (ok, out, err) = presynth(&["estimate", &example("jet_tagger_mlp.psn"), "--explain"]);
    assert!(ok, "{err}");
    assert!(out.contains("FITS: binding resource"), "{out}");
    assert!(out.contains("csynth estimate") && out.contains("post-synthesis estimate"));
    assert!(
        out.contains("multiplier_limit = ceil(n_in*n_out/RF) - floor(n_zeros/RF)"),
        "{out}"
    );
    assert!(out.contains("[csynth] lut") && out.contains("[post_synthesis] ff"));
    // A tiny part: the same network does not fit.
    let (_, out, _) = presynth(&[
        "estimate",
        &example("jet_tagger_mlp.psn"),
        "--part",
        "xc7z020clg400-1",
    ]);
    assert!(out.contains("DOES NOT FIT: binding resource"), "{out}");
}

#[test]
fn csv_has_one_row_per_layer_and_a_total() {
    let (ok, out, _) = presynth(&[
        "estimate",
        &example("jet_tagger_mlp.psn"),
        "--format",
        "csv",
    ]);
    assert!(ok);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("layer,kind,strategy,reuse_factor"));
    assert_eq!(lines.len(), 1 + 5 + 1, "{out}"); // header, input + 4 dense, total
    assert!(lines.last().unwrap().starts_with("total,"));
}

#[test]
fn unknown_part_is_an_error() {
    let (ok, _, err) = presynth(&[
        "estimate",
        &example("jet_tagger_mlp.psn"),
        "--part",
        "no-such-part",
    ]);
    assert!(!ok);
    assert!(err.contains("no-such-part"), "{err}");
}

#[test]
fn sweep_writes_pareto_table_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("p.svg");
    let (ok, out, err) = presynth(&[
        "sweep",
        &example("jet_tagger_mlp.psn"),
        "--reuse-factor",
        "1,2,4,8",
        "--strategy",
        "Latency,Resource",
        "--precision",
        "ap_fixed<8,3>;ap_fixed<16,6>",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("16 configurations"), "{out}");
    assert!(out.contains('*'));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("Pareto front"));
}

#[test]
fn calibrate_and_evaluate_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let cal = dir.path().join("cal.json");
    let data = repo("data/wa-hls4ml-jdweitz-csv-sample");
    let (ok, out, err) = presynth(&["calibrate", &data, "-o", cal.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("held-out architectures"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cal).unwrap()).unwrap();
    assert!(!v["holdout_architectures"].as_array().unwrap().is_empty());
    let plots = dir.path().join("plots");
    let (ok, out, err) = presynth(&[
        "evaluate",
        &data,
        "--estimator",
        "analytic",
        "--calibration",
        cal.to_str().unwrap(),
        "--split",
        "heldout",
        "--plots",
        plots.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let ev: serde_json::Value = serde_json::from_str(&out).unwrap();
    let targets = ev["targets"].as_array().unwrap();
    let lat = |family: &str| {
        targets
            .iter()
            .find(|t| t["target"] == "latency_best" && t["family"] == family)
            .unwrap_or_else(|| panic!("no latency_best for {family}: {ev}"))
            .clone()
    };
    // Resource dense latency from RF: exact on the held-out 2/3-layer architectures; conv2d
    // latency (io_stream, the slowest layer: padded input pixels × RF) within 0.6 % of every
    // row (estimator/tests/real_rows.rs).
    for family in ["dense", "conv2d"] {
        let l = lat(family);
        assert!(l["metrics"]["smape"].as_f64().unwrap() < 1.0, "{l}");
    }
    assert!(plots.join("latency_best_dense_resource.svg").exists());
    assert!(plots.join("latency_best_conv2d_resource.svg").exists());
}
