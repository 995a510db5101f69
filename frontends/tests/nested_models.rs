//! Keras models holding other models (fixtures in tests/fixtures/keras/nested, made by
//! scripts/make_nested_fixtures.py with Keras 3.15.1 (`k3_*`) and tf.keras 2.14 (`k2_*`)):
//! every format (the `.keras` archive, JSON with its weights file, the legacy full-model `.h5`)
//! reads into the flattened network hls4ml's tf.keras converter makes, with Keras's
//! `count_params()`, each nested layer's parameter count, output shape and weight values as
//! Keras reported them in `*.expected.json`; a shared sub-model is refused with hls4ml's reason.

mod common;

use frontends::load_model;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras/nested")
}

/// The files of one fixture: `.keras`, `.json` (weights found beside it), `.h5`.
fn files(name: &str) -> Vec<PathBuf> {
    ["keras", "json", "h5"]
        .iter()
        .map(|ext| dir().join(format!("{name}.{ext}")))
        .collect()
}

#[test]
fn nested_models_read_in_every_format_with_kerass_counts_and_weights() {
    for prefix in ["k3", "k2"] {
        for model in ["seq_in_seq", "func_in_func"] {
            let name = format!("{prefix}_{model}");
            let exp: Value = serde_json::from_str(
                &std::fs::read_to_string(dir().join(format!("{name}.expected.json"))).unwrap(),
            )
            .unwrap();
            for f in files(&name) {
                let net =
                    load_model(&f, None, None).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
                common::check_against_framework(&f.display().to_string(), &net, &exp);
            }
        }
    }
}

#[test]
fn the_nested_layers_keep_their_names_in_the_outer_models_order() {
    // hls4ml 1.3.0 (tf.keras 2.14) lists the layers of Sequential([InputLayer, Dense fc1 relu,
    // Sequential inner [inner_fc relu, inner_plain], Dense out]) as input_layer, fc1, fc1_relu,
    // inner_fc, inner_fc_relu, inner_plain, out (probed with convert_from_keras_model);
    // presynth's IR keeps the fused relu and adds the `_linear` layers hls4ml's tf.keras
    // parser makes and removes (keras/keras2.rs)
    let net = load_model(&dir().join("k2_seq_in_seq.h5"), None, None).unwrap();
    let names: Vec<&str> = net.layers().into_iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "input_layer",
            "fc1",
            "inner_fc",
            "inner_plain",
            "inner_plain_linear",
            "out",
            "out_linear"
        ]
    );
    // numbering: input 1, fc1 2 (+relu 3), inner 4, out 5 (+linear 6), inner's InputLayer 7,
    // inner_fc 8 (+relu 9), inner_plain 10 (+linear 11)
    let n: Vec<Option<&str>> = net.hls4ml_numbering.iter().map(|e| e.as_deref()).collect();
    assert_eq!(
        n,
        [
            Some("input_layer"),
            Some("fc1"),
            None,
            Some("out"),
            Some("out_linear"),
            None,
            Some("inner_fc"),
            Some("inner_plain"),
            Some("inner_plain_linear")
        ]
    );
}

#[test]
fn a_shared_sub_model_is_refused_with_hls4mls_reason() {
    for prefix in ["k3", "k2"] {
        for f in files(&format!("{prefix}_shared")) {
            let e = load_model(&f, None, None).unwrap_err().to_string();
            assert!(
                e.contains("'sh'") && e.contains("first call") && e.contains("2 times"),
                "{}: {e}",
                f.display()
            );
        }
    }
}
