//! The f64 arithmetic the simulated algorithms do on fast-memory tiles (scores with the mask,
//! online-softmax updates, tile products), the naive reference attention, and seeded random
//! inputs for tests.

use super::{Buf, Inputs, Matrix};
use crate::attention::shape::Problem;

/// `s[r][c] = scale · q_r·k_c` for allowed (row, key) pairs, −∞ for masked ones. `q` holds rows
/// from `r0`, `k` keys from `c0`.
pub fn scores(p: &Problem, q: &Buf, k: &Buf, s: &mut Buf, r0: usize, c0: usize) {
    let scale = 1.0 / (p.d_qk as f64).sqrt();
    for r in 0..q.rows {
        for c in 0..k.rows {
            *s.at_mut(r, c) = if p.allowed(r0 + r, c0 + c) {
                scale * dot(q.row(r), k.row(c))
            } else {
                f64::NEG_INFINITY
            };
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `acc += a · bᵀ` (a: ρ×s, b: κ×s, acc: ρ×κ).
pub fn add_abt(acc: &mut Buf, a: &Buf, b: &Buf) {
    for r in 0..a.rows {
        for c in 0..b.rows {
            *acc.at_mut(r, c) += dot(a.row(r), b.row(c));
        }
    }
}

/// `acc += a · b` (a: ρ×s, b: s×τ, acc: ρ×τ).
pub fn add_ab(acc: &mut Buf, a: &Buf, b: &Buf) {
    for r in 0..a.rows {
        for k in 0..a.cols {
            let x = a.at(r, k);
            if x != 0.0 {
                for (o, y) in acc.row_mut(r).iter_mut().zip(b.row(k)) {
                    *o += x * y;
                }
            }
        }
    }
}

/// Scales S by 1/√d_qk and masks it (after an accumulated product).
pub fn scale_mask(p: &Problem, s: &mut Buf, r0: usize, c0: usize) {
    let scale = 1.0 / (p.d_qk as f64).sqrt();
    for r in 0..s.rows {
        for c in 0..s.cols {
            let v = s.at_mut(r, c);
            *v = if p.allowed(r0 + r, c0 + c) {
                *v * scale
            } else {
                f64::NEG_INFINITY
            };
        }
    }
}

/// FlashAttention-2 inner step: with S for this K/V block, update the running max `mx`, sum
/// `sm` and unnormalised output `o` (`o ← e^{m−m'}o + exp(S−m')V`).
pub fn online_step(s: &mut Buf, v: &Buf, o: &mut Buf, mx: &mut Buf, sm: &mut Buf) {
    for r in 0..s.rows {
        let m_old = mx.data[r];
        let m_new = s.row(r).iter().copied().fold(m_old, f64::max);
        if m_new == f64::NEG_INFINITY {
            continue;
        }
        let alpha = (m_old - m_new).exp();
        let mut rowsum = 0.0;
        for x in s.row_mut(r) {
            *x = (*x - m_new).exp();
            rowsum += *x;
        }
        sm.data[r] = alpha * sm.data[r] + rowsum;
        mx.data[r] = m_new;
        for x in o.row_mut(r) {
            *x *= alpha;
        }
    }
    add_ab(o, s, v);
}

/// FlashAttention-1 inner step (Alg. 1 lines 9–12): O stays normalised between visits.
pub fn fa1_step(s: &mut Buf, v: &Buf, o: &mut Buf, mx: &mut Buf, sm: &mut Buf) {
    let mut pv = Buf {
        rows: s.rows,
        cols: o.cols,
        data: vec![0.0; s.rows * o.cols],
    };
    let mut tile_max = vec![f64::NEG_INFINITY; s.rows];
    let mut tile_sum = vec![0.0; s.rows];
    for r in 0..s.rows {
        tile_max[r] = s.row(r).iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for x in s.row_mut(r) {
            *x = if tile_max[r] == f64::NEG_INFINITY {
                0.0
            } else {
                (*x - tile_max[r]).exp()
            };
            tile_sum[r] += *x;
        }
    }
    add_ab(&mut pv, s, v);
    for r in 0..s.rows {
        let (m_old, l_old) = (mx.data[r], sm.data[r]);
        let m_new = m_old.max(tile_max[r]);
        if m_new == f64::NEG_INFINITY {
            continue;
        }
        let (a_old, a_new) = ((m_old - m_new).exp(), (tile_max[r] - m_new).exp());
        let l_new = a_old * l_old + a_new * tile_sum[r];
        for (x, y) in o.row_mut(r).iter_mut().zip(pv.row(r)) {
            *x = (l_old * a_old * *x + a_new * y) / l_new;
        }
        mx.data[r] = m_new;
        sm.data[r] = l_new;
    }
}

/// Naive softmax attention in f64: the reference every algorithm must reproduce.
pub fn naive(p: &Problem, inp: &Inputs) -> Matrix {
    let scale = 1.0 / (p.d_qk as f64).sqrt();
    let mut out = Matrix::zeros(p.rows, p.d_v);
    for r in 0..p.rows {
        let q = &inp.q.data[r * p.d_qk..(r + 1) * p.d_qk];
        let s: Vec<f64> = (0..p.keys)
            .map(|j| {
                if p.allowed(r, j) {
                    scale * dot(q, &inp.k.data[j * p.d_qk..(j + 1) * p.d_qk])
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = s.iter().map(|x| (x - m).exp()).collect();
        let z: f64 = e.iter().sum();
        for (j, w) in e.iter().enumerate() {
            for c in 0..p.d_v {
                out.data[r * p.d_v + c] += w / z * inp.v.data[j * p.d_v + c];
            }
        }
    }
    out
}

/// Deterministic inputs uniform in [−scale, scale) (xorshift64*), for tests.
pub fn random_inputs(p: &Problem, seed: u64, scale: f64) -> Inputs {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let x = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        scale * (2.0 * (x as f64 / (1u64 << 53) as f64) - 1.0)
    };
    let mut mat = |rows: usize, cols: usize| Matrix {
        rows,
        cols,
        data: (0..rows * cols).map(|_| next()).collect(),
    };
    Inputs {
        q: mat(p.rows, p.d_qk),
        k: mat(p.keys, p.d_qk),
        v: mat(p.keys, p.d_v),
    }
}
