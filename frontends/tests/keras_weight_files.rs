//! Keras files beyond `X.json` + `X_weights.h5`: the default lookup of Keras 3's
//! `X.weights.h5`, and a `.keras` archive in tf.keras 2.13-2.15's layout.
//!
//! The tf.keras 2.x archive is built here by hand (TensorFlow is too heavy to install for one
//! fixture) from hls4ml's KERAS_3layer example, following tf-keras's `saving_lib` (2.14):
//! `config.json` is `serialize_keras_object(model)` (top-level `module`/`class_name`/`config`/
//! `registered_name`, every layer with `module` and `registered_name`, Keras 2 inbound nodes),
//! and `model.weights.h5` holds each layer's variables at
//! `_layer_checkpoint_dependencies/<layer name>/vars/<i>`, because saving_lib walks the model's
//! attributes in `dir()` order and that dict of layers sorts before `layers`. The truth it is
//! checked against is the same model loaded from the example's JSON and legacy HDF5 weights.

use frontends::load_model;
use ir::Network;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

fn keras_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hls4ml-examples/keras")
}

fn reference() -> Network {
    let dir = keras_dir();
    load_model(
        &dir.join("KERAS_3layer.json"),
        Some(&dir.join("KERAS_3layer_weights.h5")),
        None,
    )
    .unwrap()
}

#[test]
fn default_lookup_finds_keras3_weights_name() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("m.json");
    std::fs::copy(keras_dir().join("KERAS_3layer.json"), &json).unwrap();
    // no weights file beside it: the network has no weights
    let bare = load_model(&json, None, None).unwrap();
    assert!(bare.layers().iter().all(|l| l.weights.is_empty()));
    // Keras 3's name for save_weights files: m.weights.h5
    std::fs::copy(
        keras_dir().join("KERAS_3layer_weights.h5"),
        tmp.path().join("m.weights.h5"),
    )
    .unwrap();
    let n = load_model(&json, None, None).unwrap();
    assert!(n.same_structure(&reference(), true));
    assert_eq!(n.total_params(), 4389);
}

/// Each layer's weights from the legacy file, in Keras order (kernel, bias).
fn legacy_weights(layer: &str) -> Vec<(Vec<usize>, Vec<f32>)> {
    let f = hdf5::File::open(keras_dir().join("KERAS_3layer_weights.h5")).unwrap();
    ["kernel:0", "bias:0"]
        .iter()
        .map(|w| {
            let d = f.dataset(&format!("{layer}/{layer}/{w}")).unwrap();
            (d.shape(), d.read_raw::<f32>().unwrap())
        })
        .collect()
}

/// The example's Keras 2.0 JSON rewritten as tf.keras 2.14 serialises a Functional model.
fn tf_keras2_config() -> Value {
    let text = std::fs::read_to_string(keras_dir().join("KERAS_3layer.json")).unwrap();
    let old: Value = serde_json::from_str(&text).unwrap();
    let mut cfg = old["config"].clone();
    for l in cfg["layers"].as_array_mut().unwrap() {
        let o = l.as_object_mut().unwrap();
        o.insert("module".into(), json!("keras.layers"));
        o.insert("registered_name".into(), Value::Null);
        if o["class_name"] == "Dense" {
            let c = o.get_mut("config").unwrap().as_object_mut().unwrap();
            c.insert(
                "kernel_initializer".into(),
                json!({"module": "keras.initializers", "class_name": "VarianceScaling",
                       "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null},
                       "registered_name": null}),
            );
            o.insert("build_config".into(), json!({"input_shape": [null, 16]}));
        }
    }
    json!({
        "module": "keras.src.engine.functional",
        "class_name": "Functional",
        "config": cfg,
        "registered_name": "Functional",
        "build_config": {"input_shape": [null, 16]},
        "compile_config": null
    })
}

#[test]
fn tf_keras2_archive_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let h5 = tmp.path().join("model.weights.h5");
    {
        let f = hdf5::File::create(&h5).unwrap();
        let root = f.create_group("_layer_checkpoint_dependencies").unwrap();
        // saving_lib also makes (empty) groups for layers without variables
        root.create_group("input_1")
            .unwrap()
            .create_group("vars")
            .unwrap();
        for layer in ["fc1_relu", "fc2_relu", "fc3_relu", "output_softmax"] {
            let vars = root
                .create_group(layer)
                .unwrap()
                .create_group("vars")
                .unwrap();
            for (i, (shape, data)) in legacy_weights(layer).into_iter().enumerate() {
                vars.new_dataset::<f32>()
                    .shape(shape)
                    .create(i.to_string().as_str())
                    .unwrap()
                    .write_raw(&data)
                    .unwrap();
            }
        }
    }
    let archive = tmp.path().join("tf214.keras");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("metadata.json", opts).unwrap();
        zip.write_all(br#"{"keras_version": "2.14.0", "date_saved": "2024-01-01@00:00:00"}"#)
            .unwrap();
        zip.start_file("config.json", opts).unwrap();
        zip.write_all(tf_keras2_config().to_string().as_bytes())
            .unwrap();
        zip.start_file("model.weights.h5", opts).unwrap();
        zip.write_all(&std::fs::read(&h5).unwrap()).unwrap();
        zip.finish().unwrap();
    }
    let n = load_model(&archive, None, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(n.same_structure(&reference(), true));
    assert_eq!(n.total_params(), 4389);

    // a group that names no layer of the model is an error naming it
    {
        let f = hdf5::File::open_rw(&h5).unwrap();
        f.group("_layer_checkpoint_dependencies")
            .unwrap()
            .create_group("ghost")
            .unwrap()
            .create_group("vars")
            .unwrap();
    }
    let bad = tmp.path().join("bad.keras");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&bad).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("config.json", opts).unwrap();
        zip.write_all(tf_keras2_config().to_string().as_bytes())
            .unwrap();
        zip.start_file("model.weights.h5", opts).unwrap();
        zip.write_all(&std::fs::read(&h5).unwrap()).unwrap();
        zip.finish().unwrap();
    }
    let e = load_model(&bad, None, None).unwrap_err().to_string();
    assert!(e.contains("ghost") && e.contains("bad.keras"), "{e}");
}
