//! Merge layers (hls4ml `Merge`, `nnet_merge.h`): Add is one adder per element of each extra
//! operand; Concatenate is wiring only (copies, no logic, no cycles).

use super::{Analysis, LayerCtx};
use crate::calibration::{Feature, Timing};
use ir::LayerKind;

pub const FORMULAS: &[&str] = &[
    "Add: elem_bits = n * (operands - 1) * result_bits, one elementwise stage",
    "Concatenate: no logic, no cycles",
];

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let mut a = Analysis::free(FORMULAS);
    if let LayerKind::Add = ctx.layer.kind {
        let n = super::elements(ctx.output());
        let ops = ctx.inputs.len().max(2) as f64 - 1.0;
        a.fixed[Feature::ElemBits] = n * ops * ctx.settings.result.width() as f64;
        a.timing[Timing::ElementwiseStage] = 1.0;
        if ctx.io_stream() {
            a.timing_base = super::pixels(ctx.output());
            a.ii = super::IiRule::Fixed(a.timing_base);
            a.calls = a.timing_base;
        }
        a.inputs = vec![("n", n), ("operands", ops + 1.0)];
    }
    a
}
