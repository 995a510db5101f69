//! hls4ml's contrib GarNet / GarNetStack layers (tf.keras custom classes) read from the files
//! hls4ml users have: the legacy full-model `.h5` and `to_json()` + `save_weights()` HDF5. The
//! truth is tf.keras 2.14's own (`count_params()`, output shapes, weight names, shapes and
//! values), written by scripts/make_garnet_fixtures.py (TensorFlow 2.14.1, hls4ml 1.3.0, run in
//! .venv-qkeras) into tests/fixtures/garnet/NAME.expected.json. The refusals are hls4ml 1.3.0's
//! own (`converters/keras/graph.py`: simplified=False, a nonlinear output activation, an
//! input_format other than 'xn').

mod common;

use frontends::load_model;
use serde_json::Value;
use std::path::{Path, PathBuf};

const NETS: [&str; 3] = ["garnet_mean", "garnet_vertices", "garnet_stack"];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/garnet")
}

fn expected(name: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(dir().join(format!("{name}.expected.json"))).unwrap(),
    )
    .unwrap()
}

#[test]
fn h5_and_json_match_tf_keras_counts_shapes_and_weights() {
    for name in NETS {
        let exp = expected(name);
        let h5 = load_model(&dir().join(format!("{name}.h5")), None, None)
            .unwrap_or_else(|e| panic!("{name}.h5: {e}"));
        common::check_against_framework(&format!("{name} (h5)"), &h5, &exp);
        let json = load_model(
            &dir().join(format!("{name}.json")),
            Some(&dir().join(format!("{name}.weights.h5"))),
            None,
        )
        .unwrap_or_else(|e| panic!("{name}.json: {e}"));
        common::check_against_framework(&format!("{name} (json + weights)"), &json, &exp);
    }
}

#[test]
fn the_kinds_keep_hls4mls_attributes() {
    let net = load_model(&dir().join("garnet_stack.h5"), None, None).unwrap();
    let l = net.layer(net.find("gst").unwrap());
    let ir::LayerKind::GarNet(g) = &l.kind else {
        panic!("gst is {:?}", l.kind)
    };
    assert!(g.stack);
    assert_eq!(l.kind.name(), "GarNetStack");
    let sizes: Vec<_> = g
        .transforms
        .iter()
        .map(|t| (t.n_propagate, t.n_aggregators, t.n_filters))
        .collect();
    // GarNetStack([4, 2], [4, 5], [3, 3]) is (n_aggregators, n_filters, n_propagate)
    assert_eq!(sizes, vec![(3, 4, 4), (3, 2, 5)]);
    assert_eq!(g.collapse, Some(ir::ops::GarNetCollapse::Mean));
    assert!(!g.quantize_transforms);

    let net = load_model(&dir().join("garnet_vertices.h5"), None, None).unwrap();
    let ir::LayerKind::GarNet(g) = &net.layer(net.find("gar_v").unwrap()).kind else {
        panic!()
    };
    assert!(!g.stack && g.mean_by_nvert && g.collapse.is_none());
}

#[test]
fn the_vertex_count_input_keeps_its_integer_dtype() {
    // tf.keras's `Input(shape=(1,), dtype='uint16')` (the fixtures' JSON: "dtype": "uint16"),
    // which hls4ml's Keras 2 parser types as IntegerPrecisionType(16, signed=False); the float32
    // vertices have none. Both file forms.
    for net in [
        load_model(&dir().join("garnet_mean.h5"), None, None).unwrap(),
        load_model(
            &dir().join("garnet_mean.json"),
            Some(&dir().join("garnet_mean.weights.h5")),
            None,
        )
        .unwrap(),
    ] {
        let n = net.layer(net.find("n").unwrap());
        assert_eq!(
            n.int_dtype.as_deref(),
            Some(&ir::FixedType::Int {
                width: 16,
                signed: false
            })
        );
        assert_eq!(net.layer(net.find("x").unwrap()).int_dtype, None);
    }
}

/// The garnet_mean JSON with one config field of the GarNet layer replaced.
fn edited(field: &str, value: Value) -> tempfile::TempDir {
    let text = std::fs::read_to_string(dir().join("garnet_mean.json")).unwrap();
    let mut model: Value = serde_json::from_str(&text).unwrap();
    let layers = model["config"]["layers"].as_array_mut().unwrap();
    let g = layers
        .iter_mut()
        .find(|l| l["class_name"] == "GarNet")
        .unwrap();
    g["config"][field] = value;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("m.json"), model.to_string()).unwrap();
    tmp
}

#[test]
fn forms_hls4ml_refuses_are_refused_naming_the_field() {
    for (field, value, says) in [
        ("simplified", Value::Bool(false), "simplified=True"),
        (
            "output_activation",
            Value::from("tanh"),
            "nonlinear output activation",
        ),
        ("input_format", Value::from("x"), "input_format='xn'"),
        ("collapse", Value::from("median"), "'mean', 'sum' or 'max'"),
        ("n_filters", Value::from(0), "positive integer"),
    ] {
        let tmp = edited(field, value);
        let e = load_model(
            &tmp.path().join("m.json"),
            Some(&dir().join("garnet_mean.weights.h5")),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("gar_1") && e.contains(field) && e.contains(says),
            "{field}: {e}"
        );
    }
}
