//! PReLU (hls4ml `PReLU`, `nnet::prelu` in `nnet_activation.h` / `nnet_activation_stream.h`):
//! per element a sign test, the product `alpha[i] · x[i]` (param_t × input) and a select. The
//! io_parallel function is `#pragma HLS PIPELINE` over all `n_in` elements with no reuse
//! factor, so every product is built; the io_stream one pipelines the pixel loop and unrolls one
//! pixel's channels, so one pixel's products are built and reused per pixel (as BatchNorm's,
//! whose structure [`batchnorm::analyse`] prices and this module adjusts). No synthesis record
//! contains PReLU: its coefficients are BatchNorm's and Activation's, a prior said in a warning
//! on every estimate.

use super::{batchnorm, Analysis, LayerCtx, Products};
use crate::calibration::Feature;

pub const FORMULAS: &[&str] = &[
    "PReLU: products = n of a_bits × param_bits (no reuse factor: nnet::prelu is fully pipelined); mux_bits = n * result_bits (the select); n = all elements (io_parallel) or one pixel's channels (io_stream)",
    "latency = elementwise_stage (io_parallel) or in_pixels (io_stream)",
];

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let mut a = batchnorm::analyse(ctx);
    let input = ctx.input();
    let n = if ctx.io_stream() {
        super::elements(input) / super::pixels(input)
    } else {
        super::elements(input)
    };
    // hls4ml's param_t is the model default type (the weight type here)
    let param = ctx.settings.weight.width();
    a.products = vec![Products {
        count: n,
        a: ctx.input_width,
        b: param,
        dsp_cap: None,
        dsp_share: None,
    }];
    a.multipliers = n;
    a.fixed[Feature::ElemBits] = 0.0;
    a.fixed[Feature::MuxBits] += n * ctx.settings.result.width() as f64;
    a.formulas = FORMULAS;
    a.inputs = vec![
        ("n", n),
        ("a_bits", ctx.input_width as f64),
        ("param_bits", param as f64),
    ];
    a.warnings.push(format!(
        "layer '{}' (PReLU): no synthesis data contains it; its product and select costs are priors (BatchNorm's and Activation's coefficients)",
        ctx.layer.name
    ));
    a
}

#[cfg(test)]
mod tests {
    use crate::layers::tests::{estimate_one, one_layer_net_io};
    use ir::{Activation, IoType, LayerKind, Strategy};

    #[test]
    fn every_element_gets_a_product_in_parallel_one_pixel_in_stream() {
        // PReLU over (6, 4), 16-bit, RF 4. io_parallel: nnet::prelu is PIPELINE'd with no
        // reuse factor: 24 products and 24 × 16 select bits. io_stream: one pixel's 4 channels
        // are unrolled and the 6 pixels pipelined: 4 products (hand-derived from
        // nnet_activation_stream.h `prelu`).
        let net = |io| {
            one_layer_net_io(
                vec![6, 4],
                LayerKind::PReLU,
                Activation::Linear,
                Strategy::Latency,
                4,
                16,
                io,
            )
        };
        let par = estimate_one(&net(IoType::Parallel), "fc");
        assert_eq!(par.multipliers, 24);
        assert_eq!(
            par.analysis.fixed[crate::calibration::Feature::MuxBits],
            24.0 * 16.0
        );
        assert!(par.analysis.warnings.iter().any(|w| w.contains("prior")));
        let st = estimate_one(&net(IoType::Stream), "fc");
        assert_eq!(st.multipliers, 4);
        assert!(st.latency_best >= 6, "{}", st.latency_best);
    }
}
