//! A tiled f32 attention kernel for the host (FlashAttention-2 loop order, rayon over row
//! blocks) and the blocked f32 GEMM whose throughput the host roofline uses as its peak. Both
//! spend their time in the same inner product, [`dot`], so the GEMM peak is the ceiling of
//! the attention kernel's matrix products.

use rayon::prelude::*;

use super::shape::{blocks, Problem};

/// Inner product with eight independent partial sums (vectorises without fast-math).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        s += x * y;
    }
    s
}

/// C (m×n) = A (m×k) · Bᵀ (B is n×k), row-major, in 64×64 output blocks in parallel.
pub fn gemm_abt(a: &[f32], b: &[f32], m: usize, n: usize, k: usize) -> Vec<f32> {
    const T: usize = 64;
    let mut c = vec![0f32; m * n];
    c.par_chunks_mut(T * n).enumerate().for_each(|(bi, cblk)| {
        let r0 = bi * T;
        let rows = cblk.len() / n;
        for (c0, cols) in blocks(n, T) {
            for r in 0..rows {
                let ar = &a[(r0 + r) * k..(r0 + r + 1) * k];
                for j in c0..c0 + cols {
                    cblk[r * n + j] = dot(ar, &b[j * k..(j + 1) * k]);
                }
            }
        }
    });
    c
}

/// Attention in f32 for `problems` independent problems laid out problem-major:
/// q is problems×R×d_qk, k is problems×L×d_qk, v is problems×L×d_v; returns problems×R×d_v.
/// Row blocks of `br` rows run in parallel; K/V are streamed in blocks of `bc` keys with an
/// online softmax; PV uses the transposed V block so that both products are inner products.
pub fn attention_f32(
    p: &Problem,
    problems: usize,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    br: usize,
    bc: usize,
) -> Vec<f32> {
    let (r, l, dq, dv) = (p.rows, p.keys, p.d_qk, p.d_v);
    let mut out = vec![0f32; problems * r * dv];
    let scale = 1.0 / (dq as f32).sqrt();
    let blocks_per_problem = r.div_ceil(br);
    let jobs: Vec<(usize, usize, usize)> = (0..problems)
        .flat_map(|pi| blocks(r, br).map(move |(r0, rho)| (pi, r0, rho)))
        .collect();
    let results: Vec<Vec<f32>> = jobs
        .par_iter()
        .map(|&(pi, r0, rho)| {
            let qp = &q[pi * r * dq..];
            let kp = &k[pi * l * dq..];
            let vp = &v[pi * l * dv..];
            // Vᵀ of the current K/V block, contiguous (d_v × κ): strided slices of a whole Vᵀ
            // would alias in the cache when L is a power of two.
            let mut vtb = vec![0f32; dv * bc];
            let mut o = vec![0f32; rho * dv];
            let mut mx = vec![f32::NEG_INFINITY; rho];
            let mut sm = vec![0f32; rho];
            let mut s = vec![0f32; br * bc];
            for (c0, kap) in blocks(l, bc) {
                if !p.allowed(r0 + rho - 1, c0) {
                    break;
                }
                for i in 0..rho {
                    let qr = &qp[(r0 + i) * dq..(r0 + i + 1) * dq];
                    let limit = if p.causal { p.max_key(r0 + i) + 1 } else { l };
                    for j in 0..kap {
                        s[i * bc + j] = if c0 + j < limit {
                            scale * dot(qr, &kp[(c0 + j) * dq..(c0 + j + 1) * dq])
                        } else {
                            f32::NEG_INFINITY
                        };
                    }
                }
                for c in 0..kap {
                    for (j, x) in vp[(c0 + c) * dv..(c0 + c + 1) * dv].iter().enumerate() {
                        vtb[j * kap + c] = *x;
                    }
                }
                for i in 0..rho {
                    let row = &mut s[i * bc..i * bc + kap];
                    let m_new = row.iter().copied().fold(mx[i], f32::max);
                    let alpha = (mx[i] - m_new).exp();
                    let mut sum = 0.0;
                    for x in row.iter_mut() {
                        *x = (*x - m_new).exp();
                        sum += *x;
                    }
                    sm[i] = alpha * sm[i] + sum;
                    mx[i] = m_new;
                    let orow = &mut o[i * dv..(i + 1) * dv];
                    for (j, oj) in orow.iter_mut().enumerate() {
                        *oj = alpha * *oj + dot(row, &vtb[j * kap..(j + 1) * kap]);
                    }
                }
            }
            for i in 0..rho {
                let inv = 1.0 / sm[i];
                o[i * dv..(i + 1) * dv].iter_mut().for_each(|x| *x *= inv);
            }
            o
        })
        .collect();
    for (&(pi, r0, _), o) in jobs.iter().zip(results) {
        let at = (pi * r + r0) * dv;
        out[at..at + o.len()].copy_from_slice(&o);
    }
    debug_assert_eq!(jobs.len(), problems * blocks_per_problem);
    out
}
