//! EinsumDense: `nnet::einsum_dense` (hls4ml 1.3.0's `backends/vivado/passes/einsum_dense.py`):
//! the input and output transpose configs, the `config{N}_dense` of the product of one
//! position (always the DenseLatency kernel in 1.3.0) and the `config{N}` of the einsum.
//! The transpose configs are hls4ml's Transpose config (`super::transpose::transpose_config`),
//! as in the Einsum layer.

use super::transpose::transpose_config;
use super::Ctx;
use crate::model::Op;

pub const INCLUDES: &[&str] = &["nnet_utils/nnet_einsum_dense.h", "nnet_utils/nnet_dense.h"];

pub fn config(c: &Ctx) -> String {
    let Op::EinsumDense {
        inp_shape,
        recipe: r,
        ..
    } = &c.l.op
    else {
        unreachable!("einsum_dense::config on {:?}", c.l.op)
    };
    let idx = c.index();
    let nzeros = if r.inplace == 1 {
        c.weight(0).zeros().to_string()
    } else {
        "-1; // Not making sense when kernels are switching".to_string()
    };
    let dense = format!(
        "struct config{idx}_dense : nnet::dense_config {{
    static const unsigned n_in = {n_in};
    static const unsigned n_out = {n_out};
    static const unsigned reuse_factor = {rf};
    static const unsigned strategy = nnet::{strategy};
    static const unsigned n_zeros = {nzeros};
    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor) - n_zeros / reuse_factor;
{typedefs}    template<class data_T, class res_T, class CONFIG_T>
    using kernel = nnet::DenseLatency<data_T, res_T, CONFIG_T>;
    template<class x_T, class y_T>
    using product = nnet::product::mult<x_T, y_T>;
}};
",
        n_in = r.contract,
        n_out = r.l1,
        rf = c.reuse(),
        strategy = c.strategy(),
        typedefs = c.weight_typedefs(),
    );
    let einsum = format!(
        "
struct config{idx} {{
    typedef config{idx}_tpose_inp tpose_inp_conf;
    typedef config{idx}_tpose_out tpose_out_conf;

    typedef {accum} accum_t;
    typedef {bias} bias_t;

    typedef config{idx}_dense dense_conf;

    // Layer Sizes
    static const unsigned n_free_data = {l0};
    static const unsigned n_free_kernel = {l1};
    static const unsigned n_contract = {cc};
    static const unsigned n_inplace = {inplace};

    // Resource reuse info
    static const unsigned io_type = nnet::{io};
    static const unsigned strategy = nnet::{strategy};
    static const unsigned reuse_factor = {rf};
    static const unsigned parallelization_factor = {l0}; // Only useful when n_inplace > 1
}};
",
        accum = c.l.accum_t.name,
        bias = c.l.bias_t.name,
        l0 = r.l0,
        l1 = r.l1,
        cc = r.contract,
        inplace = r.inplace,
        io = c.iotype(),
        strategy = c.strategy(),
        rf = c.reuse(),
    );
    [
        transpose_config(&format!("config{idx}_tpose_inp"), inp_shape, &r.in0_perm),
        transpose_config(
            &format!("config{idx}_tpose_out"),
            &r.out_interpret_shape,
            &r.out_perm,
        ),
        dense,
        einsum,
    ]
    .join("\n\n")
}

pub fn call(c: &Ctx) -> String {
    c.weighted_call("einsum_dense")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_config_as_hls4ml() {
        // hls4ml 1.3.0's transpose_config_gen('t', (2, 8, 8), (0, 2, 1)): to_shape (2, 8, 8),
        // perm_strides (64, 1, 8) (strides of (2, 8, 8) are (64, 8, 1), permuted)
        let t = transpose_config("t", &[2, 8, 8], &[0, 2, 1]);
        assert!(t.contains("static const unsigned N = 128;"), "{t}");
        assert!(t.contains("unsigned t_to_shape[3] = {2, 8, 8};"), "{t}");
        assert!(
            t.contains("unsigned t_perm_strides[3] = {64, 1, 8};"),
            "{t}"
        );
    }
}
