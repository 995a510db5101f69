//! BatchNormalization (hls4ml `BatchNormalization`, `nnet_batchnorm.h`): y = x·scale + bias
//! per element, with `multiplier_limit = ⌈n/RF⌉` products of input × scale width and one add
//! per element. One stage in io_parallel; one pixel per cycle in io_stream.

use super::{Analysis, LayerCtx, Products};
use crate::calibration::{Feature, Timing};

pub const FORMULAS: &[&str] = &[
    "products = ceil(n / RF) of a_bits × scale_bits; elem_bits = n * result_bits (bias add)",
    "latency = elementwise_stage (io_parallel) or in_pixels (io_stream)",
];

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let input = ctx.input();
    let n = super::elements(input);
    let rf = (ctx.settings.reuse_factor as f64).max(1.0);
    let mut a = Analysis::free(FORMULAS);
    let scale = ctx.settings.scale.width();
    a.products.push(Products {
        count: (n / rf).ceil(),
        a: ctx.input_width,
        b: scale,
        dsp_cap: None,
    });
    a.multipliers = (n / rf).ceil();
    a.fixed[Feature::ElemBits] = n * ctx.settings.result.width() as f64;
    a.timing[Timing::ElementwiseStage] = 1.0;
    if ctx.io_stream() {
        a.timing_base = super::pixels(input);
        a.ii = super::IiRule::Fixed(a.timing_base);
    }
    a.inputs = vec![
        ("n", n),
        ("RF", rf),
        ("a_bits", ctx.input_width as f64),
        ("scale_bits", scale as f64),
    ];
    a
}
