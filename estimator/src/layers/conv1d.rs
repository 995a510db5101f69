//! Conv1D (hls4ml `Conv1D`): the dense kernel of n_in = filt_width·n_chan, n_out = n_filt, run
//! once per output position (io_parallel, `n_partitions = out_width` with the default
//! ParallelizationFactor 1) or once per input position (io_stream, II = RF per pixel).

use super::{Analysis, LayerCtx};
use ir::LayerKind;

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let LayerKind::Conv1D {
        filters, kernel, ..
    } = ctx.layer.kind
    else {
        unreachable!("conv1d::analyse is only called for Conv1D layers")
    };
    let input = ctx.input();
    let chans = *input.last().unwrap_or(&0);
    let in_w = *input.first().unwrap_or(&0) as f64;
    let out_w = *ctx.output().first().unwrap_or(&0) as f64;
    let mut a = super::conv_layer(ctx, kernel * chans, filters, in_w, out_w, 0.0);
    a.inputs.insert(0, ("filt_width", kernel as f64));
    a
}
