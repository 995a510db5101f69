//! Flatten/Reshape (no call: hls4ml's in-place alias `auto& out = in;`, declared by the
//! writer) and the io_stream Clone layer (`nnet::clone_stream`) hls4ml inserts for fan-out.

use super::Ctx;

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
