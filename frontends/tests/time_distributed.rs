//! Keras `TimeDistributed` (fixtures `td_dense`, `td_conv1d` in tests/fixtures/keras/nested, made
//! by scripts/make_nested_fixtures.py with Keras 3.15.1 (`k3_*`) and tf.keras 2.14 (`k2_*`)):
//! every format (`.keras`, JSON with its weights file, legacy `.h5`) reads into one
//! `TimeDistributed` layer wrapping the Keras layer, with Keras's `count_params()`, output
//! shapes and weight values (`*.expected.json`); a wrapped nested model and a wrapped layer the
//! reader would split are refused naming the layer.

mod common;

use frontends::load_model;
use ir::LayerKind;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras/nested")
}

fn files(name: &str) -> Vec<PathBuf> {
    ["keras", "json", "h5"]
        .iter()
        .map(|ext| dir().join(format!("{name}.{ext}")))
        .collect()
}

#[test]
fn time_distributed_reads_in_every_format_with_kerass_counts_and_weights() {
    for prefix in ["k3", "k2"] {
        for model in ["td_dense", "td_conv1d"] {
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
fn the_wrapped_layer_keeps_its_name_kind_and_activation() {
    for f in files("k2_td_dense").into_iter().chain(files("k3_td_dense")) {
        let net = load_model(&f, None, None).unwrap();
        let td = net.layer(net.find("td").unwrap());
        let LayerKind::TimeDistributed(t) = &td.kind else {
            panic!("{}: td is {}", f.display(), td.kind.name())
        };
        assert_eq!(t.layer.name, "td_fc");
        assert_eq!(t.layer.kind.name(), "Dense");
        assert_eq!(t.layer.activation, ir::Activation::Relu);
        assert_eq!(td.output_shape, vec![5, 4]);
        // Keras: kernel (3, 4), bias (4): 16 parameters, 5 steps x 12 MACs
        let stats = net.layer_stats(net.find("td").unwrap());
        assert_eq!((stats.params, stats.macs), (16, 60), "{}", f.display());
    }
}

/// The tf.keras JSON of td_dense with the wrapped layer's config changed by `edit`.
fn edited(edit: impl Fn(&mut Value), file: &str) -> PathBuf {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("k2_td_dense.json")).unwrap())
            .unwrap();
    let layers = v["config"]["layers"].as_array_mut().unwrap();
    let td = layers
        .iter_mut()
        .find(|l| l["class_name"] == "TimeDistributed")
        .unwrap();
    edit(&mut td["config"]["layer"]);
    let out = std::env::temp_dir().join(format!("presynth_td_{}_{file}", std::process::id()));
    std::fs::write(&out, v.to_string()).unwrap();
    out
}

#[test]
fn a_wrapped_model_or_a_split_layer_is_refused_naming_the_layer() {
    let nested = edited(
        |l| {
            l["class_name"] = "Sequential".into();
        },
        "seq.json",
    );
    let e = load_model(&nested, None, None).unwrap_err().to_string();
    assert!(e.contains("'td'") && e.contains("Sequential"), "{e}");
    // a QDense whose activation is a quantizer reads as the QDense and a QActivation
    let split = edited(
        |l| {
            l["class_name"] = "QDense".into();
            l["config"]["activation"] = serde_json::json!({
                "class_name": "quantized_relu",
                "config": {"bits": 6, "integer": 2}
            });
        },
        "split.json",
    );
    let e = load_model(&split, None, None).unwrap_err().to_string();
    assert!(e.contains("'td'") && e.contains("several layers"), "{e}");
    let missing = edited(
        |l| {
            l.as_object_mut().unwrap().remove("config");
        },
        "missing.json",
    );
    let e = load_model(&missing, None, None).unwrap_err().to_string();
    assert!(e.contains("layer.config"), "{e}");
}
