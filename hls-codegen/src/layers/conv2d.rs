//! Conv2D: `nnet::conv_2d_cl` with `config{N}_mult` (the product) and `conv2d_config`
//! (linebuffer implementation; io_parallel uses the generated `fill_buffer_N` im2col class).

use super::{conv, im2col, Ctx};
use crate::model::Op;

pub const INCLUDES: &[&str] = &[
    "nnet_utils/nnet_conv2d.h",
    "nnet_utils/nnet_conv2d_stream.h",
];

/// PointwiseConv2D's headers (hls4ml's `sepconv2d_include_list`, `backends/vivado/passes/pointwise.py`).
pub const POINTWISE_INCLUDES: &[&str] = &[
    "nnet_utils/nnet_conv2d.h",
    "nnet_utils/nnet_sepconv2d_stream.h",
];

pub fn config(c: &Ctx) -> String {
    let Op::Conv2D {
        in_height,
        in_width,
        n_chan,
        filt_height,
        filt_width,
        n_filt,
        stride_height,
        stride_width,
        pad_top,
        pad_bottom,
        pad_left,
        pad_right,
        out_height,
        out_width,
        n_partitions,
        ..
    } = c.l.op
    else {
        unreachable!("conv2d::config on {:?}", c.l.op)
    };
    let idx = c.index();
    let conv::ConvText {
        mult,
        product,
        types,
    } = conv::text(c, "2D", n_chan * filt_height * filt_width, n_filt);
    format!(
        "{mult}
struct config{idx} : nnet::conv2d_config {{
    static const unsigned pad_top = {pad_top};
    static const unsigned pad_bottom = {pad_bottom};
    static const unsigned pad_left = {pad_left};
    static const unsigned pad_right = {pad_right};
    static const unsigned in_height = {in_height};
    static const unsigned in_width = {in_width};
    static const unsigned n_chan = {n_chan};
    static const unsigned filt_height = {filt_height};
    static const unsigned filt_width = {filt_width};
    static const unsigned kernel_size = filt_height * filt_width;
    static const unsigned n_filt = {n_filt};
    static const unsigned stride_height = {stride_height};
    static const unsigned stride_width = {stride_width};
    static const unsigned out_height = {out_height};
    static const unsigned out_width = {out_width};
{product}    static const unsigned min_height = {in_height};
    static const unsigned min_width = {in_width};
    static const ap_uint<filt_height * filt_width> pixels[min_height * min_width];
    static const unsigned n_partitions = {n_partitions};
    static const unsigned n_pixels = out_height * out_width / n_partitions;
{types}    template<unsigned K, unsigned S, unsigned W>
    using scale_index_height = nnet::scale_index_regular<K, S, W>;
    template<unsigned K, unsigned S, unsigned W>
    using scale_index_width = nnet::scale_index_regular<K, S, W>;
}};
const ap_uint<config{idx}::filt_height * config{idx}::filt_width> config{idx}::pixels[] = {{0}};
"
    )
}

/// `conv_2d_cl`, or `pointwise_conv_2d_cl` for a PointwiseConv2D (same config struct).
pub fn call(c: &Ctx) -> String {
    if let Op::Conv2D {
        pointwise: true, ..
    } = c.l.op
    {
        c.weighted_call("pointwise_conv_2d_cl")
    } else {
        c.weighted_call("conv_2d_cl")
    }
}

/// hls4ml's `_compute_conv2d_im2col` + `generate_conv2d_line_buffer_fn`.
pub fn fill_buffer(c: &Ctx) -> String {
    let Op::Conv2D {
        in_height,
        in_width,
        n_chan,
        filt_height,
        filt_width,
        stride_height,
        stride_width,
        pad_top,
        pad_left,
        out_height,
        out_width,
        n_partitions,
        ..
    } = c.l.op
    else {
        unreachable!("conv2d::fill_buffer on {:?}", c.l.op)
    };
    let mut rows: Vec<im2col::Row> = Vec::with_capacity(out_height * out_width);
    for oh in 0..out_height {
        for ow in 0..out_width {
            let mut r = Vec::with_capacity(filt_height * filt_width * n_chan);
            for kh in 0..filt_height {
                let row = (kh + oh * stride_height) as isize - pad_top as isize;
                for kw in 0..filt_width {
                    let col = (kw + ow * stride_width) as isize - pad_left as isize;
                    for ch in 0..n_chan {
                        let inside = row >= 0
                            && (row as usize) < in_height
                            && col >= 0
                            && (col as usize) < in_width;
                        r.push(
                            inside.then(|| (row as usize * in_width + col as usize) * n_chan + ch),
                        );
                    }
                }
            }
            rows.push(r);
        }
    }
    im2col::fill_buffer_class(
        c.index(),
        "FillConv2DBuffer",
        "CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan",
        "CONFIG_T::filt_height * CONFIG_T::filt_width * CONFIG_T::n_chan",
        &rows,
        n_partitions,
    )
}
