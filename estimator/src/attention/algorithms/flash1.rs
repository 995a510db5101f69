//! FlashAttention-1 (Dao et al. 2022, Alg. 1) word counts. The outer loop reads each live
//! K_j/V_j block once; the inner loop, for each row block live against it, reads Q_i and —
//! after its first visit — the running O_i, m_i, l_i, and writes O_i, m_i, l_i back.
//!
//! With n_i = ⌈E_i/Bc⌉ live blocks for row block i and E_last the extent of the last row:
//! reads = E_last·(d_qk+d_v) + Σ_i n_i·ρ_i·d_qk + (n_i − 1)·ρ_i·(d_v+2),
//! writes = Σ_i n_i·ρ_i·(d_v+2).

use super::{row_blocks, Tile, Traffic};
use crate::attention::shape::Problem;

pub fn traffic(p: &Problem, t: Tile) -> Traffic {
    let bc = t.b.max(1);
    let mut tr = Traffic::default();
    tr.add(p.extent(p.rows - 1, bc) * (p.d_qk + p.d_v), 0);
    for (rho, e) in row_blocks(p, t.a, bc) {
        let n = e.div_ceil(bc);
        tr.add(
            n * rho * p.d_qk + (n - 1) * rho * (p.d_v + 2),
            n * rho * (p.d_v + 2),
        );
    }
    tr
}
