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
