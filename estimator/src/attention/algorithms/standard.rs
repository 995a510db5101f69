//! Standard attention (FlashAttention paper, Alg. 0) word counts, as three kernels:
//! 1. S = QKᵀ: per row block, Q_i read once, the live K_j blocks streamed, S tiles written;
//! 2. P = softmax(S) row by row (one or two read passes, see `softmax_traffic`);
//! 3. O = PV: per row block, P tiles and V_j blocks streamed into an O_i accumulator.
//!
//! reads = Σ_i ρ_i·d_qk + E_i·d_qk + softmax_i + ρ_i·E_i + E_i·d_v,
//! writes = Σ_i 2·ρ_i·E_i + ρ_i·d_v.

use super::{row_blocks, softmax_traffic, Tile, Traffic};
use crate::attention::shape::Problem;

pub fn traffic(p: &Problem, t: Tile, m: usize) -> Traffic {
    let mut tr = Traffic::default();
    for (rho, e) in row_blocks(p, t.a, t.b) {
        let (sm_r, sm_w) = softmax_traffic(rho, e, m);
        tr.add(rho * p.d_qk + e * p.d_qk, rho * e); // S = QKᵀ
        tr.add(sm_r, sm_w); // P = softmax(S)
        tr.add(rho * e + e * p.d_v, rho * p.d_v); // O = PV
    }
    tr
}

/// The larger of the two product phases; softmax always fits (it chunks rows to M − 2).
pub fn footprint(p: &Problem, t: Tile) -> usize {
    let (br, bc) = (t.a.min(p.rows), t.b.min(p.keys));
    let s_phase = br * p.d_qk + bc * p.d_qk + br * bc;
    let o_phase = br * p.d_v + br * bc + bc * p.d_v;
    s_phase.max(o_phase).max(3)
}
