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

/// The config of a 1-D padding or cropping layer: `nnet::{base}1d_config` with the amounts
/// added or removed at each end as `{edge}_left` / `{edge}_right`.
fn edges_1d(
    idx: usize,
    base: &str,
    edge: &str,
    [in_width, n_chan, out_width]: [usize; 3],
    [left, right]: [usize; 2],
) -> String {
    format!(
        "struct config{idx} : nnet::{base}1d_config {{
    static const unsigned in_width = {in_width};
    static const unsigned n_chan = {n_chan};
    static const unsigned out_width = {out_width};
    static const unsigned {edge}_left = {left};
    static const unsigned {edge}_right = {right};
}};
"
    )
}

/// The config of a 2-D padding or cropping layer: `nnet::{base}2d_config` with
/// `{edge}_top/bottom/left/right`.
fn edges_2d(
    idx: usize,
    base: &str,
    edge: &str,
    [in_height, in_width, n_chan, out_height, out_width]: [usize; 5],
    [[top, bottom], [left, right]]: [[usize; 2]; 2],
) -> String {
    format!(
        "struct config{idx} : nnet::{base}2d_config {{
    static const unsigned in_height = {in_height};
    static const unsigned in_width = {in_width};
    static const unsigned n_chan = {n_chan};
    static const unsigned out_height = {out_height};
    static const unsigned out_width = {out_width};
    static const unsigned {edge}_top = {top};
    static const unsigned {edge}_bottom = {bottom};
    static const unsigned {edge}_left = {left};
    static const unsigned {edge}_right = {right};
}};
"
    )
}

pub fn config(c: &Ctx) -> String {
    let idx = c.index();
    match c.l.op {
        Op::ZeroPadding1D {
            in_width,
            n_chan,
            out_width,
            before,
            after,
        } => edges_1d(
            idx,
            "padding",
            "pad",
            [in_width, n_chan, out_width],
            [before, after],
        ),
        Op::ZeroPadding2D {
            in_height,
            in_width,
            n_chan,
            out_height,
            out_width,
            sides,
        } => edges_2d(
            idx,
            "padding",
            "pad",
            [in_height, in_width, n_chan, out_height, out_width],
            sides,
        ),
        Op::Cropping1D {
            in_width,
            n_chan,
            out_width,
            before,
            after,
        } => edges_1d(
            idx,
            "cropping",
            "crop",
            [in_width, n_chan, out_width],
            [before, after],
        ),
        Op::Cropping2D {
            in_height,
            in_width,
            n_chan,
            out_height,
            out_width,
            sides,
        } => edges_2d(
            idx,
            "cropping",
            "crop",
            [in_height, in_width, n_chan, out_height, out_width],
            sides,
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
        | Op::Merge { .. }
        | Op::Concatenate { .. }
        | Op::Reshape
        | Op::Clone
        | Op::Dropout
        | Op::FixedPointQuantizer { .. }
        | Op::LayerNorm { .. }
        | Op::EinsumDense { .. }
        | Op::Einsum { .. }
        | Op::Embedding { .. }
        | Op::Recurrent { .. }
        | Op::Transpose { .. }
        | Op::Dot { .. }
        | Op::SeparableConv { .. } => unreachable!("spatial::config on {:?}", c.l.op),
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
        | Op::Merge { .. }
        | Op::Concatenate { .. }
        | Op::Reshape
        | Op::Clone
        | Op::Dropout
        | Op::FixedPointQuantizer { .. }
        | Op::LayerNorm { .. }
        | Op::EinsumDense { .. }
        | Op::Einsum { .. }
        | Op::Embedding { .. }
        | Op::Recurrent { .. }
        | Op::Transpose { .. }
        | Op::Dot { .. }
        | Op::SeparableConv { .. } => unreachable!("spatial::call on {:?}", c.l.op),
    };
    format!("nnet::{f}<{types}, config{idx}>({args});")
}

#[cfg(test)]
mod tests {
    use crate::layers::{config_cpp, function_cpp, includes};
    use crate::lower::{lower, ProjectOptions};
    use ir::{Layer, LayerKind, Network};

    #[test]
    fn configs_and_calls_are_hls4ml_s() {
        // Truth: hls4ml 1.3.0's parameters.h and myproject.cpp of the harness model
        // seq1d_pad_crop_up (target/hls4ml-ref/seq1d_pad_crop_up__lat: conv1 10x3 ->
        // ZeroPadding1D(1, 2) -> Cropping1D(2, 1) -> UpSampling1D(2)), there config4..6; here
        // the same layers follow the input directly, so they are config2..4.
        let mut net = Network::new("m");
        let chain = [
            (
                "input_layer",
                LayerKind::Input(ir::ops::Input { shape: vec![10, 3] }),
            ),
            (
                "pad1",
                LayerKind::ZeroPadding1D(ir::ops::ZeroPadding1D { pad: [1, 2] }),
            ),
            (
                "crop1",
                LayerKind::Cropping1D(ir::ops::Cropping1D { crop: [2, 1] }),
            ),
            (
                "up1",
                LayerKind::UpSampling1D(ir::ops::UpSampling1D { size: 2 }),
            ),
        ];
        let mut prev: Option<&str> = None;
        for (name, kind) in chain {
            let ins: Vec<&str> = prev.into_iter().collect();
            net.add_layer(Layer::new(name, kind), &ins).unwrap();
            prev = Some(name);
        }
        net.default_outputs();
        net.infer_shapes().unwrap();
        let m = lower(&net, &ProjectOptions::default()).unwrap();
        let texts: Vec<(String, String)> = m.layers[1..]
            .iter()
            .map(|l| (config_cpp(&m, l).unwrap(), function_cpp(&m, l).unwrap()))
            .collect();
        assert_eq!(
            texts[0].0,
            "struct config2 : nnet::padding1d_config {
    static const unsigned in_width = 10;
    static const unsigned n_chan = 3;
    static const unsigned out_width = 13;
    static const unsigned pad_left = 1;
    static const unsigned pad_right = 2;
};
"
        );
        assert_eq!(
            texts[1].0,
            "struct config3 : nnet::cropping1d_config {
    static const unsigned in_width = 13;
    static const unsigned n_chan = 3;
    static const unsigned out_width = 10;
    static const unsigned crop_left = 2;
    static const unsigned crop_right = 1;
};
"
        );
        assert_eq!(
            texts[2].0,
            "struct config4 : nnet::resize_config {
    static const unsigned height = 1;
    static const unsigned width = 10;
    static const unsigned n_chan = 3;
    static const unsigned new_height = 1;
    static const unsigned new_width = 20;
};
"
        );
        assert_eq!(
            texts[0].1,
            "nnet::zeropad1d_cl<input_t, layer2_t, config2>(input_layer, layer2_out);"
        );
        assert_eq!(
            texts[1].1,
            "nnet::cropping1d_cl<layer2_t, layer3_t, config3>(layer2_out, layer3_out);"
        );
        // the last layer writes the model output; resize_nearest takes the input type only
        assert_eq!(
            texts[2].1,
            "nnet::resize_nearest<layer3_t, config4>(layer3_out, layer4_out);"
        );
        assert_eq!(includes(&m.layers[3])[0], "nnet_utils/nnet_image.h");
    }
}
