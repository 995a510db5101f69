//! Flatten/Reshape (no call: hls4ml's in-place alias `auto& out = in;`, declared by the
//! writer), the io_stream Repack hls4ml makes of the other Reshapes (`nnet::repack_stream`) and
//! the io_stream Clone layer (`nnet::clone_stream`) it inserts for fan-out.

use super::Ctx;
use crate::model::HlsLayer;

/// Whether the node is hls4ml's io_stream `Repack` of a Reshape.
pub fn is_repack(l: &HlsLayer) -> bool {
    l.class_name == "Repack"
}

/// `nnet::repack_stream<{input_t}, {output_t}, {size}>({input}, {output});` with the output's
/// element count as a number (hls4ml's `np.prod` of the shape).
pub fn repack_call(c: &Ctx) -> String {
    let i = c.input(0);
    let o = c.output();
    let size: usize = o.shape.iter().product();
    format!(
        "nnet::repack_stream<{}, {}, {size}>({}, {});",
        i.type_name, o.type_name, i.name, o.name
    )
}

pub fn clone_call(c: &Ctx) -> String {
    let i = c.input(0);
    let outs: Vec<&str> =
        c.l.outputs
            .iter()
            .map(|&v| c.m.var(v).name.as_str())
            .collect();
    format!(
        "nnet::clone_stream<{}, {}, {}>({}, {});",
        i.type_name,
        c.output().type_name,
        c.output().size_cpp(),
        i.name,
        outs.join(", ")
    )
}
