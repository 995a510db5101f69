//! Einsum: `nnet::einsum` of two computed tensors (hls4ml 1.3.0's
//! `backends/vivado/passes/einsum.py`): the transpose configs of both operands and of the
//! output, and the `config{N}` of the product (Latency only in 1.3.0). In hls4ml's attention
//! decomposition it computes the scores and the weighted sum of the values.

use super::transpose::transpose_config;
use super::Ctx;
use crate::model::Op;

pub const INCLUDES: &[&str] = &["nnet_utils/nnet_einsum.h"];

pub fn config(c: &Ctx) -> String {
    let Op::Einsum {
        inp0_shape,
        inp1_shape,
        recipe: r,
        ..
    } = &c.l.op
    else {
        unreachable!("einsum::config on {:?}", c.l.op)
    };
    let idx = c.index();
    let rf = c.reuse();
    let mults = r.l0 * r.l1 * r.contract * r.inplace;
    let einsum = format!(
        "
struct config{idx} {{
    typedef config{idx}_tpose_inp0 tpose_inp0_config;
    typedef config{idx}_tpose_inp1 tpose_inp1_config;
    typedef config{idx}_tpose_out tpose_out_conf;

    typedef {accum} accum_t;

    // Layer Sizes
    static const unsigned n_free0 = {l0};
    static const unsigned n_free1 = {l1};
    static const unsigned n_contract = {cc};
    static const unsigned n_inplace = {inplace};

    // Resource reuse info
    static const unsigned io_type = nnet::{io};
    static const unsigned strategy = nnet::{strategy};
    static const unsigned reuse_factor = {rf};
    static const unsigned multiplier_limit = {limit};
    static const bool store_weights_in_bram = false; // NOT USED

    template <class x_T, class y_T>
    using product = nnet::product::mult<x_T, y_T>;
}};
",
        accum = c.l.accum_t.name,
        l0 = r.l0,
        l1 = r.l1,
        cc = r.contract,
        inplace = r.inplace,
        io = c.iotype(),
        strategy = c.strategy(),
        limit = mults.div_ceil(rf.max(1) as usize),
    );
    [
        transpose_config(&format!("config{idx}_tpose_inp0"), inp0_shape, &r.in0_perm),
        transpose_config(&format!("config{idx}_tpose_inp1"), inp1_shape, &r.in1_perm),
        transpose_config(
            &format!("config{idx}_tpose_out"),
            &r.out_interpret_shape,
            &r.out_perm,
        ),
        einsum,
    ]
    .join("\n\n")
}

pub fn call(c: &Ctx) -> String {
    let (a, b, o) = (c.input(0), c.input(1), c.output());
    format!(
        "nnet::einsum<{}, {}, {}, config{}>({}, {}, {});",
        a.type_name,
        b.type_name,
        o.type_name,
        c.index(),
        a.name,
        b.name,
        o.name
    )
}
