//! FlashAttention-2 (Dao 2023, Alg. 1) word counts: for each row block i, Q_i is read once,
//! each live K_j/V_j block is read, and O_i plus the row log-sum-exp are written once.
//!
//! reads = Σ_i ρ_i·d_qk + E_i·(d_qk+d_v), writes = R·(d_v + 1).

use super::{row_blocks, Tile, Traffic};
use crate::attention::shape::Problem;

pub fn traffic(p: &Problem, t: Tile) -> Traffic {
    let mut tr = Traffic::default();
    for (rho, e) in row_blocks(p, t.a, t.b) {
        tr.add(rho * p.d_qk + e * (p.d_qk + p.d_v), rho * (p.d_v + 1));
    }
    tr
}
