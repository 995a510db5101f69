//! End-to-end tests of `presynth attention`: JSON field names and values derived by hand, the
//! SVG plot, the sequence sweep and error messages.

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

#[test]
fn json_report_has_the_stable_fields_and_hand_checked_values() {
    let v = json(&[
        "attention",
        "--batch",
        "2",
        "--heads",
        "16",
        "--seq",
        "4096",
        "--head-dim",
        "128",
        "--dtype",
        "bf16",
        "--target",
        "h100",
        "--format",
        "json",
    ]);
    // FLOPs = 4·B·H·N²·d (domain-notes §1.5).
    assert_eq!(
        v["flops"].as_f64().unwrap(),
        4.0 * 2.0 * 16.0 * 4096.0 * 4096.0 * 128.0
    );
    // Target from domain-notes §2.1: 989.4 TFLOP/s BF16, 3.35 TB/s; fast memory = the 227 KiB
    // one thread block may use on compute capability 9.0 (not the 228 KiB per SM).
    assert_eq!(v["target"]["peak_flops"].as_f64().unwrap(), 989.4e12);
    assert_eq!(
        v["target"]["fast_mem_words"].as_u64().unwrap(),
        227 * 1024 / 2
    );
    for alg in ["standard", "flash1", "flash2", "blocked"] {
        let a = &v["algorithms"][alg];
        for field in [
            "words_read",
            "words_written",
            "bytes",
            "intensity",
            "attainable_flops",
            "time_s",
            "regime",
            "tile",
        ] {
            assert!(!a[field].is_null(), "{alg}.{field} missing");
        }
    }
    let f2 = &v["algorithms"]["flash2"];
    let br = f2["tile"]["br"].as_u64().unwrap();
    // FlashAttention-2 words by hand: Q read once, K and V once per row block, O and LSE written once.
    let (n, d, k) = (4096u64, 128u64, 32u64);
    let reads = k * (n * d + n.div_ceil(br) * n * 2 * d);
    assert_eq!(f2["words_read"].as_u64().unwrap(), reads);
    assert_eq!(f2["words_written"].as_u64().unwrap(), k * n * (d + 1));
    assert_eq!(v["best"]["algorithm"], "flash2");
    assert!(v["lower_bound"]["words"].as_f64().unwrap() > 0.0);
    assert!(v["lower_bound"]["regime"].as_str().unwrap().contains("d^2"));
}

#[test]
fn plot_writes_an_svg_with_roofs_and_points() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("roofline.svg");
    let out = presynth(&[
        "attention",
        "--heads",
        "8",
        "--seq",
        "2048",
        "--head-dim",
        "64",
        "--target",
        "alveo-u280",
        "--dtype",
        "ap_fixed<16,6>",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"));
    for label in [
        "flash2",
        "standard",
        "arithmetic intensity",
        "attainable FLOP/s",
    ] {
        assert!(text.contains(label), "{label} missing from the SVG");
    }
}

#[test]
fn sweep_gives_one_row_per_length() {
    let v = json(&[
        "attention",
        "--heads",
        "16",
        "--head-dim",
        "128",
        "--causal",
        "--target",
        "h100",
        "--sweep",
        "seq=512..16384",
        "--format",
        "json",
    ]);
    let seqs: Vec<u64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["shape"]["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, vec![512, 1024, 2048, 4096, 8192, 16384]);
    let out = presynth(&[
        "attention",
        "--heads",
        "2",
        "--head-dim",
        "64",
        "--target",
        "a100",
        "--sweep",
        "seq=512..2048",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1024") && text.contains("2048"), "{text}");
}

#[test]
fn bad_inputs_give_named_errors() {
    let out = presynth(&[
        "attention",
        "--seq",
        "128",
        "--head-dim",
        "64",
        "--target",
        "h1000",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("h1000") && err.contains("h100"), "{err}");

    let out = presynth(&[
        "attention",
        "--seq",
        "128",
        "--head-dim",
        "64",
        "--target",
        "a100",
        "--dtype",
        "fp8",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("fp8"));

    let out = presynth(&[
        "attention",
        "--seq",
        "128",
        "--kv-seq",
        "64",
        "--causal",
        "--head-dim",
        "64",
        "--target",
        "h100",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("kv_seq"));

    let out = presynth(&[
        "attention",
        "--heads",
        "6",
        "--kv-heads",
        "4",
        "--seq",
        "8",
        "--head-dim",
        "8",
        "--target",
        "h100",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("kv_heads"));

    let out = presynth(&[
        "attention",
        "--head-dim",
        "64",
        "--target",
        "h100",
        "--sweep",
        "len=1..2",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("seq=FROM..TO"));
}

#[test]
fn host_target_is_measured() {
    let v = json(&[
        "attention",
        "--heads",
        "2",
        "--seq",
        "256",
        "--head-dim",
        "64",
        "--dtype",
        "fp32",
        "--target",
        "host",
        "--format",
        "json",
    ]);
    let t = &v["target"];
    assert_eq!(t["kind"], "host");
    assert!(t["peak_flops"].as_f64().unwrap() > 1e8, "{t}");
    assert!(t["bandwidth_bytes_per_s"].as_f64().unwrap() > 1e8, "{t}");
    assert!(t["exp_per_s"].as_f64().unwrap() > 1e6, "{t}");
    assert!(v["algorithms"]["flash2"]["time_s"].as_f64().unwrap() > 0.0);
}

/// Issue 14: the GPU view reports the best tile under real constraints and FlashAttention-3's
/// own tile (128×176 for d=128 fp16 on sm_90, hopper/tile_size.h), `--calibrated` adds an
/// expected time above the bound, and no database review tags reach the user.
#[test]
fn gpu_view_kernel_tiles_calibration_and_clean_output() {
    let args = [
        "attention",
        "--batch",
        "4",
        "--heads",
        "16",
        "--seq",
        "8448",
        "--head-dim",
        "128",
        "--dtype",
        "fp16",
        "--target",
        "h100",
    ];
    let mut j: Vec<&str> = args.to_vec();
    j.extend(["--format", "json", "--calibrated"]);
    let v = json(&j);
    let fa3 = &v["gpu"]["kernels"]["fa3"];
    assert_eq!(
        (fa3["br"].as_u64(), fa3["bc"].as_u64()),
        (Some(128), Some(176))
    );
    let best = &v["gpu"]["best"];
    assert_eq!(best["br"].as_u64().unwrap() % 64, 0, "wgmma M granularity");
    // FP32 accumulators Br·(Bc + d_v + 2) within 64 K registers.
    let acc = best["accumulator_registers"].as_u64().unwrap();
    assert!(acc <= 65536, "{acc}");
    assert_eq!(v["lower_bound"]["constant"].as_f64(), Some(1.0));
    let cal = v["calibrated"].as_array().unwrap();
    let fa3c = cal.iter().find(|e| e["kernel"] == "fa3").unwrap();
    let (bound, expected) = (
        fa3c["bound_s"].as_f64().unwrap(),
        fa3c["expected_s"].as_f64().unwrap(),
    );
    // Measured 3.538 ms (FA3 paper Table 2): bound below it, expectation within 25 %.
    assert!(
        bound < 3.538e-3 && (expected / 3.538e-3 - 1.0).abs() < 0.25,
        "{bound} {expected}"
    );

    let out = presynth(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for tag in ["[U]", "[V]", "[S]", "not re-read"] {
        assert!(!text.contains(tag), "{tag} in output:\n{text}");
    }
    assert!(text.contains("constant is taken as 1"), "{text}");
    assert!(text.contains("fa3 tile"), "{text}");
}

/// The serving view: one decode step with a 4096-key window over a 100 000-token cache in pages
/// of 256 (32 query / 8 K/V heads, d = 128): keys 95 904 ..= 99 999 lie on pages 374 ..= 390, so
/// each K/V head reads 17 × 256 = 4352 tokens (hand count in estimator/tests/attention_serving.rs);
/// a bad --seq-lens item is named.
#[test]
fn serving_view_reads_whole_pages_and_names_bad_lengths() {
    let v = json(&[
        "attention",
        "--heads",
        "32",
        "--kv-heads",
        "8",
        "--head-dim",
        "128",
        "--causal",
        "--target",
        "h100",
        "--seq-lens",
        "1:100000",
        "--window",
        "4096",
        "--page-size",
        "256",
        "--format",
        "json",
    ]);
    assert_eq!(v["kernels"]["fa3"]["kv_tokens_read"], 8 * 4352);
    assert_eq!(v["kernels"]["fa3"]["binding"], "memory");
    assert_eq!(v["batch"]["seqs"][0]["kv_len"], 100000);
    let out = presynth(&[
        "attention",
        "--heads",
        "8",
        "--head-dim",
        "64",
        "--target",
        "h100",
        "--seq-lens",
        "512,1:x",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--seq-lens item 2 `1:x`"), "{err}");
}
