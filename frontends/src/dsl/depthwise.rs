//! DSL syntax of the depthwise and separable convolutions and of hls4ml's ApplyAlpha (parsing
//! and printing, used by the table in `kinds`):
//! `depthwise_conv2d(3x3, relu, multiplier=2, stride=2, padding=same, bias=false)`,
//! `separable_conv2d(16, 3x3, relu, multiplier=2, ...)` (filters first, as `conv2d`), and
//! `apply_alpha()` (the per-channel scale hls4ml inserts after a QKeras layer with
//! `alpha != 1`; its scale and bias are weights).

use super::kinds::{activation_args, bias_arg, padding_arg, pair_text, plain, Args, Located};
use ir::layer::{Activation, Layer, LayerKind};

type Built = Result<(LayerKind, Activation), Located>;

pub fn build_depthwise(a: &Args) -> Built {
    let kind = LayerKind::DepthwiseConv2D(ir::ops::DepthwiseConv2D {
        kernel: a.pair("kernel", None)?,
        stride: a.pair("stride", Some([1, 1]))?,
        padding: a.padding()?,
        depth_multiplier: a.size("multiplier", Some(1))?,
        use_bias: a.boolean("bias", true)?,
    });
    Ok((kind, a.activation()?))
}

pub fn build_separable(a: &Args) -> Built {
    let kind = LayerKind::SeparableConv2D(ir::ops::SeparableConv2D {
        filters: a.size("filters", None)?,
        kernel: a.pair("kernel", None)?,
        stride: a.pair("stride", Some([1, 1]))?,
        padding: a.padding()?,
        depth_multiplier: a.size("multiplier", Some(1))?,
        use_bias: a.boolean("bias", true)?,
    });
    Ok((kind, a.activation()?))
}

pub fn build_apply_alpha(_a: &Args) -> Built {
    plain(LayerKind::ApplyAlpha)
}

/// The printed arguments of a depthwise convolution (`filters` None) or of a separable one
/// (`filters` and its depthwise part `dw`).
pub fn print(
    args: &mut Vec<String>,
    layer: &Layer,
    filters: Option<usize>,
    dw: &ir::ops::DepthwiseConv2D,
) {
    if let Some(f) = filters {
        args.push(f.to_string());
    }
    args.push(pair_text(dw.kernel));
    activation_args(args, &layer.activation);
    if dw.depth_multiplier != 1 {
        args.push(format!("multiplier={}", dw.depth_multiplier));
    }
    if dw.stride != [1, 1] {
        args.push(format!("stride={}", pair_text(dw.stride)));
    }
    padding_arg(args, dw.padding);
    bias_arg(args, dw.use_bias);
}
