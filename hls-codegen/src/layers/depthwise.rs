//! DepthwiseConv1D/2D (and the two halves hls4ml 1.3.0 makes of a SeparableConv1D/2D):
//! hls4ml's DepthwiseConv{1,2}D is a subclass of its Conv{1,2}D, so its config structs are
//! Conv1D's/Conv2D's (`conv1d::config`, `conv2d::config`) with the product kernel
//! `nnet::DepthwiseDenseLatency` (`Conv1DConfigTemplate`/`Conv2DConfigTemplate` in
//! `backends/vivado/passes/convolution_templates.py`), the call `nnet::depthwise_conv_1d_cl` /
//! `nnet::depthwise_conv_2d_cl` and the `sepconv1d_include_list`/`sepconv2d_include_list`
//! headers. A separable layer's
//! depthwise half reads the Keras `depthwise_kernel` and gets hls4ml's zero bias
//! (`add_bias` with no data: `ap_uint<1>` zeros named `bias{N}_t`); its pointwise half is a
//! kernel-1 Conv1D/Conv2D with `pointwise_kernel` and the layer's bias.

use super::Ctx;
use crate::error::{CodegenError, Result};
use crate::model::Op;
use ir::LayerKind;

/// `sepconv1d_include_list`.
pub const INCLUDES_1D: &[&str] = &[
    "nnet_utils/nnet_conv1d.h",
    "nnet_utils/nnet_sepconv1d.h",
    "nnet_utils/nnet_sepconv1d_stream.h",
];

/// `sepconv2d_include_list`.
pub const INCLUDES: &[&str] = &[
    "nnet_utils/nnet_conv2d.h",
    "nnet_utils/nnet_sepconv2d.h",
    "nnet_utils/nnet_sepconv2d_stream.h",
];

/// The product kernel of a depthwise conv's `config{N}_mult` (Latency; hls4ml's io_parallel
/// depthwise asserts false on Resource, which the lowering refuses).
pub const MULT_KERNEL: &str = "nnet::DepthwiseDenseLatency";

/// Whether a node is a depthwise convolution.
pub fn is_depthwise(op: &Op) -> bool {
    op.is_depthwise()
}

/// hls4ml's function of a depthwise node: `depthwise_conv_1d_cl` for a 1-D one,
/// `depthwise_conv_2d_cl` otherwise.
pub fn function(op: &Op) -> &'static str {
    if let Op::Conv1D { .. } = op {
        "depthwise_conv_1d_cl"
    } else {
        "depthwise_conv_2d_cl"
    }
}

pub fn call(c: &Ctx) -> String {
    c.weighted_call(function(&c.l.op))
}

/// The kernel and bias of a 1-D or 2-D convolution node rendered from `layer`: `expected`
/// kernel values; `None` for the bias where hls4ml gives the node its zero bias (no bias in
/// Keras, or the depthwise half of a separable layer).
pub fn conv_weights(
    layer: &ir::Layer,
    op: &Op,
    expected: usize,
) -> Result<(Vec<f32>, Option<Vec<f32>>)> {
    let (Op::Conv1D { n_filt, .. } | Op::Conv2D { n_filt, .. }) = *op else {
        return Err(CodegenError::Internal(format!(
            "layer '{}': conv_weights on {op:?}",
            layer.name
        )));
    };
    let bias = |use_bias: bool| -> Result<Option<Vec<f32>>> {
        if use_bias {
            crate::lower::layer_weight(layer, "bias", n_filt).map(Some)
        } else {
            Ok(None)
        }
    };
    let kernel = |name: &str| crate::lower::layer_weight(layer, name, expected);
    let depthwise = is_depthwise(op);
    // which Keras weights a conv node of this IR layer renders (other kinds never lower to
    // one: an internal error)
    let plain = if let (LayerKind::Conv1D(c), false) = (&layer.kind, depthwise) {
        Some(c.use_bias)
    } else if let (LayerKind::Conv2D(c), false) = (&layer.kind, depthwise) {
        Some(c.use_bias)
    } else if let (LayerKind::Dense(d), false) = (&layer.kind, depthwise) {
        // a Dense over positions: replace_multidimensional_dense_with_conv
        Some(d.use_bias)
    } else if let (LayerKind::DepthwiseConv1D(d), true) = (&layer.kind, depthwise) {
        Some(d.use_bias)
    } else if let (LayerKind::DepthwiseConv2D(d), true) = (&layer.kind, depthwise) {
        Some(d.use_bias)
    } else {
        None
    };
    let separable = if let LayerKind::SeparableConv1D(s) = &layer.kind {
        Some(s.use_bias)
    } else if let LayerKind::SeparableConv2D(s) = &layer.kind {
        Some(s.use_bias)
    } else {
        None
    };
    if let Some(use_bias) = plain {
        Ok((kernel("kernel")?, bias(use_bias)?))
    } else if let Some(use_bias) = separable {
        if depthwise {
            Ok((kernel("depthwise_kernel")?, None))
        } else {
            Ok((kernel("pointwise_kernel")?, bias(use_bias)?))
        }
    } else {
        Err(CodegenError::Internal(format!(
            "layer '{}' ({}) rendered as {op:?}",
            layer.name,
            layer.kind.name()
        )))
    }
}

#[cfg(test)]
mod tests {
    use crate::layers::{config_cpp, function_cpp, includes};
    use crate::lower::{lower, ProjectOptions};
    use ir::{Activation, Layer, LayerKind, Network, Padding, Strategy, Tensor};

    /// input (6, 6, 3) -> DepthwiseConv2D 3x3 (relu), as the harness model depthwise2d.
    fn net() -> Network {
        let kind = ir::ops::DepthwiseConv2D {
            kernel: [3, 3],
            stride: [1, 1],
            padding: Padding::Valid,
            depth_multiplier: 1,
            use_bias: true,
        };
        net_of(vec![6, 6, 3], kind.into(), vec![3, 3, 3, 1])
    }

    /// input (10, 3) -> DepthwiseConv1D 3 (relu), as the harness model depthwise1d.
    fn net_1d() -> Network {
        let kind = ir::ops::DepthwiseConv1D {
            kernel: [3],
            stride: [1],
            padding: Padding::Valid,
            depth_multiplier: 1,
            use_bias: true,
        };
        net_of(vec![10, 3], kind.into(), vec![3, 3, 1])
    }

    /// `input` -> a depthwise layer `dw1` of `kind` (relu) with a `kernel` (k.., C, dm) of
    /// 0.25s and a bias of 0.5s over its C·dm outputs.
    fn net_of(input: Vec<usize>, kind: LayerKind, kernel: Vec<usize>) -> Network {
        let mut net = Network::new("m");
        let c = kernel[kernel.len() - 2..].iter().product();
        let input = LayerKind::Input(ir::ops::Input { shape: input });
        net.add_layer(Layer::new("input_layer", input), &[])
            .unwrap();
        let mut dw = Layer::new("dw1", kind).with_activation(Activation::Relu);
        let n = kernel.iter().product();
        dw.weights = vec![
            ("kernel".into(), Tensor::new(kernel, vec![0.25; n])),
            ("bias".into(), Tensor::new(vec![c], vec![0.5; c])),
        ];
        net.add_layer(dw, &["input_layer"]).unwrap();
        net.default_outputs();
        net.infer_shapes().unwrap();
        net
    }

    #[test]
    fn config_call_and_headers_are_hls4mls() {
        // Truth: hls4ml 1.3.0's parameters.h and myproject.cpp of the harness case
        // depthwise2d__lat (target/hls4ml-ref/depthwise2d__lat/hls4ml/firmware): config2_mult
        // and config2 of its DepthwiseConv2D dw1, and the call.
        let m = lower(&net(), &ProjectOptions::default()).unwrap();
        let l = m.layers.iter().find(|l| l.name == "dw1").unwrap();
        let cfg = config_cpp(&m, l).unwrap();
        assert!(cfg.starts_with(
            "struct config2_mult : nnet::dense_config {
    static const unsigned n_in = 27;
    static const unsigned n_out = 3;
    static const unsigned reuse_factor = 1;
    static const unsigned strategy = nnet::latency;
    static const unsigned n_zeros = 0;
    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor) - n_zeros / reuse_factor;
    typedef model_default_t accum_t;
    typedef model_default_t bias_t;
    typedef model_default_t weight_t;
    template<class data_T, class res_T, class CONFIG_T>
    using kernel = nnet::DepthwiseDenseLatency<data_T, res_T, CONFIG_T>;"
        ));
        for line in [
            "struct config2 : nnet::conv2d_config {",
            "    static const unsigned n_chan = 3;",
            "    static const unsigned n_filt = 3;",
            "    static const unsigned out_height = 4;",
            "    static const unsigned n_partitions = 16;",
            "    using fill_buffer = nnet::fill_buffer_2<data_T, CONFIG_T>;",
            "    typedef config2_mult mult_config;",
        ] {
            assert!(cfg.contains(line), "{line}\n{cfg}");
        }
        assert_eq!(
            function_cpp(&m, l).unwrap(),
            "nnet::depthwise_conv_2d_cl<input_t, layer2_t, config2>(input_layer, layer2_out, w2, b2);"
        );
        assert_eq!(
            includes(l),
            [
                "nnet_utils/nnet_conv2d.h",
                "nnet_utils/nnet_sepconv2d.h",
                "nnet_utils/nnet_sepconv2d_stream.h"
            ]
        );
        // the Keras kernel (3, 3, 3, 1) is written as it is
        assert_eq!(l.weights[0].shape, vec![3, 3, 3, 1]);
    }

    #[test]
    fn resource_strategy_is_refused_naming_the_layer() {
        let mut net = net();
        net.config.strategy = Strategy::Resource;
        let e = lower(&net, &ProjectOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'dw1'") && e.contains("Resource strategy for DepthwiseConv2D"),
            "{e}"
        );
    }

    #[test]
    fn conv1d_config_call_and_headers_are_hls4mls() {
        // Truth: hls4ml 1.3.0's parameters.h and myproject.cpp of the harness case
        // depthwise1d__lat (target/hls4ml-ref/depthwise1d__lat/hls4ml/firmware): config2_mult
        // and config2 of its DepthwiseConv1D dw1, the call and the sepconv1d headers.
        let m = lower(&net_1d(), &ProjectOptions::default()).unwrap();
        let l = m.layers.iter().find(|l| l.name == "dw1").unwrap();
        let cfg = config_cpp(&m, l).unwrap();
        for line in [
            "struct config2_mult : nnet::dense_config {",
            "    static const unsigned n_in = 9;",
            "    static const unsigned n_out = 3;",
            "    using kernel = nnet::DepthwiseDenseLatency<data_T, res_T, CONFIG_T>;",
            "struct config2 : nnet::conv1d_config {",
            "    static const unsigned in_width = 10;",
            "    static const unsigned n_chan = 3;",
            "    static const unsigned n_filt = 3;",
            "    static const unsigned out_width = 8;",
            "    static const unsigned n_partitions = 8;",
            "    using fill_buffer = nnet::fill_buffer_2<data_T, CONFIG_T>;",
            "    using conv_kernel = nnet::Conv1DLatency<data_T, res_T, CONFIG_T>;",
        ] {
            assert!(cfg.contains(line), "{line}\n{cfg}");
        }
        assert_eq!(
            function_cpp(&m, l).unwrap(),
            "nnet::depthwise_conv_1d_cl<input_t, layer2_t, config2>(input_layer, layer2_out, w2, b2);"
        );
        assert_eq!(
            includes(l),
            [
                "nnet_utils/nnet_conv1d.h",
                "nnet_utils/nnet_sepconv1d.h",
                "nnet_utils/nnet_sepconv1d_stream.h"
            ]
        );
        assert_eq!(l.weights[0].shape, vec![3, 3, 1]);
    }

    #[test]
    fn resource_strategy_is_refused_for_1d_naming_the_layer() {
        // nnet_sepconv1d.h: assert("Resource strategy for DepthwiseConv1D is not supported.")
        let mut net = net_1d();
        net.config.strategy = Strategy::Resource;
        let e = lower(&net, &ProjectOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'dw1'")
                && e.contains("depthwise_conv_1d_cl")
                && e.contains("Resource strategy for DepthwiseConv1D"),
            "{e}"
        );
    }

    #[test]
    fn depth_multiplier_2_is_refused_for_1d_naming_the_layer() {
        // hls4ml 1.3.0's depthwise_conv_1d_cl takes one kernel per channel
        // (`weights[filt_width * n_chan]`, `biases[n_chan]` in nnet_sepconv1d.h)
        let kind = ir::ops::DepthwiseConv1D {
            kernel: [3],
            stride: [1],
            padding: Padding::Valid,
            depth_multiplier: 2,
            use_bias: true,
        };
        let net = net_of(vec![10, 3], kind.into(), vec![3, 3, 2]);
        let e = lower(&net, &ProjectOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'dw1'")
                && e.contains("depth_multiplier 2")
                && e.contains("depthwise_conv_1d_cl"),
            "{e}"
        );
    }
}
