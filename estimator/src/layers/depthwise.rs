//! DepthwiseConv1D/2D and SeparableConv1D/2D (hls4ml `DepthwiseConv1D/2D`,
//! `SeparableConv1D/2D`; `nnet_sepconv{1,2}d_latency.h`, `nnet_sepconv{1,2}d_stream.h`). A 1-D
//! layer is priced as a 2-D one of height 1 (kernel and stride 1 on that axis: no line buffer,
//! as Conv1D).
//!
//! The depthwise kernel (`depthwise_conv_2d_latency_cl`) builds, per output pixel (io_parallel,
//! `n_partitions = out_h·out_w`) or per input pixel (io_stream line buffer), `kh·kw·C`
//! products, and each of the C outputs sums its own `kh·kw` of them: the MAC kernel of
//! n_in = kh·kw, n_out = C (the same product and adder count), with the kernel's constant
//! products counted from its weights. hls4ml supports only `depth_multiplier = 1` there (the
//! template asserts `n_filt == n_chan`); a larger multiplier is priced as C·dm outputs with a
//! warning. hls4ml 1.3.0's `seperable_to_dw_conv` pass splits a SeparableConv2D into
//! `{name}_depthwise` (that kernel, no bias, the layer's result type) and `{name}_pointwise`
//! (a 1×1 Conv2D of n_in = C·dm, n_out = filters over the output pixels, with the bias, made a
//! PointwiseConv2D by `optimize_pointwise_conv`), joined by a FIFO in io_stream. The two parts'
//! resources and cycles add, plus that FIFO.
//!
//! No synthesis record in the calibration contains either kind: their LUT/FF coefficients are
//! the Conv2D ones (fitted on other kinds), flagged in a warning on every estimate.

use super::{Analysis, ConvGeometry, LayerCtx};
use ir::{Activation, LayerKind};

pub const FORMULAS: &[&str] = &[
    "depthwise: MAC kernel n_in = kh*kw, n_out = C*dm, per output pixel (io_parallel) or input pixel (io_stream)",
    "separable: depthwise part, then pointwise 1x1 conv n_in = C*dm, n_out = filters over the output pixels; resources and cycles add",
];

/// The kernel geometry and weights of the depthwise part (a 1-D layer as height 1).
struct Depthwise<'a> {
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: ir::Padding,
    depth_multiplier: usize,
    weight: &'a str,
}

impl<'a> Depthwise<'a> {
    /// A depthwise layer's geometry over `R` axes, as 2-D (a 1-D one with height 1).
    fn of<const R: usize>(d: &ir::ops::DepthwiseConv<R>, weight: &'a str) -> Self {
        Depthwise {
            kernel: as_2d(&d.kernel),
            stride: as_2d(&d.stride),
            padding: d.padding,
            depth_multiplier: d.depth_multiplier,
            weight,
        }
    }
    /// The depthwise part of a separable layer.
    fn of_separable<const R: usize>(s: &ir::ops::SeparableConv<R>) -> Self {
        Depthwise {
            kernel: as_2d(&s.kernel),
            stride: as_2d(&s.stride),
            padding: s.padding,
            depth_multiplier: s.depth_multiplier,
            weight: "depthwise_kernel",
        }
    }
}

/// `[h, w]` of a per-axis size: a 1-D `[w]` is `[1, w]`.
fn as_2d(v: &[usize]) -> [usize; 2] {
    match v {
        [w] => [1, *w],
        [h, w, ..] => [*h, *w],
        [] => [1, 1],
    }
}

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let (dw, pointwise) = match &ctx.layer.kind {
        LayerKind::DepthwiseConv2D(d) => (Depthwise::of(d, "kernel"), None),
        LayerKind::SeparableConv2D(s) => (Depthwise::of_separable(s), Some(s.filters)),
        LayerKind::DepthwiseConv1D(d) => (Depthwise::of(d, "kernel"), None),
        LayerKind::SeparableConv1D(s) => (Depthwise::of_separable(s), Some(s.filters)),
        LayerKind::Input(_)
        | LayerKind::Dense(_)
        | LayerKind::Conv1D(_)
        | LayerKind::Conv2D(_)
        | LayerKind::Pool1D(_)
        | LayerKind::Pool2D(_)
        | LayerKind::GlobalPool1D(_)
        | LayerKind::GlobalPool2D(_)
        | LayerKind::BatchNorm(_)
        | LayerKind::Activation(_)
        | LayerKind::Reshape(_)
        | LayerKind::Concatenate(_)
        | LayerKind::Dropout(_)
        | LayerKind::Flatten
        | LayerKind::Merge(_)
        | LayerKind::ZeroPadding1D(_)
        | LayerKind::ZeroPadding2D(_)
        | LayerKind::Cropping1D(_)
        | LayerKind::Cropping2D(_)
        | LayerKind::UpSampling1D(_)
        | LayerKind::UpSampling2D(_)
        | LayerKind::MultiHeadAttention(_)
        | LayerKind::LayerNorm(_)
        | LayerKind::EinsumDense(_)
        | LayerKind::Embedding(_)
        | LayerKind::Recurrent(_)
        | LayerKind::ApplyAlpha
        | LayerKind::PositionalAdd
        | LayerKind::PReLU
        | LayerKind::Permute(_)
        | LayerKind::Dot
        | LayerKind::GarNet(_)
        | LayerKind::FixedPointQuantizer(_)
        | LayerKind::TimeDistributed(_) => {
            unreachable!("depthwise::analyse is only called for depthwise/separable layers")
        }
    };
    let input = ctx.input();
    let chans = *input.last().unwrap_or(&0);
    let mid = chans * dw.depth_multiplier;
    // (height, width) of a (h, w, C) input; a 1-D (w, C) input is height 1
    let (in_h, in_w) = match input.len() {
        2 => (1, input[0]),
        _ => (*input.first().unwrap_or(&0), *input.get(1).unwrap_or(&0)),
    };
    let stream = ctx.io_stream();
    let (pad_h, pad_w) = if stream {
        (
            super::same_pad(dw.padding, in_h, dw.kernel[0], dw.stride[0]),
            super::same_pad(dw.padding, in_w, dw.kernel[1], dw.stride[1]),
        )
    } else {
        (0, 0)
    };
    let (ph, pw) = (in_h + pad_h, in_w + pad_w);
    let padded_pixels = (ph * pw) as f64;
    let out_pixels = super::pixels(ctx.output());
    let area = dw.kernel[0] * dw.kernel[1];

    // The depthwise part, priced through the Conv MAC kernel on a copy of the layer that holds
    // only the depthwise weights (named `kernel`, laid out kh, kw, C, dm = [n_in][n_out]) and no
    // activation (the fused activation follows the last part).
    let mut part = ctx.layer.clone();
    part.weights = ctx
        .layer
        .weight(dw.weight)
        .map(|t| vec![("kernel".to_string(), t.clone())])
        .unwrap_or_default();
    if pointwise.is_some() {
        part.activation = Activation::Linear;
    }
    let dctx = LayerCtx {
        layer: &part,
        ..*ctx
    };
    let mut a = super::conv_layer(
        &dctx,
        &ConvGeometry {
            n_in: area,
            n_out: mid,
            in_pixels: if stream { padded_pixels } else { out_pixels },
            out_pixels,
            line_words: (dw.kernel[0].saturating_sub(1) * pw * chans) as f64,
            padded: (pad_h + pad_w > 0).then_some((padded_pixels, chans as f64)),
            pointwise: false,
        },
    );
    a.formulas = FORMULAS;
    a.inputs.insert(0, ("filt_w", dw.kernel[1] as f64));
    a.inputs.insert(0, ("filt_h", dw.kernel[0] as f64));
    a.warnings.push(format!(
        "layer '{}' ({}): no synthesis data contains this kind; its LUT/FF coefficients are the Conv2D ones",
        ctx.layer.name,
        ctx.layer.kind.name()
    ));
    if dw.depth_multiplier != 1 {
        a.warnings.push(format!(
            "layer '{}': depth_multiplier {} — hls4ml 1.3.0's depthwise kernel supports only 1",
            ctx.layer.name, dw.depth_multiplier
        ));
    }
    if let Some(filters) = pointwise {
        let mut pw_layer = ctx.layer.clone();
        pw_layer.weights = ctx
            .layer
            .weight("pointwise_kernel")
            .map(|t| vec![("kernel".to_string(), t.clone())])
            .unwrap_or_default();
        let pctx = LayerCtx {
            layer: &pw_layer,
            input_width: ctx.settings.result.width(),
            ..*ctx
        };
        let p = super::conv_layer(
            &pctx,
            &ConvGeometry {
                n_in: mid,
                n_out: filters,
                in_pixels: out_pixels,
                out_pixels,
                line_words: 0.0,
                padded: None,
                pointwise: true,
            },
        );
        a.multipliers += p.multipliers;
        a.absorb(p);
        if stream {
            // the FIFO between hls4ml's `{name}_depthwise` and `{name}_pointwise` nodes
            a.streams
                .push((out_pixels, mid as f64 * ctx.settings.result.width() as f64));
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use crate::layers::tests::{estimate_one, one_layer_net_io};
    use ir::{Activation, IoType, LayerKind, Padding, Strategy};

    fn dw(multiplier: usize) -> LayerKind {
        LayerKind::DepthwiseConv2D(ir::ops::DepthwiseConv2D {
            kernel: [3, 3],
            stride: [1, 1],
            padding: Padding::Valid,
            depth_multiplier: multiplier,
            use_bias: true,
        })
    }

    #[test]
    fn depthwise_builds_kernel_area_times_channels_products() {
        // 6×6×4 → 4×4×4 (3×3 valid), Latency RF 1, no weights: hls4ml's
        // depthwise_conv_2d_latency_cl builds mult_n_in = 3·3·4 = 36 products per partition
        // (not the 3·3·4·4 = 144 of a Conv2D to 4 filters), 16 partitions one per cycle.
        let net = one_layer_net_io(
            vec![6, 6, 4],
            dw(1),
            Activation::Linear,
            Strategy::Latency,
            1,
            16,
            IoType::Parallel,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!(e.multipliers, 36);
        assert_eq!(e.ii, 16);
    }

    #[test]
    fn separable_adds_the_pointwise_products() {
        // 6×6×4 → 4×4×8: depthwise 36 products + pointwise 1×1 of 4 → 8 = 32 products.
        let net = one_layer_net_io(
            vec![6, 6, 4],
            LayerKind::SeparableConv2D(ir::ops::SeparableConv2D {
                filters: 8,
                kernel: [3, 3],
                stride: [1, 1],
                padding: Padding::Valid,
                depth_multiplier: 1,
                use_bias: true,
            }),
            Activation::Relu,
            Strategy::Latency,
            1,
            16,
            IoType::Parallel,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!(e.multipliers, 36 + 32);
    }

    #[test]
    fn separable_stream_has_the_fifo_between_its_two_nodes() {
        // io_stream, 34×34×4 → 32×32×8 (3×3 valid), 16-bit results: hls4ml's `{name}_depthwise`
        // node feeds `{name}_pointwise` through a FIFO of 1024 output pixels × 4 channels × 16
        // bits = 1024 × 64, in BRAM18 as 1K×18 blocks: ⌈64/18⌉ = 4. The network input is a
        // port, not a FIFO, so these are the layer's only FIFO blocks.
        let net = one_layer_net_io(
            vec![34, 34, 4],
            LayerKind::SeparableConv2D(ir::ops::SeparableConv2D {
                filters: 8,
                kernel: [3, 3],
                stride: [1, 1],
                padding: Padding::Valid,
                depth_multiplier: 1,
                use_bias: true,
            }),
            Activation::Linear,
            Strategy::Latency,
            1,
            16,
            IoType::Stream,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!(e.analysis.fifo_bram, 4.0);
    }

    #[test]
    fn depthwise_1d_is_the_2d_kernel_of_height_one() {
        // (10, 4) → (8, 4) (kernel 3 valid), Latency RF 1: hls4ml's
        // depthwise_conv_1d_latency_cl builds mult_n_in = 3·4 = 12 products per partition
        // (config{N}_mult n_in = filt_width·n_chan, as the harness case depthwise1d's
        // parameters.h: 9 for 3·3), 8 partitions (n_partitions = out_width) one per cycle;
        // no synthesis data: the prior is flagged.
        let net = one_layer_net_io(
            vec![10, 4],
            LayerKind::DepthwiseConv1D(ir::ops::DepthwiseConv1D {
                kernel: [3],
                stride: [1],
                padding: Padding::Valid,
                depth_multiplier: 1,
                use_bias: true,
            }),
            Activation::Linear,
            Strategy::Latency,
            1,
            16,
            IoType::Parallel,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!(e.multipliers, 12);
        assert_eq!(e.ii, 8);
        assert!(
            e.analysis
                .warnings
                .iter()
                .any(|w| w.contains("(DepthwiseConv1D): no synthesis data")),
            "{:?}",
            e.analysis.warnings
        );
    }

    #[test]
    fn separable_1d_adds_the_pointwise_products() {
        // (10, 4) → (8, 8): depthwise 3·4 = 12 products + pointwise 4 → 8 = 32 products.
        let net = one_layer_net_io(
            vec![10, 4],
            LayerKind::SeparableConv1D(ir::ops::SeparableConv1D {
                filters: 8,
                kernel: [3],
                stride: [1],
                padding: Padding::Valid,
                depth_multiplier: 1,
                use_bias: true,
            }),
            Activation::Relu,
            Strategy::Latency,
            1,
            16,
            IoType::Parallel,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!(e.multipliers, 12 + 32);
    }
}
