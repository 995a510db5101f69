//! Embedding: `nnet::embedding` with an `embed_config` (hls4ml 1.3.0's
//! `backends/fpga/passes/embedding.py`): each input token selects a row of the table `e{N}`.

use super::Ctx;
use crate::model::Op;

pub const INCLUDES: &[&str] = &["nnet_utils/nnet_embed.h", "nnet_utils/nnet_embed_stream.h"];

pub fn config(c: &Ctx) -> String {
    let Op::Embedding {
        n_in,
        n_out,
        vocab_size,
    } = c.l.op
    else {
        unreachable!("embedding::config on {:?}", c.l.op)
    };
    format!(
        "struct config{idx} : nnet::embed_config {{
    static const unsigned n_in = {n_in};
    static const unsigned n_out = {n_out};
    static const unsigned vocab_size = {vocab_size};
    static const unsigned io_type = nnet::{io};
    static const unsigned reuse_factor = {rf};
    typedef {table} embeddings_t;
}};
",
        idx = c.index(),
        io = c.iotype(),
        rf = c.reuse(),
        table = c.weight(0).type_name,
    )
}

pub fn call(c: &Ctx) -> String {
    let (types, args) = c.io_args();
    format!(
        "nnet::embedding<{types}, config{}>({args}, {});",
        c.index(),
        c.weight(0).name
    )
}
