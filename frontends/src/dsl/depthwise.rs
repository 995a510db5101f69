//! DSL syntax of the depthwise and separable convolutions and of hls4ml's ApplyAlpha (parsing
//! and printing, used by the table in `kinds`):
//! `depthwise_conv2d(3x3, relu, multiplier=2, stride=2, padding=same, bias=false)`,
//! `separable_conv2d(16, 3x3, relu, multiplier=2, ...)` (filters first, as `conv2d`), their
//! 1-D forms `depthwise_conv1d(3, relu, ...)` and `separable_conv1d(16, 3, relu, ...)`
//! (one generic reader and printer over the rank), and
//! `apply_alpha()` (the per-channel scale hls4ml inserts after a QKeras layer with
//! `alpha != 1`; its scale and bias are weights).

use super::kinds::{activation_args, bias_arg, padding_arg, pair_text, plain, Args, Located};
use ir::layer::{Activation, Layer, LayerKind};

type Built = Result<(LayerKind, Activation), Located>;

/// A size per spatial axis: `3` (1-D), `3x2` or `3` meaning `3x3` (2-D).
fn axes<const R: usize>(
    a: &Args,
    param: &str,
    default: Option<usize>,
) -> Result<[usize; R], Located> {
    let v = if R == 2 {
        a.pair(param, default.map(|d| [d, d]))?.to_vec()
    } else {
        vec![a.size(param, default)?]
    };
    Ok(std::array::from_fn(|i| v.get(i).copied().unwrap_or(1)))
}

/// The text of a per-axis size, as [`axes`] reads it.
fn axes_text<const R: usize>(v: [usize; R]) -> String {
    match v.as_slice() {
        [a, b] => pair_text([*a, *b]),
        _ => v.iter().map(usize::to_string).collect::<Vec<_>>().join("x"),
    }
}

pub fn build_depthwise<const R: usize>(a: &Args) -> Built
where
    ir::ops::DepthwiseConv<R>: Into<LayerKind>,
{
    let kind = ir::ops::DepthwiseConv::<R> {
        kernel: axes(a, "kernel", None)?,
        stride: axes(a, "stride", Some(1))?,
        padding: a.padding()?,
        depth_multiplier: a.size("multiplier", Some(1))?,
        use_bias: a.boolean("bias", true)?,
    };
    Ok((kind.into(), a.activation()?))
}

pub fn build_separable<const R: usize>(a: &Args) -> Built
where
    ir::ops::SeparableConv<R>: Into<LayerKind>,
{
    let kind = ir::ops::SeparableConv::<R> {
        filters: a.size("filters", None)?,
        kernel: axes(a, "kernel", None)?,
        stride: axes(a, "stride", Some(1))?,
        padding: a.padding()?,
        depth_multiplier: a.size("multiplier", Some(1))?,
        use_bias: a.boolean("bias", true)?,
    };
    Ok((kind.into(), a.activation()?))
}

pub fn build_apply_alpha(_a: &Args) -> Built {
    plain(LayerKind::ApplyAlpha)
}

/// The printed arguments of a depthwise convolution (`filters` None) or of a separable one
/// (`filters` and its depthwise part `dw`).
pub fn print<const R: usize>(
    args: &mut Vec<String>,
    layer: &Layer,
    filters: Option<usize>,
    dw: &ir::ops::DepthwiseConv<R>,
) {
    if let Some(f) = filters {
        args.push(f.to_string());
    }
    args.push(axes_text(dw.kernel));
    activation_args(args, &layer.activation);
    if dw.depth_multiplier != 1 {
        args.push(format!("multiplier={}", dw.depth_multiplier));
    }
    if dw.stride != [1; R] {
        args.push(format!("stride={}", axes_text(dw.stride)));
    }
    padding_arg(args, dw.padding);
    bias_arg(args, dw.use_bias);
}

/// The printed arguments of a separable convolution.
pub fn print_separable<const R: usize>(
    args: &mut Vec<String>,
    layer: &Layer,
    s: &ir::ops::SeparableConv<R>,
) {
    let dw = ir::ops::DepthwiseConv::<R> {
        kernel: s.kernel,
        stride: s.stride,
        padding: s.padding,
        depth_multiplier: s.depth_multiplier,
        use_bias: s.use_bias,
    };
    print(args, layer, Some(s.filters), &dw);
}
