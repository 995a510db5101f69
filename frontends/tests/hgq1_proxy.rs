//! HGQ1 proxy models (pip `HGQ` 0.2.x): `FixedPointQuantizer` layers read into the IR, checked
//! against independent truth:
//! - tests/fixtures/hgq1/hdense2 (scripts/hgq1_hls4ml_reference.py, HGQ 0.2.6 under tf.keras
//!   2.14, hls4ml 1.3.0): HGQ's own state of every quantizer (state.json), Keras's
//!   `count_params()` (meta.json), and the per-element casts and types hls4ml 1.3.0 wrote
//!   (firmware/nnet_code_gen.generated.h, firmware/defines.h);
//! - the 7 HGQ1 proxy models of the real corpus (data/real-projects), which now load.
//!
//! None of this needs the HGQ venv: the fixture is committed with the script that made it.

use frontends::load_model;
use ir::{LayerKind, Network};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../tests/fixtures/hgq1/{case}"))
}

fn json(path: PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn quantizer<'a>(net: &'a Network, name: &str) -> &'a ir::ops::FixedPointQuantizer {
    let layer = net.layer(net.find(name).unwrap_or_else(|| panic!("no layer {name}")));
    let LayerKind::FixedPointQuantizer(fq) = &layer.kind else {
        panic!("{name}: {:?}", layer.kind)
    };
    fq
}

fn ints(v: &Value) -> Vec<i32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap() as i32)
        .collect()
}

#[test]
fn every_quantizer_holds_hgqs_own_state() {
    let net = load_model(&fixture("hdense2").join("model.keras"), None, None).unwrap();
    let state = json(fixture("hdense2").join("state.json"));
    let state = state.as_array().unwrap();
    assert_eq!(
        state.len(),
        4,
        "inp_q, d1_quantizer, d1_relu_quantizer, d2_quantizer"
    );
    for s in state {
        let name = s["name"].as_str().unwrap();
        let fq = quantizer(&net, name);
        let q = &fq.quantizer;
        assert_eq!(q.round_mode, s["RND"].as_str().unwrap(), "{name}");
        assert_eq!(q.overflow_mode, s["SAT"].as_str().unwrap(), "{name}");
        assert_eq!(fq.fusible, s["fusible"].as_bool().unwrap(), "{name}");
        let shape: Vec<usize> = ints(&s["shape"]).iter().map(|&d| d as usize).collect();
        assert_eq!(q.shape, shape, "{name}");
        // HGQ's split: k = keep_negative, i = integers - k, f = bits - integers
        let (kn, bits, integers) = (
            ints(&s["keep_negative"]),
            ints(&s["bits"]),
            ints(&s["integers"]),
        );
        assert_eq!(q.k, kn, "{name}");
        let i: Vec<i32> = integers.iter().zip(&kn).map(|(i, k)| i - k).collect();
        let f: Vec<i32> = bits.iter().zip(&integers).map(|(b, i)| b - i).collect();
        assert_eq!((&q.i, &q.f), (&i, &f), "{name}");
        // its input is the layer HGQ says (hls4ml's Keras 2 parser puts `<dense>_linear`
        // between a Dense and its quantizer)
        let input = net.inputs_of(net.find(name).unwrap())[0];
        let inbound = s["inbound"].as_str().unwrap();
        let got = &net.layer(input).name;
        assert!(
            got == inbound || *got == format!("{inbound}_linear"),
            "{name}: fed by {got}, HGQ says {inbound}"
        );
    }
}

#[test]
fn the_parameter_count_is_keras_count_params() {
    let net = load_model(&fixture("hdense2").join("model.keras"), None, None).unwrap();
    let meta = json(fixture("hdense2").join("meta.json"));
    let total: u64 = net.stats().iter().map(|s| s.params).sum();
    // Dense 6*8+8 + 8*3+3 = 83, and 3 int8 variables per quantizer element: inp_q (1, 6),
    // d1_quantizer (), d1_relu_quantizer (1, 8), d2_quantizer (1, 3): 3 * (6+1+8+3) = 54
    assert_eq!(total, 137);
    assert_eq!(total, meta["count_params"].as_u64().unwrap());
}

/// The casts of one generated quantizer function in hls4ml's nnet_code_gen.h:
/// `out[j] = ap_fixed<b,i,AP_RND,AP_WRAP>(inp[j]);` (or `out[j] = 0;`) as
/// `(signed, width, integer, round, overflow)`, `None` for a zeroed element.
type Cast = Option<(bool, i32, i32, String, String)>;

fn hls4ml_casts(generated: &str, function: &str) -> Vec<Cast> {
    let start = generated
        .find(&format!("void {function}("))
        .unwrap_or_else(|| panic!("no function {function}"));
    let body = &generated[start..];
    let body = &body[..body.find("\n}").unwrap()];
    body.lines()
        .filter_map(|l| l.trim().strip_prefix("out["))
        .map(|l| {
            let rhs = l.split_once("] = ").unwrap().1;
            if rhs == "0;" {
                return None;
            }
            let signed = rhs.starts_with("ap_fixed<");
            let args = &rhs[rhs.find('<').unwrap() + 1..rhs.find('>').unwrap()];
            let a: Vec<&str> = args.split(',').collect();
            Some((
                signed,
                a[0].parse().unwrap(),
                a[1].parse().unwrap(),
                a[2].trim_start_matches("AP_").to_string(),
                a[3].trim_start_matches("AP_").to_string(),
            ))
        })
        .collect()
}

#[test]
fn the_per_element_formats_are_the_casts_hls4ml_writes() {
    let dir = fixture("hdense2");
    let net = load_model(&dir.join("model.keras"), None, None).unwrap();
    let generated =
        std::fs::read_to_string(dir.join("firmware/nnet_code_gen.generated.h")).unwrap();
    // hls4ml writes a function for every quantizer it does not fold (not fusible)
    let mut written = 0;
    for layer in net.layers() {
        let LayerKind::FixedPointQuantizer(fq) = &layer.kind else {
            continue;
        };
        if fq.fusible {
            assert!(!generated.contains(&format!("void {}(", layer.name)));
            continue;
        }
        written += 1;
        let q = &fq.quantizer;
        let ours: Vec<Cast> = (0..q.k.len())
            .map(|j| {
                let (k, i, f) = (q.k[j], q.i[j], q.f[j]);
                (k + i + f > 0).then(|| {
                    (
                        k != 0,
                        k + i + f,
                        k + i,
                        q.round_mode.clone(),
                        q.overflow_mode.clone(),
                    )
                })
            })
            .collect();
        assert_eq!(
            ours,
            hls4ml_casts(&generated, &layer.name),
            "{}",
            layer.name
        );
    }
    assert_eq!(written, 3);
}

/// A typedef of hls4ml's defines.h as `(signed, width, integer)`.
fn typedef(defines: &str, name: &str) -> (bool, u32, i32) {
    let line = defines
        .lines()
        .find(|l| l.trim_end().ends_with(&format!(" {name};")))
        .unwrap_or_else(|| panic!("no typedef {name}"));
    let t = line.trim_start_matches("typedef ");
    let args = &t[t.find('<').unwrap() + 1..t.find('>').unwrap()];
    let (w, i) = args.split_once(',').unwrap();
    (
        t.starts_with("ap_fixed"),
        w.parse().unwrap(),
        i.parse().unwrap(),
    )
}

#[test]
fn the_result_and_weight_types_are_those_hls4ml_derives() {
    // HGQ's overrides (weight_t, result_t) and each quantizer's widest element are the types
    // the estimator prices; hls4ml 1.3.0 derives the same result and weight types in its
    // bit-exact pass (accum and bias it derives differently: not compared)
    let dir = fixture("hdense2");
    let net = load_model(&dir.join("model.keras"), None, None).unwrap();
    let defines = std::fs::read_to_string(dir.join("firmware/defines.h")).unwrap();
    let prec = |layer: &str| {
        net.layer(net.find(layer).unwrap())
            .settings
            .precision
            .clone()
    };
    let ty = |t: &ir::FixedType| (t.signed(), t.width(), t.integer());
    for (layer, hls_name) in [
        ("d1", "d1_t"),
        ("re_lu", "re_lu_t"),
        ("d1_relu_quantizer", "d1_relu_quantizer_t"),
        ("d2", "d2_t"),
        ("inp_q", "inp_q_t"),
        ("input_1", "input_1_t"),
    ] {
        let got = prec(layer)
            .result
            .unwrap_or_else(|| panic!("{layer}: no result type"));
        assert_eq!(ty(&got), typedef(&defines, hls_name), "{layer}");
    }
    for (layer, hls_name) in [("d1", "d1_weight_t"), ("d2", "d2_weight_t")] {
        let got = prec(layer)
            .weight
            .unwrap_or_else(|| panic!("{layer}: no weight type"));
        assert_eq!(ty(&got), typedef(&defines, hls_name), "{layer}");
    }
}

#[test]
fn the_corpus_proxy_models_load() {
    // data/real-projects rows with layer_overrides `hgq` (README): Dense chains 16 (53 for
    // lrozzy__hls4ml-tutorial)-64-32-32-5 with 8 quantizers each. Keras's count_params is
    // every value of the weights file, the int8 quantizer state included (element counts of
    // model.weights.h5 read with h5py: 4845, and 7324 for the 53-input model).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/real-projects/models");
    let models = [
        ("lrozzy__hls4ml_openml/keras_model_def17e7419.keras", 4845),
        ("lrozzy__hls4ml_openml/keras_model_03cfd32b3d.keras", 4845),
        ("lrozzy__hls4ml_openml/keras_model_75a93cd5eb.keras", 4845),
        ("lrozzy__hls4ml_openml/keras_model_a0b5bc48e8.keras", 4845),
        ("lrozzy__hls4ml_openml/keras_model_2192021c61.keras", 4845),
        ("lrozzy__hls4ml-tutorial/keras_model_2cf856f0ee.keras", 7324),
        (
            "minhnguy3n__hls4ml-tutorial/keras_model_f502b607e7.keras",
            4845,
        ),
    ];
    for (m, count) in models {
        let net = load_model(&dir.join(m), None, None).unwrap_or_else(|e| panic!("{m}: {e}"));
        assert_eq!(net.total_params(), count, "{m}");
        let quantizers: Vec<_> = net
            .layers()
            .into_iter()
            .filter(|l| matches!(l.kind, LayerKind::FixedPointQuantizer(_)))
            .collect();
        assert_eq!(quantizers.len(), 8, "{m}");
        for q in &quantizers {
            let LayerKind::FixedPointQuantizer(fq) = &q.kind else {
                unreachable!()
            };
            assert!(fq.has_state(), "{m}: {}", q.name);
        }
        // the overrides give every Dense HGQ's weight type (each model has one narrower than
        // 16 bits; openml/006's last Dense keeps fixed<16,5>)
        let weights: Vec<_> = net
            .layers()
            .iter()
            .filter(|l| matches!(l.kind, LayerKind::Dense(_)))
            .map(|d| d.settings.precision.weight.clone())
            .collect();
        assert!(weights.iter().all(Option::is_some), "{m}: {weights:?}");
        assert!(
            weights.iter().flatten().any(|w| w.width() < 16),
            "{m}: {weights:?}"
        );
    }
}

#[test]
fn bad_quantizer_state_is_an_error_naming_the_layer() {
    let text = r#"{"class_name": "Functional", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_input_shape": [null, 4]}, "inbound_nodes": []},
        {"class_name": "FixedPointQuantizer", "name": "q", "config": {"name": "q", "RND": "ROUND_UP", "SAT": "WRAP", "shape": [1, 4], "overrides": null, "fusible": false},
         "inbound_nodes": [[["x", 0, 0, {}]]]}],
        "input_layers": [["x", 0, 0]], "output_layers": [["q", 0, 0]]}}"#;
    let e = frontends::keras::load_json_text("m.json", text, None, "m")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("m.json") && e.contains("'q'") && e.contains("RND"),
        "{e}"
    );
    assert!(e.contains("ROUND_UP"), "{e}");
    // a stored shape that does not broadcast to the input
    let bad_shape = text
        .replace("\"ROUND_UP\"", "\"RND\"")
        .replace("[1, 4]", "[1, 5]");
    let e = frontends::keras::load_json_text("m.json", &bad_shape, None, "m")
        .unwrap_err()
        .to_string();
    assert!(e.contains("'q'") && e.contains("[1, 5]"), "{e}");
}
