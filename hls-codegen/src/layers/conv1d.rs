//! Conv1D: `nnet::conv_1d_cl` with `config{N}_mult` (the product) and `conv1d_config`
//! (linebuffer implementation; io_parallel uses the generated `fill_buffer_N` im2col class).

use super::{conv, im2col, Ctx};
use crate::model::Op;

pub const INCLUDES: &[&str] = &[
    "nnet_utils/nnet_conv1d.h",
    "nnet_utils/nnet_conv1d_stream.h",
];

/// PointwiseConv1D's headers (hls4ml's `sepconv1d_include_list`, `backends/vivado/passes/pointwise.py`).
pub const POINTWISE_INCLUDES: &[&str] = &[
    "nnet_utils/nnet_conv1d.h",
    "nnet_utils/nnet_sepconv1d_stream.h",
];

pub fn config(c: &Ctx) -> String {
    let Op::Conv1D {
        in_width,
        n_chan,
        filt_width,
        n_filt,
        stride,
        pad_left,
        pad_right,
        out_width,
        n_partitions,
        ..
    } = c.l.op
    else {
        unreachable!("conv1d::config on {:?}", c.l.op)
    };
    let idx = c.index();
    // hls4ml's pointwise latency conv over one partition: one batched Dense over every pixel
    let batched = filt_width == 1
        && n_partitions == 1
        && c.l.strategy == ir::Strategy::Latency
        && !c.m.is_stream();
    let conv_fn = match c.l.strategy {
        _ if batched => "nnet::BatchedDenseForConv1D",
        ir::Strategy::Latency => "nnet::Conv1DLatency",
        ir::Strategy::Resource => "nnet::Conv1DResource",
    };
    let (mult_in, mult_out) = if batched {
        (in_width * n_chan * filt_width, in_width * n_filt)
    } else {
        (n_chan * filt_width, n_filt)
    };
    let conv::ConvText {
        mult,
        product,
        types,
    } = conv::text(c, "1D", mult_in, mult_out);
    format!(
        "{mult}
struct config{idx} : nnet::conv1d_config {{
    static const unsigned pad_left = {pad_left};
    static const unsigned pad_right = {pad_right};
    static const unsigned in_width = {in_width};
    static const unsigned n_chan = {n_chan};
    static const unsigned filt_width = {filt_width};
    static const unsigned kernel_size = filt_width;
    static const unsigned n_filt = {n_filt};
    static const unsigned stride_width = {stride};
    static const unsigned dilation = 1;
    static const unsigned out_width = {out_width};
{product}    static const unsigned min_width = {in_width};
    static const ap_uint<filt_width> pixels[min_width];
    static const unsigned n_partitions = {n_partitions};
    static const unsigned n_pixels = out_width / n_partitions;
{types}    template<unsigned K, unsigned S, unsigned W>
    using scale_index = nnet::scale_index_regular<K, S, W>;
    template<class data_T, class res_T, class CONFIG_T>
    using conv_kernel = {conv_fn}<data_T, res_T, CONFIG_T>;
}};
const ap_uint<config{idx}::filt_width> config{idx}::pixels[] = {{0}};
"
    )
}

/// `conv_1d_cl`, or `pointwise_conv_1d_cl` for a PointwiseConv1D (same config struct).
pub fn call(c: &Ctx) -> String {
    if let Op::Conv1D {
        pointwise: true, ..
    } = c.l.op
    {
        c.weighted_call("pointwise_conv_1d_cl")
    } else {
        c.weighted_call("conv_1d_cl")
    }
}

/// hls4ml's `_compute_conv1d_im2col` + `generate_conv1d_line_buffer_fn`.
pub fn fill_buffer(c: &Ctx) -> String {
    let Op::Conv1D {
        in_width,
        n_chan,
        filt_width,
        stride,
        pad_left,
        out_width,
        n_partitions,
        ..
    } = c.l.op
    else {
        unreachable!("conv1d::fill_buffer on {:?}", c.l.op)
    };
    let rows: Vec<im2col::Row> = (0..out_width)
        .map(|ow| {
            let mut r = Vec::with_capacity(filt_width * n_chan);
            for kw in 0..filt_width {
                for ch in 0..n_chan {
                    let col = (kw + ow * stride) as isize - pad_left as isize;
                    r.push(
                        (col >= 0 && (col as usize) < in_width).then(|| col as usize * n_chan + ch),
                    );
                }
            }
            r
        })
        .collect();
    im2col::fill_buffer_class(
        c.index(),
        "FillConv1DBuffer",
        "CONFIG_T::in_width * CONFIG_T::n_chan",
        "CONFIG_T::filt_width * CONFIG_T::n_chan",
        &rows,
        n_partitions,
    )
}
