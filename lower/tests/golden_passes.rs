//! Golden files of the lowering: the printed graph after each pass that changed it, for a
//! handful of models built like the harness's (`scripts/hls4ml_reference.py`, same layers,
//! names and shapes). Where the truth was checked: each test names the harness case whose
//! hls4ml 1.3.0 project was compared with the one presynth wrote from this graph (outputs
//! bit-identical and every generated file textually the same: the layer list, indices, names,
//! classes, inserted and removed layers are all visible in those files). After an intended
//! change run `INSTA_UPDATE=always cargo test -p presynth-lower --test golden_passes` (or
//! `cargo insta review`) and read the diff of lower/tests/snapshots/ before committing it.

use ir::{Activation, IoType, Layer, LayerKind, Network, Padding};
use std::fmt::Write as _;

/// The printed graph after each pass that changed it; the unchanged ones are listed by name.
fn steps(net: &Network) -> String {
    let mut s = String::new();
    for step in lower::Pipeline::hls4ml().steps(net).expect("lowering") {
        if step.changed {
            let _ = write!(s, "== {}\n{}", step.pass, step.graph);
        } else {
            let _ = writeln!(s, "== {} (unchanged)", step.pass);
        }
    }
    s
}

struct Build(Network);

impl Build {
    fn new(name: &str, input: &[usize], io: IoType) -> Build {
        let mut net = Network::new(name);
        net.config.io_type = io;
        net.add_layer(
            Layer::new(
                "input_layer",
                LayerKind::Input(ir::ops::Input {
                    shape: input.to_vec(),
                }),
            ),
            &[],
        )
        .unwrap();
        Build(net)
    }
    fn add(mut self, layer: Layer, inputs: &[&str]) -> Build {
        let prev = self.last();
        let inputs = if inputs.is_empty() {
            vec![prev.as_str()]
        } else {
            inputs.to_vec()
        };
        self.0.add_layer(layer, &inputs).unwrap();
        self
    }
    fn last(&self) -> String {
        let order = self.0.topo_order().unwrap();
        self.0.layer(*order.last().unwrap()).name.clone()
    }
    fn done(mut self) -> Network {
        self.0.default_outputs();
        self.0.infer_shapes().unwrap();
        self.0
    }
}

fn dense(name: &str, units: usize, act: Activation) -> Layer {
    Layer::new(
        name,
        LayerKind::Dense(ir::ops::Dense {
            units,
            use_bias: true,
        }),
    )
    .with_activation(act)
}

fn conv1d(name: &str, filters: usize, kernel: usize, stride: usize, act: Activation) -> Layer {
    Layer::new(
        name,
        LayerKind::Conv1D(ir::ops::Conv1D {
            filters,
            kernel,
            stride,
            padding: Padding::Same,
            use_bias: true,
        }),
    )
    .with_activation(act)
}

fn act(name: &str, a: Activation) -> Layer {
    Layer::new(name, LayerKind::Activation(a))
}

#[test]
fn mlp_sep_act_parallel() {
    // truth: harness case mlp_sep_act__lat (hls4ml's myproject.cpp: fc1 2, act1 3, the
    // Dropout's 4 unused, fc2 5, lrelu 6, fc3 7, fc3_softmax 8)
    let net = Build::new("mlp_sep_act", &[12], IoType::Parallel)
        .add(dense("fc1", 16, Activation::Linear), &[])
        .add(act("act1", Activation::Relu), &[])
        .add(
            Layer::new("drop1", LayerKind::Dropout(ir::ops::Dropout { rate: 0.2 })),
            &[],
        )
        .add(dense("fc2", 8, Activation::Linear), &[])
        .add(act("lrelu", Activation::LeakyRelu { alpha: 0.1 }), &[])
        .add(dense("fc3", 3, Activation::Softmax), &[])
        .done();
    insta::assert_snapshot!(steps(&net));
}

#[test]
fn branch_concat_stream_clones() {
    // truth: harness case branch_concat__stream (clone_input_layer, index 9, right after the
    // input, outputs layer9_cpy1/2)
    let net = Build::new("branch_concat", &[8], IoType::Stream)
        .add(dense("a", 6, Activation::Relu), &["input_layer"])
        .add(dense("b", 5, Activation::Sigmoid), &["input_layer"])
        .add(
            Layer::new(
                "cat",
                LayerKind::Concatenate(ir::ops::Concatenate { axis: -1 }),
            ),
            &["a", "b"],
        )
        .add(dense("out", 3, Activation::Softmax), &[])
        .done();
    insta::assert_snapshot!(steps(&net));
}

fn conv2d_same_bn(io: IoType) -> Network {
    Build::new("conv2d_same_bn", &[6, 6, 2], io)
        .add(
            Layer::new(
                "conv1",
                LayerKind::Conv2D(ir::ops::Conv2D {
                    filters: 3,
                    kernel: [3, 3],
                    stride: [1, 1],
                    padding: Padding::Same,
                    use_bias: true,
                }),
            ),
            &[],
        )
        .add(
            Layer::new(
                "bn1",
                LayerKind::BatchNorm(ir::ops::BatchNorm {
                    epsilon: 1e-3,
                    center: true,
                    scale: true,
                }),
            ),
            &[],
        )
        .add(act("relu1", Activation::Relu), &[])
        .add(Layer::new("flat", LayerKind::Flatten), &[])
        .add(dense("out", 4, Activation::Softmax), &[])
        .done()
}

#[test]
fn conv2d_same_bn_stream_zero_padding() {
    // truth: harness case conv2d_same_bn__stream (zp2d_conv1 inserted at index 9 after the
    // input, the conv unpadded over 8x8; the BatchNormalization kept)
    insta::assert_snapshot!(steps(&conv2d_same_bn(IoType::Stream)));
}

#[test]
fn conv2d_same_bn_parallel() {
    // truth: harness case conv2d_same_bn__lat (padding stays in the conv, in place flatten)
    insta::assert_snapshot!(steps(&conv2d_same_bn(IoType::Parallel)));
}

#[test]
fn conv1d_same_stride_stream() {
    // truth: harness case conv1d_same__stream (zp1d_conv1 and zp1d_conv2, stride 2)
    let net = Build::new("conv1d_same", &[12, 2], IoType::Stream)
        .add(conv1d("conv1", 3, 3, 1, Activation::Relu), &[])
        .add(conv1d("conv2", 4, 3, 2, Activation::Relu), &[])
        .add(Layer::new("flat", LayerKind::Flatten), &[])
        .add(dense("out", 3, Activation::Softmax), &[])
        .done();
    insta::assert_snapshot!(steps(&net));
}

#[test]
fn pointwise2d_parallel() {
    // truth: harness case pointwise2d__lat (hls4ml's myproject.cpp:
    // `pointwise_conv_2d_cl<input_t, layer2_t, config7>(input_layer, layer2_out, w2, b2)`: the
    // PointwiseConv2D's config takes the next index, 7, its output and weights keep 2)
    let net = Build::new("pointwise2d", &[5, 5, 3], IoType::Parallel)
        .add(
            Layer::new(
                "pw1",
                LayerKind::Conv2D(ir::ops::Conv2D {
                    filters: 4,
                    kernel: [1, 1],
                    stride: [1, 1],
                    padding: Padding::Valid,
                    use_bias: true,
                }),
            )
            .with_activation(Activation::Relu),
            &[],
        )
        .add(Layer::new("flat", LayerKind::Flatten), &[])
        .add(dense("out", 3, Activation::Softmax), &[])
        .done();
    insta::assert_snapshot!(steps(&net));
}

#[test]
fn dense_over_positions_stream() {
    // truth: harness case dense_positions__stream (hls4ml's myproject.cpp:
    // `pointwise_conv_1d_cl<input_t, layer7_t, config8>(input_layer, layer7_out, w7, b7)`: the
    // Dense becomes a Conv1D at index 7, then a PointwiseConv1D whose config is 8)
    let net = Build::new("dense_positions", &[6, 4], IoType::Stream)
        .add(dense("fc1", 5, Activation::Relu), &[])
        .add(Layer::new("flat", LayerKind::Flatten), &[])
        .add(dense("out", 3, Activation::Softmax), &[])
        .done();
    insta::assert_snapshot!(steps(&net));
}

#[test]
fn pipeline_is_hls4ml_order() {
    // hls4ml 1.3.0: the parser, then the `convert` flow (model/optimizer/__init__.py), then the
    // backend's `streaming` and `optimize` flows (backends/vivado/vivado_backend.py)
    assert_eq!(
        lower::Pipeline::hls4ml().pass_names(),
        [
            "parse",
            "split_activation",
            "remove_dropout",
            "separable_to_depthwise_and_conv",
            "expand_time_distributed",
            "qkeras_factorize_alpha",
            "remove_transpose_before_flatten",
            "remove_nop_transpose",
            "remove_single_channel_transpose",
            "fuse_batch_normalization",
            "replace_multidimensional_dense_with_conv",
            "bit_exact",
            "fuse_fixed_point_quantizer",
            "fix_input_precision",
            "eliminate_linear_activation",
            "infer_precision_types",
            "inplace_stream_flatten",
            "reshape_stream",
            "clone_output",
            "insert_zero_padding_before_conv1d",
            "insert_zero_padding_before_conv2d",
            "optimize_pointwise_conv",
            "inplace_parallel_reshape",
        ]
    );
}

fn separable<const R: usize>(
    name: &str,
    filters: usize,
    kernel: [usize; R],
    stride: [usize; R],
    padding: Padding,
    act: Activation,
) -> Layer
where
    ir::ops::SeparableConv<R>: Into<LayerKind>,
{
    let kind = ir::ops::SeparableConv::<R> {
        filters,
        kernel,
        stride,
        padding,
        depth_multiplier: 1,
        use_bias: true,
    };
    Layer::new(name, kind.into()).with_activation(act)
}

#[test]
fn separable2d_stream_split_padded_pointwise() {
    // truth: harness case separable2d__stream (hls4ml's myproject.cpp: sep1_depthwise is
    // layer 8 and sep1_pointwise layer 9 with config13 (a PointwiseConv2D), the `same` sep2's
    // depthwise half (10) reads zp2d_sep2_depthwise (12), sep2_pointwise is 11 with config14)
    let net = Build::new("separable2d", &[7, 6, 2], IoType::Stream)
        .add(
            separable("sep1", 4, [3, 3], [1, 1], Padding::Valid, Activation::Relu),
            &[],
        )
        .add(
            separable("sep2", 3, [3, 2], [1, 2], Padding::Same, Activation::Linear),
            &[],
        )
        .add(Layer::new("flat", LayerKind::Flatten), &[])
        .add(dense("out", 3, Activation::Softmax), &[])
        .done();
    insta::assert_snapshot!(steps(&net));
}

#[test]
fn separable1d_stream_split_pointwise() {
    // truth: harness case separable1d__stream (hls4ml's myproject.cpp: sep1_depthwise is
    // layer 8 (depthwise_conv_1d_cl, config8) and sep1_pointwise layer 9 with config12 (a
    // PointwiseConv1D), sep2_depthwise 10, sep2_pointwise 11 with config13; the `same` sep2
    // (kernel 2, stride 2 over 10) needs no padding, so no ZeroPadding1D is inserted)
    let net = Build::new("separable1d", &[12, 2], IoType::Stream)
        .add(
            separable("sep1", 4, [3], [1], Padding::Valid, Activation::Relu),
            &[],
        )
        .add(
            separable("sep2", 3, [2], [2], Padding::Same, Activation::Linear),
            &[],
        )
        .add(Layer::new("flat", LayerKind::Flatten), &[])
        .add(dense("out", 3, Activation::Softmax), &[])
        .done();
    insta::assert_snapshot!(steps(&net));
}
