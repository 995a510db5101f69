//! Conv1D (hls4ml `Conv1D`): the dense kernel of n_in = filt_width·n_chan, n_out = n_filt, run
//! once per output position (io_parallel, `n_partitions = out_width` with the default
//! ParallelizationFactor 1) or once per input position (io_stream, II = RF per pixel).

use super::{Analysis, LayerCtx};
use ir::LayerKind;

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let LayerKind::Conv1D(ir::ops::Conv1D {
        filters,
        kernel,
        stride,
        padding,
        ..
    }) = ctx.layer.kind
    else {
        unreachable!("conv1d::analyse is only called for Conv1D layers")
    };
    let input = ctx.input();
    let chans = *input.last().unwrap_or(&0);
    let in_w = *input.first().unwrap_or(&0);
    let stream = ctx.io_stream();
    // io_stream: ZeroPadding1D inserted before a `same` conv (InsertZeroPaddingBeforeConv1D).
    let pad = if stream {
        super::same_pad(padding, in_w, kernel, stride)
    } else {
        0
    };
    let g = super::ConvGeometry {
        n_in: kernel * chans,
        n_out: filters,
        in_pixels: (in_w + pad) as f64,
        out_pixels: *ctx.output().first().unwrap_or(&0) as f64,
        line_words: 0.0,
        padded: (pad > 0).then_some(((in_w + pad) as f64, chans as f64)),
        pointwise: kernel == 1,
    };
    let mut a = super::conv_layer(ctx, &g);
    a.inputs.insert(0, ("filt_width", kernel as f64));
    a
}
