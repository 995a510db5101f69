//! A granularity='name' config hls4ml 1.3.0 wrote for an ONNX model
//! (tests/fixtures/hls4ml-configs/configs/onnx_*_name.yml) names layers as hls4ml's ONNX flow
//! does after QONNX cleanup (`MatMul_1`, `Add_1`, `Conv_2`, `global_in`, `Conv_0_param0`); its
//! entries reach presynth's layers of the same position.

use frontends::load_model;
use ir::FixedType;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fixture config with `edits` (exact text replacements) applied, written to a temp file.
fn edited(config: &str, edits: &[(&str, &str)]) -> tempfile::NamedTempFile {
    let mut text = std::fs::read_to_string(
        root()
            .join("tests/fixtures/hls4ml-configs/configs")
            .join(config),
    )
    .unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{config}: no {from:?}");
        text = text.replacen(from, to, 1);
    }
    let f = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
}

#[test]
fn matmul_and_add_entries_reach_the_dense_they_became() {
    // three_layer_pytorch: Gemm x4 -> hls4ml's MatMul_0..3 + Add_0..3; presynth's Dense_Gemm_0..3
    let cfg = edited(
        "onnx_three_layer_pytorch_name.yml",
        &[
            (
                "  MatMul_1:\n    Trace: false\n    Precision:\n      result: auto\n      accum: auto\n    ReuseFactor: 1",
                "  MatMul_1:\n    Trace: false\n    Precision:\n      result: auto\n      accum: fixed<20,8>\n    ReuseFactor: 4",
            ),
        ],
    );
    let model = root().join("examples/hls4ml-examples/onnx/three_layer_pytorch.onnx");
    let net = load_model(&model, None, Some(cfg.path())).unwrap();
    let d1 = net.layer(net.find("Dense_Gemm_1").unwrap());
    assert_eq!(d1.settings.reuse_factor, Some(4));
    assert_eq!(d1.settings.precision.accum, Some(FixedType::fixed(20, 8)));
    for other in ["Dense_Gemm_0", "Dense_Gemm_2", "Dense_Gemm_3"] {
        let l = net.layer(net.find(other).unwrap());
        assert_eq!(l.settings.precision.accum, None, "{other}");
    }
}

#[test]
fn conv_entries_reach_the_conv_of_the_same_position() {
    let cfg = edited(
        "onnx_conv1d_small_keras_name.yml",
        &[(
            "      accum: auto\n    ReuseFactor: 1\n  Relu_2:",
            "      accum: auto\n    ReuseFactor: 3\n  Relu_2:",
        )],
    );
    let model = root().join("examples/hls4ml-examples/onnx/conv1d_small_keras.onnx");
    let net = load_model(&model, None, Some(cfg.path())).unwrap();
    let convs: Vec<_> = net
        .topo_order()
        .unwrap()
        .into_iter()
        .map(|id| net.layer(id))
        .filter(|l| l.kind.name() == "Conv1D")
        .collect();
    assert_eq!(convs.len(), 3);
    assert_eq!(convs[2].settings.reuse_factor, Some(3));
    assert_eq!(convs[0].settings.reuse_factor, Some(1));
}

#[test]
fn onnx_names_are_not_accepted_for_keras_models() {
    // the aliases exist for ONNX models only: a Keras model's config naming MatMul_0 is an error
    let cfg = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
    std::fs::write(cfg.path(), "LayerName:\n  MatMul_0:\n    ReuseFactor: 2\n").unwrap();
    let model = root().join("examples/hls4ml-examples/keras/KERAS_3layer.json");
    let err = load_model(&model, None, Some(cfg.path()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no layer named 'MatMul_0'"), "{err}");
}
