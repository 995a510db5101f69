//! Keras config forms that the real files of the other tests do not all show: Keras 2.0's
//! Sequential whose `config` is a bare layer list without an InputLayer, Keras 2 inbound nodes
//! without kwargs, a legacy `.h5` whose `model_config` is a fixed-length byte string (as Keras 2
//! with h5py 2 wrote it), and the hls4ml config YAML forms (bare HLSConfig, Precision dicts,
//! LayerType, `auto`) with `write_config` round-tripping.

use frontends::hls4ml_yaml::apply_config_str;
use frontends::{load_model, write_config};
use ir::{Activation, FixedType, LayerKind, Network, Strategy};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras")
}

fn load_text(dir: &Path, name: &str, text: &str) -> Network {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    load_model(&p, None, None).unwrap()
}

#[test]
fn keras_2_0_sequential_list_without_input_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let net = load_text(
        tmp.path(),
        "old.json",
        r#"{"class_name": "Sequential", "keras_version": "2.0.0", "config": [
            {"class_name": "Dense", "config": {"name": "dense_1", "units": 4, "batch_input_shape": [null, 3], "activation": "relu"}},
            {"class_name": "Dropout", "config": {"name": "dropout_1", "rate": 0.5}},
            {"class_name": "Dense", "config": {"name": "dense_2", "units": 2, "activation": "softmax", "use_bias": false}}]}"#,
    );
    // no name in the config: the file stem; the implicit input is named as hls4ml names it
    assert_eq!(net.name, "old");
    let input = net.layer(net.inputs[0]);
    assert_eq!(
        (input.name.as_str(), input.output_shape.clone()),
        ("input1", vec![3])
    );
    assert_eq!(net.total_params(), 3 * 4 + 4 + 4 * 2);
    let d2 = net.layer(net.find("dense_2").unwrap());
    assert_eq!(d2.activation, Activation::Softmax);
    assert_eq!(
        d2.kind,
        LayerKind::Dense(ir::ops::Dense {
            units: 2,
            use_bias: false
        })
    );
    assert_eq!(
        net.inputs_of(net.find("dense_2").unwrap()),
        vec![net.find("dropout_1").unwrap()]
    );
}

#[test]
fn keras_2_functional_with_branches() {
    let tmp = tempfile::tempdir().unwrap();
    let net = load_text(
        tmp.path(),
        "f.json",
        r#"{"class_name": "Model", "config": {"name": "m", "layers": [
            {"name": "x", "class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [null, 6]}, "inbound_nodes": []},
            {"name": "a", "class_name": "Dense", "config": {"name": "a", "units": 6}, "inbound_nodes": [[["x", 0, 0]]]},
            {"name": "l", "class_name": "LeakyReLU", "config": {"name": "l", "alpha": 0.1}, "inbound_nodes": [[["a", 0, 0, {}]]]},
            {"name": "s", "class_name": "Add", "config": {"name": "s"}, "inbound_nodes": [[["l", 0, 0, {}], ["x", 0, 0, {}]]]},
            {"name": "c", "class_name": "Concatenate", "config": {"name": "c", "axis": -1}, "inbound_nodes": [[["x", 0, 0, {}], ["s", 0, 0, {}]]]}],
          "input_layers": [["x", 0, 0]], "output_layers": [["c", 0, 0], ["a", 0, 0]]}}"#,
    );
    let c = net.find("c").unwrap();
    assert_eq!(net.layer(c).output_shape, vec![12]);
    // operand order is kept: x first, then s
    assert_eq!(
        net.inputs_of(c),
        vec![net.find("x").unwrap(), net.find("s").unwrap()]
    );
    assert_eq!(
        net.layer(net.find("l").unwrap()).kind,
        LayerKind::Activation(Activation::LeakyRelu { alpha: 0.1 })
    );
    let outs: Vec<&str> = net
        .outputs
        .iter()
        .map(|&o| net.layer(o).name.as_str())
        .collect();
    assert_eq!(outs, vec!["c", "a"]);
}

#[test]
fn legacy_h5_with_fixed_length_model_config() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("fixed.h5");
    std::fs::copy(fixtures().join("mlp_relu.h5"), &p).unwrap();
    {
        let f = hdf5::File::open_rw(&p).unwrap();
        let text = frontends::keras::h5::string_attr(&f, "model_config").unwrap();
        f.delete_attr("model_config").unwrap();
        let fixed = hdf5::types::FixedAscii::<8192>::from_ascii(&text).unwrap();
        f.new_attr::<hdf5::types::FixedAscii<8192>>()
            .create("model_config")
            .unwrap()
            .write_scalar(&fixed)
            .unwrap();
    }
    let a = load_model(&p, None, None).unwrap();
    let b = load_model(&fixtures().join("mlp_relu.keras"), None, None).unwrap();
    assert_eq!(a, b);
}

fn mlp() -> Network {
    load_model(&fixtures().join("mlp_relu.keras"), None, None).unwrap()
}

#[test]
fn bare_hlsconfig_with_precision_dicts_and_layer_types() {
    let mut net = mlp();
    apply_config_str(
        &mut net,
        "Model:\n  Precision:\n    default: ap_fixed<12,4>\n    weight: ap_fixed<8,2>\n    accum: auto\n  ReuseFactor: 4\n  Strategy: Resource\n\
         LayerType:\n  QDense:\n    ReuseFactor: 8\n  Softmax:\n    Strategy: Stable\n\
         LayerName:\n  out:\n    Precision: ap_fixed<20,10>\n    ReuseFactor: 2\n    Strategy: Latency\n  fc1:\n    Precision:\n      bias: ap_fixed<10,3,AP_RND,AP_SAT>\n",
        "inline.yml",
    )
    .unwrap();
    let t = |s: &str| s.parse::<FixedType>().unwrap();
    assert_eq!(net.config.precision, t("ap_fixed<12,4>"));
    assert_eq!(
        (net.config.reuse_factor, net.config.strategy),
        (4, Strategy::Resource)
    );
    let s = |n: &str| net.layer(net.find(n).unwrap()).settings.clone();
    // model-level weight type reaches every layer; LayerType then LayerName override
    assert_eq!(s("fc2").precision.weight, Some(t("ap_fixed<8,2>")));
    assert_eq!(s("fc2").precision.accum, None);
    assert_eq!(s("fc2").reuse_factor, Some(8));
    assert_eq!(
        s("fc1").precision.bias,
        Some(t("ap_fixed<10,3,AP_RND,AP_SAT>"))
    );
    assert_eq!(s("fc1").precision.weight, Some(t("ap_fixed<8,2>")));
    assert_eq!(s("out").precision.weight, Some(t("ap_fixed<20,10>")));
    assert_eq!(s("out").precision.result, Some(t("ap_fixed<20,10>")));
    assert_eq!(
        (s("out").reuse_factor, s("out").strategy),
        (Some(2), Some(Strategy::Latency))
    );
    let resolved = net.config.resolve(&s("fc2"));
    assert_eq!(resolved.result, t("ap_fixed<12,4>"));
}

#[test]
fn write_config_round_trips() {
    let mut a = mlp();
    apply_config_str(
        &mut a,
        "Backend: Vitis\nPart: xcu250-figd2104-2L-e\nClockPeriod: 4.5\nIOType: io_stream\nHLSConfig:\n  Model:\n    Precision: ap_fixed<18,8>\n    ReuseFactor: 3\n    Strategy: Resource\n  LayerName:\n    fc1:\n      Precision:\n        weight: ap_fixed<6,1>\n        result: ap_ufixed<6,0,AP_RND_CONV,AP_SAT>\n        accum: auto\n      ReuseFactor: 16\n",
        "a.yml",
    )
    .unwrap();
    // the model's maximum (limit of the precision inference) is kept and written back
    apply_config_str(
        &mut a,
        "Model:\n  Precision:\n    default: ap_fixed<18,8>\n    maximum: ap_fixed<24,10>\n",
        "max.yml",
    )
    .unwrap();
    assert_eq!(a.max_precision, Some("ap_fixed<24,10>".parse().unwrap()));
    // `auto` stays to be inferred (by the lowering), and is written back as `auto`
    assert!(a.layer(a.find("fc1").unwrap()).settings.auto.accum);
    let text = write_config(&a);
    assert!(text.contains("accum: auto"), "{text}");
    let mut b = mlp();
    apply_config_str(&mut b, &text, "written.yml").unwrap();
    assert_eq!(a, b, "written config:\n{text}");
    assert!(text.contains("ap_ufixed<6,0,AP_RND_CONV,AP_SAT>"), "{text}");
    assert_eq!(b.config.clock_period_ns, 4.5);
    assert_eq!(b.config.io_type.to_string(), "io_stream");
}

/// hls4ml 0.x configs name the linear activation it adds after a Dense without one
/// (`fc1_linear`, as in the hls4ml tutorial's QKeras project configs); that entry has no IR
/// layer and is accepted, while a name matching no layer and no split activation stays an error.
#[test]
fn linear_split_activation_entries_are_accepted() {
    let mut net = frontends::dsl::parse(
        "input(16, name=\"fc1_input\") -> dense(64, name=\"fc1\") -> relu(name=\"relu1\")",
    )
    .unwrap();
    let entry =
        |n: &str| format!("LayerName:\n  {n}:\n    Precision:\n      result: ap_fixed<16,6>\n");
    apply_config_str(&mut net, &entry("fc1_linear"), "inline.yml").unwrap();
    let e = apply_config_str(&mut net, &entry("fc1_tanh"), "inline.yml").unwrap_err();
    assert!(e.to_string().contains("no layer named 'fc1_tanh'"), "{e}");
}

/// QKeras QDepthwiseConv2D / QSeparableConv2D (no weights): the quantizers hls4ml's handlers
/// read (`depthwise_quantizer`, `pointwise_quantizer`, `bias_quantizer`) give the weight and
/// bias types by hls4ml's `_get_type` rule (`quantized_bits(b, i)` → `ap_fixed<b, i+1>`); the
/// separable layer's weight type is its pointwise kernel's. Counts by hand: depthwise
/// 3·3·2 + 2 = 20 on (6, 6, 2) → (4, 4, 2); separable 3·3·2 + 2·4 + 4 = 30 → (2, 2, 4).
#[test]
fn qkeras_depthwise_and_separable_read_their_quantizers() {
    let tmp = tempfile::tempdir().unwrap();
    let q = |b: u32, i: u32| {
        format!(
            r#"{{"class_name": "quantized_bits", "config": {{"bits": {b}, "integer": {i}, "alpha": 1}}}}"#
        )
    };
    let text = format!(
        r#"{{"class_name": "Sequential", "config": {{"name": "qdw", "layers": [
            {{"class_name": "InputLayer", "config": {{"name": "in", "batch_input_shape": [null, 6, 6, 2]}}}},
            {{"class_name": "QDepthwiseConv2D", "config": {{"name": "dw", "kernel_size": [3, 3],
              "depthwise_quantizer": {dq}, "bias_quantizer": {bq}}}}},
            {{"class_name": "QSeparableConv2D", "config": {{"name": "sep", "filters": 4, "kernel_size": 3,
              "depthwise_quantizer": {dq}, "pointwise_quantizer": {pq}, "bias_quantizer": {bq}}}}}]}}}}"#,
        dq = q(6, 0),
        pq = q(8, 2),
        bq = q(10, 3)
    );
    let net = load_text(tmp.path(), "qdw.json", &text);
    let dw = net.layer(net.find("dw").unwrap());
    assert!(matches!(dw.kind, LayerKind::DepthwiseConv2D(_)));
    assert_eq!(dw.settings.precision.weight, Some(FixedType::fixed(6, 1)));
    assert_eq!(dw.settings.precision.bias, Some(FixedType::fixed(10, 4)));
    let sep = net.layer(net.find("sep").unwrap());
    assert_eq!(sep.settings.precision.weight, Some(FixedType::fixed(8, 3)));
    assert_eq!(sep.output_shape, vec![2, 2, 4]);
    assert_eq!(net.total_params(), 20 + 30);
}

#[test]
fn relu_arguments_map_as_hls4mls_relu_handler() {
    // hls4ml 1.3.0 converters/keras_v3/core.py ReLUHandler: negative_slope -> LeakyReLU,
    // threshold -> ThresholdedReLU, both non-zero or a max_value -> refused; tf.keras's
    // ThresholdedReLU layer keeps its theta (default 1.0).
    let model = |relu: &str| {
        format!(
            r#"{{"class_name": "Functional", "config": {{"name": "m", "layers": [
            {{"name": "x", "class_name": "InputLayer", "config": {{"name": "x", "batch_shape": [null, 4]}}, "inbound_nodes": []}},
            {{"name": "r", "class_name": {relu}, "inbound_nodes": [[["x", 0, 0, {{}}]]]}}],
            "input_layers": [["x", 0, 0]], "output_layers": [["r", 0, 0]]}}}}"#
        )
    };
    let tmp = tempfile::tempdir().unwrap();
    let act = |relu: &str| {
        let net = load_text(tmp.path(), "r.json", &model(relu));
        net.layer(net.find("r").unwrap()).kind.clone()
    };
    assert_eq!(
        act(r#""ReLU", "config": {"name": "r", "threshold": 0.25, "negative_slope": 0.0}"#),
        LayerKind::Activation(Activation::ThresholdedRelu { theta: 0.25 })
    );
    assert_eq!(
        act(r#""ReLU", "config": {"name": "r", "negative_slope": 0.2}"#),
        LayerKind::Activation(Activation::LeakyRelu { alpha: 0.2 })
    );
    assert_eq!(
        act(r#""ReLU", "config": {"name": "r", "max_value": null}"#),
        LayerKind::Activation(Activation::Relu)
    );
    assert_eq!(
        act(r#""ThresholdedReLU", "config": {"name": "r"}"#),
        LayerKind::Activation(Activation::ThresholdedRelu { theta: 1.0 })
    );
    for (bad, field) in [
        (
            r#""ReLU", "config": {"name": "r", "threshold": 0.5, "negative_slope": 0.1}"#,
            "threshold",
        ),
        (
            r#""ReLU", "config": {"name": "r", "max_value": 6.0}"#,
            "max_value",
        ),
    ] {
        let p = tmp.path().join("bad.json");
        std::fs::write(&p, model(bad)).unwrap();
        let e = load_model(&p, None, None).unwrap_err().to_string();
        assert!(
            e.contains("'r'") && e.contains(field) && e.contains("hls4ml 1.3.0"),
            "{e}"
        );
    }
}
