//! HGQ1's FixedPointQuantizer as hls4ml 1.3.0 builds it: one cast per element,
//! `out[j] = ap_[u]fixed<b_j, i_j, AP_<RND>, AP_<SAT>>(inp[j])` (`backends/fpga/passes/
//! hgq_proxy_model.py`, inlined into the pipeline), or the same cast folded into the result
//! type of the layer before it (a fusible quantizer). A truncating, wrapping cast (TRN, WRAP)
//! only drops wires; rounding adds a b_j-bit increment, saturation a b_j-bit compare and
//! select; an element with no bits is the constant 0. The narrower types the quantizers give
//! shrink the next layer's products through its input width (the quantizer's result type,
//! its widest element). The 7 HGQ1 rows of data/real-projects contain these casts but were not
//! used to fit them: the adder and mux bits take the elementwise coefficients fitted on other
//! kinds, a prior said in a warning on every estimate.

use super::{Analysis, LayerCtx};
use crate::calibration::{Feature, Timing};
use ir::ops::FixedPointQuantizer;

pub const FORMULAS: &[&str] = &[
    "FixedPointQuantizer: per element j with b_j > 0 bits: elem_bits += b_j when rounding (mode not TRN), mux_bits += b_j when saturating (mode not WRAP); TRN+WRAP and 0-bit elements cost nothing; one elementwise stage when any logic",
];

/// The bits of the elements that need logic: each element's width, or the input's width for
/// every element when the model was read without its weights (the widths are not known).
fn element_bits(ctx: &LayerCtx, fq: &FixedPointQuantizer) -> Vec<f64> {
    let n = super::elements(ctx.input()) as usize;
    if !fq.has_state() {
        return vec![ctx.input_width as f64; n];
    }
    let bits: Vec<f64> = fq.element_bits().map(f64::from).collect();
    // the stored widths broadcast over the homogeneous axes
    (0..n)
        .map(|j| bits.get(j % bits.len().max(1)).copied().unwrap_or(0.0))
        .collect()
}

pub fn analyse(ctx: &LayerCtx, fq: &FixedPointQuantizer) -> Analysis {
    let mut a = Analysis::free(FORMULAS);
    let q = &fq.quantizer;
    let rounds = q.round_mode != "TRN";
    let saturates = q.overflow_mode != "WRAP";
    let bits = element_bits(ctx, fq);
    let total: f64 = bits.iter().sum();
    let live = bits.iter().filter(|b| **b > 0.0).count() as f64;
    if rounds {
        a.fixed[Feature::ElemBits] = total;
    }
    if saturates {
        a.fixed[Feature::MuxBits] = total;
    }
    if (rounds || saturates) && total > 0.0 {
        a.timing[Timing::ElementwiseStage] = 1.0;
    }
    a.inputs = vec![
        ("elements", bits.len() as f64),
        ("elements_with_bits", live),
        ("bits", total),
        ("rounds", f64::from(u8::from(rounds))),
        ("saturates", f64::from(u8::from(saturates))),
    ];
    if rounds || saturates {
        a.warnings.push(format!(
            "layer '{}' (FixedPointQuantizer, {}/{}): its rounding/saturation logic is priced with the elementwise coefficients of other kinds (a prior)",
            ctx.layer.name, q.round_mode, q.overflow_mode
        ));
    }
    if !fq.has_state() {
        a.warnings.push(format!(
            "layer '{}' (FixedPointQuantizer): read without its weights file, so its per-element bit widths are unknown; every element is priced at the input's width",
            ctx.layer.name
        ));
    }
    a
}

#[cfg(test)]
mod tests {
    use crate::calibration::{Feature, Timing};
    use crate::layers::tests::estimate_one;
    use ir::hgq::{HgqQuantizer, QuantizerRole};
    use ir::{FixedType, HlsConfig, Layer, LayerKind, Network};

    fn net(round: &str, overflow: &str) -> Network {
        let mut net = Network::new("t");
        net.config = HlsConfig {
            precision: FixedType::fixed(16, 6),
            ..HlsConfig::default()
        };
        let input = LayerKind::Input(ir::ops::Input { shape: vec![4] });
        net.add_layer(Layer::new("in", input), &[]).unwrap();
        // elements (k, i, f): (1, 3, 2) 6 bits, (0, 2, 3) 5 bits, (0, 0, 0) none, (1, 1, 1) 3 bits
        let q = LayerKind::FixedPointQuantizer(ir::ops::FixedPointQuantizer {
            quantizer: Box::new(HgqQuantizer {
                role: QuantizerRole::Output,
                round_mode: round.into(),
                overflow_mode: overflow.into(),
                shape: vec![1, 4],
                k: vec![1, 0, 0, 1],
                i: vec![3, 2, 0, 1],
                f: vec![2, 3, 0, 1],
            }),
            fusible: false,
        });
        net.add_layer(Layer::new("q", q), &["in"]).unwrap();
        net.infer_shapes().unwrap();
        net
    }

    #[test]
    fn a_truncating_wrapping_cast_is_wires() {
        let e = estimate_one(&net("TRN", "WRAP"), "q");
        assert_eq!(e.analysis.fixed[Feature::ElemBits], 0.0);
        assert_eq!(e.analysis.fixed[Feature::MuxBits], 0.0);
        assert_eq!(e.analysis.timing[Timing::ElementwiseStage], 0.0);
        assert!(e.analysis.warnings.is_empty());
    }

    #[test]
    fn rounding_and_saturation_cost_per_element_bit() {
        // 6 + 5 + 0 + 3 = 14 bits: RND adds a 14-bit increment in all, SAT a 14-bit select
        let e = estimate_one(&net("RND", "WRAP"), "q");
        assert_eq!(e.analysis.fixed[Feature::ElemBits], 14.0);
        assert_eq!(e.analysis.fixed[Feature::MuxBits], 0.0);
        assert_eq!(e.analysis.timing[Timing::ElementwiseStage], 1.0);
        assert!(e.analysis.warnings.iter().any(|w| w.contains("prior")));
        let e = estimate_one(&net("TRN", "SAT"), "q");
        assert_eq!(e.analysis.fixed[Feature::ElemBits], 0.0);
        assert_eq!(e.analysis.fixed[Feature::MuxBits], 14.0);
    }
}
