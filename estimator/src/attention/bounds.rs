//! The I/O lower bound for exact attention in the two-level model (domain-notes §1.1):
//! Θ(min(N²d²/M, N²d/√M)) — N²d²/M for M ≥ d², N²d/√M for M < d² (Saha & Ye, ICML 2024) — and
//! the compulsory Ω(Nd) traffic: every input word read once and every output word written once.
//!
//! The asymptotic bound has no published constant, so the leading term is reported with
//! constant 1 (`R·L·d²/M` or `R·L·d/√M`, with d = min(d_qk, d_v) and, when causal, R·L replaced
//! by the number of unmasked pairs — an assumption, not from the paper). It is a yardstick for
//! ratios, not a proven floor; the proven floor we enforce is the compulsory traffic.

use serde::Serialize;

use super::shape::AttentionShape;

/// The lower bound for one attention call (all problems together), in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LowerBound {
    /// max(leading term, compulsory).
    pub words: f64,
    /// "M >= d^2: N^2 d^2 / M", "M < d^2: N^2 d / sqrt(M)" or "compulsory: Q+K+V read, O written".
    pub regime: String,
    /// The Saha–Ye leading term with constant 1.
    pub leading_term: f64,
    /// Q, K, V read once and O written once.
    pub compulsory: u64,
    /// The constant in front of the Θ term: 1, an assumption (no paper gives one), so
    /// `ratio_to_lower_bound` is a yardstick — FlashAttention-2 sits near 4 by construction.
    pub constant: f64,
}

pub fn lower_bound(shape: &AttentionShape, m: usize) -> LowerBound {
    let p = shape.problem();
    let k = shape.problems() as f64;
    let d = p.d_qk.min(p.d_v) as f64;
    let mf = m.max(1) as f64;
    let pairs = p.pairs() as f64;
    let (leading, which) = if mf >= d * d {
        (pairs * d * d / mf, "M >= d^2: N^2 d^2 / M")
    } else {
        (pairs * d / mf.sqrt(), "M < d^2: N^2 d / sqrt(M)")
    };
    let leading = leading * k;
    let compulsory = compulsory_words(shape);
    let (words, regime) = if leading >= compulsory as f64 {
        (leading, which.to_string())
    } else {
        (
            compulsory as f64,
            "compulsory: Q+K+V read, O written".to_string(),
        )
    };
    LowerBound {
        words,
        regime,
        leading_term: leading,
        compulsory,
        constant: 1.0,
    }
}

/// Q, K and V read once, O written once (every key is seen by the last query row).
pub fn compulsory_words(shape: &AttentionShape) -> u64 {
    let p = shape.problem();
    let per = p.rows * (p.d_qk + p.d_v) + p.keys * (p.d_qk + p.d_v);
    per as u64 * shape.problems()
}
