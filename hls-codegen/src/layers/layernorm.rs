//! LayerNormalization: `nnet::layernormalize` with a `layernorm_config` (hls4ml 1.3.0's
//! `layernorm_config_template`, `backends/vivado/passes/core_templates.py`): each of the
//! `seq_len` positions normalised over its features through a 4096-entry 1/√var table.

use super::Ctx;
use crate::model::Op;

pub const INCLUDES: &[&str] = &["nnet_utils/nnet_layernorm.h"];

/// The Vivado backend's defaults for the table (`table_range_power2`, `table_size`).
const TABLE_RANGE_POWER2: u32 = 0;
const TABLE_SIZE: u32 = 4096;

pub fn config(c: &Ctx) -> String {
    let Op::LayerNorm {
        seq_len,
        epsilon_power_of_10,
        ..
    } = c.l.op
    else {
        unreachable!("layernorm::config on {:?}", c.l.op)
    };
    let table = c.l.extra("table_t").map_or("", |t| t.name.as_str());
    format!(
        "struct config{idx} : nnet::layernorm_config {{
    static const unsigned n_in = {n_in};
    static const unsigned seq_len = {seq_len};
    static const unsigned axis = 2;
    static const unsigned epsilon_power_of_10 = {epsilon_power_of_10};
    static const unsigned table_range_power2 = {TABLE_RANGE_POWER2};
    static const unsigned table_size = {TABLE_SIZE};
    typedef {accum} accum_t;
    typedef {bias} bias_t;
    typedef {scale} scale_t;
    typedef {table} table_t;
    static const unsigned io_type = nnet::{io};
    static const unsigned reuse_factor = {rf};
    template<class x_T, class y_T>
    using product = nnet::product::mult<x_T, y_T>;
}};
",
        idx = c.index(),
        n_in = c.input(0).size_cpp(),
        accum = c.l.accum_t.name,
        bias = c.weight(1).type_name,
        scale = c.weight(0).type_name,
        io = c.iotype(),
        rf = c.reuse(),
    )
}

pub fn call(c: &Ctx) -> String {
    c.weighted_call("layernormalize")
}
