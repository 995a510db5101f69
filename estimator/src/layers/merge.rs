//! Merge layers (hls4ml `Merge`, `nnet_merge.h` / `nnet_merge_stream.h`), priced from the one
//! loop every element-wise merge shares, `res[i] = f(data1[i], data2[i])`:
//! - add, subtract: one adder/subtracter of the result width per element and extra operand;
//! - average: `(a + b) * ap_ufixed<1,0>(0.5)`: the same adder, the halving is a shift (wiring);
//! - multiply: one `a × b` product per element (DSP or LUT by width, as a Dense product);
//! - maximum, minimum: one comparator of the operand width and a 2:1 mux of the result width
//!   per element.
//!
//! Concatenate is wiring only (copies, no logic, no cycles). No synthesis record yet contains
//! subtract/multiply/average/maximum/minimum: their LUT/FF coefficients are those fitted on
//! Add's adders, BatchNorm's products and pooling's comparators, and each estimate says so.

use super::{Analysis, LayerCtx, Products};
use crate::calibration::{Feature, Timing};
use ir::ops::MergeOp;
use ir::LayerKind;

pub const FORMULAS: &[&str] = &[
    "Add/Subtract/Average: elem_bits = n * (operands - 1) * result_bits (Average's x0.5 is a shift), one elementwise stage",
    "Multiply: products = n * (operands - 1) of a_bits x a_bits, one elementwise stage",
    "Maximum/Minimum: adder_bits = n * (operands - 1) * a_bits (comparators), mux_bits = n * (operands - 1) * result_bits, one elementwise stage",
    "Concatenate: no logic, no cycles",
];

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let mut a = Analysis::free(FORMULAS);
    let LayerKind::Merge(m) = &ctx.layer.kind else {
        return a;
    };
    let n = super::elements(ctx.output());
    let ops = ctx.inputs.len().max(2) as f64 - 1.0;
    let result = ctx.settings.result.width() as f64;
    let in_bits = ctx.input_width as f64;
    match m.op {
        MergeOp::Add | MergeOp::Subtract | MergeOp::Average => {
            a.fixed[Feature::ElemBits] = n * ops * result;
        }
        MergeOp::Multiply => {
            a.products.push(Products {
                count: n * ops,
                a: ctx.input_width,
                b: ctx.input_width,
                dsp_cap: None,
                dsp_share: None,
            });
            a.multipliers = n * ops;
        }
        MergeOp::Maximum | MergeOp::Minimum => {
            a.fixed[Feature::AdderBits] = n * ops * in_bits;
            a.fixed[Feature::MuxBits] = n * ops * result;
        }
    }
    if m.op != MergeOp::Add {
        a.warnings.push(format!(
            "layer '{}': no synthesis record contains a {} merge; its coefficients are fitted on other kinds (priors)",
            ctx.layer.name,
            m.op.keras_class()
        ));
    }
    a.timing[Timing::ElementwiseStage] = 1.0;
    if ctx.io_stream() {
        a.timing_base = super::pixels(ctx.output());
        a.ii = super::IiRule::Fixed(a.timing_base);
        a.calls = a.timing_base;
    }
    a.inputs = vec![("n", n), ("operands", ops + 1.0), ("a_bits", in_bits)];
    a
}

#[cfg(test)]
mod tests {
    use crate::calibration::Feature;
    use crate::layers::tests::estimate_one;
    use ir::ops::{Merge, MergeOp};
    use ir::{FixedType, HlsConfig, Layer, LayerKind, Network};

    /// Input(16) -> Dense(8) a, Dense(8) b -> merge(a, b), everything fixed<16,6>.
    fn merged(op: MergeOp) -> Network {
        let mut net = Network::new("t");
        net.config = HlsConfig {
            precision: FixedType::fixed(16, 6),
            ..HlsConfig::default()
        };
        let input = LayerKind::Input(ir::ops::Input { shape: vec![16] });
        net.add_layer(Layer::new("in", input), &[]).unwrap();
        for name in ["a", "b"] {
            let dense = LayerKind::Dense(ir::ops::Dense {
                units: 8,
                use_bias: true,
            });
            net.add_layer(Layer::new(name, dense), &["in"]).unwrap();
        }
        let merge = LayerKind::Merge(Merge { op });
        net.add_layer(Layer::new("m", merge), &["a", "b"]).unwrap();
        net.infer_shapes().unwrap();
        net
    }

    #[test]
    fn each_op_prices_what_its_loop_builds() {
        // Hand-derived from nnet_merge.h for 8 elements of 16 bits, two operands:
        // add/subtract/average: 8 adders of 16 bits = 128 elem bits (average's x0.5 is a shift);
        // multiply: 8 products of 16 x 16, no adders; maximum/minimum: 8 comparators of the
        // 16-bit operands (128 adder bits) and 8 16-bit 2:1 muxes (128 mux bits).
        for op in MergeOp::ALL {
            let e = estimate_one(&merged(op), "m");
            let f = &e.analysis.fixed;
            let (elem, adder, mux, mults) = match op {
                MergeOp::Add | MergeOp::Subtract | MergeOp::Average => (128.0, 0.0, 0.0, 0),
                MergeOp::Multiply => (0.0, 0.0, 0.0, 8),
                MergeOp::Maximum | MergeOp::Minimum => (0.0, 128.0, 128.0, 0),
            };
            assert_eq!(f[Feature::ElemBits], elem, "{op:?}");
            assert_eq!(f[Feature::AdderBits], adder, "{op:?}");
            assert_eq!(f[Feature::MuxBits], mux, "{op:?}");
            assert_eq!(e.multipliers, mults, "{op:?}");
            assert_eq!(e.kind, op.keras_class());
            // Add is in the synthesis data; the others are priced with other kinds' coefficients
            let flagged = e.analysis.warnings.iter().any(|w| w.contains("priors"));
            assert_eq!(flagged, op != MergeOp::Add, "{op:?}");
        }
        let mul = estimate_one(&merged(MergeOp::Multiply), "m");
        let add = estimate_one(&merged(MergeOp::Add), "m");
        assert!(mul.csynth.dsp > add.csynth.dsp, "{mul:?}");
    }
}
