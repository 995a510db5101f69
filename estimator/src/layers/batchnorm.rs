//! BatchNormalization (hls4ml `BatchNormalization`, `nnet_batchnorm.h`): y = x·scale + bias
//! per element, with `multiplier_limit = ⌈n/RF⌉` products of input × scale width and one add
//! per element. One stage in io_parallel; one pixel per cycle in io_stream, where
//! `nnet_batchnorm_stream.h` `normalize` pipelines the pixel loop and unrolls only one pixel's
//! channels (`BatchNormpack: UNROLL` over `res_T::size`): the products and adders built are one
//! pixel's channels, reused for every pixel, not the whole feature map (issue 13: a pruned SVHN
//! CNN's BatchNorm after a conv was priced at 24.7k DSP against 5.4k reported).

use super::{Analysis, LayerCtx, Products};
use crate::calibration::{Feature, Timing};

pub const FORMULAS: &[&str] = &[
    "products = ceil(n / RF) of a_bits × scale_bits; elem_bits = n * result_bits (bias add); n = all elements (io_parallel) or one pixel's channels (io_stream)",
    "latency = elementwise_stage (io_parallel) or in_pixels (io_stream)",
];

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let input = ctx.input();
    // Elements built in parallel: all of them (io_parallel) or one pixel's channels (io_stream).
    let n = if ctx.io_stream() {
        super::elements(input) / super::pixels(input)
    } else {
        super::elements(input)
    };
    let rf = (ctx.settings.reuse_factor as f64).max(1.0);
    let mut a = Analysis::free(FORMULAS);
    let scale = ctx.settings.scale.width();
    a.products.push(Products {
        count: (n / rf).ceil(),
        a: ctx.input_width,
        b: scale,
        dsp_cap: None,
        dsp_share: None,
    });
    a.multipliers = (n / rf).ceil();
    a.fixed[Feature::ElemBits] = n * ctx.settings.result.width() as f64;
    a.timing[Timing::ElementwiseStage] = 1.0;
    if ctx.io_stream() {
        a.timing_base = super::pixels(input);
        a.ii = super::IiRule::Fixed(a.timing_base);
        a.calls = a.timing_base;
    }
    a.inputs = vec![
        ("n", n),
        ("RF", rf),
        ("a_bits", ctx.input_width as f64),
        ("scale_bits", scale as f64),
    ];
    a
}

pub const ALPHA_FORMULAS: &[&str] = &[
    "ApplyAlpha (QKeras alpha='auto_po2'): as BatchNormalization, but each product by a power-of-two scale is a shift (hls4ml's weight_exponential product): no multipliers, mux_bits = n * a_bits; elem_bits = n * result_bits",
    "latency = elementwise_stage (io_parallel) or in_pixels (io_stream)",
];

/// hls4ml's ApplyAlpha (`nnet::normalize` with the `quantized_po2` scale type hls4ml gives
/// the `auto_po2` alphas): the BatchNormalization structure with shifts instead of products.
/// The shift's mux cost is a prior (no synthesis record contains the layer), said in a
/// warning.
pub fn analyse_alpha(ctx: &LayerCtx) -> Analysis {
    let mut a = analyse(ctx);
    let n: f64 = a.products.iter().map(|p| p.count).sum();
    a.products.clear();
    a.multipliers = 0.0;
    a.fixed[Feature::MuxBits] += n * ctx.input_width as f64;
    a.formulas = ALPHA_FORMULAS;
    a.warnings.push(format!(
        "layer '{}' (ApplyAlpha): no synthesis data contains it; its shift cost is a prior",
        ctx.layer.name
    ));
    a
}

pub const POSITIONAL_ADD_FORMULAS: &[&str] = &[
    "PositionalAdd (an ONNX Add of a [seq, d] constant; hls4ml's ApplyAlpha with n_filt = -1): as BatchNormalization with scale 1 (ap_uint<1>): no products; elem_bits = n * result_bits (the bias add per element)",
    "latency = elementwise_stage (io_parallel) or in_pixels (io_stream)",
];

/// A positional add: hls4ml's `nnet::normalize` over every element with scale 1 (its
/// `MergeToApplyAlpha` pass), the adds of the BatchNormalization structure without its
/// products. No synthesis record contains it: a warning says the cost is a prior.
pub fn analyse_positional_add(ctx: &LayerCtx) -> Analysis {
    let mut a = analyse(ctx);
    a.products.clear();
    a.multipliers = 0.0;
    a.formulas = POSITIONAL_ADD_FORMULAS;
    a.warnings.push(format!(
        "layer '{}' (PositionalAdd): no synthesis data contains it; priced as BatchNormalization's adds (a prior)",
        ctx.layer.name
    ));
    a
}

#[cfg(test)]
mod tests {
    use crate::layers::tests::{estimate_one, one_layer_net_io};
    use ir::{Activation, IoType, LayerKind, Strategy};

    #[test]
    fn stream_builds_one_pixel() {
        // BatchNorm on an 8×8×16 map, 16-bit, RF 1. io_parallel: 1024 products (all elements);
        // io_stream: the pixel loop is pipelined and one pixel's 16 channels are unrolled, so 16
        // products reused 64 times (hand-derived from nnet_batchnorm_stream.h).
        let bn = || {
            LayerKind::BatchNorm(ir::ops::BatchNorm {
                epsilon: 1e-3,
                center: true,
                scale: true,
            })
        };
        let par = one_layer_net_io(
            vec![8, 8, 16],
            bn(),
            Activation::Linear,
            Strategy::Latency,
            1,
            16,
            IoType::Parallel,
        );
        let st = one_layer_net_io(
            vec![8, 8, 16],
            bn(),
            Activation::Linear,
            Strategy::Latency,
            1,
            16,
            IoType::Stream,
        );
        assert_eq!(estimate_one(&par, "fc").multipliers, 1024);
        let s = estimate_one(&st, "fc");
        assert_eq!(s.multipliers, 16);
        assert!(s.latency_best >= 64, "{}", s.latency_best);
    }

    #[test]
    fn apply_alpha_shifts_instead_of_multiplying() {
        // ApplyAlpha on 72 values (a QDense's output), 16-bit input, io_parallel: the
        // BatchNorm structure (72 elements, one stage) with no multiplier and no DSP (the
        // power-of-two scales are shifts), and 72 × 16 mux bits in the LUT features.
        let net = one_layer_net_io(
            vec![72],
            LayerKind::ApplyAlpha,
            Activation::Linear,
            Strategy::Latency,
            1,
            16,
            IoType::Parallel,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!(e.multipliers, 0);
        assert_eq!(e.csynth.dsp, 0.0);
        assert_eq!(
            e.analysis.fixed[crate::calibration::Feature::MuxBits],
            72.0 * 16.0
        );
        assert!(e.analysis.warnings.iter().any(|w| w.contains("prior")));
    }

    #[test]
    fn positional_add_adds_without_multiplying() {
        // A [16, 32] embedding added to a 16-bit (16, 32) sequence, io_parallel: hls4ml's
        // normalize over all 512 elements with scale 1: no multiplier, no DSP, 512 × 16 result
        // bits of adders; io_stream: one position's 32 features per cycle, 32 × 16 bits,
        // reused for the 16 positions.
        let est = |io| {
            let net = one_layer_net_io(
                vec![16, 32],
                LayerKind::PositionalAdd,
                Activation::Linear,
                Strategy::Latency,
                1,
                16,
                io,
            );
            estimate_one(&net, "fc")
        };
        let (par, st) = (est(IoType::Parallel), est(IoType::Stream));
        let elem = |e: &crate::layers::LayerEstimate| {
            e.analysis.fixed[crate::calibration::Feature::ElemBits]
        };
        assert_eq!((par.multipliers, par.csynth.dsp), (0, 0.0));
        assert_eq!(elem(&par), 512.0 * 16.0);
        assert_eq!(elem(&st), 32.0 * 16.0);
        assert!(st.latency_best >= 16, "{}", st.latency_best);
        assert!(par.analysis.warnings.iter().any(|w| w.contains("prior")));
    }
}
