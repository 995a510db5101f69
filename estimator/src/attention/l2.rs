//! The three-level memory model of a GPU running the FlashAttention-2 loop order:
//! HBM → L2 → shared memory/registers.
//!
//! Thread blocks (one per (problem, row block), row blocks fastest — FlashAttention's grid
//! order) run in waves of `wave` concurrent blocks (SMs × blocks per SM). Within a wave the
//! blocks advance in lockstep over the K/V blocks j; at step j every live block of problem q
//! reads the unit (q, j) = K_j and V_j (κ_j·(d_qk + d_v) words) through an LRU L2 of `C` words.
//! Q is read and O (with the log-sum-exp) written once per block, straight to HBM.
//!
//! HBM K/V words are counted exactly for that machine (the simulator in
//! [`super::simulator::hierarchy`] runs it access by access; the tests check equality):
//! - a unit larger than C is never kept: every live block reads it;
//! - otherwise, in a wave, the first block of q at step j misses unless q was also in the
//!   previous wave, was live at j there, and the LRU stack distance since that access fits:
//!   `D = t_j + Σ_{q'∈W_{w−1}} Σ_{j<j'<m(q',w−1)} t_j' + Σ_{q'∈W_w} Σ_{j'<min(j, m(q',w))} t_j' ≤ C`
//!   (units touched after step j of the previous wave and before step j of this one; a
//!   problem shared by two waves is the last of the first and the first of the second, so no
//!   other block at step j comes between). The other blocks of q at step j hit.
//!
//! The count takes one step per (wave, K/V block), about 60 ns each: quadratic in the sequence
//! length, and the best-tile search runs it for every tile it tries. Past [`MAX_EXACT_STEPS`]
//! per call (found by fuzzing `presynth attention`: a causal 2^22-key run took 114 s, 2^24
//! keys about half an hour; every published point and test case needs under 2^16 steps) the
//! K/V reads are the compulsory ones instead — each unit a block reads comes from HBM at least
//! once, so that count is never above the exact one and the time stays a lower bound.
//!
//! A wave's working set that fits in L2 therefore makes K/V cost one HBM read per problem
//! per pair of waves instead of one per row block — what turns FlashAttention-3's 128×176 tile
//! at N = 8448 from 18.6 GB of "HBM" traffic into about a tenth of it.

use serde::Serialize;

use super::algorithms::Tile;
use super::shape::{blocks, Problem};

/// HBM traffic of one attention call in the three-level model, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct L2Traffic {
    pub hbm_reads: u64,
    pub hbm_writes: u64,
    /// K/V words the blocks read that L2 served.
    pub l2_hits: u64,
    /// K/V words read by the blocks in all (the two-level count).
    pub kv_requested: u64,
    pub waves: u64,
    /// False when the count was past [`MAX_EXACT_STEPS`] and K/V reads are the compulsory ones.
    pub exact: bool,
}

/// Most (wave, K/V block) steps the exact count takes; see the module doc.
pub const MAX_EXACT_STEPS: u64 = 1 << 20;

/// Row blocks of one problem: (rows, live K/V blocks).
pub fn row_blocks(p: &Problem, t: Tile) -> Vec<(usize, usize)> {
    blocks(p.rows, t.a)
        .map(|(r0, rho)| (rho, p.extent(r0 + rho - 1, t.b).div_ceil(t.b)))
        .collect()
}

/// Words of unit j (K_j and V_j).
fn unit_words(p: &Problem, t: Tile) -> Vec<u64> {
    blocks(p.keys, t.b)
        .map(|(_, kap)| (kap * (p.d_qk + p.d_v)) as u64)
        .collect()
}

/// HBM words of `problems` identical problems with tile `t`, waves of `wave` blocks and an
/// L2 of `capacity` words.
pub fn flash2_l2(p: &Problem, problems: u64, t: Tile, wave: usize, capacity: u64) -> L2Traffic {
    flash2_l2_within(p, problems, t, wave, capacity, MAX_EXACT_STEPS)
}

/// [`flash2_l2`] with the exact count limited to `max_steps` steps.
pub fn flash2_l2_within(
    p: &Problem,
    problems: u64,
    t: Tile,
    wave: usize,
    capacity: u64,
    max_steps: u64,
) -> L2Traffic {
    let rb = row_blocks(p, t);
    let nb = rb.len() as u64;
    let tw = unit_words(p, t);
    let mut prefix = vec![0u64; tw.len() + 1];
    for (j, w) in tw.iter().enumerate() {
        prefix[j + 1] = prefix[j] + w;
    }
    let n = problems * nb;
    let wave = wave.max(1) as u64;
    let waves = n.div_ceil(wave);
    let q_words = (p.rows * p.d_qk) as u64 * problems;
    let o_words = (p.rows * (p.d_v + 1)) as u64 * problems;
    // Steps of the exact count: each wave visits each of its problems' live K/V blocks.
    let max_live = rb.iter().map(|b| b.1).max().unwrap_or(0) as u64;
    let steps = waves
        .saturating_add(problems)
        .saturating_mul(max_live.max(1));
    if steps > max_steps {
        // Compulsory: every unit some block reads, once per problem.
        let requested: u64 = rb.iter().map(|&(_, live)| prefix[live]).sum();
        let kv_req = requested.saturating_mul(problems);
        let kv_hbm = prefix[max_live as usize].saturating_mul(problems);
        return L2Traffic {
            hbm_reads: q_words + kv_hbm,
            hbm_writes: o_words,
            l2_hits: kv_req - kv_hbm,
            kv_requested: kv_req,
            waves,
            exact: false,
        };
    }
    // Per wave: the problems it touches with the range of their row blocks in it.
    let wave_problems = |w: u64| -> Vec<(u64, usize, usize)> {
        let (b0, b1) = (w * wave, ((w + 1) * wave).min(n));
        let (q0, q1) = (b0 / nb, (b1 - 1) / nb);
        (q0..=q1)
            .map(|q| {
                let lo = if q == q0 { (b0 % nb) as usize } else { 0 };
                let hi = if q == q1 {
                    ((b1 - 1) % nb) as usize
                } else {
                    nb as usize - 1
                };
                (q, lo, hi)
            })
            .collect()
    };
    // m(q, w): live steps of q's last block in the wave (live steps grow with the row).
    let live_max = |&(_, _, hi): &(u64, usize, usize)| rb[hi].1;
    let mut kv_hbm = 0u64;
    let mut kv_req = 0u64;
    let mut prev: Vec<(u64, usize, usize)> = Vec::new();
    for w in 0..waves {
        let cur = wave_problems(w);
        for (idx, e) in cur.iter().enumerate() {
            let (q, lo, hi) = *e;
            let m = live_max(e);
            for j in 0..m {
                // Live steps grow with the row block: count by bisection.
                let first = lo + rb[lo..=hi].partition_point(|b| b.1 <= j);
                let live = (hi + 1 - first) as u64;
                let tj = tw[j];
                kv_req += live * tj;
                if tj > capacity {
                    kv_hbm += live * tj;
                    continue;
                }
                let reused =
                    idx == 0 && prev.last().is_some_and(|pe| pe.0 == q && live_max(pe) > j) && {
                        let after: u64 = prev
                            .iter()
                            .map(|pe| {
                                let mq = live_max(pe);
                                if mq > j + 1 {
                                    prefix[mq] - prefix[j + 1]
                                } else {
                                    0
                                }
                            })
                            .sum();
                        let before: u64 = cur.iter().map(|ce| prefix[j.min(live_max(ce))]).sum();
                        tj + after + before <= capacity
                    };
                if !reused {
                    kv_hbm += tj;
                }
            }
        }
        prev = cur;
    }
    L2Traffic {
        hbm_reads: q_words + kv_hbm,
        hbm_writes: o_words,
        l2_hits: kv_req - kv_hbm,
        kv_requested: kv_req,
        waves,
        exact: true,
    }
}
