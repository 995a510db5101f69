//! Spatial copy layers: `nnet::zeropad{1,2}d_cl`, `nnet::cropping{1,2}d_cl` and
//! `nnet::resize_nearest` (Keras UpSampling1D/2D), config structs and calls as hls4ml 1.3.0's
//! `backends/vivado/passes/reshaping_templates.py` writes them (no reuse factor, no accum_t:
//! the templates carry only the sizes). The same calls serve io_parallel and io_stream (the
//! headers overload on array vs stream).

use super::Ctx;
use crate::model::Op;

pub const PADDING_INCLUDES: &[&str] = &[
    "nnet_utils/nnet_padding.h",
    "nnet_utils/nnet_padding_stream.h",
];
pub const CROPPING_INCLUDES: &[&str] = &[
    "nnet_utils/nnet_cropping.h",
    "nnet_utils/nnet_cropping_stream.h",
];
pub const RESIZE_INCLUDES: &[&str] = &["nnet_utils/nnet_image.h", "nnet_utils/nnet_image_stream.h"];

pub fn config(c: &Ctx) -> String {
    let idx = c.index();
    match c.l.op {
        Op::ZeroPadding1D {
            in_width,
            n_chan,
            out_width,
            before: pad_left,
            after: pad_right,
        } => format!(
            "struct config{idx} : nnet::padding1d_config {{
    static const unsigned in_width = {in_width};
    static const unsigned n_chan = {n_chan};
    static const unsigned out_width = {out_width};
    static const unsigned pad_left = {pad_left};
    static const unsigned pad_right = {pad_right};
}};
"
        ),
        Op::ZeroPadding2D {
            in_height,
            in_width,
            n_chan,
            out_height,
            out_width,
            sides: [[pad_top, pad_bottom], [pad_left, pad_right]],
        } => format!(
            "struct config{idx} : nnet::padding2d_config {{
    static const unsigned in_height = {in_height};
    static const unsigned in_width = {in_width};
    static const unsigned n_chan = {n_chan};
    static const unsigned out_height = {out_height};
    static const unsigned out_width = {out_width};
    static const unsigned pad_top = {pad_top};
    static const unsigned pad_bottom = {pad_bottom};
    static const unsigned pad_left = {pad_left};
    static const unsigned pad_right = {pad_right};
}};
"
        ),
        Op::Cropping1D {
            in_width,
            n_chan,
            out_width,
            before: crop_left,
            after: crop_right,
        } => format!(
            "struct config{idx} : nnet::cropping1d_config {{
    static const unsigned in_width = {in_width};
    static const unsigned n_chan = {n_chan};
    static const unsigned out_width = {out_width};
    static const unsigned crop_left = {crop_left};
    static const unsigned crop_right = {crop_right};
}};
"
        ),
        Op::Cropping2D {
            in_height,
            in_width,
            n_chan,
            out_height,
            out_width,
            sides: [[crop_top, crop_bottom], [crop_left, crop_right]],
        } => format!(
            "struct config{idx} : nnet::cropping2d_config {{
    static const unsigned in_height = {in_height};
    static const unsigned in_width = {in_width};
    static const unsigned n_chan = {n_chan};
    static const unsigned out_height = {out_height};
    static const unsigned out_width = {out_width};
    static const unsigned crop_top = {crop_top};
    static const unsigned crop_bottom = {crop_bottom};
    static const unsigned crop_left = {crop_left};
    static const unsigned crop_right = {crop_right};
}};
"
        ),
        Op::Resize {
            in_height,
            in_width,
            n_chan,
            out_height,
            out_width,
        } => format!(
            "struct config{idx} : nnet::resize_config {{
    static const unsigned height = {in_height};
    static const unsigned width = {in_width};
    static const unsigned n_chan = {n_chan};
    static const unsigned new_height = {out_height};
    static const unsigned new_width = {out_width};
}};
"
        ),
        Op::Input
        | Op::Dense { .. }
        | Op::Conv1D { .. }
        | Op::Conv2D { .. }
        | Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. }
        | Op::BatchNorm { .. }
        | Op::Activation { .. }
        | Op::Add
        | Op::Concatenate { .. }
        | Op::Reshape
        | Op::Clone => unreachable!("spatial::config on {:?}", c.l.op),
    }
}

pub fn call(c: &Ctx) -> String {
    let (types, args) = c.io_args();
    let idx = c.index();
    let f = match c.l.op {
        Op::ZeroPadding1D { .. } => "zeropad1d_cl",
        Op::ZeroPadding2D { .. } => "zeropad2d_cl",
        Op::Cropping1D { .. } => "cropping1d_cl",
        Op::Cropping2D { .. } => "cropping2d_cl",
        // resize_nearest<{input_t}, {config}>: one type, the output keeps the input's
        Op::Resize { .. } => {
            let i = c.input(0);
            return format!(
                "nnet::resize_nearest<{}, config{idx}>({args});",
                i.type_name
            );
        }
        Op::Input
        | Op::Dense { .. }
        | Op::Conv1D { .. }
        | Op::Conv2D { .. }
        | Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. }
        | Op::BatchNorm { .. }
        | Op::Activation { .. }
        | Op::Add
        | Op::Concatenate { .. }
        | Op::Reshape
        | Op::Clone => unreachable!("spatial::call on {:?}", c.l.op),
    };
    format!("nnet::{f}<{types}, config{idx}>({args});")
}
