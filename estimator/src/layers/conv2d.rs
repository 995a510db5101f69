//! Conv2D (hls4ml `Conv2D`): the dense kernel of n_in = filt_h·filt_w·n_chan, n_out = n_filt,
//! run once per output pixel (io_parallel, `n_partitions = out_h·out_w`) or once per input
//! pixel (io_stream line buffer, II = RF per pixel, over the zero-padded image for `same`).
//! The io_stream line buffer keeps (filt_h − 1) rows of in_w·n_chan words.

use super::{Analysis, LayerCtx};
use ir::LayerKind;

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let LayerKind::Conv2D(ir::ops::Conv2D {
        filters,
        kernel,
        stride,
        padding,
        ..
    }) = ctx.layer.kind
    else {
        unreachable!("conv2d::analyse is only called for Conv2D layers")
    };
    let input = ctx.input();
    let chans = *input.last().unwrap_or(&0);
    let (in_h, in_w) = (*input.first().unwrap_or(&0), *input.get(1).unwrap_or(&0));
    let stream = ctx.io_stream();
    // io_stream: hls4ml inserts ZeroPadding2D before a `same` conv; the conv sees the padded
    // image (see `conv_layer`).
    let (pad_h, pad_w) = if stream {
        (
            super::same_pad(padding, in_h, kernel[0], stride[0]),
            super::same_pad(padding, in_w, kernel[1], stride[1]),
        )
    } else {
        (0, 0)
    };
    let (ph, pw) = (in_h + pad_h, in_w + pad_w);
    let padded_pixels = (ph * pw) as f64;
    let g = super::ConvGeometry {
        n_in: kernel[0] * kernel[1] * chans,
        n_out: filters,
        in_pixels: if stream {
            padded_pixels
        } else {
            super::pixels(input)
        },
        out_pixels: super::pixels(ctx.output()),
        line_words: (kernel[0].saturating_sub(1) * pw * chans) as f64,
        padded: (pad_h + pad_w > 0).then_some((padded_pixels, chans as f64)),
        pointwise: kernel == [1, 1],
    };
    let mut a = super::conv_layer(ctx, &g);
    a.inputs.insert(0, ("filt_w", kernel[1] as f64));
    a.inputs.insert(0, ("filt_h", kernel[0] as f64));
    a
}

#[cfg(test)]
mod tests {
    use crate::layers::tests::{estimate_one, one_layer_net_io};
    use ir::{Activation, IoType, LayerKind, Padding, Strategy};

    #[test]
    fn stream_conv_latency_is_pixels_times_rf() {
        // 8×8×3 input, 3×3 conv, 4 filters, Resource RF 27 (valid: n_in = 27, n_out = 4,
        // RF = n_in divides 108). io_stream: one kernel call per input pixel at II = RF:
        // 64 × 27 = 1728 cycles plus the stage depth. Kernel: block_factor = 108/27 = 4.
        let net = one_layer_net_io(
            vec![8, 8, 3],
            LayerKind::Conv2D(ir::ops::Conv2D {
                filters: 4,
                kernel: [3, 3],
                stride: [1, 1],
                padding: Padding::Valid,
                use_bias: true,
            }),
            Activation::Linear,
            Strategy::Resource,
            27,
            16,
            IoType::Stream,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!((e.reuse_factor, e.multipliers), (Some(27), 4));
        assert!(
            e.latency_best >= 1728 && e.latency_best <= 1731,
            "{}",
            e.latency_best
        );
        assert_eq!(e.ii as f64, 1728.0);
    }

    #[test]
    fn parallel_conv_runs_once_per_output_pixel() {
        // 6×6×1 → 4×4×2 (3×3 valid), Latency RF 1: 16 partitions, one per cycle.
        let net = one_layer_net_io(
            vec![6, 6, 1],
            LayerKind::Conv2D(ir::ops::Conv2D {
                filters: 2,
                kernel: [3, 3],
                stride: [1, 1],
                padding: Padding::Valid,
                use_bias: true,
            }),
            Activation::Linear,
            Strategy::Latency,
            1,
            16,
            IoType::Parallel,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!(e.multipliers, 18);
        assert_eq!(e.ii, 16);
    }
}
