//! hls4ml 1.3.0's bit-exact precision flow for HGQ2 models (`model/optimizer/passes/
//! bit_exact.py` with `utils/qinterval.py`): quantized interval arithmetic over per-element
//! `(k, i, f)` triples (keep-negative, integer bits without the sign, fractional bits), the
//! forward rules (`produce_kif`) of the nodes an HGQ2 Dense chain lowers to, the backward
//! request (`request_kif`) of a fixed-point quantizer, and the types hls4ml registers from them
//! (`default_register_precision`, `to_hls4ml_fixed`).
//!
//! What is here is the arithmetic, checked against hls4ml's own types for the golden HGQ2
//! projects (tests/fixtures/hgq2, `lower/tests/hgq2_bit_exact.rs`); the quantizer nodes
//! (`nodes`, made at parse), the HGQ2 weights (`hgq2`) and the pipeline passes that type the
//! graph with it (`flow`) are in the submodules.

mod flow;
pub mod hgq2;
pub(crate) mod nodes;

pub use flow::{fixed_type, BitExact, BitExactTypes, FixInputPrecision, FuseFixedPointQuantizer};

pub mod einsum;
pub mod einsum_dense;
pub mod encoder;
pub mod layout;
pub mod merge;
pub mod pooling;
pub mod softmax;
pub mod transpose;
pub mod types;

/// Per-element `(k, i, f)` of one tensor, flattened in C order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kif {
    pub k: Vec<i32>,
    pub i: Vec<i32>,
    pub f: Vec<i32>,
}

/// hls4ml's bound for "no limit" in a request or an untrusted input (`_maximum_kif_at_shape`).
pub const UNBOUNDED: i32 = 126;

impl Kif {
    pub fn len(&self) -> usize {
        self.k.len()
    }
    pub fn is_empty(&self) -> bool {
        self.k.is_empty()
    }
    /// `_maximum_kif_at_shape`: k 1, i and f 126 (an untrusted input, an unconstrained request).
    pub fn unbounded(n: usize) -> Kif {
        Kif {
            k: vec![1; n],
            i: vec![UNBOUNDED; n],
            f: vec![UNBOUNDED; n],
        }
    }
    /// `kif_arrs_to_ints`: the maximum of each of k, i and f over the elements, independently.
    pub fn max_ints(&self) -> (i32, i32, i32) {
        let m = |v: &[i32]| v.iter().copied().max().unwrap_or(0);
        (m(&self.k), m(&self.i), m(&self.f))
    }
    /// Element-wise minimum of two triples (`np.minimum` of each array).
    pub fn min(&self, other: &Kif) -> Kif {
        let m = |a: &[i32], b: &[i32]| a.iter().zip(b).map(|(x, y)| *x.min(y)).collect();
        Kif {
            k: m(&self.k, &other.k),
            i: m(&self.i, &other.i),
            f: m(&self.f, &other.f),
        }
    }
}

/// An ap_fixed type as hls4ml's `to_hls4ml_fixed` makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedKif {
    pub signed: bool,
    pub width: i32,
    pub integer: i32,
}

impl FixedKif {
    /// `to_hls4ml_fixed(k, i, f)`: signed when k != 0, width k+i+f, integer k+i; a width below 1
    /// becomes hls4ml's placeholder `ap_ufixed<2,32>` (TRN, WRAP).
    pub fn from_kif(k: i32, i: i32, f: i32) -> FixedKif {
        if k + i + f >= 1 {
            FixedKif {
                signed: k != 0,
                width: k + i + f,
                integer: k + i,
            }
        } else {
            FixedKif {
                signed: false,
                width: 2,
                integer: 32,
            }
        }
    }
    /// The C++ type with hls4ml's default modes (`ap_fixed<W,I>` / `ap_ufixed<W,I>`).
    pub fn cpp(&self) -> String {
        let u = if self.signed { "" } else { "u" };
        format!("ap_{u}fixed<{},{}>", self.width, self.integer)
    }
}

/// `_minimal_f`: the fewest fractional bits that hold `x` exactly, by hls4ml's bisection over
/// (-32, 32] (so 0 gives -31 and an integer with trailing zero bits a negative count).
pub fn minimal_f(x: f64) -> i32 {
    let (mut low, mut high) = (-32i32, 32i32);
    while low < high - 1 {
        let mid = (low + high).div_euclid(2);
        let scaled = x * 2f64.powi(mid);
        // numpy's `scaled != scaled.astype(int64)`: a fractional part left
        if scaled != scaled.trunc() {
            low = mid;
        } else {
            high = mid;
        }
    }
    high
}

/// `minimal_kif` of one constant: the smallest (k, i, f) that holds it exactly (0 for 0).
pub fn minimal_kif(x: f64) -> (i32, i32, i32) {
    if x == 0.0 {
        return (0, 0, 0);
    }
    let f = minimal_f(x);
    let i = (x + 2f64.powi(-f)).max(-x).log2().ceil() as i32;
    (i32::from(x < 0.0), i, f)
}

/// The maximum of each of `minimal_kif`'s k, i and f over a constant array (a weight's type):
/// numpy's `max`, so a negative i (every element below 0.5 in magnitude) stays negative, e.g.
/// `ap_ufixed<3,-1>` for 0.25, 0.3125 and 0.125. (0, 0, 0) for an empty array.
pub fn minimal_kif_ints(data: &[f64]) -> (i32, i32, i32) {
    data.iter()
        .map(|&x| minimal_kif(x))
        .reduce(|a, b| (a.0.max(b.0), a.1.max(b.1), a.2.max(b.2)))
        .unwrap_or((0, 0, 0))
}

/// `QIntervalArray`: per element the smallest and largest value and the quantization step.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    pub min: Vec<f64>,
    pub max: Vec<f64>,
    pub delta: Vec<f64>,
}

impl Interval {
    /// `QIntervalArray.from_kif`: [-2^i·k, 2^i - 2^-f] in steps of 2^-f.
    pub fn from_kif(kif: &Kif) -> Interval {
        let n = kif.len();
        let (mut min, mut max, mut delta) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for e in 0..n {
            let (k, i, f) = (kif.k[e], kif.i[e], kif.f[e]);
            min[e] = -(2f64.powi(i)) * f64::from(k);
            max[e] = 2f64.powi(i) - 2f64.powi(-f);
            delta[e] = 2f64.powi(-f);
        }
        Interval { min, max, delta }
    }

    /// `QIntervalArray.to_kif`: f from the step, i from the larger magnitude, k from the sign of
    /// the minimum; an interval that is exactly 0 gives (0, 0, 0).
    pub fn to_kif(&self) -> Kif {
        let n = self.min.len();
        let mut out = Kif {
            k: vec![0; n],
            i: vec![0; n],
            f: vec![0; n],
        };
        for e in 0..n {
            // numpy: -(log2(delta).astype(int16)), a truncation of an exact power of two
            let f = -(self.delta[e].log2().trunc() as i32);
            let i = (self.max[e] + 2f64.powi(-f))
                .max(-self.min[e])
                .log2()
                .ceil() as i32;
            out.k[e] = i32::from(self.min[e] < 0.0);
            if self.max[e] == 0.0 && self.min[e] == 0.0 {
                continue;
            }
            out.i[e] = i;
            out.f[e] = f;
        }
        out
    }

    /// `qint @ kernel + bias` of hls4ml's Dense rule: `kernel` is `n_in x n_out` in C order.
    /// Each output sums the smaller and the larger end of every product; its step is the
    /// smallest nonzero step of the products (an input step times 2^-minimal_f(weight)), and
    /// the bias widens it to its own `2^-minimal_f`.
    pub fn dense(&self, kernel: &[f64], bias: Option<&[f64]>, n_out: usize) -> Interval {
        let n_in = self.min.len();
        let mut out = Interval {
            min: vec![0.0; n_out],
            max: vec![0.0; n_out],
            delta: vec![f64::INFINITY; n_out],
        };
        for j in 0..n_out {
            for i in 0..n_in {
                let w = kernel[i * n_out + j];
                let (v1, v2) = (self.min[i] * w, self.max[i] * w);
                out.min[j] += v1.min(v2);
                out.max[j] += v1.max(v2);
                let d = self.delta[i] * 2f64.powi(-minimal_f(w));
                if d != 0.0 {
                    out.delta[j] = out.delta[j].min(d);
                }
            }
            if let Some(b) = bias {
                out.min[j] += b[j];
                out.max[j] += b[j];
                out.delta[j] = out.delta[j].min(2f64.powi(-minimal_f(b[j])));
            }
        }
        out
    }
}

/// An HGQ2 quantizer's round and overflow modes as hls4ml keeps them (`RND`, `SAT`; the `S_`
/// prefix of stochastic rounding dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantizerModes {
    pub round: String,
    pub overflow: String,
}

/// A fixed-point quantizer node (`FixedPointQuantizer`): its per-element mask `(k, i, f)` and
/// modes.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantizer {
    pub mask: Kif,
    pub modes: QuantizerModes,
}

impl Quantizer {
    /// `produce_kif` of a quantizer fed by `input` (what its input can carry): each element's
    /// bits shrunk to what the input can have, one integer bit added back where rounding can
    /// carry into it; under WRAP the bounds are kept unless the quantizer's range covers the
    /// input's; elements of no bits are (0, 0, 0). The returned triple is also the quantizer's
    /// new mask (hls4ml rewrites `mask_kbi`).
    pub fn produce(&self, input: &Kif) -> Kif {
        let m = &self.mask;
        let n = m.len();
        let mut out = Kif {
            k: vec![0; n],
            i: vec![0; n],
            f: vec![0; n],
        };
        let saturating = matches!(self.modes.overflow.as_str(), "SAT" | "SAT_SM");
        for e in 0..n {
            let (k, i, f) = (m.k[e], m.i[e], m.f[e]);
            let (lk, li, lf) = (input.k[e], input.i[e], input.f[e]);
            let (nk, mut ni, nf) = (k.min(lk), i.min(li), f.min(lf));
            let carry = lf > f && i > li && (self.modes.round != "TRN" || k != 0);
            ni += i32::from(carry);
            let (rk, ri, rf) = if saturating {
                (nk, ni, nf)
            } else {
                let covers =
                    2f64.powi(i) - 2f64.powi(-f) >= 2f64.powi(li) - 2f64.powi(-lf) && k >= lk;
                if covers {
                    (nk, ni, nf)
                } else {
                    (k, i, f)
                }
            };
            if rk + ri + rf > 0 {
                out.k[e] = rk;
                out.i[e] = ri;
                out.f[e] = rf;
            }
        }
        out
    }

    /// `_request_kif` of a quantizer (after its mask was shrunk): what its input needs to be
    /// carried exactly. Saturating modes need every integer bit (k 1, i 126); RND needs one
    /// more fractional bit, TRN none, any other rounding all (f 126).
    pub fn request(&self, mask: &Kif) -> Kif {
        let mut r = mask.clone();
        for e in 0..r.len() {
            if self.modes.overflow != "WRAP" {
                r.k[e] = 1;
                r.i[e] = UNBOUNDED;
            }
            match self.modes.round.as_str() {
                "TRN" => {}
                "RND" => r.f[e] += 1,
                _ => r.f[e] = UNBOUNDED,
            }
        }
        r
    }

    /// The per-element C++ casts hls4ml's `generate_mask_fn` writes for this (shrunk) mask:
    /// `ap_[u]fixed<B,I,AP_<RND>,AP_<SAT>>`, or `0` where an element has no bits.
    pub fn element_types(&self, mask: &Kif) -> Vec<Option<String>> {
        (0..mask.len())
            .map(|e| {
                let (k, i, f) = (mask.k[e], mask.i[e], mask.f[e]);
                let b = k + i + f;
                (b != 0).then(|| {
                    let u = if k == 0 { "u" } else { "" };
                    format!(
                        "ap_{u}fixed<{b},{},AP_{},AP_{}>",
                        k + i,
                        self.modes.round,
                        self.modes.overflow
                    )
                })
            })
            .collect()
    }
}

/// `default_register_precision`'s result type of a node: per element the smaller of what it
/// produces and what its consumers request (k the request's alone where a non-saturating
/// quantizer requests it), then the maxima over the elements.
pub fn register(produced: &Kif, requested: &Kif, by_wrapping_quantizer: bool) -> FixedKif {
    let mut o = produced.min(requested);
    if by_wrapping_quantizer {
        o.k = requested.k.clone();
    }
    let (k, i, f) = o.max_ints();
    FixedKif::from_kif(k, i, f)
}

/// HGQ2's quantization of one weight (`FixedPointQuantizerBase.call` at inference, in float32
/// as Keras computes it): i raised to at least -f; a non-WRAP mode saturates first (SAT: to
/// [-2^i·k, 2^i - 2^-f]; SAT_SYM: to ±(2^i - 2^-f), the minimum times k), then x·2^f is
/// rounded (RND: floor(x + 0.5); TRN: floor) and scaled back; WRAP wraps after rounding; an
/// element of k+i+f <= 0 bits is 0. Other modes are refused (`None`).
pub fn quantize(x: f32, k: i32, i: i32, f: i32, modes: &QuantizerModes) -> Option<f32> {
    let p = |e: i32| 2f32.powi(e);
    let ie = i.max(-f);
    let (kf, eps) = (k as f32, p(-f));
    let round = |v: f32| -> Option<f32> {
        let scaled = v * p(f);
        let r = match modes.round.as_str() {
            "RND" => (scaled + 0.5).floor(),
            "TRN" => scaled.floor(),
            _ => return None,
        };
        Some(r / p(f))
    };
    let clip = |v: f32, lo: f32, hi: f32| {
        if v > hi {
            hi
        } else if v < lo {
            lo
        } else {
            v
        }
    };
    let q = match modes.overflow.as_str() {
        "SAT" => round(clip(x, -p(ie) * kf, p(ie) - eps))?,
        "SAT_SYM" => {
            let hi = p(ie) - eps;
            round(clip(x, -hi * kf, hi))?
        }
        "WRAP" => {
            let r = round(x)?;
            let bk = ie as f32 + kf;
            let bias = kf * 2f32.powf(bk - 1.0);
            let m = 2f32.powf(bk);
            // Python's % (the sign of the divisor)
            (r + bias).rem_euclid(m) - bias
        }
        _ => return None,
    };
    Some(if k + i + f > 0 { q } else { 0.0 })
}

#[cfg(test)]
mod tests {
    use super::minimal_kif_ints;

    /// Hand-derived from hls4ml's `minimal_kif` and `kif_arrs_to_ints` (numpy `max`): d2's bias
    /// of tests/fixtures/hgq1/hdense2, which hls4ml types `ap_ufixed<3,-1>` (i stays -1).
    #[test]
    fn a_weight_below_one_half_keeps_a_negative_integer_count() {
        // 0.25 -> (0,-1,2), 0.3125 -> (0,-1,4), 0.125 -> (0,-2,3)
        assert_eq!(minimal_kif_ints(&[0.25, 0.3125, 0.125]), (0, -1, 4));
        // a zero is (0,0,0), so it lifts i to 0
        assert_eq!(minimal_kif_ints(&[0.25, 0.0]), (0, 0, 2));
        assert_eq!(minimal_kif_ints(&[]), (0, 0, 0));
    }
}
