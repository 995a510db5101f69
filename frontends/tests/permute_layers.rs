//! Permute in Keras files and DSL text: read with Keras's shapes and parameter count (the
//! `permute` fixture, checked in `keras_fixtures.rs`), written back as DSL, and a `dims` that is
//! not a permutation of the input's axes refused naming the layer.

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
fn dsl_permute_equals_the_keras_network() {
    // Keras: (6, 3) -> Permute(2, 1) (3, 6) -> Dense 6 -> 4 per position = 28 -> Reshape
    // (3, 2, 2) -> Permute(3, 1, 2) (2, 3, 2) -> Flatten 12 -> Dense 2 = 26: 54 parameters
    // (count_params() in permute.expected.json)
    let dsl = parse(
        "input(6, 3, name=\"seq\") -> permute(2, 1, name=\"swap\") -> dense(4, name=\"fc\") \
         -> reshape(3, 2, 2, name=\"img\") -> permute(3, 1, 2, name=\"rot\") \
         -> flatten(name=\"flat\") -> dense(2, name=\"out\")",
    )
    .unwrap();
    assert_eq!(dsl.total_params(), 54);
    let keras = load_model(&fixture("permute.keras"), None, None).unwrap();
    assert!(dsl.same_structure(&keras, false));
    let rot = keras
        .layers()
        .into_iter()
        .find(|l| l.name == "rot")
        .unwrap();
    assert_eq!(rot.output_shape, vec![2, 3, 2]);
    let printed = frontends::dsl::to_dsl(&keras);
    assert!(
        printed.contains("permute(3, 1, 2, name=\"rot\")"),
        "{printed}"
    );
    assert!(parse(&printed).unwrap().same_structure(&keras, false));
}

#[test]
fn bad_dims_are_errors_naming_the_layer() {
    let mut m: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("permute.json")).unwrap()).unwrap();
    let layers = m["config"]["layers"].as_array_mut().unwrap();
    let l = layers
        .iter_mut()
        .find(|l| l["config"]["name"] == "rot")
        .unwrap();
    l["config"]["dims"] = serde_json::json!([1, 1, 2]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.json");
    std::fs::write(&file, m.to_string()).unwrap();
    let e = load_model(&file, None, None).unwrap_err().to_string();
    assert!(e.contains("rot") && e.contains("not a permutation"), "{e}");
    let e = parse("input(6, 3) -> permute(1, 3)")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a permutation"), "{e}");
}
