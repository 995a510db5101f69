//! DepthwiseConv2D (and the two halves hls4ml 1.3.0 makes of a SeparableConv2D): hls4ml's
//! DepthwiseConv2D is a subclass of its Conv2D, so its config structs are Conv2D's
//! (`conv2d::config`) with the product kernel `nnet::DepthwiseDenseLatency`
//! (`Conv2DConfigTemplate` in `backends/vivado/passes/convolution_templates.py`), the call
//! `nnet::depthwise_conv_2d_cl` and the `sepconv2d_include_list` headers. A separable layer's
//! depthwise half reads the Keras `depthwise_kernel` and gets hls4ml's zero bias
//! (`add_bias` with no data: `ap_uint<1>` zeros named `bias{N}_t`); its pointwise half is a
//! 1×1 Conv2D with `pointwise_kernel` and the layer's bias.

use super::Ctx;
use crate::error::{CodegenError, Result};
use crate::model::Op;
use ir::LayerKind;

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
    matches!(
        op,
        Op::Conv2D {
            depthwise: true,
            ..
        }
    )
}

pub fn call(c: &Ctx) -> String {
    c.weighted_call("depthwise_conv_2d_cl")
}

/// The kernel and bias of a 2-D convolution node rendered from `layer`: `expected` kernel
/// values; `None` for the bias where hls4ml gives the node its zero bias (no bias in Keras, or
/// the depthwise half of a separable layer).
pub fn conv2d_weights(
    layer: &ir::Layer,
    op: &Op,
    expected: usize,
) -> Result<(Vec<f32>, Option<Vec<f32>>)> {
    let Op::Conv2D { n_filt, .. } = *op else {
        return Err(CodegenError::Internal(format!(
            "layer '{}': conv2d_weights on {op:?}",
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
    // which Keras weights a Conv2D node of this IR layer renders (other kinds never lower to
    // one: an internal error)
    if let (LayerKind::Conv2D(c), false) = (&layer.kind, depthwise) {
        Ok((kernel("kernel")?, bias(c.use_bias)?))
    } else if let (LayerKind::Dense(d), false) = (&layer.kind, depthwise) {
        // a Dense over (height, width, features): replace_multidimensional_dense_with_conv
        Ok((kernel("kernel")?, bias(d.use_bias)?))
    } else if let (LayerKind::DepthwiseConv2D(d), true) = (&layer.kind, depthwise) {
        Ok((kernel("kernel")?, bias(d.use_bias)?))
    } else if let LayerKind::SeparableConv2D(s) = &layer.kind {
        if depthwise {
            Ok((kernel("depthwise_kernel")?, None))
        } else {
            Ok((kernel("pointwise_kernel")?, bias(s.use_bias)?))
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
        let mut net = Network::new("m");
        let input = LayerKind::Input(ir::ops::Input {
            shape: vec![6, 6, 3],
        });
        net.add_layer(Layer::new("input_layer", input), &[])
            .unwrap();
        let mut dw = Layer::new(
            "dw1",
            LayerKind::DepthwiseConv2D(ir::ops::DepthwiseConv2D {
                kernel: [3, 3],
                stride: [1, 1],
                padding: Padding::Valid,
                depth_multiplier: 1,
                use_bias: true,
            }),
        )
        .with_activation(Activation::Relu);
        dw.weights = vec![
            (
                "kernel".into(),
                Tensor::new(vec![3, 3, 3, 1], vec![0.25; 27]),
            ),
            ("bias".into(), Tensor::new(vec![3], vec![0.5; 3])),
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
}
