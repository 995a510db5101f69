//! `presynth estimate` and `codegen` on HGQ1 proxy models (FixedPointQuantizer layers): the
//! seven HGQ1 rows of data/real-projects estimate with their projects' own configs, the
//! quantizers priced as casts (the one RND input quantizer has logic, the TRN/WRAP ones are
//! wires), the narrower types HGQ gives shrink the Dense layers' products; codegen writes them
//! as hls4ml's bit-exact flow does.

use std::process::Command;

fn repo(p: &str) -> String {
    format!("{}/{p}", env!("CARGO_MANIFEST_DIR"))
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

/// The HGQ1 rows of data/real-projects/rows.csv (`layer_overrides` `hgq`): model and config.
const ROWS: &[(&str, &str)] = &[
    (
        "lrozzy__hls4ml_openml/keras_model_def17e7419.keras",
        "lrozzy__hls4ml_openml/002/hls4ml_config.yml",
    ),
    (
        "lrozzy__hls4ml_openml/keras_model_03cfd32b3d.keras",
        "lrozzy__hls4ml_openml/003/hls4ml_config.yml",
    ),
    (
        "lrozzy__hls4ml_openml/keras_model_75a93cd5eb.keras",
        "lrozzy__hls4ml_openml/004/hls4ml_config.yml",
    ),
    (
        "lrozzy__hls4ml_openml/keras_model_a0b5bc48e8.keras",
        "lrozzy__hls4ml_openml/005/hls4ml_config.yml",
    ),
    (
        "lrozzy__hls4ml_openml/keras_model_2192021c61.keras",
        "lrozzy__hls4ml_openml/006/hls4ml_config.yml",
    ),
    (
        "lrozzy__hls4ml-tutorial/keras_model_2cf856f0ee.keras",
        "lrozzy__hls4ml-tutorial/001/hls4ml_config.yml",
    ),
    (
        "minhnguy3n__hls4ml-tutorial/keras_model_f502b607e7.keras",
        "minhnguy3n__hls4ml-tutorial/001/hls4ml_config.yml",
    ),
];

fn estimate(model: &str, config: &str) -> serde_json::Value {
    let m = repo(&format!("data/real-projects/models/{model}"));
    let c = repo(&format!("data/real-projects/models/{config}"));
    let (ok, out, err) = presynth(&["estimate", &m, "--config", &c, "--format", "json"]);
    assert!(ok, "{model}: {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn the_corpus_proxy_models_estimate() {
    for (model, config) in ROWS {
        let v = estimate(model, config);
        let layers = v["layers"].as_array().unwrap();
        let quantizers: Vec<_> = layers
            .iter()
            .filter(|l| l["kind"] == "FixedPointQuantizer")
            .collect();
        assert_eq!(quantizers.len(), 8, "{model}");
        let lut = |l: &serde_json::Value| l["csynth"]["lut"].as_f64().unwrap();
        // the first quantizer rounds (RND, WRAP): logic; the others truncate and wrap: wires
        assert!(lut(quantizers[0]) > 0.0, "{model}: {}", quantizers[0]);
        for q in &quantizers[1..] {
            assert_eq!(lut(q), 0.0, "{model}: {q}");
        }
        // the first Dense's weights are HGQ's type (narrower than the config's 16 bits)
        let dense = layers.iter().find(|l| l["kind"] == "Dense").unwrap();
        let weight = dense["precision"]["weight"].as_str().unwrap();
        assert_ne!(weight, "ap_fixed<16,6>", "{model}");
        assert!(v["total"]["lut"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn heterogeneous_types_shrink_the_products() {
    // rows 002 and 006 are one architecture (16-64-32-32-5, same config) trained to other bit
    // widths; only the proxy models' types tell them apart, and csynth says so (rows.csv:
    // 002 88980 LUT, 006 1460 LUT)
    let small = estimate(ROWS[4].0, ROWS[4].1);
    let large = estimate(ROWS[0].0, ROWS[0].1);
    let lut = |v: &serde_json::Value| v["total"]["lut"].as_f64().unwrap();
    assert!(
        lut(&small) < lut(&large),
        "{} vs {}",
        lut(&small),
        lut(&large)
    );
}

/// `presynth codegen` writes the proxy's project (hls-codegen/tests/hgq1_projects.rs checks it
/// file by file and in C simulation against hls4ml's): the heterogeneous quantizers as
/// hls4ml's generated per-element functions, the fusible one folded into d1's type.
#[test]
fn codegen_writes_the_quantizers_as_hls4ml_does() {
    let dir = tempfile::tempdir().unwrap();
    let m = repo("tests/fixtures/hgq1/hdense2/model.keras");
    let prj = dir.path().join("prj");
    let (ok, _, err) = presynth(&["codegen", &m, "-o", prj.to_str().unwrap()]);
    assert!(ok, "{err}");
    let gen = std::fs::read_to_string(prj.join("firmware/nnet_utils/nnet_code_gen.h")).unwrap();
    for f in ["inp_q", "d1_relu_quantizer", "d2_quantizer"] {
        assert!(gen.contains(&format!("void {f}(")), "{f} not generated");
    }
    assert!(
        !gen.contains("void d1_quantizer("),
        "the fusible quantizer is folded"
    );
    let defines = std::fs::read_to_string(prj.join("firmware/defines.h")).unwrap();
    assert!(defines.contains("typedef ap_fixed<9,5> d1_t;"), "{defines}");
}
