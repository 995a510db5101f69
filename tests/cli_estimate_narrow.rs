//! Narrow constant weights times a wide data operand (estimator/src/narrowdsp.rs): the DSPs the
//! real corpus' QKeras jet taggers report in their first layer, against the share bundled in
//! estimator/calibration/narrow-dsp.json, and the wa-hls4ml pilot's unpruned 6-bit rows that
//! keep the width ramp's 0.

mod common;

fn repo(p: &str) -> String {
    format!("{}/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> String {
    common::presynth(args, &[])
}

fn estimate(model: &str, backend: &str) -> serde_json::Value {
    common::json(
        &["estimate", model, "--backend", backend, "--format", "json"],
        &[],
    )
}

fn layer<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name)
        .unwrap()
}

fn bundled_share(bits: &str) -> f64 {
    let f: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("estimator/calibration/narrow-dsp.json")).unwrap(),
    )
    .unwrap();
    f["shares"][bits]["share"].as_f64().unwrap()
}

#[test]
fn qkeras6_jet_tagger_first_layer() {
    // data/real-projects/models/hls4ml-tutorial/jet_mlp_qkeras6_pruned75.psn: fc1 is 16 → 64
    // with ap_fixed<6,1> weights at 75 % sparsity on the 16-bit network input: 1024 − 768 = 256
    // non-zero products, all candidates without weights; DSP = share(6) × 256. fc2's input is
    // relu1's ap_ufixed<6,0>: narrow × narrow, no share, no DSP.
    let v = estimate(
        &repo("data/real-projects/models/hls4ml-tutorial/jet_mlp_qkeras6_pruned75.psn"),
        "Vitis",
    );
    let fc1 = layer(&v, "fc1");
    let n = &fc1["narrow_dsp"];
    assert_eq!(
        (n["weight_bits"].as_u64(), n["data_bits"].as_u64()),
        (Some(6), Some(16))
    );
    assert_eq!(
        (n["nonzero"].as_f64(), n["candidates"].as_f64()),
        (Some(256.0), Some(256.0))
    );
    let want = bundled_share("6") * 256.0;
    let dsp = fc1["csynth"]["dsp"].as_f64().unwrap();
    assert!(
        (dsp - want).abs() < 1e-6,
        "fc1 DSP {dsp}, share × 256 = {want}"
    );
    // The per-module reports: fc1 29 DSP (Vitis HLS 2024.1, fastmachinelearning nb022), 19
    // (Vivado HLS 2019.1, uw-acme nb011); before the share the model gave 0.
    assert!((10.0..=40.0).contains(&dsp), "fc1 DSP {dsp}");
    let fc2 = layer(&v, "fc2");
    assert!(fc2.get("narrow_dsp").is_none());
    assert_eq!(fc2["csynth"]["dsp"].as_f64(), Some(0.0));
    // --explain names the share and where it was fitted.
    let ex = run(&[
        "estimate",
        &repo("data/real-projects/models/hls4ml-tutorial/jet_mlp_qkeras6_pruned75.psn"),
        "--explain",
    ]);
    assert!(
        ex.contains("narrow products (16-bit data × 6-bit constants)")
            && ex.contains("real-project rows"),
        "{ex}"
    );
}

#[test]
fn qkeras7_jet_tagger_first_layer() {
    // The same network as hls4ml ≤ 0.5 printed it (ap_fixed<7,1> weights and activations):
    // fastmachinelearning/hls4ml-tutorial nb019's report (Vivado HLS 2019.2) has one Dense with
    // 216 DSPs and none in the 7-bit × 7-bit layers; share(7) × 256 within 10 % of it.
    let v = estimate(
        &repo("data/real-projects/models/hls4ml-tutorial/jet_mlp_qkeras7_pruned75.psn"),
        "Vivado",
    );
    let dsp = layer(&v, "fc1")["csynth"]["dsp"].as_f64().unwrap();
    assert!((dsp - bundled_share("7") * 256.0).abs() < 1e-6);
    assert!((dsp - 216.0).abs() < 21.6, "fc1 DSP {dsp}");
    for l in ["fc2", "fc3", "output"] {
        assert_eq!(layer(&v, l)["csynth"]["dsp"].as_f64(), Some(0.0), "{l}");
    }
}

#[test]
fn unpruned_layer_without_weights_keeps_the_ramp() {
    // The wa-hls4ml pilot's dense_64_32_6b (ap_fixed<6,1> weights, 16-bit input, untrained
    // glorot_uniform weights): 0 DSP at RF 1 in the report; without weights and without
    // pruning the share does not apply.
    let dir = std::env::temp_dir().join(format!("presynth-narrow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("d.psn");
    std::fs::write(
        &f,
        "network d\ninput(64, name=\"in\")\n  -> dense(32, name=\"fc\") @ {weight: ap_fixed<6,1>, bias: ap_fixed<6,1>}\n",
    )
    .unwrap();
    let v = estimate(f.to_str().unwrap(), "Vitis");
    let fc = layer(&v, "fc");
    assert!(fc.get("narrow_dsp").is_none());
    assert_eq!(fc["csynth"]["dsp"].as_f64(), Some(0.0));
    std::fs::remove_dir_all(&dir).unwrap();
}
