//! DSPs of narrow constant products with a wide data operand (Latency strategy), which the
//! wa-hls4ml width ramp cannot give: the ramp (fitted on rows whose data and weights share one
//! precision) maps every product whose narrower operand has ≤ 7 bits to LUTs, but the corpus'
//! QKeras-style networks (6- and 7-bit weights, 16-bit network input) put part of their first
//! layer's products on DSPs. Per-module reports (`data/real-projects/reports/`):
//! - the tutorial's QKeras jet tagger (weights `ap_fixed<6,1>`, 75 % zeros) puts 29 DSPs in
//!   fc1 (16-bit input, 256 non-zero products) and none in fc2–fc4 (6-bit inputs) under Vitis
//!   HLS 2024.1 (`fastmachinelearning__hls4ml-tutorial/nb022`), 19 under Vivado HLS 2019.1
//!   (`uw-acme__hls4ml_vs_manual/nb011`); with published weights
//!   `hector-plata__hls4ml-tutorial/004` reports 28 DSPs of which the softmax has 5;
//! - the same network as older hls4ml printed it (`ap_fixed<7,1>` weights and activations)
//!   puts 216 DSPs in one Dense (`fastmachinelearning__hls4ml-tutorial/nb019`, Vivado HLS
//!   2019.2) and none in the 7-bit × 7-bit layers: a 7-bit weight type is mostly DSP, a 6-bit
//!   one mostly LUT, with the same weight values (QKeras quantized_bits(6,0)).
//!
//! The model: a kernel whose weight width `w` gives a ramp fraction of 0 and whose data
//! operand has at least [`WIDE_DATA_BITS`] bits maps `share(w) × non-zero products` of its
//! products to DSPs (at most its multiplier candidates: with the weights known, the constants
//! with ≥ 3 CSD digits, [`crate::layers::constmult`]), one DSP each. `share(w)` is fitted on
//! the real corpus by `scripts/bench_real_projects.py --fit-narrow-dsp` (per source the excess
//! of the reported DSPs over the model without the share, divided by those products; the median
//! over sources), which also prints the leave-one-source-out SMAPE and keeps a width only where
//! that beats no share. A width without a fitted share keeps the ramp (0). `--explain` and the
//! layer's `narrow_dsp` in the JSON say how many products, which share and from how many rows.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The data operand width from which a narrow-weight product may go to a DSP: the top of the
/// csynth Latency width ramp (`w1` = 12 in `calibration/v1.json`), where a product of two such
/// operands is all DSP.
pub const WIDE_DATA_BITS: u32 = 12;

/// One fitted share and how much data is behind it.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Share {
    pub share: f64,
    pub rows: usize,
    pub sources: usize,
}

#[derive(Deserialize)]
struct File {
    produced_by: String,
    /// Keyed by the weight width in bits ("6", "7").
    shares: BTreeMap<String, Share>,
}

const BUNDLED: &str = include_str!("../calibration/narrow-dsp.json");

fn bundled() -> &'static (BTreeMap<String, Share>, String) {
    static F: OnceLock<(BTreeMap<String, Share>, String)> = OnceLock::new();
    F.get_or_init(|| {
        // Part of the crate (include_str!) and checked by the tests below: a parse failure is
        // a build defect, not bad input.
        let f: File =
            serde_json::from_str(BUNDLED).expect("estimator/calibration/narrow-dsp.json is valid");
        (f.shares, f.produced_by)
    })
}

/// The fitted share for weights of `w_bits`, if the corpus gave one.
pub fn share(w_bits: u32) -> Option<Share> {
    bundled().0.get(&w_bits.to_string()).copied()
}

/// What one Latency kernel's narrow products are and what the share makes of them (the
/// layer's `narrow_dsp` in the JSON; the benchmark refits the share from it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Narrow {
    pub weight_bits: u32,
    pub data_bits: u32,
    /// Non-zero products of one kernel instance.
    pub nonzero: f64,
    /// Multiplier candidates among them (≥ 3 CSD digits with the weights known; all
    /// non-zero ones without).
    pub candidates: f64,
    /// The fitted share, or null where this weight width has none (the ramp's 0 stands).
    pub share: Option<f64>,
    /// Real-corpus rows and sources behind the share (0 without one).
    pub rows: usize,
    pub sources: usize,
    /// The ALLOCATION limit on DSP-mapped products (RF > 1: multiplier_limit), if any.
    pub dsp_cap: Option<f64>,
    /// DSP-mapped products of one kernel instance: min(share × nonzero, candidates, cap).
    pub dsp_products: f64,
}

impl Narrow {
    /// The same under an ALLOCATION limit on DSP-mapped products.
    pub fn capped(mut self, cap: Option<f64>) -> Self {
        self.dsp_cap = cap;
        if let Some(c) = cap {
            self.dsp_products = self.dsp_products.min(c.max(0.0));
        }
        self
    }

    /// The DSP fraction of the candidates (the product group's `dsp_share`), if a share applies.
    pub fn fraction(&self) -> Option<f64> {
        self.share?;
        Some(if self.candidates > 0.0 {
            (self.dsp_products / self.candidates).min(1.0)
        } else {
            0.0
        })
    }
}

/// The narrow-product description of a Latency kernel, or `None` when the rule does not apply:
/// the ramp already maps some of its products to DSPs (`ramp_fraction > 0`), its data operand is
/// narrower than [`WIDE_DATA_BITS`], or its weights are neither known nor pruned.
///
/// Without weights and without pruning the ramp stands: it was fitted on exactly such rows (the
/// wa-hls4ml pilot's untrained glorot_uniform Dense layers with `ap_fixed<prec,1>` weights and
/// 16-bit inputs, 0 DSP in every 6-bit row: a 64→32 layer's glorot limit √(6/96) = 0.25 is at
/// most 8 LSBs of a 5-fractional-bit weight, and no constant up to 8 has three CSD digits). A
/// pruned layer without weights is a trained network's (the corpus' QKeras notebook runs), whose
/// constants spread wider; with the weights known the candidates are counted from them.
pub fn of_kernel(
    data_bits: u32,
    weight_bits: u32,
    ramp_fraction: f64,
    nonzero: f64,
    candidates: f64,
    dsp_cap: Option<f64>,
    weights_known_or_pruned: bool,
) -> Option<Narrow> {
    if !weights_known_or_pruned {
        return None;
    }
    let n = narrow_with(
        data_bits,
        weight_bits,
        ramp_fraction,
        nonzero,
        candidates,
        share(weight_bits),
    )?;
    Some(n.capped(dsp_cap))
}

fn narrow_with(
    data_bits: u32,
    weight_bits: u32,
    ramp_fraction: f64,
    nonzero: f64,
    candidates: f64,
    s: Option<Share>,
) -> Option<Narrow> {
    if ramp_fraction > 0.0 || data_bits < WIDE_DATA_BITS || weight_bits >= data_bits {
        return None;
    }
    Some(Narrow {
        weight_bits,
        data_bits,
        nonzero,
        candidates,
        share: s.map(|s| s.share),
        rows: s.map_or(0, |s| s.rows),
        sources: s.map_or(0, |s| s.sources),
        dsp_cap: None,
        dsp_products: s.map_or(0.0, |s| (s.share * nonzero).min(candidates)),
    })
}

/// One line for `--explain`.
pub fn explain(n: &Narrow) -> String {
    match n.share {
        Some(s) => format!(
            "narrow products ({}-bit data × {}-bit constants): {} of {} non-zero → DSP = min(share {:.3} × nonzero, candidates {}) (share fitted on {} real-project rows from {} sources; {})",
            n.data_bits,
            n.weight_bits,
            crate::layers::fmt_num(n.dsp_products),
            crate::layers::fmt_num(n.nonzero),
            s,
            crate::layers::fmt_num(n.candidates),
            n.rows,
            n.sources,
            bundled().1
        ),
        None => format!(
            "narrow products ({}-bit data × {}-bit constants): no share fitted for {}-bit weights, the width ramp's 0 DSP stands",
            n.data_bits, n.weight_bits, n.weight_bits
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_by_hand() {
        let s = Some(Share {
            share: 0.1,
            rows: 9,
            sources: 7,
        });
        // The QKeras jet tagger's fc1 without weights: 16-bit input × 6-bit weights, 256
        // non-zero products, all candidates: 0.1 × 256 = 25.6 on DSPs, a fraction 0.1.
        let n = narrow_with(16, 6, 0.0, 256.0, 256.0, s).unwrap();
        assert!((n.dsp_products - 25.6).abs() < 1e-9);
        assert!((n.fraction().unwrap() - 0.1).abs() < 1e-12);
        // With the weights known only the 34 constants of ≥ 3 CSD digits may be multipliers
        // (hector-plata 004's fc1: 249 non-zero, 34 candidates): min(24.9, 34) = 24.9.
        let n = narrow_with(16, 6, 0.0, 249.0, 34.0, s).unwrap();
        assert!((n.dsp_products - 24.9).abs() < 1e-9);
        assert!((n.fraction().unwrap() - 24.9 / 34.0).abs() < 1e-12);
        // ... and never more than the candidates: 10 of them → 10, fraction 1.
        let n = narrow_with(16, 6, 0.0, 249.0, 10.0, s).unwrap();
        assert_eq!((n.dsp_products, n.fraction()), (10.0, Some(1.0)));
        // Not applied: the ramp maps some products already, a narrow data operand (fc2's
        // 6-bit input), or weights as wide as the data.
        assert!(narrow_with(16, 8, 0.2, 256.0, 256.0, s).is_none());
        assert!(narrow_with(6, 6, 0.0, 256.0, 256.0, s).is_none());
        assert!(narrow_with(12, 12, 0.0, 256.0, 256.0, s).is_none());
        // Unpruned and without weights (the wa-hls4ml pilot's setting): the ramp stands.
        assert!(of_kernel(16, 6, 0.0, 2048.0, 2048.0, None, false).is_none());
        // RF 64 on 16×64 with 777 zeros (hector-plata 005's fc1): multiplier_limit
        // ⌈1024/64⌉ − ⌊777/64⌋ = 16 − 12 = 4 caps 0.1 × 247 = 24.7 at 4 (the report: fc1 4 DSP
        // beside the softmax's 5, 9 in all).
        let n = narrow_with(16, 6, 0.0, 247.0, 30.0, s)
            .unwrap()
            .capped(Some(4.0));
        assert_eq!(n.dsp_products, 4.0);
        assert!((n.fraction().unwrap() - 4.0 / 30.0).abs() < 1e-12);
        // No share for the width: described, no DSP, the ramp stands.
        let n = narrow_with(16, 4, 0.0, 256.0, 256.0, None).unwrap();
        assert_eq!((n.dsp_products, n.fraction()), (0.0, None));
    }
}
