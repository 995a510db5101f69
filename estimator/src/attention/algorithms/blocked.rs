//! The blocked algorithm for small fast memory (M < d², Saha & Ye): S = QKᵀ and O = PV as
//! square-tiled matrix products (t×t output tiles accumulated over k-chunks of width s), with
//! the row softmax between them. Live output tile (i, j) of S reads (ρ_i + κ_j)·d_qk words;
//! output tile (i, c) of O reads (ρ_i + τ_c)·E_i.
//!
//! reads = Σ_i (n_i·ρ_i + E_i)·d_qk + softmax_i + ρ_i·E_i·⌈d_v/t⌉ + E_i·d_v,
//! writes = Σ_i 2·ρ_i·E_i + ρ_i·d_v, with n_i = ⌈E_i/t⌉.

use super::{row_blocks, softmax_traffic, Tile, Traffic};
use crate::attention::shape::Problem;

pub fn traffic(p: &Problem, t: Tile, m: usize) -> Traffic {
    let tt = t.a.max(1);
    let mut tr = Traffic::default();
    for (rho, e) in row_blocks(p, tt, tt) {
        let n = e.div_ceil(tt);
        let (sm_r, sm_w) = softmax_traffic(rho, e, m);
        tr.add((n * rho + e) * p.d_qk, rho * e); // S = QKᵀ
        tr.add(sm_r, sm_w); // P = softmax(S)
        tr.add(rho * e * p.d_v.div_ceil(tt) + e * p.d_v, rho * p.d_v); // O = PV
    }
    tr
}

/// Output tile plus one k-chunk of each operand, for the larger of the two products.
pub fn footprint(p: &Problem, t: Tile) -> usize {
    let tr = t.a.min(p.rows);
    let (tc1, s1) = (t.a.min(p.keys), t.b.min(p.d_qk));
    let (tc3, s3) = (t.a.min(p.d_v), t.b.min(p.keys));
    let s_phase = tr * tc1 + s1 * (tr + tc1);
    let o_phase = tr * tc3 + s3 * (tr + tc3);
    s_phase.max(o_phase).max(3)
}
