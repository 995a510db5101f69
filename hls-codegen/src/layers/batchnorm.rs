//! BatchNormalization: `nnet::normalize` with per-channel scale `sN` and bias `bN`
//! (hls4ml: scale = gamma / sqrt(var + eps), bias = beta - scale * mean, in float32).

use super::Ctx;
use crate::model::Op;

pub const INCLUDES: &[&str] = &[
    "nnet_utils/nnet_batchnorm.h",
    "nnet_utils/nnet_batchnorm_stream.h",
];

pub fn config(c: &Ctx) -> String {
    let Op::BatchNorm { n_filt } = c.l.op else {
        unreachable!("batchnorm::config on {:?}", c.l.op)
    };
    format!(
        "struct config{idx} : nnet::batchnorm_config {{
    static const unsigned n_in = {n_in};
    static const unsigned n_filt = {n_filt};
    static const unsigned n_scale_bias = (n_filt == -1) ? n_in : n_filt;
    static const unsigned io_type = nnet::{io};
    static const unsigned reuse_factor = {rf};
    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in, reuse_factor);
    static const bool store_weights_in_bram = false;
    typedef {bias} bias_t;
    typedef {scale} scale_t;
    template<class x_T, class y_T>
    using product = nnet::product::{product}<x_T, y_T>;
}};
",
        // hls4ml's product_type: a power-of-two (exponent) scale is a shift
        product = if crate::weights::is_exponent(c.weight(0)) {
            "weight_exponential"
        } else {
            "mult"
        },
        idx = c.index(),
        n_in = c.input(0).size_cpp(),
        io = c.iotype(),
        rf = c.reuse(),
        bias = c.l.bias_t.name,
        scale = c.weight(0).type_name,
    )
}

pub fn call(c: &Ctx) -> String {
    let (types, args) = c.io_args();
    format!(
        "nnet::normalize<{types}, config{}>({args}, {}, {});",
        c.index(),
        c.weight(0).name,
        c.weight(1).name
    )
}
