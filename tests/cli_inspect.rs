//! End-to-end tests of `presynth inspect` on real hls4ml example models (written by others:
//! examples/hls4ml-examples, whose README gives the parameter counts) and on the DSL
//! example.

use std::process::Command;

fn repo(p: &str) -> String {
    format!("{}/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn inspect_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_presynth"))
        .arg("inspect")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn jet_tagger_json_fields_and_counts() {
    let v = inspect_json(&[&repo("examples/hls4ml-examples/keras/KERAS_3layer.json")]);
    // 4389 = number of values in KERAS_3layer_weights.h5 (example-models README).
    assert_eq!(v["total_params"], 4389);
    // MACs by hand: 16*64 + 64*32 + 32*32 + 32*5.
    assert_eq!(v["total_macs"], 16 * 64 + 64 * 32 + 32 * 32 + 32 * 5);
    let layers = v["layers"].as_array().unwrap();
    let dense: Vec<_> = layers.iter().filter(|l| l["kind"] == "Dense").collect();
    assert_eq!(dense.len(), 4);
    assert_eq!(dense[0]["input_shape"], serde_json::json!([[16]]));
    assert_eq!(dense[0]["output_shape"], serde_json::json!([64]));
    assert_eq!(dense[0]["params"], 16 * 64 + 64);
    for key in [
        "name",
        "kind",
        "input_shape",
        "output_shape",
        "params",
        "macs",
    ] {
        assert!(layers[0].get(key).is_some(), "missing field {key}");
    }
    assert!(v["name"].is_string());
    // The fused activations and the kind's attributes, as KERAS_3layer.json writes them
    // (fc1_relu: Dense, 64 units, relu, use_bias; output_softmax: 5 units, softmax).
    assert_eq!(dense[0]["activation"], "relu");
    assert_eq!(
        dense[0]["attributes"],
        serde_json::json!({"Dense": {"units": 64, "use_bias": true}})
    );
    assert_eq!(dense[3]["activation"], "softmax");
    assert_eq!(
        layers[0]["attributes"],
        serde_json::json!({"Input": {"shape": [16]}})
    );
}

#[test]
fn dsl_example_matches_keras_counts() {
    let ex = format!("{}/examples/jet_tagger_mlp.psn", env!("CARGO_MANIFEST_DIR"));
    let v = inspect_json(&[&ex]);
    assert_eq!(v["total_params"], 4389);
}

#[test]
fn table_output_and_missing_file_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args([
            "inspect",
            &repo("examples/hls4ml-examples/keras/KERAS_conv1d_small.json"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("Conv1D") && s.contains("171"), "{s}");

    let out = Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args(["inspect", "does/not/exist.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("does/not/exist.json"), "{e}");
}

#[test]
fn csv_and_what_config_changes() {
    let model = repo("examples/hls4ml-examples/keras/KERAS_3layer.json");
    let cfg = repo("examples/jet_tagger_hls4ml_config.yml");
    let out = Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args(["inspect", &model, "--config", &cfg, "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    // input + 4 dense + total; fc2_relu: 64×32 + 32 = 2080 parameters, the config's 8-bit
    // weights and RF 8 (examples/jet_tagger_hls4ml_config.yml).
    assert_eq!(rows.len(), 6);
    let fc2 = rows.iter().find(|r| &r[0] == "fc2_relu").unwrap();
    assert_eq!(
        (&fc2[4], &fc2[6], &fc2[9], &fc2[10]),
        ("2080", "ap_fixed<8,3>", "8", "Resource")
    );
    // The table says what --config changed against the model alone.
    let out = Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args(["inspect", &model, "--config", &cfg])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "model reuse factor: 1 → 4",
        "model strategy: Latency → Resource",
        "fc2_relu: weight ap_fixed<16,6> → ap_fixed<8,3>, strategy Latency → Resource, RF 1 → 8",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
}

#[test]
fn onnx_examples_inspect_like_their_keras_originals() {
    // conv1d_small_keras.onnx and three_layer_keras.onnx are ONNX exports of KERAS_conv1d_small
    // and KERAS_3layer: same parameter counts (171 and 4389, the initializers' element counts)
    // and the same MACs. conv1d_small by hand: 10*3*(4*4) + 10*2*(4*3) + 10*1*(4*2) + 10*5 + 5*5.
    for (onnx, keras, params, macs) in [
        (
            "conv1d_small_keras.onnx",
            "KERAS_conv1d_small.json",
            171,
            875,
        ),
        (
            "three_layer_keras.onnx",
            "KERAS_3layer.json",
            4389,
            16 * 64 + 64 * 32 + 32 * 32 + 32 * 5,
        ),
    ] {
        let o = inspect_json(&[&repo(&format!("examples/hls4ml-examples/onnx/{onnx}"))]);
        let k = inspect_json(&[&repo(&format!("examples/hls4ml-examples/keras/{keras}"))]);
        assert_eq!(o["total_params"], params, "{onnx}");
        assert_eq!(o["total_macs"], macs, "{onnx}");
        assert_eq!(k["total_macs"], macs, "{keras}");
    }
    // PyTorch's export (Gemm with transB=1) of the same architecture
    let p = inspect_json(&[&repo(
        "examples/hls4ml-examples/onnx/three_layer_pytorch.onnx",
    )]);
    assert_eq!(p["total_params"], 4389);
}
