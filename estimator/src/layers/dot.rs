//! Dot (hls4ml `Dot`, `nnet::dot1d` in `nnet_merge.h`): `ceil(n_in / RF)` products of the two
//! operands (`multiplier_limit`, the loop `#pragma HLS PIPELINE II=RF`), then the sum of the
//! n_in products in accum_t (an adder tree of n_in - 1 adders). No synthesis record contains it:
//! its coefficients are the Multiply merge's products and Add's adders, a prior said in a
//! warning on every estimate.

use super::{Analysis, LayerCtx, Products};
use crate::calibration::{Feature, Timing};

pub const FORMULAS: &[&str] = &[
    "Dot: products = ceil(n_in / RF) of a_bits x a_bits; elem_bits = (n_in - 1) * accum_bits (the sum); one elementwise stage plus the adder tree",
];

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let mut a = Analysis::free(FORMULAS);
    let n = super::elements(ctx.input());
    let rf = (ctx.settings.reuse_factor as f64).max(1.0);
    let accum = ctx.settings.accum.width() as f64;
    a.products.push(Products {
        count: (n / rf).ceil(),
        a: ctx.input_width,
        b: ctx.input_width,
        dsp_cap: None,
        dsp_share: None,
    });
    a.multipliers = (n / rf).ceil();
    a.fixed[Feature::ElemBits] = (n - 1.0).max(0.0) * accum;
    a.timing[Timing::ElementwiseStage] = 1.0 + n.max(1.0).log2().ceil();
    a.inputs = vec![
        ("n_in", n),
        ("RF", rf),
        ("a_bits", ctx.input_width as f64),
        ("accum_bits", accum),
    ];
    a.warnings.push(format!(
        "layer '{}' (Dot): no synthesis data contains it; its product and adder costs are priors (Multiply's and Add's coefficients)",
        ctx.layer.name
    ));
    a
}

#[cfg(test)]
mod tests {
    use crate::calibration::Feature;
    use crate::layers::tests::estimate_one;
    use ir::{FixedType, HlsConfig, Layer, LayerKind, Network};

    #[test]
    fn products_and_the_sum() {
        // Dot of two Dense(6) outputs, fixed<16,6>, RF 1: 6 products of 16 x 16 and 5 adders of
        // the 16-bit accum_t (80 elem bits), hand-derived from nnet_merge.h dot1d.
        let mut net = Network::new("t");
        net.config = HlsConfig {
            precision: FixedType::fixed(16, 6),
            ..HlsConfig::default()
        };
        let input = LayerKind::Input(ir::ops::Input { shape: vec![8] });
        net.add_layer(Layer::new("in", input), &[]).unwrap();
        for name in ["a", "b"] {
            let dense = LayerKind::Dense(ir::ops::Dense {
                units: 6,
                use_bias: true,
            });
            net.add_layer(Layer::new(name, dense), &["in"]).unwrap();
        }
        net.add_layer(Layer::new("d", LayerKind::Dot), &["a", "b"])
            .unwrap();
        net.infer_shapes().unwrap();
        let e = estimate_one(&net, "d");
        assert_eq!(e.multipliers, 6);
        assert_eq!(e.analysis.fixed[Feature::ElemBits], 80.0);
        assert!(e.analysis.warnings.iter().any(|w| w.contains("prior")));
    }
}
