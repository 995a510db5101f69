//! The matrix-vector multiply engine shared by Dense and Conv (hls4ml's `dense_latency` /
//! `dense_resource`, which Conv calls per output pixel after im2col or a line buffer).
//!
//! hls4ml rules used (`nnet_dense_latency.h`, `nnet_dense_resource.h`, hls4ml 1.3.0):
//! - Latency: `multiplier_limit = ⌈n_in·n_out/RF⌉ − ⌊n_zeros/RF⌋`, `PIPELINE II=RF`, weights
//!   in fabric, RF not validated. The product loops are fully unrolled whatever the RF, so
//!   `n_in·n_out ≥ 4096` exceeds the unroll limit (hls4ml issue #1013; the pilot data: every
//!   Latency run with n_in·n_out ≥ 4096 failed).
//! - Resource: RF validated (closest valid with a warning), `block_factor = ⌈n_in·n_out/RF⌉`
//!   multipliers, weights `ARRAY_RESHAPE block factor=block_factor` in BRAM (`ROM_nP_BRAM` when
//!   RF > 1) of depth RF and width block_factor·w_bits, `ReuseLoop` of RF iterations at II=1.

use super::{bram18_for, IiRule, Products};
use crate::calibration::{Calibration, Feature, LabelKind, Timing, NF, NT};
use ir::reuse::{closest_reuse_factor, valid_reuse_factors};
use ir::Strategy;

/// Products at or above this count in one unrolled loop make Vivado/Vitis HLS stop unrolling
/// (`XFORM 203-504`); hls4ml issue #1013.
pub const UNROLL_LIMIT: f64 = 4096.0;

/// The inputs of one matrix-vector kernel.
#[derive(Debug, Clone, Copy)]
pub struct MacSpec {
    pub n_in: u64,
    pub n_out: u64,
    pub n_zeros: u64,
    /// Input data, weight and accumulator widths in bits.
    pub a: u32,
    pub w: u32,
    pub acc: u32,
    pub requested_rf: u64,
    pub strategy: Strategy,
    /// How the constant products split (Latency strategy: weights are constants that HLS
    /// folds into shifts and adders, [`super::constmult`]); `None` for Resource, whose weights
    /// are read from memory.
    pub consts: Option<super::constmult::ConstSplit>,
}

/// The analysed kernel: what one invocation costs and takes.
#[derive(Debug, Clone)]
pub struct Mac {
    pub rf: u64,
    pub multipliers: f64,
    pub block_factor: f64,
    pub products: Products,
    /// Most DSP-mapped products that may exist at once (the ALLOCATION limit), if any.
    pub fixed: [f64; NF],
    pub weight_bram: f64,
    pub bram_kernels: f64,
    pub banked_bram: f64,
    /// Latency strategy: the bits one register cut inside the unrolled adder trees holds on
    /// average ([`tree_cut_bits`]); 0 for Resource.
    pub tree_cut_bits: f64,
    /// Latency strategy: narrow constant products with a wide data operand and the DSP share
    /// the real corpus gives them ([`crate::narrowdsp`]); `None` where the width ramp applies.
    pub narrow: Option<crate::narrowdsp::Narrow>,
    /// Cycles of one invocation that follow from RF alone, and the timing features.
    pub base: f64,
    pub timing: [f64; NT],
    pub ii: IiRule,
    pub warnings: Vec<String>,
}

pub const LATENCY_FORMULAS: &[&str] = &[
    "Latency strategy: multiplier_limit = ceil(n_in*n_out/RF) - floor(n_zeros/RF); loops fully unrolled, weights are constants: with the weights known, products = weights with >= 3 CSD digits; zero weights vanish, 1-2 digit weights are shifts/one adder (lut_mult_bits += a_bits x significant bits, dsp_products += 1 for their adder-tree share); without weights every non-zero weight is a product",
    "DSP-mapped products are capped at multiplier_limit (ALLOCATION); weights in fabric, BRAM 0",
    "latency = latency_stage [+ latency_registered + min(latency_reused + latency_serial × (DSP share × sqrt(RF)), RF - 2) when RF > 1 and products use DSPs]; II = 1 (RF = 1) or min(latency + 1, RF)",
];
pub const RESOURCE_FORMULAS: &[&str] = &[
    "Resource strategy: RF = closest valid RF (hls4ml _validate_reuse_factor); block_factor = ceil(n_in*n_out/RF) multipliers",
    "weight_bram = BRAM18 blocks for depth RF × width block_factor*w_bits (RF > 1; 18K aspect ratios 512x36 ... 16Kx1)",
    "mux_bits = (n_in/RF)*(RF-1)*a when RF ≤ n_in (n_in/RF distinct RF-input muxes), (n_in-1)*a when RF > n_in; acc_index_bits = block_factor*n_out*acc when RF = k*n_in, k ≥ 3",
    "latency = RF + resource_stage; II = RF",
];

/// The bits one register cut inside the unrolled adder trees of a Latency-strategy kernel
/// holds on average: `adder_bits` (live products × accumulator bits) × Σ_{ℓ=0..L} 2^−ℓ / (L + 1)
/// with L = ⌈log2 n_in⌉. `dense_latency` (hls4ml 1.3.0 `nnet_dense_latency.h`) casts every
/// product to `accum_t` and sums the n_in of each output in a fully unrolled loop that HLS
/// balances into a tree of L adder levels; level ℓ holds n_in/2^ℓ sums of each output. A
/// pipeline register HLS adds to meet a shorter clock or a slower part falls at a level the
/// delay model picks, taken here as any of the L + 1 levels (products included) with equal
/// chance: no coefficient, and 0 extra registers where the wa-hls4ml fit was made (one stage
/// per layer at 5 ns on UltraScale+, whose registers the fitted coefficients already price).
pub fn tree_cut_bits(n_in: u64, adder_bits: f64) -> f64 {
    let levels = (n_in.max(1) as f64).log2().ceil();
    adder_bits * (2.0 - 0.5f64.powf(levels)) / (levels + 1.0)
}

/// Analyse one kernel invocation.
pub fn analyse(spec: &MacSpec, calib: &Calibration, layer: &str) -> Mac {
    let n = (spec.n_in * spec.n_out) as f64;
    let (a, acc) = (spec.a as f64, spec.acc as f64);
    let mut warnings = Vec::new();
    let mut fixed = [0.0; NF];
    fixed[Feature::Kernels] = 1.0;
    fixed[Feature::AccBits] = spec.n_out as f64 * acc;
    let mut timing = [0.0; NT];
    match spec.strategy {
        Strategy::Latency => {
            let rf = spec.requested_rf.max(1);
            let limit = (n / rf as f64).ceil() - (spec.n_zeros / rf) as f64;
            // Constant folding: only weights with three or more CSD digits stay multipliers;
            // zeros vanish, ±2^k and two-digit constants are shifts and one LUT adder each,
            // priced as LUT logic of a_bits × the constant's significant bits.
            let (live, multiply) = match spec.consts {
                Some(c) => {
                    // The shift/adder products keep their share of the adder tree
                    // (`dsp_products` is the per-product glue the Latency fit prices).
                    fixed[Feature::LutMultBits] += c.shift_add_bits * a;
                    fixed[Feature::DspProducts] += c.shift_add;
                    (c.total - c.zero, c.multiply)
                }
                None => (n - spec.n_zeros as f64, n - spec.n_zeros as f64),
            };
            if n >= UNROLL_LIMIT {
                warnings.push(format!(
                    "layer '{layer}': {} products in one unrolled loop (Latency strategy unrolls n_in*n_out = {}x{} whatever the RF) reach the unroll limit of ~{UNROLL_LIMIT}: will not synthesise; use the Resource strategy",
                    n, spec.n_in, spec.n_out
                ));
            }
            fixed[Feature::AdderBits] = live * acc;
            let frac = calib
                .kind(LabelKind::Csynth)
                .latency
                .dsp
                .fraction(spec.a.min(spec.w));
            timing[Timing::LatencyStage] = 1.0;
            let ii = if rf > 1 {
                // `PIPELINE II=RF` on the unrolled loop registers the stage once more: the
                // pilot's all-LUT rows (≤ 6 bits) go from 1 cycle at RF = 1 to 2 cycles (II 3) at
                // RF 512 and 1024, with the same products.
                timing[Timing::LatencyRegistered] = 1.0;
                // Products time-shared on the ALLOCATION-limited DSPs need operand selection and
                // staging registers (pilot data: FF jumps ~5x at RF > 1 once products use DSPs,
                // and not when they are all in LUTs).
                // At RF 2 the corpus disagrees with itself (jet tagger FF 11.1k → 8.8k from RF 1
                // to 2 in Hector-Plata's Vivado HLS 2019.2 project, 44.8k → 52.2k in the
                // hls4ml-tutorial notebook runs), so the pilot's rule stays.
                if frac > 0.0 {
                    fixed[Feature::MuxBits] = live * a;
                }
                // Only DSP-mapped products are ALLOCATION-limited and time-shared; the pilot's csynth
                // latency then grows ~ DSP share × √RF (RF 512 → ~0.8·RF, 1024 → ~0.6·RF at 12 bits) and
                // stays at the unrolled depth when every product is in LUTs.
                if frac > 0.0 {
                    timing[Timing::LatencyReused] = 1.0;
                    timing[Timing::LatencySerial] = frac * (rf as f64).sqrt();
                    // The fit only sees RF 512/1024 (the pilot data has nothing in between).
                    // Time-sharing a product over RF cycles overlaps the adder tree of the
                    // products already made, so at small RF the extra is capped at RF − 2: the
                    // real reports add 0 cycles at RF 2 (Hector-Plata/hls4ml-tutorial, Vivado
                    // HLS 2019.2: every dense latency 1 at RF 2 as at RF 1) and about 3 and 7 per
                    // layer at RF 8 and 16 (pominiq/DNNonSilicon 004/006, two dense layers and a
                    // softmax: 13 and 25 cycles), under the cap. A tighter RF/2 − 1 fits those
                    // but cuts the pilot's RF 512/1024 rows (up to 650 extra cycles at RF 1024;
                    // held-out latency SMAPE 1.8 → 8.1 %); every pilot row lies under RF − 2, so
                    // the fit is unaffected.
                    let c = &calib.timing.cycles;
                    let extra = c[Timing::LatencyReused] * timing[Timing::LatencyReused]
                        + c[Timing::LatencySerial] * timing[Timing::LatencySerial];
                    let cap = (rf as f64 - 2.0).max(0.0);
                    if extra > cap {
                        let scale = if extra > 0.0 { cap / extra } else { 0.0 };
                        timing[Timing::LatencyReused] *= scale;
                        timing[Timing::LatencySerial] *= scale;
                    }
                }
                IiRule::LatencyPlusOneAtMost(rf as f64)
            } else {
                IiRule::Fixed(1.0)
            };
            // With RF > 1 only `limit` products may map to DSPs at once (ALLOCATION); the rest
            // of the DSP share is time-shared on them. LUT-mapped products are all built.
            let cap = (rf > 1).then_some(limit.max(0.0));
            // Narrow constants times a wide data operand: the ramp's 0 DSP replaced by the
            // corpus' share of the non-zero products (crate::narrowdsp).
            let narrow = crate::narrowdsp::of_kernel(
                spec.a,
                spec.w,
                frac,
                live,
                multiply,
                cap,
                spec.consts.is_some() || spec.n_zeros > 0,
            );
            Mac {
                rf,
                multipliers: limit.max(0.0),
                block_factor: limit.max(0.0),
                products: Products {
                    count: multiply,
                    a: spec.a,
                    b: spec.w,
                    dsp_cap: cap,
                    dsp_share: narrow.and_then(|n| n.fraction()),
                },
                fixed,
                weight_bram: 0.0,
                bram_kernels: 0.0,
                banked_bram: 0.0,
                tree_cut_bits: tree_cut_bits(spec.n_in, live * acc),
                narrow,
                base: 0.0,
                timing,
                ii,
                warnings,
            }
        }
        Strategy::Resource => {
            let rf = closest_reuse_factor(spec.n_in, spec.n_out, spec.requested_rf.max(1));
            if rf != spec.requested_rf {
                let valid = valid_reuse_factors(spec.n_in, spec.n_out);
                let shown: Vec<String> = valid.iter().take(24).map(|v| v.to_string()).collect();
                warnings.push(format!(
                    "layer '{layer}': invalid ReuseFactor={} for n_in={} n_out={}; hls4ml uses {} (valid: {}{})",
                    spec.requested_rf,
                    spec.n_in,
                    spec.n_out,
                    rf,
                    shown.join(","),
                    if valid.len() > 24 { ",..." } else { "" }
                ));
            }
            let bf = (n / rf as f64).ceil();
            let mult_limit = (n / spec.n_in.min(rf) as f64).ceil();
            if bf >= UNROLL_LIMIT {
                warnings.push(format!(
                    "layer '{layer}': block_factor {bf} multipliers in one unrolled loop reach the unroll limit of ~{UNROLL_LIMIT}: will not synthesise; raise the reuse factor"
                ));
            }
            fixed[Feature::AdderBits] = bf * acc;
            // Input selection (`dense_resource_rf_leq_nin` / `_rf_gt_nin_rem0`, hls4ml 1.3.0
            // nnet_dense_resource.h): multiplier `im` reads `data[in_index]` with
            // `in_index = ir + im·RF`, wrapped to `ir` once it reaches n_in. With RF ≤ n_in only
            // `multscale = multiplier_limit / n_out` distinct indices exist (the rest repeat
            // them), each an RF-input mux; with RF > n_in one n_in-input mux. Either way about
            // n_in·a bits of mux input, not block_factor·RF·a.
            fixed[Feature::MuxBits] = if rf <= spec.n_in {
                let multscale = (mult_limit as u64 / spec.n_out.max(1)).max(1);
                (multscale * (rf - 1)) as f64 * a
            } else {
                (spec.n_in as f64 - 1.0) * a
            };
            // RF = k·n_in: each multiplier adds into acc[outidx[ir] + im·k] with a run-time
            // index; for k ≥ 3 csynth builds a demux over all n_out accumulators per multiplier
            // (pilot data: LUT ∝ block_factor·n_out at k ≥ 3, flat at k = 2).
            let outscale = if rf > spec.n_in && rf.is_multiple_of(spec.n_in) {
                rf / spec.n_in
            } else {
                1
            };
            if outscale >= 3 {
                fixed[Feature::AccIndexBits] = bf * spec.n_out as f64 * acc;
            }
            let (weight_bram, bram_kernels, banked_bram) = if rf > 1 {
                (
                    bram18_for(rf, bf as u64 * spec.w as u64) as f64,
                    1.0,
                    bf * bram18_for(rf, spec.w as u64) as f64,
                )
            } else {
                (0.0, 0.0, 0.0)
            };
            // RF = 1 is the fully unrolled case: one pipeline stage like Latency.
            timing[if rf > 1 { 0 } else { 1 }] = 1.0;
            let base = if rf > 1 { rf as f64 } else { 0.0 };
            Mac {
                rf,
                multipliers: mult_limit.min(bf),
                block_factor: bf,
                products: Products {
                    count: bf,
                    a: spec.a,
                    b: spec.w,
                    dsp_cap: None,
                    dsp_share: None,
                },
                fixed,
                weight_bram,
                bram_kernels,
                banked_bram,
                tree_cut_bits: 0.0,
                narrow: None,
                base,
                timing,
                // RF = 1 (fully unrolled): the pilot's csynth II is latency + 1 (1 → 2, 0 → 1).
                ii: if rf > 1 {
                    IiRule::Fixed(rf as f64)
                } else {
                    IiRule::LatencyPlusOne
                },
                warnings,
            }
        }
    }
}

/// A warning when one product is too wide for a single DSP of the part.
pub fn wide_product_warning(
    layer: &str,
    a: u32,
    w: u32,
    device: &crate::resources::Device,
) -> Option<String> {
    let per = device.dsp_per_product(a, w);
    (per > 1).then(|| {
        format!(
            "layer '{layer}': a {a}-bit × {w}-bit product is too wide for one {}×{} DSP of {}: {per} DSPs per multiplier",
            device.dsp_a_width, device.dsp_b_width, device.part
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(n_in: u64, n_out: u64, rf: u64, strategy: Strategy) -> MacSpec {
        MacSpec {
            n_in,
            n_out,
            n_zeros: 0,
            a: 16,
            w: 16,
            acc: 16,
            requested_rf: rf,
            strategy,
            consts: None,
        }
    }

    #[test]
    fn latency_multiplier_limit_with_zeros() {
        // Hand-derived from hls4ml's formula: ceil(16*10/3) - floor(7/3) = 54 - 2 = 52.
        let mut s = spec(16, 10, 3, Strategy::Latency);
        s.n_zeros = 7;
        let m = analyse(&s, &Calibration::prior(), "d");
        assert_eq!(m.multipliers, 52.0);
        assert_eq!(m.rf, 3); // Latency: RF not validated
        assert!(m.warnings.is_empty());
    }

    #[test]
    fn latency_time_sharing_adds_at_most_rf_cycles() {
        // Sharing a product over RF cycles cannot take longer than RF extra cycles; the fitted
        // √RF term (from RF 512/1024 rows only) would otherwise add ~70 cycles at RF 2.
        let cal = Calibration::builtin();
        for rf in [2u64, 4, 8] {
            let m = analyse(&spec(16, 64, rf, Strategy::Latency), &cal, "d");
            let c = &cal.timing.cycles;
            let extra = c[Timing::LatencyReused] * m.timing[Timing::LatencyReused]
                + c[Timing::LatencySerial] * m.timing[Timing::LatencySerial];
            assert!(extra <= rf as f64 - 2.0 + 1e-9, "rf {rf}: extra {extra}");
            assert!(rf == 2 || extra > 0.0);
        }
    }

    #[test]
    fn resource_block_factor_and_bram() {
        // 256x192, RF 1024, 14-bit weights: block_factor = 49152/1024 = 48; memory 1024 deep ×
        // 48*14 = 672 bits → ceil(672/18) = 38 BRAM18 (the pilot row dense_256_192_14b rf 1024
        // reports 39 in csynth; the fitted offset covers the difference).
        let mut s = spec(256, 192, 1024, Strategy::Resource);
        s.w = 14;
        let m = analyse(&s, &Calibration::prior(), "d");
        assert_eq!((m.rf, m.block_factor, m.weight_bram), (1024, 48.0, 38.0));
        assert_eq!(m.ii, IiRule::Fixed(1024.0));
        assert_eq!(m.base, 1024.0);
    }

    #[test]
    fn resource_input_mux_bits() {
        // dense_resource_rf_leq_nin, n_in 64, n_out 4, RF 16: multiplier_limit =
        // ceil(256/16) = 16, multscale = 16/4 = 4 distinct in_index values (ir + k·16), each a
        // 16-input mux of 16-bit words: 4 × 15 × 16 = 960 bits.
        let m = analyse(
            &spec(64, 4, 16, Strategy::Resource),
            &Calibration::prior(),
            "d",
        );
        assert_eq!(m.fixed[Feature::MuxBits], 960.0);
        // RF 128 > n_in: one 64-input mux, 63 × 16.
        let m = analyse(
            &spec(64, 4, 128, Strategy::Resource),
            &Calibration::prior(),
            "d",
        );
        assert_eq!(m.fixed[Feature::MuxBits], 1008.0);
    }

    #[test]
    fn resource_adjusts_invalid_rf_with_warning() {
        // hls4ml 1.3.0 get_closest_reuse_factor: (80, 24) asked 1024 → 960.
        let m = analyse(
            &spec(80, 24, 1024, Strategy::Resource),
            &Calibration::prior(),
            "fc1",
        );
        assert_eq!(m.rf, 960);
        assert!(
            m.warnings[0].contains("invalid ReuseFactor=1024") && m.warnings[0].contains("960")
        );
    }

    #[test]
    fn unroll_limit_warnings() {
        let m = analyse(
            &spec(64, 64, 512, Strategy::Latency),
            &Calibration::prior(),
            "big",
        );
        assert!(m.warnings.iter().any(|w| w.contains("will not synthesise")));
        let m = analyse(
            &spec(64, 64, 1, Strategy::Resource),
            &Calibration::prior(),
            "big",
        );
        assert!(m.warnings.iter().any(|w| w.contains("will not synthesise")));
        let m = analyse(
            &spec(64, 64, 2, Strategy::Resource),
            &Calibration::prior(),
            "ok",
        );
        assert!(m.warnings.is_empty());
    }
}

#[cfg(test)]
mod tree_tests {
    use super::tree_cut_bits;

    #[test]
    fn tree_cut_bits_by_hand() {
        // n_in 16: L = 4 levels of adders, 5 levels with the products; a cut holds on average
        // (16 + 8 + 4 + 2 + 1)/16 / 5 = 1.9375/5 = 0.3875 of the products' bits.
        assert!((tree_cut_bits(16, 16384.0) - 0.3875 * 16384.0).abs() < 1e-9);
        // n_in 64: (2 − 1/64)/7 of them.
        assert!((tree_cut_bits(64, 7.0) - (2.0 - 1.0 / 64.0)).abs() < 1e-9);
        // One input per output: the products themselves.
        assert_eq!(tree_cut_bits(1, 320.0), 320.0);
    }
}
