//! Merge layers: element-wise `nnet::add/subtract/multiply/average/maximum/minimum`
//! (merge_config, one template for all; the function is hls4ml's `op` attribute) and `nnet::concatenate{1,2,3}d`
//! (concat_config with per-axis element counts).

use super::Ctx;
use crate::model::Op;

pub const INCLUDES: &[&str] = &["nnet_utils/nnet_merge.h", "nnet_utils/nnet_merge_stream.h"];

pub fn config(c: &Ctx) -> String {
    let (a, b) = (c.input(0), c.input(1));
    match c.l.op {
        Op::Merge { .. } => {
            let (e1, e2) = (a.size_cpp(), b.size_cpp());
            // hls4ml takes max() of the two size strings
            let n = if e1 >= e2 { e1.clone() } else { e2.clone() };
            format!(
                "struct config{idx} : nnet::merge_config {{
    static const unsigned n_elem = {n};
    static const unsigned n_elem1 = {e1};
    static const unsigned n_elem2 = {e2};
    static const unsigned reuse_factor = {rf};
}};
",
                idx = c.index(),
                rf = c.reuse()
            )
        }
        Op::Concatenate { axis } => {
            let dim = |s: &[usize], i: usize| s.get(i).copied().unwrap_or(0);
            // hls4ml stores Keras's positive axis minus one (batch dim), -1 as is
            let axis = if axis > 0 { axis - 1 } else { axis };
            format!(
                "struct config{idx} : nnet::concat_config {{
    static const unsigned n_elem1_0 = {};
    static const unsigned n_elem1_1 = {};
    static const unsigned n_elem1_2 = {};
    static const unsigned n_elem2_0 = {};
    static const unsigned n_elem2_1 = {};
    static const unsigned n_elem2_2 = {};

    static const int axis = {axis};
}};
",
                dim(&a.shape, 0),
                dim(&a.shape, 1),
                dim(&a.shape, 2),
                dim(&b.shape, 0),
                dim(&b.shape, 1),
                dim(&b.shape, 2),
                idx = c.index(),
            )
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
        | Op::Reshape
        | Op::Clone
        | Op::Dropout
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. } => {
            unreachable!("merge::config on {:?}", c.l.op)
        }
    }
}

pub fn call(c: &Ctx) -> String {
    let (a, b, o) = (c.input(0), c.input(1), c.output());
    let f = match c.l.op {
        Op::Merge { op } => op.lower().to_string(),
        Op::Concatenate { .. } => format!("concatenate{}d", a.shape.len()),
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
        | Op::Reshape
        | Op::Clone
        | Op::Dropout
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. } => {
            unreachable!("merge::call on {:?}", c.l.op)
        }
    };
    format!(
        "nnet::{f}<{}, {}, {}, config{}>({}, {}, {});",
        a.type_name,
        b.type_name,
        o.type_name,
        c.index(),
        a.name,
        b.name,
        o.name
    )
}
