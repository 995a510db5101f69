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
    let n_filt = match op {
        Op::Conv2D { n_filt, .. } => *n_filt,
        other => {
            return Err(CodegenError::Internal(format!(
                "layer '{}': conv2d_weights on {other:?}",
                layer.name
            )))
        }
    };
    let bias = |use_bias: bool| -> Result<Option<Vec<f32>>> {
        if use_bias {
            crate::lower::layer_weight(layer, "bias", n_filt).map(Some)
        } else {
            Ok(None)
        }
    };
    let kernel = |name: &str| crate::lower::layer_weight(layer, name, expected);
    match (&layer.kind, is_depthwise(op)) {
        (LayerKind::Conv2D(c), false) => Ok((kernel("kernel")?, bias(c.use_bias)?)),
        // a Dense over (height, width, features): replace_multidimensional_dense_with_conv
        (LayerKind::Dense(d), false) => Ok((kernel("kernel")?, bias(d.use_bias)?)),
        (LayerKind::DepthwiseConv2D(d), true) => Ok((kernel("kernel")?, bias(d.use_bias)?)),
        (LayerKind::SeparableConv2D(_), true) => Ok((kernel("depthwise_kernel")?, None)),
        (LayerKind::SeparableConv2D(s), false) => {
            Ok((kernel("pointwise_kernel")?, bias(s.use_bias)?))
        }
        (kind, _) => Err(CodegenError::Internal(format!(
            "layer '{}' ({}) rendered as {op:?}",
            layer.name,
            kind.name()
        ))),
    }
}
