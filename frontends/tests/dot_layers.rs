//! Dot in Keras files and DSL text: two 1-D operands read with Keras's shapes and parameter
//! count (the `dot` fixture, checked in `keras_fixtures.rs`), written back as DSL; `normalize`
//! (which hls4ml 1.3.0 ignores) and operands of rank > 1 (which it does not convert) refused
//! naming the layer.

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
fn dsl_dot_equals_the_keras_network() {
    // Keras: Dense 5 -> 4 twice (24 each), Dot -> (1,), Dense 1 -> 2 (4): 52 parameters
    // (count_params() in dot.expected.json)
    let dsl = parse(
        "x = input(5, name=\"x\")\n\
         a = x -> dense(4, relu, name=\"a\")\n\
         b = x -> dense(4, name=\"b\")\n\
         dot(a, b, name=\"dot\") -> dense(2, name=\"out\")",
    )
    .unwrap();
    assert_eq!(dsl.total_params(), 52);
    let keras = load_model(&fixture("dot.keras"), None, None).unwrap();
    assert!(dsl.same_structure(&keras, false));
    let printed = frontends::dsl::to_dsl(&keras);
    // the layer has Keras's own auto-name, so the printer leaves it out
    assert!(printed.contains("dot(a, b) -> dense"), "{printed}");
    assert!(parse(&printed).unwrap().same_structure(&keras, false));
}

#[test]
fn normalize_and_rank_2_operands_are_refused() {
    let mut m: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("dot.json")).unwrap()).unwrap();
    let layers = m["config"]["layers"].as_array_mut().unwrap();
    let l = layers
        .iter_mut()
        .find(|l| l["config"]["name"] == "dot")
        .unwrap();
    l["config"]["normalize"] = Value::Bool(true);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.json");
    std::fs::write(&file, m.to_string()).unwrap();
    let e = load_model(&file, None, None).unwrap_err().to_string();
    assert!(e.contains("dot") && e.contains("normalize"), "{e}");
    let e = parse("x = input(4, 3)\na = x -> dense(2)\nb = x -> dense(2)\ndot(a, b)")
        .unwrap_err()
        .to_string();
    assert!(e.contains("rank-1 operands"), "{e}");
}
