//! The ONNX/QONNX frontend against independent truth:
//! - hls4ml's example ONNX models (examples/hls4ml-examples/onnx): parameter counts equal the
//!   initializers' element counts (derived by hand below from the shapes `onnx.load` reports),
//!   and the two that are exports of hls4ml's Keras example models give the same layers, shapes
//!   and weights as the Keras files loaded by the Keras frontend (so the channels-first to
//!   channels-last weight conversion is checked against Keras's own layout);
//! - hand-built models (protobuf encoded here with the frontend's prost messages): every
//!   unsupported node listed in one error, QONNX Quant types as hls4ml's quant_opt derives them,
//!   channels-first flattening permutes the Dense kernel rows.

use frontends::load_model;
use frontends::onnx::proto::*;
use ir::{Activation, LayerKind, Network, Padding};
use prost::Message;
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hls4ml-examples")
}

fn load(rel: &str) -> Network {
    load_model(&examples().join(rel), None, None).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A layer's kind name, output shape and weights.
type Summary = (String, Vec<usize>, Vec<(String, ir::Tensor)>);

/// (kind name, output shape, weights) of every weighted layer in order.
fn weighted_layers(n: &Network) -> Vec<Summary> {
    n.layers()
        .into_iter()
        .filter(|l| !l.weights.is_empty())
        .map(|l| {
            (
                l.kind.name().to_string(),
                l.output_shape.clone(),
                l.weights.clone(),
            )
        })
        .collect()
}

#[test]
fn example_parameter_counts_equal_initializer_counts() {
    // Initializer shapes as onnx.load reports them (see examples/hls4ml-examples/README.md):
    // three_layer_*: [16,64]+[64]+[64,32]+[32]+[32,32]+[32]+[32,5]+[5]
    //              = 1024+64+2048+32+1024+32+160+5 = 4389 (= KERAS_3layer's count)
    // two_layer_keras: [10,32]+[32]+[32,1]+[1] = 320+32+32+1 = 385 (= KERAS_1layer's)
    // conv1d_small_keras: [3,4,4]+[3]+[2,3,4]+[2]+[1,2,4]+[1]+[10,5]+[5]+[5,5]+[5]
    //              = 48+3+24+2+8+1+50+5+25+5 = 171 (= KERAS_conv1d_small's)
    for (file, params) in [
        ("onnx/three_layer_keras.onnx", 4389),
        ("onnx/three_layer_pytorch.onnx", 4389),
        ("onnx/two_layer_keras.onnx", 385),
        ("onnx/conv1d_small_keras.onnx", 171),
    ] {
        let n = load(file);
        assert_eq!(n.total_params(), params, "{file}");
        let counted = frontends::onnx::initializer_values(&examples().join(file)).unwrap();
        assert_eq!(counted as u64, params, "{file}");
    }
}

#[test]
fn keras_exports_match_the_keras_models() {
    for (onnx, keras) in [
        ("onnx/three_layer_keras.onnx", "keras/KERAS_3layer.json"),
        (
            "onnx/conv1d_small_keras.onnx",
            "keras/KERAS_conv1d_small.json",
        ),
    ] {
        let (o, k) = (load(onnx), load(keras));
        let (wo, wk) = (weighted_layers(&o), weighted_layers(&k));
        assert_eq!(wo.len(), wk.len(), "{onnx}");
        for (a, b) in wo.iter().zip(&wk) {
            assert_eq!((&a.0, &a.1), (&b.0, &b.1), "{onnx}: kind and output shape");
            assert_eq!(a.2, b.2, "{onnx}: weights of a {} layer", a.0);
        }
        assert_eq!(o.total_params(), k.total_params());
        let out = |n: &Network| n.layer(n.outputs[0]).output_shape.clone();
        assert_eq!(out(&o), out(&k));
    }
}

#[test]
fn example_structure_as_hls4ml_converts_it() {
    // hls4ml 1.3.0 (after QONNX cleanup): Conv (same pads [1,2] for kernel 4), Relu as its own
    // Activation layer, Flatten, Dense, Softmax.
    let n = load("onnx/conv1d_small_keras.onnx");
    let kinds: Vec<String> = n
        .layers()
        .iter()
        .map(|l| l.kind.name().to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "Input",
            "Conv1D",
            "Activation",
            "Conv1D",
            "Activation",
            "Conv1D",
            "Activation",
            "Flatten",
            "Dense",
            "Activation",
            "Dense",
            "Activation"
        ]
    );
    let conv = n.layers()[1].clone();
    assert_eq!(
        conv.kind,
        LayerKind::Conv1D(ir::ops::Conv1D {
            filters: 3,
            kernel: 4,
            stride: 1,
            padding: Padding::Same,
            use_bias: true
        })
    );
    assert_eq!(n.layers()[0].output_shape, vec![10, 4]);
    let last = n.layers().last().unwrap().kind.clone();
    assert_eq!(last, LayerKind::Activation(Activation::Softmax));
    // PyTorch's Gemm(transB=1): kernel is B transposed; the input named "0" gets hls4ml's prefix
    let p = load("onnx/three_layer_pytorch.onnx");
    assert_eq!(p.layers()[0].name, "inputlayer0");
    assert_eq!(p.layers()[0].output_shape, vec![16]);
    assert_eq!(p.layers()[1].weight("kernel").unwrap().shape, vec![16, 64]);
}

// ------------------------------------------------------------------------------------------
// hand-built models
// ------------------------------------------------------------------------------------------

fn vi(name: &str, dims: &[i64]) -> ValueInfoProto {
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: data_type::FLOAT,
                shape: Some(TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|&d| Dimension {
                            value: Some(DimValue::DimValue(d)),
                        })
                        .collect(),
                }),
            }),
        }),
    }
}

fn init(name: &str, dims: &[i64], data: Vec<f32>) -> TensorProto {
    TensorProto {
        name: name.into(),
        dims: dims.to_vec(),
        data_type: data_type::FLOAT,
        float_data: data,
        ..Default::default()
    }
}

fn node(
    op: &str,
    name: &str,
    ins: &[&str],
    outs: &[&str],
    attrs: Vec<AttributeProto>,
) -> NodeProto {
    NodeProto {
        op_type: op.into(),
        name: name.into(),
        input: ins.iter().map(|s| s.to_string()).collect(),
        output: outs.iter().map(|s| s.to_string()).collect(),
        attribute: attrs,
        ..Default::default()
    }
}

fn int_attr(name: &str, v: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::INT,
        i: v,
        ..Default::default()
    }
}

fn ints_attr(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::INTS,
        ints: v.to_vec(),
        ..Default::default()
    }
}

fn str_attr(name: &str, v: &str) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::STRING,
        s: v.as_bytes().to_vec(),
        ..Default::default()
    }
}

fn write(dir: &Path, name: &str, graph: GraphProto) -> PathBuf {
    let m = ModelProto {
        ir_version: 8,
        graph: Some(graph),
        ..Default::default()
    };
    let p = dir.join(name);
    std::fs::write(&p, m.encode_to_vec()).unwrap();
    p
}

#[test]
fn every_unsupported_node_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let g = GraphProto {
        input: vec![vi("x", &[1, 4])],
        output: vec![vi("y", &[1, 4])],
        node: vec![
            node("Elu", "elu1", &["x"], &["a"], vec![]),
            node("Relu", "relu1", &["a"], &["b"], vec![]), // downstream of elu1: not listed
            node("Relu", "relu2", &["x"], &["c"], vec![]),
            node("Div", "div1", &["c", "c"], &["d"], vec![]),
            node(
                "Trunc",
                "trunc1",
                &["x", "s", "z", "b1", "b2"],
                &["e"],
                vec![],
            ),
            node("Erf", "erf1", &["x"], &["y"], vec![]),
        ],
        ..Default::default()
    };
    let p = write(dir.path(), "bad.onnx", g);
    let e = load_model(&p, None, None).unwrap_err().to_string();
    for want in [
        "4 unsupported ONNX node(s)",
        "'elu1' (Elu)",
        "'div1' (Div)",
        "'trunc1' (Trunc)",
        "'erf1' (Erf)",
        "not converted by hls4ml 1.3.0",
    ] {
        assert!(e.contains(want), "missing {want:?} in: {e}");
    }
    assert!(!e.contains("relu1"), "{e}");
    assert!(e.contains("bad.onnx"), "{e}");
}

#[test]
fn bad_files_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("junk.onnx");
    std::fs::write(&p, b"\xff\xff\xff not protobuf").unwrap();
    let e = load_model(&p, None, None).unwrap_err().to_string();
    assert!(
        e.contains("junk.onnx") && e.contains("not an ONNX model"),
        "{e}"
    );
    let p = write(dir.path(), "nograph.onnx", GraphProto::default());
    let _ = std::fs::write(&p, ModelProto::default().encode_to_vec());
    let e = load_model(&p, None, None).unwrap_err().to_string();
    assert!(e.contains("graph"), "{e}");
    // a weight with the wrong number of values names the initializer
    let g = GraphProto {
        input: vec![vi("x", &[1, 2])],
        output: vec![vi("y", &[1, 3])],
        initializer: vec![init("W", &[2, 3], vec![1.0; 5])],
        node: vec![node("MatMul", "mm", &["x", "W"], &["y"], vec![])],
        ..Default::default()
    };
    let p = write(dir.path(), "short.onnx", g);
    let e = load_model(&p, None, None).unwrap_err().to_string();
    assert!(
        e.contains("initializer 'W'") && e.contains("5 values"),
        "{e}"
    );
}

#[test]
fn qonnx_quant_gives_hls4ml_types_and_quantised_weights() {
    // Quant(W, scale=2^-2, zeropt=0, bitwidth=4, signed, ROUND) feeding MatMul; Quant of the
    // MatMul+Add output with scale 1, 6 bits unsigned, FLOOR.
    let dir = tempfile::tempdir().unwrap();
    let w = vec![0.3, -0.3, 0.375, 0.625, 5.0, -5.0];
    let g = GraphProto {
        input: vec![vi("x", &[1, 2])],
        output: vec![vi("y", &[1, 3])],
        initializer: vec![
            init("W", &[2, 3], w),
            init("B", &[3], vec![0.5, 0.0, -0.5]),
            init("s", &[], vec![0.25]),
            init("z", &[], vec![0.0]),
            init("bw", &[], vec![4.0]),
            init("one", &[], vec![1.0]),
            init("bw6", &[], vec![6.0]),
        ],
        node: vec![
            node(
                "Quant",
                "qw",
                &["W", "s", "z", "bw"],
                &["Wq"],
                vec![
                    int_attr("signed", 1),
                    int_attr("narrow", 0),
                    str_attr("rounding_mode", "ROUND"),
                ],
            ),
            node("MatMul", "mm", &["x", "Wq"], &["h"], vec![]),
            node("Add", "add", &["h", "B"], &["hb"], vec![]),
            node(
                "Quant",
                "qa",
                &["hb", "one", "z", "bw6"],
                &["y"],
                vec![int_attr("signed", 0), str_attr("rounding_mode", "FLOOR")],
            ),
        ],
        ..Default::default()
    };
    let p = write(dir.path(), "q.onnx", g);
    let n = load_model(&p, None, None).unwrap();
    let layers = n.layers();
    assert_eq!(layers.len(), 3);
    let dense = layers[1];
    assert_eq!(dense.name, "Dense_mm");
    // hls4ml FuseQuantWithConstant: frexp(0.25) = (0.5, -1), integer = 4 - 1 - 1 = 2
    assert_eq!(
        dense
            .settings
            .precision
            .weight
            .as_ref()
            .unwrap()
            .to_string(),
        "ap_fixed<4,2,AP_RND_CONV,AP_SAT>"
    );
    // QONNX Quant: round-half-even(x / 0.25) clamped to [-8, 7], times 0.25
    assert_eq!(
        dense.weight("kernel").unwrap().data,
        vec![0.25, -0.25, 0.5, 0.5, 1.75, -2.0]
    );
    assert_eq!(dense.weight("bias").unwrap().data, vec![0.5, 0.0, -0.5]);
    let act = layers[2];
    assert_eq!(act.name, "qa_act");
    assert_eq!(act.kind, LayerKind::Activation(Activation::Linear));
    assert_eq!(
        act.settings.precision.result.as_ref().unwrap().to_string(),
        "ap_ufixed<6,6,AP_TRN,AP_SAT>"
    );
    // the quantiser parameters are not weights: 6 + 3 parameters
    assert_eq!(n.total_params(), 9);
}

#[test]
fn channels_first_flatten_permutes_dense_rows() {
    // NCHW input [1, 2, 2, 2] -> Conv 1x1 (identity, 2 filters) -> Flatten -> MatMul [8, 1].
    // ONNX flattens (c, h, w); the IR flattens (h, w, c): IR row i = (p, c) holds ONNX row
    // c * 4 + p.
    let dir = tempfile::tempdir().unwrap();
    let wmm: Vec<f32> = (0..8).map(|i| i as f32).collect();
    let g = GraphProto {
        input: vec![vi("x", &[1, 2, 2, 2])],
        output: vec![vi("y", &[1, 1])],
        initializer: vec![
            init("Wc", &[2, 2, 1, 1], vec![1.0, 0.0, 0.0, 1.0]),
            init("W", &[8, 1], wmm),
        ],
        node: vec![
            node(
                "Conv",
                "conv",
                &["x", "Wc"],
                &["c"],
                vec![ints_attr("kernel_shape", &[1, 1])],
            ),
            node("Flatten", "flat", &["c"], &["f"], vec![int_attr("axis", 1)]),
            node("MatMul", "mm", &["f", "W"], &["y"], vec![]),
        ],
        ..Default::default()
    };
    let p = write(dir.path(), "cf.onnx", g);
    let n = load_model(&p, None, None).unwrap();
    let l = n.layers();
    assert_eq!(l[0].output_shape, vec![2, 2, 2]);
    assert_eq!(l[1].weight("kernel").unwrap().shape, vec![1, 1, 2, 2]);
    assert_eq!(
        l[3].weight("kernel").unwrap().data,
        vec![0.0, 4.0, 1.0, 5.0, 2.0, 6.0, 3.0, 7.0]
    );
    assert_eq!(n.total_params(), 4 + 8);
}

#[test]
fn layer_normalization_reads_its_axes_scale_and_bias() {
    // ONNX LayerNormalization (opset 17) on a (1, 8, 16) tensor. axis -1 normalises the 16
    // features with Scale and B of 16 each: 32 parameters, as Keras's LayerNormalization()
    // on (8, 16) counts; axis 1 normalises (8, 16) with a Scale of 8x16 and no B: 128
    // parameters, Keras's LayerNormalization(axis=[1, 2], center=False).
    let dir = tempfile::tempdir().unwrap();
    let ramp = |n: usize| (0..n).map(|i| i as f32 * 0.5).collect::<Vec<f32>>();
    let g = GraphProto {
        input: vec![vi("x", &[1, 8, 16])],
        output: vec![vi("z", &[1, 8, 16])],
        initializer: vec![
            init("g1", &[16], ramp(16)),
            init("b1", &[16], ramp(16)),
            init("g2", &[8, 16], ramp(128)),
        ],
        node: vec![
            node(
                "LayerNormalization",
                "ln_last",
                &["x", "g1", "b1"],
                &["y"],
                vec![float_attr("epsilon", 1e-6)],
            ),
            node(
                "LayerNormalization",
                "ln_both",
                &["y", "g2"],
                &["z"],
                vec![int_attr("axis", 1)],
            ),
        ],
        ..Default::default()
    };
    let n = load_model(&write(dir.path(), "ln.onnx", g), None, None).unwrap();
    let stats = n.stats();
    let get = |name: &str| stats.iter().find(|s| s.name == name).unwrap();
    assert_eq!((get("ln_last").params, get("ln_both").params), (32, 128));
    let l = n.layer(n.find("ln_both").unwrap());
    let LayerKind::LayerNorm(ln) = &l.kind else {
        panic!("{:?}", l.kind)
    };
    assert_eq!(ln.axes, vec![1, 2]);
    assert!(!ln.center && ln.scale);
    assert_eq!(l.weight("gamma").unwrap().shape, vec![8, 16]);
    assert_eq!(l.weight("gamma").unwrap().data[3], 1.5);
    let first = n.layer(n.find("ln_last").unwrap());
    assert!(matches!(&first.kind, LayerKind::LayerNorm(ln) if (ln.epsilon - 1e-6).abs() < 1e-12));
}

fn float_attr(name: &str, v: f32) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::FLOAT,
        f: v,
        ..Default::default()
    }
}

#[test]
fn attention_block_folds_its_projections_into_keras_attention() {
    // examples/transformer/attention_block.onnx (scripts/make_transformer_onnx.py): the Keras
    // encoder's `mha` and `ln1` as MatMul projections + opset-23 Attention + MatMul output
    // projection + Add + LayerNormalization; onnxruntime's output of it equals Keras's (the
    // script checks, attention_block.truth.json records the difference). Read back, the
    // attention is one layer with Keras's parameters and exactly Keras's weights.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/transformer");
    let onnx = load_model(&dir.join("attention_block.onnx"), None, None).unwrap();
    let keras = load_model(&dir.join("transformer_encoder.keras"), None, None).unwrap();
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("attention_block.truth.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        onnx.total_params(),
        truth["initializer_values"].as_u64().unwrap()
    );
    let stats = onnx.stats();
    let mha = stats
        .iter()
        .find(|s| s.kind == "MultiHeadAttention")
        .unwrap();
    assert_eq!(
        mha.params,
        truth["keras_count_params"]["mha"].as_u64().unwrap()
    );
    assert_eq!(mha.output_shape, vec![16, 32]);
    // no Dense is left: the projections are part of the attention
    assert!(onnx.layers().iter().all(|l| l.kind.name() != "Dense"));
    let a = onnx.layer(onnx.find(&mha.name).unwrap());
    let k = keras.layer(keras.find("mha").unwrap());
    assert_eq!(a.weights, k.weights);
    let (LayerKind::MultiHeadAttention(ma), LayerKind::MultiHeadAttention(mk)) = (&a.kind, &k.kind)
    else {
        panic!("not attention")
    };
    assert_eq!(
        (ma.heads, ma.kv_heads, ma.key_dim, ma.value_dim, ma.use_bias),
        (mk.heads, mk.kv_heads, mk.key_dim, mk.value_dim, mk.use_bias)
    );
    let ln = onnx.layer(onnx.find("ln1").unwrap());
    assert_eq!(ln.weights, keras.layer(keras.find("ln1").unwrap()).weights);
}

#[test]
fn attention_outside_the_projection_pattern_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let heads = || vec![int_attr("q_num_heads", 2), int_attr("kv_num_heads", 2)];
    let cases = [
        // a mask input
        (
            node("Attention", "att", &["x", "x", "x", "m"], &["y"], heads()),
            "no mask",
        ),
        // Q, K, V straight from the input: no projections to fold
        (
            node("Attention", "att", &["x", "x", "x"], &["y"], heads()),
            "must be a MatMul of a constant",
        ),
        // 4-D form (no head counts)
        (
            node("Attention", "att", &["x", "x", "x"], &["y"], vec![]),
            "q_num_heads and kv_num_heads are needed",
        ),
    ];
    for (n, want) in cases {
        let g = GraphProto {
            input: vec![vi("x", &[1, 4, 8]), vi("m", &[1, 4, 4])],
            output: vec![vi("y", &[1, 4, 8])],
            node: vec![n],
            ..Default::default()
        };
        let e = load_model(&write(dir.path(), "att.onnx", g), None, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'att' (Attention)") && e.contains(want),
            "{want}: {e}"
        );
    }
}

#[test]
fn sub_mul_max_min_become_merges_as_hls4ml_maps_them() {
    // hls4ml 1.3.0 converters/onnx/merge.py op_map: Sub→subtract, Mul→multiply, Max→maximum,
    // Min→minimum (and Add/Sum→add).
    use ir::ops::{Merge, MergeOp};
    let dir = tempfile::tempdir().unwrap();
    let g = GraphProto {
        input: vec![vi("x", &[1, 4])],
        output: vec![vi("y", &[1, 4])],
        node: vec![
            node("Relu", "r", &["x"], &["a"], vec![]),
            node("Sub", "s", &["x", "a"], &["b"], vec![]),
            node("Mul", "m", &["b", "a"], &["c"], vec![]),
            node("Max", "hi", &["c", "x"], &["d"], vec![]),
            node("Min", "lo", &["d", "a"], &["y"], vec![]),
        ],
        ..Default::default()
    };
    let p = write(dir.path(), "merges.onnx", g);
    let net = load_model(&p, None, None).unwrap();
    let ops: Vec<MergeOp> = net
        .layers()
        .into_iter()
        .filter_map(|l| {
            if let LayerKind::Merge(Merge { op }) = l.kind {
                Some(op)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        ops,
        [
            MergeOp::Subtract,
            MergeOp::Multiply,
            MergeOp::Maximum,
            MergeOp::Minimum
        ]
    );
}

#[test]
fn thresholded_relu_is_hls4mls_thresholded_relu() {
    // hls4ml 1.3.0 converters/onnx/core.py: ThresholdedRelu -> ThresholdedReLU with
    // activ_param = the `alpha` attribute, 0.01 when absent (hls4ml's default, not ONNX's 1.0).
    let dir = tempfile::tempdir().unwrap();
    let g = GraphProto {
        input: vec![vi("x", &[1, 4])],
        output: vec![vi("y", &[1, 4])],
        node: vec![
            node(
                "ThresholdedRelu",
                "t1",
                &["x"],
                &["a"],
                vec![float_attr("alpha", 0.5)],
            ),
            node("ThresholdedRelu", "t2", &["a"], &["y"], vec![]),
        ],
        ..Default::default()
    };
    let p = write(dir.path(), "thr.onnx", g);
    let net = load_model(&p, None, None).unwrap();
    let thetas: Vec<f64> = net
        .layers()
        .into_iter()
        .filter_map(|l| {
            if let LayerKind::Activation(ir::Activation::ThresholdedRelu { theta }) = l.kind {
                Some(theta)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(thetas, [0.5, 0.01]);
}

// ------------------------------------------------------------------------------------------
// Pad, Resize/Upsample, explicit Conv pads (hls4ml's ZeroPadding and Resize layers)
// ------------------------------------------------------------------------------------------

fn i64_init(name: &str, data: &[i64]) -> TensorProto {
    TensorProto {
        name: name.into(),
        dims: vec![data.len() as i64],
        data_type: data_type::INT64,
        int64_data: data.to_vec(),
        ..Default::default()
    }
}

/// (kind name, output shape) of every layer in order.
fn kinds_and_shapes(n: &Network) -> Vec<(String, Vec<usize>)> {
    n.layers()
        .into_iter()
        .map(|l| (l.kind.name().to_string(), l.output_shape.clone()))
        .collect()
}

#[test]
fn pad_resize_and_conv_pads_become_zero_padding_and_upsampling() {
    // x [1, 2, 4, 5] (ONNX C, H, W) is held channels-last [4, 5, 2].
    // Pad pads [0,0,1,2, 0,0,3,0] (begins of N,C,H,W then ends): H 1+4+3 = 8, W 2+5+0 = 7
    // Resize nearest, scales [1,1,2,3]: [16, 21, 2]; Upsample scales [1,1,1,2]: [16, 42, 2]
    // Conv 3x3 pads [0,1,2,0] (top, left, bottom, right: not Keras's 'same' split) ->
    //   zp2d_conv [[0,2],[1,0]]: [18, 43, 2], then a valid conv of 3 filters: [16, 41, 3]
    // parameters: the conv's 3·2·3·3 + 3 = 57 (the pads and scales are not weights)
    let dir = tempfile::tempdir().unwrap();
    let g = GraphProto {
        input: vec![vi("x", &[1, 2, 4, 5])],
        output: vec![vi("y", &[1, 3, 16, 41])],
        initializer: vec![
            i64_init("pads", &[0, 0, 1, 2, 0, 0, 3, 0]),
            init("scales", &[4], vec![1.0, 1.0, 2.0, 3.0]),
            init("scales2", &[4], vec![1.0, 1.0, 1.0, 2.0]),
            init("W", &[3, 2, 3, 3], vec![0.5; 54]),
            init("B", &[3], vec![0.25; 3]),
        ],
        node: vec![
            node("Pad", "pad", &["x", "pads"], &["p"], vec![]),
            node("Resize", "up", &["p", "", "scales"], &["r"], vec![]),
            node(
                "Upsample",
                "up9",
                &["r", "scales2"],
                &["u"],
                vec![str_attr("mode", "nearest")],
            ),
            node(
                "Conv",
                "conv",
                &["u", "W", "B"],
                &["y"],
                vec![
                    ints_attr("kernel_shape", &[3, 3]),
                    ints_attr("pads", &[0, 1, 2, 0]),
                ],
            ),
        ],
        ..Default::default()
    };
    let net = load_model(&write(dir.path(), "pad.onnx", g), None, None).unwrap();
    let got = kinds_and_shapes(&net);
    let want: Vec<(String, Vec<usize>)> = [
        ("Input", vec![4, 5, 2]),
        ("ZeroPadding2D", vec![8, 7, 2]),
        ("UpSampling2D", vec![16, 21, 2]),
        ("UpSampling2D", vec![16, 42, 2]),
        ("ZeroPadding2D", vec![18, 43, 2]),
        ("Conv2D", vec![16, 41, 3]),
    ]
    .into_iter()
    .map(|(k, s)| (k.to_string(), s))
    .collect();
    assert_eq!(got, want);
    assert_eq!(net.total_params(), 57);
    let zp = net.layer(net.find("zp2d_conv").expect("hls4ml's zp2d_ name"));
    assert_eq!(
        zp.kind,
        LayerKind::ZeroPadding2D(ir::ops::ZeroPadding2D {
            pad: [[0, 2], [1, 0]]
        })
    );
    let conv = net.layer(net.find("conv").unwrap());
    let LayerKind::Conv2D(c) = &conv.kind else {
        panic!("not a conv")
    };
    assert_eq!(c.padding, Padding::Valid);
    let LayerKind::UpSampling2D(u) = &net.layer(net.find("up").unwrap()).kind else {
        panic!("not upsampling")
    };
    assert_eq!(u.size, [2, 3]);

    // 1D: x [1, 3, 10] -> Pad [0,0,2, 0,0,1]: ZeroPadding1D [2, 1], [13, 3];
    // Resize (opset 10 form: X, scales) [1,1,2]: UpSampling1D 2, [26, 3]
    let g = GraphProto {
        input: vec![vi("x", &[1, 3, 10])],
        output: vec![vi("y", &[1, 3, 26])],
        initializer: vec![
            i64_init("pads", &[0, 0, 2, 0, 0, 1]),
            init("scales", &[3], vec![1.0, 1.0, 2.0]),
        ],
        node: vec![
            node("Pad", "pad", &["x", "pads"], &["p"], vec![]),
            node("Resize", "up", &["p", "scales"], &["y"], vec![]),
        ],
        ..Default::default()
    };
    let net = load_model(&write(dir.path(), "pad1.onnx", g), None, None).unwrap();
    let got = kinds_and_shapes(&net);
    assert_eq!(got[1], ("ZeroPadding1D".to_string(), vec![13, 3]));
    assert_eq!(got[2], ("UpSampling1D".to_string(), vec![26, 3]));
    assert_eq!(
        net.layer(net.find("pad").unwrap()).kind,
        LayerKind::ZeroPadding1D(ir::ops::ZeroPadding1D { pad: [2, 1] })
    );
}

#[test]
fn pad_and_resize_outside_hls4mls_forms_are_refused_with_its_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(NodeProto, Vec<TensorProto>, &str)> = vec![
        (
            node(
                "Pad",
                "n",
                &["x", "pads"],
                &["y"],
                vec![str_attr("mode", "reflect")],
            ),
            vec![i64_init("pads", &[0, 0, 1, 1, 0, 0, 1, 1])],
            "unsupported padding mode 'reflect'",
        ),
        (
            node("Pad", "n", &["x", "pads", "v"], &["y"], vec![]),
            vec![
                i64_init("pads", &[0, 0, 1, 1, 0, 0, 1, 1]),
                init("v", &[], vec![1.0]),
            ],
            "only a constant value of 0",
        ),
        (
            node("Pad", "n", &["x", "pads", "", "axes"], &["y"], vec![]),
            vec![i64_init("pads", &[1, 1, 1, 1]), i64_init("axes", &[2, 3])],
            "axes input",
        ),
        (
            node("Pad", "n", &["x", "pads"], &["y"], vec![]),
            vec![i64_init("pads", &[0, 1, 0, 0, 0, 0, 0, 0])],
            "batch or channel axis",
        ),
        (
            node(
                "Resize",
                "n",
                &["x", "", "s"],
                &["y"],
                vec![str_attr("mode", "linear")],
            ),
            vec![init("s", &[4], vec![1.0, 1.0, 2.0, 2.0])],
            "mode 'linear'",
        ),
        (
            node("Resize", "n", &["x", "", "s"], &["y"], vec![]),
            vec![init("s", &[4], vec![1.0, 1.0, 1.5, 2.0])],
            "whole factors",
        ),
        (
            node(
                "Resize",
                "n",
                &["x", "", "s"],
                &["y"],
                vec![str_attr("coordinate_transformation_mode", "align_corners")],
            ),
            vec![init("s", &[4], vec![1.0, 1.0, 2.0, 2.0])],
            "'align_corners'",
        ),
    ];
    for (n, inits, want) in cases {
        let op = n.op_type.clone();
        let g = GraphProto {
            input: vec![vi("x", &[1, 2, 4, 4])],
            output: vec![vi("y", &[1, 2, 8, 8])],
            initializer: inits,
            node: vec![n],
            ..Default::default()
        };
        let e = load_model(&write(dir.path(), "r.onnx", g), None, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!("'n' ({op})")) && e.contains(want),
            "{want}: {e}"
        );
    }
}

// ------------------------------------------------------------------------------------------
// decomposed attention and LayerNorm (MatMul / Transpose / Softmax / Reshape / Div ...)
// ------------------------------------------------------------------------------------------

#[test]
fn decomposed_encoder_reads_as_the_keras_block() {
    // examples/transformer/encoder_decomposed.onnx (scripts/make_transformer_onnx_decomposed.py):
    // a 4-head attention as MatMul/Reshape/Transpose/Div/Softmax nodes, a decomposed LayerNorm,
    // a feed-forward block and an opset-17 LayerNormalization; onnxruntime's output equals the
    // Keras block saved beside it (the script checks; the truth file records the difference and
    // Keras's count_params()). Read back: one attention layer and two LayerNorms with Keras's
    // parameters and exactly Keras's weights.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/transformer");
    let onnx = load_model(&dir.join("encoder_decomposed.onnx"), None, None).unwrap();
    let keras = load_model(&dir.join("encoder_decomposed.keras"), None, None).unwrap();
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("encoder_decomposed.truth.json")).unwrap(),
    )
    .unwrap();
    // 4224 + 64 + 2112 + 2080 + 64 = 8544 (truth file); MHA 4·(32·32 + 32) = 4224 by hand
    assert_eq!(onnx.total_params(), 8544);
    assert_eq!(
        onnx.total_params(),
        truth["initializer_values"].as_u64().unwrap()
    );
    let counts = &truth["keras_count_params"];
    for (name, kind) in [
        ("mha", "MultiHeadAttention"),
        ("ln1", "LayerNormalization"),
        ("ln2", "LayerNormalization"),
    ] {
        let a = onnx.layer(onnx.find(name).unwrap_or_else(|| panic!("no {name}")));
        let k = keras.layer(keras.find(name).unwrap());
        assert_eq!(a.kind.name(), kind);
        match (&a.kind, &k.kind) {
            // the same axes (ONNX numbers them from the front, Keras from the end) and the
            // same epsilon up to ONNX's float32 storage of it
            (LayerKind::LayerNorm(x), LayerKind::LayerNorm(y)) => {
                assert_eq!(x.resolved_axes(2), y.resolved_axes(2), "{name}");
                assert_eq!((x.center, x.scale), (y.center, y.scale), "{name}");
                assert!((x.epsilon - y.epsilon).abs() < 1e-7 * y.epsilon, "{name}");
            }
            _ => assert_eq!(a.kind, k.kind, "{name}"),
        }
        assert_eq!(a.weights, k.weights, "{name}");
        assert_eq!(a.output_shape, vec![16, 32]);
        let p: u64 = a.weights.iter().map(|(_, t)| t.data.len() as u64).sum();
        assert_eq!(p, counts[name].as_u64().unwrap(), "{name}");
    }
    // nothing of the decomposition is left over: no Reshape, Softmax or extra Dense
    let kinds: Vec<&str> = onnx.layers().iter().map(|l| l.kind.name()).collect();
    assert_eq!(
        kinds,
        [
            "Input",
            "MultiHeadAttention",
            "Add",
            "LayerNormalization",
            "Dense",
            "Activation",
            "Dense",
            "Add",
            "LayerNormalization"
        ]
    );
}

/// A one-head attention: Q, K, V = x·W (no bias), scores Q·(Kᵀ via Transpose [0,2,1]) times
/// `scale`, Softmax, ·V, output projection; x [1, 4, 8].
fn single_head(scale: f32, mask: bool) -> GraphProto {
    let w = |n: &str, k: f32| init(n, &[8, 8], (0..64).map(|i| k * i as f32).collect());
    let mut nodes = vec![
        node("MatMul", "q", &["x", "Wq"], &["q"], vec![]),
        node("MatMul", "k", &["x", "Wk"], &["k"], vec![]),
        node("MatMul", "v", &["x", "Wv"], &["v"], vec![]),
        node(
            "Transpose",
            "kt",
            &["k"],
            &["kt"],
            vec![ints_attr("perm", &[0, 2, 1])],
        ),
        node("MatMul", "qk", &["q", "kt"], &["s"], vec![]),
        node("Mul", "scale", &["s", "c"], &["s2"], vec![]),
    ];
    let sm_in = if mask {
        nodes.push(node("Add", "mask", &["s2", "m"], &["s3"], vec![]));
        "s3"
    } else {
        "s2"
    };
    nodes.extend([
        node(
            "Softmax",
            "sm",
            &[sm_in],
            &["p"],
            vec![int_attr("axis", -1)],
        ),
        node("MatMul", "pv", &["p", "v"], &["o"], vec![]),
        node("MatMul", "out", &["o", "Wo"], &["y"], vec![]),
    ]);
    GraphProto {
        input: vec![vi("x", &[1, 4, 8])],
        output: vec![vi("y", &[1, 4, 8])],
        initializer: vec![
            w("Wq", 0.01),
            w("Wk", 0.02),
            w("Wv", 0.03),
            w("Wo", 0.04),
            init("c", &[], vec![scale]),
            init("m", &[4, 4], vec![0.0; 16]),
        ],
        node: nodes,
        ..Default::default()
    }
}

#[test]
fn single_head_attention_without_reshapes_is_one_attention_layer() {
    // four 8×8 kernels, no biases: 4·64 = 256 parameters; one head of 8 (the Q width)
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.onnx", single_head(1.0 / 8f32.sqrt(), false));
    let net = load_model(&p, None, None).unwrap();
    assert_eq!(net.total_params(), 256);
    let kinds: Vec<&str> = net.layers().iter().map(|l| l.kind.name()).collect();
    assert_eq!(kinds, ["Input", "MultiHeadAttention"]);
    let a = &net.layers()[1];
    let LayerKind::MultiHeadAttention(m) = &a.kind else {
        panic!()
    };
    assert_eq!(
        (m.heads, m.kv_heads, m.key_dim, m.value_dim, m.use_bias),
        (1, 1, 8, 8, false)
    );
    // Keras's layout [d, H, k] of the [d, H·k] MatMul weight: the same values in order
    let q = a.weight("query/kernel").unwrap();
    assert_eq!(q.shape, vec![8, 1, 8]);
    assert_eq!(q.data[9], 0.01 * 9.0);

    // another scale, or an additive mask: refused at the Softmax with the reason
    for (g, want) in [
        (
            single_head(0.5, false),
            "scaled by 0.5, not 1/sqrt(head size)",
        ),
        (single_head(1.0 / 8f32.sqrt(), true), "additive mask"),
    ] {
        let e = load_model(&write(dir.path(), "b.onnx", g), None, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'sm' (Softmax)") && e.contains("read as attention") && e.contains(want),
            "{want}: {e}"
        );
    }
}

#[test]
fn a_constant_of_the_sequences_shape_added_is_a_positional_add() {
    // x [1, 6, 4] + P [1, 6, 4] (an nn.Parameter as torch.onnx.export writes it): one
    // PositionalAdd holding P, 6·4 = 24 parameters (the initializer's element count)
    let dir = tempfile::tempdir().unwrap();
    let p: Vec<f32> = (0..24).map(|i| i as f32 / 8.0).collect();
    let graph = |c: TensorProto, x: &[i64]| GraphProto {
        input: vec![vi("x", x)],
        output: vec![vi("y", x)],
        initializer: vec![c],
        // the constant first: Add is commutative, hls4ml's MergeToApplyAlpha takes either side
        node: vec![node("Add", "pos_add", &["P", "x"], &["y"], vec![])],
        ..Default::default()
    };
    let net = load_model(
        &write(
            dir.path(),
            "p.onnx",
            graph(init("P", &[1, 6, 4], p.clone()), &[1, 6, 4]),
        ),
        None,
        None,
    )
    .unwrap();
    assert_eq!(net.total_params(), 24);
    let l = net.layer(net.find("pos_add").unwrap());
    assert_eq!(l.kind, LayerKind::PositionalAdd);
    assert_eq!(l.output_shape, vec![6, 4]);
    let w = l.weight("embedding").unwrap();
    assert_eq!((w.shape.clone(), w.data.clone()), (vec![6, 4], p));

    // a per-feature constant (a bias without its MatMul) is not a positional embedding
    let e = load_model(
        &write(
            dir.path(),
            "b.onnx",
            graph(init("P", &[1, 4], vec![1.0; 4]), &[1, 6, 4]),
        ),
        None,
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("'pos_add' (Add)") && e.contains("constant of shape [1, 4]"),
        "{e}"
    );
    // nor is a constant added to a channels-first image held channels-last
    let g = GraphProto {
        input: vec![vi("x", &[1, 2, 3, 3])],
        output: vec![vi("y", &[1, 2, 3, 3])],
        initializer: vec![
            init("P", &[1, 2, 3, 3], vec![0.5; 18]),
            i64_init("pads", &[0; 8]),
        ],
        node: vec![
            node("Pad", "pad", &["x", "pads"], &["a"], vec![]),
            node("Add", "pos_add", &["a", "P"], &["y"], vec![]),
        ],
        ..Default::default()
    };
    let e = load_model(&write(dir.path(), "c.onnx", g), None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("'pos_add' (Add)"), "{e}");
}

#[test]
fn sdpa_export_form_with_scaled_q_and_k_is_one_attention_layer() {
    // The form torch.onnx.export writes for F.scaled_dot_product_attention: Q and K each
    // multiplied by sqrt(1/sqrt(k)) (their product: 1/sqrt(k)), K transposed to heads-first by
    // [0,2,1,3] and then by [0,1,3,2]. x [1, 4, 8], 2 heads of 4, biases on all projections:
    // 4·(8·8 + 8) = 288 parameters.
    let dir = tempfile::tempdir().unwrap();
    let w = |n: &str| init(n, &[8, 8], (0..64).map(|i| i as f32 / 64.0).collect());
    let b = |n: &str| init(n, &[8], vec![0.125; 8]);
    let mut nodes = Vec::new();
    for t in ["q", "k", "v"] {
        let (mm, bias, r, h) = (
            format!("{t}_mm"),
            format!("{t}_b"),
            format!("{t}_r"),
            format!("{t}_h"),
        );
        nodes.push(node("MatMul", "", &["x", &format!("W{t}")], &[&mm], vec![]));
        nodes.push(node("Add", "", &[&mm, &format!("B{t}")], &[&bias], vec![]));
        nodes.push(node("Reshape", "", &[&bias, "heads"], &[&r], vec![]));
        nodes.push(node(
            "Transpose",
            "",
            &[&r],
            &[&h],
            vec![ints_attr("perm", &[0, 2, 1, 3])],
        ));
    }
    nodes.extend([
        node(
            "Transpose",
            "",
            &["k_h"],
            &["k_t"],
            vec![ints_attr("perm", &[0, 1, 3, 2])],
        ),
        node("Mul", "", &["q_h", "c"], &["q_s"], vec![]),
        node("Mul", "", &["k_t", "c"], &["k_s"], vec![]),
        node("MatMul", "", &["q_s", "k_s"], &["s"], vec![]),
        node("Softmax", "sm", &["s"], &["p"], vec![int_attr("axis", -1)]),
        node("MatMul", "", &["p", "v_h"], &["o"], vec![]),
        node(
            "Transpose",
            "",
            &["o"],
            &["o_t"],
            vec![ints_attr("perm", &[0, 2, 1, 3])],
        ),
        node("Reshape", "", &["o_t", "merge"], &["o_m"], vec![]),
        node("MatMul", "", &["o_m", "Wo"], &["o_p"], vec![]),
        node("Add", "", &["o_p", "Bo"], &["y"], vec![]),
    ]);
    let c = (1.0f64 / 4f64.sqrt()).sqrt() as f32;
    let inits = vec![
        w("Wq"),
        w("Wk"),
        w("Wv"),
        w("Wo"),
        b("Bq"),
        b("Bk"),
        b("Bv"),
        b("Bo"),
    ];
    // shapes and the scale as Constant nodes, as exporters write them: not initializers
    let constant = |name: &str, t: TensorProto| AttributeProto {
        name: "value".into(),
        r#type: attribute_type::TENSOR,
        t: Some(TensorProto {
            name: name.into(),
            ..t
        }),
        ..Default::default()
    };
    for (name, t) in [
        ("heads", i64_init("heads", &[1, 4, 2, 4])),
        ("merge", i64_init("merge", &[1, 4, 8])),
        ("c", init("c", &[], vec![c])),
    ] {
        nodes.insert(
            0,
            node("Constant", "", &[], &[name], vec![constant(name, t)]),
        );
    }
    let g = GraphProto {
        input: vec![vi("x", &[1, 4, 8])],
        output: vec![vi("y", &[1, 4, 8])],
        initializer: inits,
        node: nodes,
        ..Default::default()
    };
    let net = load_model(&write(dir.path(), "sdpa.onnx", g), None, None).unwrap();
    let kinds: Vec<&str> = net.layers().iter().map(|l| l.kind.name()).collect();
    assert_eq!(kinds, ["Input", "MultiHeadAttention"]);
    assert_eq!(net.total_params(), 288);
    let LayerKind::MultiHeadAttention(m) = &net.layers()[1].kind else {
        panic!()
    };
    assert_eq!(
        (m.heads, m.kv_heads, m.key_dim, m.value_dim, m.use_bias),
        (2, 2, 4, 4, true)
    );
    assert_eq!(m.output_dim, None);
}
