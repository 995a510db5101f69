//! The HGQ2 reader on examples/transformer/hgq2_encoder (scripts/make_hgq2_examples.py, hgq2
//! 0.1.6 under Keras 3.15): the config with Python's `Infinity` parses, each HGQ2 layer becomes
//! its Keras base kind, the attention has no key bias, and the quantizer state is counted as
//! Keras counts it. The per-layer counts, shapes and weights against Keras's own report are
//! checked by keras_fixtures.rs (it reads every `*.expected.json` there); this file checks the
//! HGQ2-specific parts against hand-derived numbers, and the refusals.

use frontends::keras::load_json_text;
use frontends::load_model;
use ir::LayerKind;
use std::path::Path;

fn example(ext: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../examples/transformer/hgq2_encoder.{ext}"))
}

#[test]
fn the_config_has_infinity_which_strict_json_rejects() {
    let text = std::fs::read_to_string(example("json")).unwrap();
    assert!(text.contains("\"i_decay_speed\": Infinity"));
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
    let net = load_json_text("hgq2_encoder.json", &text, None, "x").unwrap();
    assert_eq!(net.layers().len(), 12); // the input and the 11 layers
}

#[test]
fn hgq2_layers_become_their_keras_kinds_with_the_quantizer_state_counted() {
    let net = load_model(&example("keras"), None, None).unwrap();
    let kind = |n: &str| net.layer(net.find(n).unwrap()).kind.name();
    for (layer, k) in [
        ("proj", "Dense"),
        ("mha", "MultiHeadAttention"),
        ("res1", "Add"),
        ("ln1", "LayerNormalization"),
        ("ffn1", "EinsumDense"),
        ("pool", "GlobalAveragePooling1D"),
        ("prob", "Activation"),
    ] {
        assert_eq!(kind(layer), k, "{layer}");
    }
    let mha = net.layer(net.find("mha").unwrap());
    let LayerKind::MultiHeadAttention(a) = &mha.kind else {
        panic!("{:?}", mha.kind)
    };
    assert!(a.use_bias && !a.key_bias && a.heads == 2 && a.key_dim == 8);
    // seven attention weights: query kernel+bias, key kernel, value kernel+bias, output
    // kernel+bias (HGQ2 builds the key projection without a bias)
    assert_eq!(mha.weights.len(), 7);
    let stats = net.stats();
    let params = |n: &str| stats.iter().find(|s| s.name == n).unwrap().params;
    // proj, QDense 16 -> 16 on (8, 16): kernel 256 + bias 16; input quantizer (kif, WRAP,
    // per element of (8, 16)): k, i, f 3*128 + i_decay_speed 1; kernel quantizer (kbi) 3*256;
    // bias quantizer 3*16; beta and ebops 2: 272 + 385 + 768 + 48 + 2 = 1475 (Keras: 1475)
    let proj = net.layer(net.find("proj").unwrap());
    assert_eq!(proj.quantizer_params, 385 + 768 + 48 + 2);
    assert_eq!(params("proj"), 1475);
    // res1, QAdd of two (8, 16): one kif quantizer per operand 2*(3*128 + 1) + beta, ebops 2
    assert_eq!(params("res1"), 2 * 385 + 2);
    // ln1 is Keras's LayerNormalization: gamma and beta only
    assert_eq!(params("ln1"), 32);
    assert_eq!(net.total_params(), 17055);
}

#[test]
fn without_the_weights_file_only_the_weights_are_counted() {
    // the quantizer state is in the weights file, not in the config
    let net = load_model(&example("json"), None, None).unwrap();
    let mha = net.stats().into_iter().find(|s| s.name == "mha").unwrap();
    // 3 projections 16*2*8 + output 2*8*16 = 1024; biases query 16, value 16, output 16
    assert_eq!(mha.params, 1024 + 48);
}

fn replace_in_config(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(example("json")).unwrap();
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

#[test]
fn fused_attention_projections_are_refused_by_field() {
    let text = replace_in_config("\"fuse\": \"none\"", "\"fuse\": \"qkv\"");
    let e = load_json_text("m.json", &text, None, "x")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("mha") && e.contains("fuse") && e.contains("qkv"),
        "{e}"
    );
}

#[test]
fn an_hgq2_class_without_a_kind_is_named() {
    let text = replace_in_config("\"class_name\": \"QAdd\"", "\"class_name\": \"QDot\"");
    let e = load_json_text("m.json", &text, None, "x")
        .unwrap_err()
        .to_string();
    assert!(e.contains("res1") && e.contains("HGQ2 QDot"), "{e}");
}

#[test]
fn a_syntax_error_after_infinity_points_at_the_original_column() {
    // `Infinity` is quoted before the reparse; the reported column is the original text's
    let text = "{\"a\": Infinity, \"b\": @}";
    let e = load_json_text("m.json", text, None, "x")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "m.json: line 1, column 22: invalid JSON: expected value");
}

#[test]
fn a_scaled_softmax_is_refused_by_field() {
    let text = replace_in_config("\"input_scaler\": 1.0", "\"input_scaler\": 2.0");
    let e = load_json_text("m.json", &text, None, "x")
        .unwrap_err()
        .to_string();
    assert!(e.contains("prob") && e.contains("input_scaler"), "{e}");
}

#[test]
fn a_parallelization_factor_other_than_the_default_is_refused_by_field() {
    // hls4ml sizes a QDense over positions' partitions from it; presynth writes -1's only
    let text = replace_in_config(
        "\"parallelization_factor\": -1",
        "\"parallelization_factor\": 4",
    );
    let e = load_json_text("m.json", &text, None, "x")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("parallelization_factor") && e.contains("-1"),
        "{e}"
    );
}

/// The quantizer state read from the weights file equals HGQ2's own `kif` of every quantizer
/// (tests/fixtures/hgq2/qdense2/state.json, dumped from the model by
/// scripts/hgq2_hls4ml_reference.py with hgq2 0.1.6; heterogeneous bit widths per element).
#[test]
fn hgq2_quantizer_state_is_read_as_hgq2_has_it() {
    use ir::hgq::QuantizerRole;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/hgq2/qdense2");
    let net = load_model(&dir.join("model.keras"), None, None).unwrap();
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("state.json")).unwrap()).unwrap();
    let ints = |v: &serde_json::Value| -> Vec<i32> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_i64().unwrap() as i32)
            .collect()
    };
    let mut checked = 0;
    for l in state.as_array().unwrap() {
        let layer = net.layer(net.find(l["name"].as_str().unwrap()).unwrap());
        for q in l["quantizers"].as_array().unwrap() {
            let role = match q["role"].as_str().unwrap() {
                "iq" => QuantizerRole::Input,
                "kq" => QuantizerRole::Kernel,
                "bq" => QuantizerRole::Bias,
                r => panic!("{r}"),
            };
            let ours = layer
                .hgq_quantizers
                .iter()
                .find(|h| h.role == role)
                .unwrap_or_else(|| panic!("{}: no {role:?} quantizer", layer.name));
            assert_eq!(ours.k, ints(&q["k"]), "{} {role:?} k", layer.name);
            assert_eq!(ours.i, ints(&q["i"]), "{} {role:?} i", layer.name);
            assert_eq!(ours.f, ints(&q["f"]), "{} {role:?} f", layer.name);
            assert_eq!(ours.round_mode, q["round_mode"].as_str().unwrap());
            assert_eq!(ours.overflow_mode, q["overflow_mode"].as_str().unwrap());
            let shape: Vec<usize> = ints(&q["shape"]).iter().map(|&n| n as usize).collect();
            assert_eq!(ours.shape, shape);
            checked += 1;
        }
        assert_eq!(layer.hgq_quantizers.len(), 3, "{}: iq, kq, bq", layer.name);
    }
    // d1 and d2, each with an input, a kernel and a bias quantizer
    assert_eq!(checked, 6);
}
