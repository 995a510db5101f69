//! Dense: `nnet::dense` with a `dense_config` (kernel DenseLatency / DenseResource_rf_leq_nin /
//! DenseResource_rf_gt_nin_rem0), and the `config{N}_mult` struct convolutions share.

use super::Ctx;
use crate::model::Op;
use ir::Strategy;

pub const INCLUDES: &[&str] = &[
    "nnet_utils/nnet_dense.h",
    "nnet_utils/nnet_dense_compressed.h",
    "nnet_utils/nnet_dense_stream.h",
];

/// hls4ml's kernel choice for a Dense layer (the third Resource case is never used for Dense).
pub fn dense_kernel(strategy: Strategy, rf: u32, n_in: usize) -> &'static str {
    match strategy {
        Strategy::Latency => "nnet::DenseLatency",
        Strategy::Resource if rf as usize <= n_in => "nnet::DenseResource_rf_leq_nin",
        Strategy::Resource => "nnet::DenseResource_rf_gt_nin_rem0",
    }
}

/// hls4ml's kernel choice for the product inside a convolution (all three Resource cases).
pub fn conv_mult_kernel(strategy: Strategy, rf: u32, n_in: usize) -> &'static str {
    match strategy {
        Strategy::Latency => "nnet::DenseLatency",
        Strategy::Resource if rf as usize <= n_in => "nnet::DenseResource_rf_leq_nin",
        Strategy::Resource if (rf as usize).is_multiple_of(n_in) => {
            "nnet::DenseResource_rf_gt_nin_rem0"
        }
        Strategy::Resource => "nnet::DenseResource_rf_gt_nin",
    }
}

pub fn config(c: &Ctx) -> String {
    let Op::Dense { n_in, n_out } = c.l.op else {
        unreachable!("dense::config on {:?}", c.l.op)
    };
    let w = c.weight(0);
    let nz = c.weight_zeros(0);
    format!(
        "struct config{idx} : nnet::dense_config {{
    static const unsigned n_in = {n_in};
    static const unsigned n_out = {n_out};
    static const unsigned io_type = nnet::{io};
    static const unsigned strategy = nnet::{strategy};
    static const unsigned reuse_factor = {rf};
    static const unsigned n_zeros = {nz};
    static const unsigned n_nonzeros = {nnz};
    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor) - n_zeros / reuse_factor;
    static const bool store_weights_in_bram = false;
{typedefs}    typedef layer{idx}_index index_t;
{product}}};
",
        idx = c.index(),
        io = c.iotype(),
        strategy = c.strategy(),
        rf = c.reuse(),
        nnz = w.data.len() - nz,
        typedefs = c.weight_typedefs(),
        product = kernel_and_product(dense_kernel(c.l.strategy, c.reuse(), n_in), c),
    )
}

pub fn call(c: &Ctx) -> String {
    c.weighted_call("dense")
}

/// The `config{N}_mult` struct of a convolution's product (n_in = kernel taps x channels).
pub fn conv_mult_config(c: &Ctx, n_in: usize, n_out: usize) -> String {
    format!(
        "struct config{idx}_mult : nnet::dense_config {{
    static const unsigned n_in = {n_in};
    static const unsigned n_out = {n_out};
    static const unsigned reuse_factor = {rf};
    static const unsigned strategy = nnet::{strategy};
    static const unsigned n_zeros = {nz};
    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor) - n_zeros / reuse_factor;
{typedefs}{product}}};
",
        idx = c.index(),
        rf = c.reuse(),
        strategy = c.strategy(),
        nz = c.weight_zeros(0),
        typedefs = c.weight_typedefs(),
        product = kernel_and_product(
            if super::depthwise::is_depthwise(&c.l.op) {
                super::depthwise::MULT_KERNEL
            } else {
                conv_mult_kernel(c.l.strategy, c.reuse(), n_in)
            },
            c
        ),
    )
}

/// The closing `kernel` and `product` template aliases of a `dense_config` (the product
/// class hls4ml's `product_type` picks for the layer's kernel).
fn kernel_and_product(kernel: &str, c: &Ctx) -> String {
    let product = super::product::product_type(c.weight(0), c.l.xnor_weight);
    format!(
        "    template<class data_T, class res_T, class CONFIG_T>
    using kernel = {kernel}<data_T, res_T, CONFIG_T>;
    template<class x_T, class y_T>
    using product = nnet::product::{product}<x_T, y_T>;
"
    )
}
