//! QKeras's QSimpleRNN/QLSTM/QGRU and the quantized_tanh QActivation, read as hls4ml 1.3.0
//! converts them (`converters/keras/qkeras.py`): recurrent layers keep their float weights
//! (hls4ml's LSTM/GRU add them without the quantizer; its written kernel is the truth here),
//! activation quantizers become the activation hls4ml names, and what hls4ml refuses is refused
//! by name. Outputs and texts bit-exact vs hls4ml: scripts/qkeras_reference.py (qlstm,
//! qlstm_nostate, qgru; tests/cli_codegen_qkeras.rs).

use frontends::load_model;
use ir::ops::Cell;
use ir::{Activation, LayerKind};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

#[test]
fn qgru_weights_are_written_unquantized_as_hls4ml_writes_them() {
    let net = load_model(&fixture("qkeras/qgru.h5"), None, None).unwrap();
    let l = net.layer(net.find("rnn1").unwrap());
    let LayerKind::Recurrent(r) = &l.kind else {
        panic!("rnn1 is {:?}", l.kind)
    };
    assert_eq!(r.cell, Cell::Gru);
    assert_eq!(r.units, 5);
    assert!(r.reset_after && r.return_sequences);
    // quantized_tanh(8, use_real_tanh=True) -> hls4ml's tanh
    assert_eq!(r.activation, Activation::Tanh);
    // hls4ml 1.3.0's w2.txt for this model: the float kernel, not quantized_bits(6,1)'s grid
    let want: Vec<f32> = std::fs::read_to_string(fixture("qkeras/qgru.hls4ml_w2.txt"))
        .unwrap()
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect();
    let k = l.weight("kernel").unwrap();
    assert_eq!(k.data.len(), want.len());
    for (g, w) in k.data.iter().zip(&want) {
        assert!((g - w).abs() < 1e-9, "{g} vs {w}");
    }
    // not on the 1/16 grid of quantized_bits(6,1): the quantizer was not applied
    assert!(k.data.iter().any(|x| (x * 16.0).fract() != 0.0));
    // Keras count_params: GRU 3·(3·5 + 5·5 + 2·5) = 150, QDense 20·2 + 2 = 42
    assert_eq!(net.total_params(), 192);
}

/// A tf.keras 2 model JSON: Input(5, 3) -> `layer`.
fn model_with(layer: Value) -> Result<ir::Network, String> {
    let m = json!({
        "class_name": "Functional",
        "config": {
            "name": "m",
            "layers": [
                {"class_name": "InputLayer", "name": "in",
                 "config": {"batch_input_shape": [null, 5, 3], "dtype": "float32", "name": "in"},
                 "inbound_nodes": []},
                {"class_name": layer["class_name"], "name": "rnn", "config": layer["config"],
                 "inbound_nodes": [[["in", 0, 0, {}]]]}
            ],
            "input_layers": [["in", 0, 0]],
            "output_layers": [["rnn", 0, 0]]
        },
        "keras_version": "2.14.0",
        "backend": "tensorflow"
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.json");
    std::fs::write(&file, m.to_string()).unwrap();
    load_model(&file, None, None).map_err(|e| e.to_string())
}

fn q(class: &str, config: Value) -> Value {
    json!({"module": "qkeras.quantizers", "class_name": class, "config": config})
}

fn qrnn(class: &str, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let qb = q(
        "quantized_bits",
        json!({"bits": 6, "integer": 0, "alpha": 1}),
    );
    let mut c = json!({
        "name": "rnn", "units": 4, "activation": "tanh", "recurrent_activation": "sigmoid",
        "use_bias": true, "return_sequences": false, "return_state": false,
        "go_backwards": false, "stateful": false, "unroll": false, "reset_after": true,
        "kernel_quantizer": qb, "recurrent_quantizer": qb, "bias_quantizer": qb,
        "state_quantizer": null
    });
    edit(c.as_object_mut().unwrap());
    json!({"class_name": class, "config": c})
}

fn recurrent(net: &ir::Network) -> ir::ops::Recurrent {
    let kind = &net.layer(net.find("rnn").unwrap()).kind;
    let LayerKind::Recurrent(r) = kind else {
        panic!("rnn is {kind:?}")
    };
    r.clone()
}

#[test]
fn qrnn_classes_parse_with_hls4ml_activation_names() {
    for (class, cell) in [
        ("QLSTM", Cell::Lstm),
        ("QGRU", Cell::Gru),
        ("QSimpleRNN", Cell::SimpleRnn),
    ] {
        let r = recurrent(&model_with(qrnn(class, |_| {})).unwrap());
        assert_eq!((r.cell, r.activation), (cell, Activation::Tanh), "{class}");
    }
    // get_activation_quantizer: quantized_relu -> relu, quantized_bits -> linear,
    // quantized_sigmoid(use_real_sigmoid) -> sigmoid
    let r = recurrent(
        &model_with(qrnn("QLSTM", |c| {
            c.insert(
                "activation".into(),
                q(
                    "quantized_relu",
                    json!({"bits": 6, "integer": 2, "negative_slope": 0.0}),
                ),
            );
            c.insert(
                "recurrent_activation".into(),
                q(
                    "quantized_sigmoid",
                    json!({"bits": 8, "use_real_sigmoid": true}),
                ),
            );
        }))
        .unwrap(),
    );
    assert_eq!(
        (r.activation, r.recurrent_activation),
        (Activation::Relu, Activation::Sigmoid)
    );
    let r = recurrent(
        &model_with(qrnn("QGRU", |c| {
            c.insert(
                "activation".into(),
                q("quantized_bits", json!({"bits": 8, "integer": 2})),
            );
        }))
        .unwrap(),
    );
    assert_eq!(r.activation, Activation::Linear);
}

#[test]
fn qrnn_refuses_what_hls4ml_refuses_by_name() {
    for (class, key, v, want) in [
        // QKeras's default activations: hls4ml's HardActivation, "Hard activation not supported"
        (
            "QLSTM",
            "activation",
            q("quantized_tanh", json!({"bits": 8})),
            "Hard activation not supported",
        ),
        (
            "QGRU",
            "recurrent_activation",
            q("quantized_sigmoid", json!({"bits": 8})),
            "Hard activation not supported",
        ),
        (
            "QLSTM",
            "activation",
            q("quantized_po2", json!({"bits": 4})),
            "Unsupported QKeras activation: quantized_po2",
        ),
        (
            "QLSTM",
            "activation",
            q(
                "quantized_relu",
                json!({"bits": 6, "integer": 2, "negative_slope": 0.25}),
            ),
            "negative_slope",
        ),
        ("QGRU", "activation", q("binary", json!({})), "binary_tanh"),
        (
            "QLSTM",
            "kernel_quantizer",
            q("quantized_ulaw", json!({"bits": 4})),
            "quantized_ulaw",
        ),
        ("QLSTM", "return_state", Value::Bool(true), "return_state"),
    ] {
        let e = model_with(qrnn(class, |c| {
            c.insert(key.into(), v);
        }))
        .unwrap_err();
        assert!(
            e.contains("'rnn'") && e.contains(key) && e.contains(want),
            "{class}.{key}: {e}"
        );
    }
}

#[test]
fn bidirectional_qlstm_with_a_quantizer_activation_is_refused() {
    let inner = qrnn("QLSTM", |c| {
        c.insert(
            "activation".into(),
            q(
                "quantized_relu",
                json!({"bits": 6, "integer": 2, "negative_slope": 0.0}),
            ),
        );
    });
    let bidi = json!({"class_name": "Bidirectional",
                      "config": {"name": "rnn", "merge_mode": "concat", "layer": inner}});
    let e = model_with(bidi).unwrap_err();
    assert!(
        e.contains("'rnn'") && e.contains("QLSTM") && e.contains("quantizer"),
        "{e}"
    );
    // with activation names it parses, as hls4ml's handler reads it
    let bidi = json!({"class_name": "Bidirectional",
                      "config": {"name": "rnn", "merge_mode": "concat",
                                 "layer": qrnn("QLSTM", |_| {})}});
    let r = recurrent(&model_with(bidi).unwrap());
    assert_eq!(r.cell, Cell::Lstm);
    assert!(r.bidirectional.is_some());
}

/// abdennour-GUESSOUM/Lenet5-hls4ml (data/real-projects, a tf.keras 2.14 `.keras`): four
/// QActivation(quantized_tanh(8)) layers, which hls4ml 1.3.0 converts to its HardActivation
/// hard_tanh (use_real_tanh False, QKeras's slope and shift 0.5); the reader refused
/// quantized_tanh before.
#[test]
fn quantized_tanh_qactivation_is_hls4mls_hard_tanh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../data/real-projects/models/abdennour-guessoum__lenet5-hls4ml/keras_model_6da90c6cc4.keras",
    );
    let net = load_model(&path, None, None).unwrap();
    for name in ["qtanh1", "qtanh2", "qtanh3", "qtanh4"] {
        assert!(
            matches!(
                net.layer(net.find(name).unwrap()).kind,
                LayerKind::Activation(Activation::QKerasHardTanh)
            ),
            "{name}"
        );
    }
    // h5py: 7344 elements in the archive's model.weights.h5, less what hls4ml folds away in
    // its two QConv2DBatchnorm layers: their BatchNorm statistics (4·6 + 4·16 = 88) and their two
    // scalar step counters
    assert_eq!(net.total_params(), 7344 - 88 - 2);
}
