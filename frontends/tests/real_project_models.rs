//! Models from hls4ml projects other people synthesised (data/real-projects/models, with their
//! provenance in data/real-projects/rows.csv) that the Keras frontend once refused. The expected
//! numbers were read from the files themselves with h5py (the element count of every weight
//! array, which is Keras's `count_params()`, and single weight values), independently of
//! presynth's reader.

use frontends::load_model;
use ir::LayerKind;
use std::path::PathBuf;

fn model(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data/real-projects/models")
        .join(rel)
}

/// tf.keras 2.14 `.keras` archives name their weight groups by class with per-class counters
/// (`input_layer`, `conv2d`, `conv2d_1`, `batch_normalization`, ..., `dense`), not by layer
/// name (gflengas/fdf-hls4ml-tutorial, mnist_cnn_pruned).
#[test]
fn tf_keras_2_14_archive_weights_reach_their_layers() {
    let net = load_model(
        &model("gflengas__fdf-hls4ml-tutorial/keras_model_c93abbd116.keras"),
        None,
        None,
    )
    .unwrap();
    // h5py: 5330 elements over the archive's model.weights.h5 groups.
    assert_eq!(net.total_params(), 5330);
    let conv0 = net.layer(net.find("conv_0").unwrap());
    let k = conv0.weight("kernel").unwrap();
    // _layer_checkpoint_dependencies/conv2d/vars/0 is (3, 3, 1, 8), first values
    // -0.06698047, 0.1360271.
    assert_eq!(k.shape, vec![3, 3, 1, 8]);
    for (got, want) in k.data.iter().zip([-0.06698047f32, 0.1360271]) {
        assert!((got - want).abs() < 1e-7, "{got} vs {want}");
    }
    let bn1 = net.layer(net.find("bn_conv_1").unwrap());
    assert!(matches!(bn1.kind, LayerKind::BatchNorm(_)));
    // batch_normalization_1/vars/0 (gamma) starts 1.4325955.
    assert!((bn1.weight("gamma").unwrap().data[0] - 1.4325955).abs() < 1e-6);
    let out = net.layer(net.find("output_dense").unwrap());
    assert!((out.weight("bias").unwrap().data[0] - 0.00539904).abs() < 1e-7);
}

/// BatchNormalization with `axis: [1]` after a Dense (input rank 2 with the batch axis) is the
/// last axis and loads; the same model with the axis pointing elsewhere is refused
/// (alezander9/ML_FPGAOnPixel, a QKeras MLP, Keras 2.11).
#[test]
fn batchnorm_axis_counted_with_the_batch_axis() {
    let path = model("alezander9__ml_fpgaonpixel/keras_model_32e1e087de.h5");
    let net = load_model(&path, None, None).unwrap();
    // h5py: 1753 elements in model_weights.
    assert_eq!(net.total_params(), 1753);
    let bns = net
        .topo_order()
        .unwrap()
        .into_iter()
        .filter(|&id| matches!(net.layer(id).kind, LayerKind::BatchNorm(_)))
        .count();
    assert_eq!(bns, 2);
}

/// The axis check once shapes are known, on hand-written models: `axis: 3` on an image is the
/// channel axis; `axis: 1` on an image (rows) and `axis: 2` on a vector are refused with the
/// rank in the message.
#[test]
fn positive_feature_axes_are_checked_against_the_inferred_rank() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = |input: &str, axis: &str| {
        format!(
            r#"{{"class_name": "Sequential", "config": {{"name": "m", "layers": [
            {{"class_name": "InputLayer", "config": {{"name": "x", "batch_input_shape": {input}}}}},
            {{"class_name": "BatchNormalization", "config": {{"name": "bn", "axis": {axis}}}}}]}}}}"#
        )
    };
    let load = |text: String| {
        let p = tmp.path().join("m.json");
        std::fs::write(&p, text).unwrap();
        load_model(&p, None, None).map(|n| n.total_params())
    };
    // 4 parameters per channel (gamma, beta, moving mean, moving variance).
    assert_eq!(load(doc("[null, 8, 8, 3]", "3")).unwrap(), 12);
    assert_eq!(load(doc("[null, 5]", "[1]")).unwrap(), 20);
    let e = load(doc("[null, 8, 8, 3]", "1")).unwrap_err().to_string();
    assert!(e.contains("'bn'") && e.contains("input of rank 3"), "{e}");
    let e = load(doc("[null, 5]", "2")).unwrap_err().to_string();
    assert!(e.contains("only the last, channel axis (1 or -1)"), "{e}");
}

/// QKeras `QConv2DBatchnorm` (gflengas/fdf-hls4ml-tutorial mnist_qkeras_6bit, tf.keras 2.14
/// `.keras`): a Conv2D whose kernel and bias are the batch-normalisation-folded values, quantised
/// by the layer's `quantized_bits(6,0,alpha=1)`, as hls4ml 1.3.0's `Conv2DBatchnorm` writes them.
/// Expected values computed with numpy from the archive's `model.weights.h5`
/// (`_layer_checkpoint_dependencies/q_conv2d_batchnorm/vars/{0,1}` and `batchnorm/vars/{0..3}`)
/// with hls4ml's `_get_folded_weights` lines in float32 (`inv = 1/sqrt(var + 0.001) * gamma`,
/// `kernel * inv`, `inv * (bias - mean) + beta`) and QKeras's quantized_bits formula
/// `clip(round(x * 32), -32, 31) / 32`.
#[test]
fn qconv2d_batchnorm_is_a_folded_quantised_conv2d() {
    let net = load_model(
        &model("gflengas__fdf-hls4ml-tutorial/keras_model_34a4c499c4.keras"),
        None,
        None,
    )
    .unwrap();
    let conv = net.layer(net.find("fused_convbn_0").unwrap());
    let LayerKind::Conv2D(c) = &conv.kind else {
        panic!("{:?}", conv.kind)
    };
    assert!(c.use_bias);
    let k = conv.weight("kernel").unwrap();
    assert_eq!(k.shape, vec![3, 3, 1, 8]);
    // filter 0 (every 8th value); unquantised folded: 0.4196, 0.6852, 0.7930, 1.2877 (clipped
    // to 31/32), -0.0258, ...
    let filter0: Vec<f32> = k.data.iter().step_by(8).copied().collect();
    assert_eq!(
        filter0,
        vec![0.40625, 0.6875, 0.78125, 0.96875, -0.03125, -0.65625, -0.96875, -0.8125, -0.0625]
    );
    assert_eq!(
        conv.weight("bias").unwrap().data,
        vec![-0.0625, -0.375, 0.34375, 0.03125, -0.1875, 0.15625, -0.125, 0.78125]
    );
    // 3*3*1*8 + 8 and 3*3*8*16 + 16 folded, 400*10 + 10 dense: the normalisation's 4 arrays
    // per filter and QKeras's iteration counters are gone, as in hls4ml's model.
    assert_eq!(net.total_params(), 80 + 1168 + 4010);
}

/// The same layer in a legacy Keras 2.11 `.h5` (alezander9/ML_FPGAOnPixel), whose weights are
/// named (`conv1/conv1/batch_normalization/gamma:0`, ..., `iteration:0`, `kernel:0`).
#[test]
fn qconv2d_batchnorm_legacy_h5_named_weights() {
    let net = load_model(
        &model("alezander9__ml_fpgaonpixel/keras_model_c7becf4b8e.h5"),
        None,
        None,
    )
    .unwrap();
    let conv = net.layer(net.find("conv2").unwrap());
    assert!(matches!(conv.kind, LayerKind::Conv2D(_)));
    assert_eq!(conv.weight("kernel").unwrap().shape, vec![3, 3, 2, 4]);
    assert_eq!(conv.weight("bias").unwrap().data.len(), 4);
}

/// QKeras `quantized_bits(10, 0, symmetric=True, alpha="auto_po2")` kernels
/// (alezander9/ML_FPGAOnPixel, Keras 2.11): hls4ml 1.3.0's `qkeras_factorize_alpha` inserts an
/// `ApplyAlpha` layer `{layer}_alpha` after the QDense holding the power-of-two scales and the
/// layer's quantised bias; the kernel becomes `z / 2^9` and the layer's bias 0. Expected values
/// from a numpy float32 transcription of QKeras's `quantized_bits.__call__` (auto_po2 branch:
/// initial po2 of max·2/levels, five least-squares po2 refinements) run on the file's
/// `dense1/kernel:0`; the bias from QKeras's `clip(round(b · 512), -512, 511) / 512`.
#[test]
fn auto_po2_kernels_get_hls4mls_apply_alpha_layer() {
    let net = load_model(
        &model("alezander9__ml_fpgaonpixel/keras_model_007eef7550.h5"),
        None,
        None,
    )
    .unwrap();
    let dense = net.layer(net.find("dense1").unwrap());
    let alpha_id = net.find("dense1_alpha").unwrap();
    // through the linear activation hls4ml's Keras 2 parser makes (and later removes)
    let linear = net.find("dense1_linear").unwrap();
    assert_eq!(net.inputs_of(alpha_id), vec![linear]);
    assert_eq!(net.inputs_of(linear), vec![net.find("dense1").unwrap()]);
    let alpha = net.layer(alpha_id);
    assert!(matches!(alpha.kind, LayerKind::ApplyAlpha));
    let scale = &alpha.weight("scale").unwrap().data;
    assert_eq!(scale.len(), 72);
    assert_eq!(&scale[..8], &[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]);
    assert!(scale.iter().all(|s| [0.25, 0.5, 1.0].contains(s)));
    // quantized_po2 bits: max(int(max |log2 s|) + 1, 2) = max(2 + 1, 2) = 3
    assert_eq!(alpha.settings.precision.scale.as_ref().unwrap().width(), 3);
    // the kernel is z / 2^9 and the bias b / 2^9: compare the integers z and b
    let times_512 = |v: &[f32]| v.iter().map(|x| x * 512.0).collect::<Vec<f32>>();
    let k = &dense.weight("kernel").unwrap().data;
    assert_eq!(
        times_512(&k[..6]),
        vec![-114.0, -183.0, -240.0, 0.0, 131.0, -65.0]
    );
    assert!(dense.weight("bias").unwrap().data.iter().all(|b| *b == 0.0));
    assert_eq!(
        times_512(&alpha.weight("bias").unwrap().data[..4]),
        vec![56.0, 156.0, 133.0, -115.0]
    );
}

/// Keras `SeparableConv2D` (pominiq/DNNonSilicon, three of them in a CNN): the IR's parameter
/// count equals the number of values in the file's `model_weights` (h5py: 10085).
#[test]
fn separable_conv2d_counts_like_keras() {
    let net = load_model(
        &model("pominiq__dnnonsilicon/keras_model_5434823f34.h5"),
        None,
        None,
    )
    .unwrap();
    assert_eq!(net.total_params(), 10085);
    let l = net.layer(net.find("separable_conv2d_1").unwrap());
    assert!(matches!(l.kind, LayerKind::SeparableConv2D(_)));
    assert_eq!(l.output_shape, vec![13, 13, 64]);
}

/// The pruned tutorial jet tagger (part3_compression.ipynb: tfmot ConstantSparsity(0.75) on the
/// whole model; its weights were never published) carries the pruning as an expected sparsity on
/// each Dense, and no weights.
#[test]
fn pruned_jet_tagger_carries_its_sparsity() {
    for file in ["jet_mlp_pruned75.psn", "jet_mlp_53_pruned75.psn"] {
        let net = load_model(&model(&format!("hls4ml-tutorial/{file}")), None, None).unwrap();
        let dense: Vec<_> = net
            .layers()
            .into_iter()
            .filter(|l| matches!(l.kind, LayerKind::Dense(_)))
            .collect();
        assert_eq!(dense.len(), 4, "{file}");
        for l in dense {
            assert_eq!(l.settings.sparsity, Some(0.75), "{file} {}", l.name);
            assert!(l.weights.is_empty());
        }
    }
}
