//! PReLU in Keras files and DSL text: read from every Keras form with Keras's parameter count
//! (the `prelu` fixture, checked in `keras_fixtures.rs`), written back as DSL, and
//! `shared_axes`, which hls4ml 1.3.0 does not convert, refused naming the layer.

use frontends::dsl::parse;
use frontends::load_model;
use serde_json::Value;
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keras")
        .join(name)
}

#[test]
fn dsl_prelu_equals_the_keras_network() {
    // Keras: Conv1D(3, 3) over (7, 2) -> PReLU alpha (5, 3) = 15; Dense 15 -> 4 = 64;
    // PReLU 4; Dense 4 -> 2 = 10; conv 3·2·3 + 3 = 21: 114 (count_params() in prelu.expected.json)
    let dsl = parse(
        "input(7, 2, name=\"input_layer_11\") -> conv1d(3, 3, name=\"conv\") -> prelu(name=\"prelu_conv\") \
         -> flatten(name=\"flat\") -> dense(4, name=\"fc\") -> prelu(name=\"prelu_fc\") \
         -> dense(2, name=\"out\")",
    )
    .unwrap();
    assert_eq!(dsl.total_params(), 114);
    let keras = load_model(&fixture("prelu.keras"), None, None).unwrap();
    assert!(dsl.same_structure(&keras, false));
    let printed = frontends::dsl::to_dsl(&keras);
    assert!(printed.contains("prelu(name=\"prelu_fc\")"), "{printed}");
    assert!(parse(&printed).unwrap().same_structure(&keras, false));
}

#[test]
fn keras_refuses_shared_axes() {
    let mut m: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("prelu.json")).unwrap()).unwrap();
    let layers = m["config"]["layers"].as_array_mut().unwrap();
    let l = layers
        .iter_mut()
        .find(|l| l["config"]["name"] == "prelu_conv")
        .unwrap();
    l["config"]["shared_axes"] = serde_json::json!([1]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.json");
    std::fs::write(&file, m.to_string()).unwrap();
    let e = load_model(&file, None, None).unwrap_err().to_string();
    assert!(
        e.contains("prelu_conv") && e.contains("shared_axes") && e.contains("hls4ml"),
        "{e}"
    );
}
