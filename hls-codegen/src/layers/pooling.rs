//! Pooling: `nnet::pooling{1,2}d_cl` and `nnet::global_pooling{1,2}d_cl` (Max/Average,
//! linebuffer implementation, padding never counted).

use super::Ctx;
use crate::model::Op;

pub const INCLUDES: &[&str] = &[
    "nnet_utils/nnet_pooling.h",
    "nnet_utils/nnet_pooling_stream.h",
];

fn op_name(max: bool) -> &'static str {
    if max {
        "Max"
    } else {
        "Average"
    }
}

pub fn config(c: &Ctx) -> String {
    let idx = c.index();
    let rf = c.reuse();
    let accum = &c.l.accum_t.name;
    match c.l.op {
        Op::Pool1D {
            max,
            n_in,
            n_out,
            n_filt,
            pool_width,
            stride,
            pad_left,
            pad_right,
        } => format!(
            "struct config{idx} : nnet::pooling1d_config {{
    static const unsigned n_in = {n_in};
    static const unsigned n_out = {n_out};
    static const unsigned n_filt = {n_filt};
    static const unsigned pool_width = {pool_width};

    static const unsigned filt_width = pool_width;
    static const unsigned n_chan = n_filt;

    static const unsigned pad_left = {pad_left};
    static const unsigned pad_right = {pad_right};
    static const bool count_pad = false;
    static const unsigned stride_width = {stride};
    static const nnet::Pool_Op pool_op = nnet::{op};
    static const nnet::conv_implementation implementation = nnet::conv_implementation::linebuffer;
    static const unsigned reuse_factor = {rf};
    typedef {accum} accum_t;
}};
",
            op = op_name(max)
        ),
        Op::Pool2D {
            max,
            in_height,
            in_width,
            n_filt,
            pool_height,
            pool_width,
            stride_height,
            stride_width,
            out_height,
            out_width,
            pad_top,
            pad_bottom,
            pad_left,
            pad_right,
        } => format!(
            "struct config{idx} : nnet::pooling2d_config {{
    static const unsigned in_height = {in_height};
    static const unsigned in_width = {in_width};
    static const unsigned n_filt = {n_filt};
    static const unsigned stride_height = {stride_height};
    static const unsigned stride_width = {stride_width};
    static const unsigned pool_height = {pool_height};
    static const unsigned pool_width = {pool_width};

    static const unsigned filt_height = pool_height;
    static const unsigned filt_width = pool_width;
    static const unsigned n_chan = n_filt;

    static const unsigned out_height = {out_height};
    static const unsigned out_width = {out_width};
    static const unsigned pad_top = {pad_top};
    static const unsigned pad_bottom = {pad_bottom};
    static const unsigned pad_left = {pad_left};
    static const unsigned pad_right = {pad_right};
    static const bool count_pad = false;
    static const nnet::Pool_Op pool_op = nnet::{op};
    static const nnet::conv_implementation implementation = nnet::conv_implementation::linebuffer;
    static const unsigned reuse_factor = {rf};
    typedef {accum} accum_t;
}};
",
            op = op_name(max)
        ),
        Op::GlobalPool1D { max, n_in, n_filt } => format!(
            "struct config{idx} : nnet::pooling1d_config {{
    static const unsigned n_in = {n_in};
    static const unsigned n_filt = {n_filt};
    static const nnet::Pool_Op pool_op = nnet::{op};
    static const unsigned reuse_factor = {rf};
    typedef {accum} accum_t;
}};
",
            op = op_name(max)
        ),
        Op::GlobalPool2D {
            max,
            in_height,
            in_width,
            n_filt,
        } => format!(
            "struct config{idx} : nnet::pooling2d_config {{
    static const unsigned in_height = {in_height};
    static const unsigned in_width = {in_width};
    static const unsigned n_filt = {n_filt};
    static const nnet::Pool_Op pool_op = nnet::{op};
    static const unsigned reuse_factor = {rf};
    typedef {accum} accum_t;
}};
",
            op = op_name(max)
        ),
        Op::Input
        | Op::Dense { .. }
        | Op::Conv1D { .. }
        | Op::Conv2D { .. }
        | Op::BatchNorm { .. }
        | Op::Activation { .. }
        | Op::Merge { .. }
        | Op::Concatenate { .. }
        | Op::Reshape
        | Op::Clone
        | Op::Dropout
        | Op::FixedPointQuantizer { .. }
        | Op::SeparableConv { .. }
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. }
        | Op::LayerNorm { .. }
        | Op::EinsumDense { .. }
        | Op::Einsum { .. }
        | Op::Embedding { .. }
        | Op::Recurrent { .. }
        | Op::Transpose { .. }
        | Op::Dot { .. } => {
            unreachable!("pooling::config on {:?}", c.l.op)
        }
    }
}

pub fn call(c: &Ctx) -> String {
    let f = match c.l.op {
        Op::Pool1D { .. } => "pooling1d_cl",
        Op::Pool2D { .. } => "pooling2d_cl",
        Op::GlobalPool1D { .. } => "global_pooling1d_cl",
        Op::GlobalPool2D { .. } => "global_pooling2d_cl",
        Op::Input
        | Op::Dense { .. }
        | Op::Conv1D { .. }
        | Op::Conv2D { .. }
        | Op::BatchNorm { .. }
        | Op::Activation { .. }
        | Op::Merge { .. }
        | Op::Concatenate { .. }
        | Op::Reshape
        | Op::Clone
        | Op::Dropout
        | Op::FixedPointQuantizer { .. }
        | Op::SeparableConv { .. }
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. }
        | Op::LayerNorm { .. }
        | Op::EinsumDense { .. }
        | Op::Einsum { .. }
        | Op::Embedding { .. }
        | Op::Recurrent { .. }
        | Op::Transpose { .. }
        | Op::Dot { .. } => {
            unreachable!("pooling::call on {:?}", c.l.op)
        }
    };
    let (types, args) = c.io_args();
    format!("nnet::{f}<{types}, config{}>({args});", c.index())
}
