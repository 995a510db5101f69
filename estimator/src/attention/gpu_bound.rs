//! The time bound of a FlashAttention-order kernel on a GPU with a given tile: the per-unit
//! compute ceilings ([`super::units`]), the parallelism of thread blocks over SMs, the
//! three-level memory traffic ([`super::l2`]) and a launch floor.
//!
//! **Parallelism (wave quantisation).** A thread block (one row block of one problem, or one
//! split of its keys) runs on one SM. With n blocks on P SMs some SM runs at least ⌈n/P⌉ of
//! them (pigeonhole), so for every unit u the time is at least the sum of the ⌈n/P⌉ smallest
//! blocks' u-work at one SM's u-rate; more generally ([`parallel_bound`]) some SM runs k of the
//! (k−1)·P + 1 largest blocks (k = 1: the largest block alone). This holds for any schedule, persistent kernels
//! included; it is what makes B=1, H=1, N=4096 (32 blocks of 128 rows for 132 SMs) cost 4× its
//! FLOP count at peak. A tail wave costs the same way: 133 equal blocks take two blocks' time.
//! Split-KV (flash-decoding) cuts a row block's keys into s chunks; FlashAttention-2/-3 split
//! when the grid is small (`num_splits_heuristic`), which the kernel view models as
//! s = min(⌈P / blocks⌉, K/V blocks, 128) when blocks < 0.8·P.
//!
//! **Occupancy.** Blocks per SM = min(⌊SMEM per SM / tile SMEM⌋, ⌊registers / accumulator
//! registers⌋, 32); a wave is P × that many blocks, the unit of the L2 model.
//!
//! **Instruction path.** The kernel view bounds a kernel's products by the rate of the
//! tensor-core instruction it issues ([`super::mma_path`]): FlashAttention-2's `mma.sync`
//! reaches about 2/3 of the Hopper peak that FlashAttention-3's `wgmma` reaches.
//!
//! **Kernel view: whole tiles and shared memory.** A kernel computes whole tiles (its MMA
//! shape is fixed at compile time; masked scores still go through the exponential), so the
//! kernel view counts Br × (live K/V blocks) × Bc scores per row block, and where the kernel's
//! SMEM operand path is known ([`super::smem_path`]) the bytes its matrix instructions read
//! from shared memory, bounded by the SMEM bandwidth like any other unit.
//!
//! **Launch floor.** A call is one kernel launch: its time is at least [`LAUNCH_FLOOR_S`],
//! which is what bounds a decode step that moves a few MB.

use serde::Serialize;

use super::algorithms::Tile;
use super::l2::{flash2_l2, row_blocks, L2Traffic};
use super::roofline::TargetSpec;
use super::shape::{AttentionShape, Problem};
use super::smem_path::{operands, SmemOperands};
use super::tiles::TileLimits;
use super::units::{UnitTimes, Work};

/// Dispatch of one kernel launched through a CUDA graph, measured at about 1.8 µs on a B200
/// (a 24 µs kernel took 25.8 µs end to end; dogacel.github.io, "Four counter-intuitive lessons
/// from deep-diving GPU kernel dispatch overhead", 2026-03-14). Direct launches cost more
/// (4–6 µs, susun-blog.com "pegainfer (3)"), so this is a floor, not an estimate.
pub const LAUNCH_FLOOR_S: f64 = 1.8e-6;

/// Waves up to which [`parallel_bound`] tries every k.
pub const PIGEONHOLE_ALL_K: u64 = 1 << 16;

/// Most resident blocks per SM (CUDA: 32 on compute capability 8.0 and 9.0).
const MAX_BLOCKS_PER_SM: u64 = 32;

/// The bound of one kernel configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuBound {
    pub br: usize,
    pub bc: usize,
    /// Key splits per row block (1 = no split-KV).
    pub splits: usize,
    pub thread_blocks: u64,
    pub blocks_per_sm: u64,
    /// Thread blocks / (SMs × blocks per SM).
    pub waves: f64,
    pub smem_bytes: u64,
    pub accumulator_registers: u64,
    /// Whole-device unit times (perfect balance).
    pub units: UnitTimes,
    /// Pigeonhole bound over SMs.
    pub parallel_s: f64,
    pub hbm_bytes: f64,
    /// Bytes of K/V re-reads that L2 serves.
    pub l2_hit_bytes: f64,
    /// What the two-level model (no L2) would move.
    pub two_level_bytes: f64,
    pub memory_s: f64,
    pub launch_floor_s: f64,
    pub time_s: f64,
    pub attainable_flops: f64,
    /// "tensor", "exp", "fp32", "smem", "parallelism", "memory" or "launch".
    pub binding: String,
    /// The matrix rate the bound used (the dense peak, or the kernel's instruction ceiling).
    pub mma_flops_per_s: f64,
    /// The kernel's tensor-core instruction where the kernel view knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
}

/// What the kernel view knows of a kernel beyond its tile.
#[derive(Debug, Clone, Copy, Default)]
pub struct KernelModel {
    /// The kernel computes whole tiles: a partial last row or key block and the masked part of
    /// a causal diagonal block cost as much as a full one (the MMA shape is fixed at compile
    /// time and the mask is applied to the accumulators, whose exponentials still run).
    pub full_tiles: bool,
    /// How its matrix instructions read shared memory, where known.
    pub smem: Option<&'static SmemOperands>,
    /// Bytes per element of the O it writes, where it differs from the input type (FA3
    /// writes BF16 for FP8 inputs).
    pub out_bytes: Option<f64>,
    /// Bytes per element of the log-sum-exp it writes (FP32 in FA2/FA3).
    pub lse_bytes: Option<f64>,
}

/// Per row block of one problem: (unit work, live K/V blocks). Without a kernel model the
/// work is that of the unmasked pairs alone (what any kernel must do).
fn block_work(p: &Problem, t: Tile, model: KernelModel) -> Vec<(Work, usize)> {
    let rb = row_blocks(p, t);
    let mut out = Vec::with_capacity(rb.len());
    let mut r0 = 0;
    for &(rho, live) in &rb {
        let (rows, pairs) = if model.full_tiles {
            (t.a, (t.a * live * t.b) as u64)
        } else {
            (rho, p.pairs_in_rows(r0, rho))
        };
        let flops = 2.0 * (p.d_qk + p.d_v) as f64 * pairs as f64;
        let mut w = Work::attention(flops, pairs as f64, (rows * live) as f64, p.d_v);
        if let Some(ops) = model.smem {
            w.smem_bytes = live as f64 * ops.step_bytes(p, t);
        }
        out.push((w, live));
        r0 += rho;
    }
    out
}

/// The pigeonhole bound over `sms` (P) SMs of thread blocks `items` = (work, count): among the
/// (k−1)·P + 1 largest blocks some SM runs at least k, so for each unit the time is at least
/// the k smallest of those blocks' work at one SM's rate — k = 1: the largest block; equal
/// blocks: ⌈n/P⌉ of them (the tail wave); a variable-length batch: its long sequences' blocks
/// however the short ones fill in. The largest unit time over k is returned (every k when
/// ⌈n/P⌉ ≤ [`PIGEONHOLE_ALL_K`], else the first ones, then doubling, then the last: each k
/// alone is a bound). Holds for any schedule, persistent kernels included.
pub fn parallel_bound(items: &[(Work, u64)], sms: u64, units: &super::units::Units) -> f64 {
    let sms = sms.max(1);
    let n: u64 = items.iter().map(|i| i.1).sum();
    if n == 0 {
        return 0.0;
    }
    let unit = |f: &dyn Fn(&Work) -> f64| -> f64 {
        // Groups by descending work with cumulative counts, so a rank range sums in O(log).
        let mut v: Vec<(f64, u64)> = items.iter().map(|(w, m)| (f(w), *m)).collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut ends = Vec::with_capacity(v.len());
        let mut acc_n = 0u64;
        let mut acc_w = 0.0f64;
        let mut prefix_w = Vec::with_capacity(v.len());
        for &(x, m) in &v {
            acc_n += m;
            acc_w += x * m as f64;
            ends.push(acc_n);
            prefix_w.push(acc_w);
        }
        // Work of the blocks at descending ranks 0..r.
        let top = |r: u64| -> f64 {
            if r == 0 {
                return 0.0;
            }
            let g = ends.partition_point(|&e| e < r);
            let before_n = if g == 0 { 0 } else { ends[g - 1] };
            let before_w = if g == 0 { 0.0 } else { prefix_w[g - 1] };
            before_w + v[g].0 * (r - before_n) as f64
        };
        let k_max = n.div_ceil(sms);
        let mut best = 0.0f64;
        let mut k = 1u64;
        while k <= k_max {
            let m = (k - 1) * sms + 1;
            best = best.max(top(m) - top(m - k));
            k = if k_max <= PIGEONHOLE_ALL_K || k < PIGEONHOLE_ALL_K || k == k_max {
                k + 1
            } else {
                (k * 2).min(k_max)
            };
        }
        best * sms as f64
    };
    [
        Work {
            mma_flops: unit(&|w| w.mma_flops),
            ..Work::default()
        },
        Work {
            exps: unit(&|w| w.exps),
            ..Work::default()
        },
        Work {
            fp32_ops: unit(&|w| w.fp32_ops),
            ..Work::default()
        },
        Work {
            smem_bytes: unit(&|w| w.smem_bytes),
            ..Work::default()
        },
    ]
    .iter()
    .map(|w| units.times(w).compute_s)
    .fold(0.0, f64::max)
}

/// Splits FlashAttention's heuristic would choose (see the module doc).
pub fn kernel_splits(blocks: u64, sms: u32, kv_blocks: usize) -> usize {
    let p = u64::from(sms);
    if (blocks as f64) >= 0.8 * p as f64 {
        return 1;
    }
    (p.div_ceil(blocks.max(1)) as usize).clamp(1, kv_blocks.clamp(1, 128))
}

/// The bound of `shape` with tile `t` and `splits` key splits (`None`: FlashAttention's
/// heuristic). `None` when `spec` is not a GPU.
pub fn gpu_bound(
    shape: &AttentionShape,
    spec: &TargetSpec,
    t: Tile,
    splits: Option<usize>,
    launch_floor_s: f64,
) -> Option<GpuBound> {
    gpu_bound_with(
        shape,
        spec,
        t,
        splits,
        launch_floor_s,
        KernelModel::default(),
    )
}

/// [`gpu_bound`] for a kernel known beyond its tile ([`KernelModel`]).
pub fn gpu_bound_with(
    shape: &AttentionShape,
    spec: &TargetSpec,
    t: Tile,
    splits: Option<usize>,
    launch_floor_s: f64,
    model: KernelModel,
) -> Option<GpuBound> {
    let g = spec.gpu.as_ref()?;
    let p = shape.problem();
    let k = shape.problems();
    let limits = TileLimits::for_gpu(g, shape.dtype);
    let works = block_work(&p, t, model);
    let row_blocks_total = k * works.len() as u64;
    let max_live = works.iter().map(|w| w.1).max().unwrap_or(1);
    let s = splits
        .unwrap_or_else(|| kernel_splits(row_blocks_total, g.sms, max_live))
        .max(1);
    // Items: each row block cut into min(s, live) equal chunks, `k` times over.
    let mut items: Vec<(Work, u64)> = Vec::new();
    let mut total = Work::default();
    let mut n_items = 0u64;
    for (w, live) in &works {
        let c = s.min((*live).max(1));
        items.push((w.scaled(1.0 / c as f64), c as u64 * k));
        n_items += c as u64 * k;
        total.add(&w.scaled(k as f64));
    }
    let sms = u64::from(g.sms);
    let parallel_s = parallel_bound(&items, sms, &spec.units);
    let units = spec.units.times(&total);
    let smem = limits.smem(&p, t);
    let acc = limits.acc_regs(&p, t);
    let by_smem = (g.smem_per_sm_bytes / smem.max(1)).max(1);
    let by_regs = g
        .regs_per_sm
        .map_or(MAX_BLOCKS_PER_SM, |r| (r / acc.max(1)).max(1));
    let blocks_per_sm = by_smem.min(by_regs).min(MAX_BLOCKS_PER_SM);
    let wave = (sms * blocks_per_sm) as usize;
    let elem = shape.dtype.bytes() as f64;
    let kv_elem = shape.kv_bytes();
    let l2_words = (g.l2_bytes.unwrap_or(0) as f64 / kv_elem) as u64;
    let tr: L2Traffic = if s == 1 {
        flash2_l2(&p, k, t, wave, l2_words)
    } else {
        // Split-KV: each split reads its own keys once and Q again; partial outputs ignored.
        let kv: u64 = (p.keys * (p.d_qk + p.d_v)) as u64 * k;
        L2Traffic {
            hbm_reads: (p.rows * p.d_qk * s) as u64 * k + kv,
            hbm_writes: (p.rows * (p.d_v + 1)) as u64 * k,
            l2_hits: 0,
            kv_requested: kv,
            waves: n_items.div_ceil(wave as u64),
            exact: true,
        }
    };
    // Q is read once per split; the rest of the reads are K/V, in the cache's element type.
    let q_words = (p.rows * p.d_qk * s) as u64 * k;
    let kv_words = tr.hbm_reads - q_words;
    // Writes: O (rows × d_v) and the log-sum-exp (the rest), each in the kernel's own type.
    let o_words = ((p.rows * p.d_v) as u64 * k).min(tr.hbm_writes);
    let lse_words = tr.hbm_writes - o_words;
    let hbm_bytes = q_words as f64 * elem
        + o_words as f64 * model.out_bytes.unwrap_or(elem)
        + lse_words as f64 * model.lse_bytes.unwrap_or(elem)
        + kv_words as f64 * kv_elem;
    let two_level = hbm_bytes + tr.l2_hits as f64 * kv_elem;
    let memory_s = hbm_bytes / spec.bandwidth_bytes_per_s;
    let candidates = [
        (units.compute_s, units.binding),
        (parallel_s, "parallelism"),
        (memory_s, "memory"),
        (launch_floor_s, "launch"),
    ];
    let (time_s, binding) = candidates.into_iter().fold((0.0, "tensor"), |a, b| {
        if b.0 > a.0 * (1.0 + 1e-12) {
            b
        } else {
            a
        }
    });
    Some(GpuBound {
        br: t.a,
        bc: t.b,
        splits: s,
        thread_blocks: n_items,
        blocks_per_sm,
        waves: n_items as f64 / wave as f64,
        smem_bytes: smem,
        accumulator_registers: acc,
        units,
        parallel_s,
        hbm_bytes,
        l2_hit_bytes: tr.l2_hits as f64 * kv_elem,
        two_level_bytes: two_level,
        memory_s,
        launch_floor_s,
        time_s,
        attainable_flops: total.mma_flops / time_s,
        binding: binding.to_string(),
        mma_flops_per_s: spec.units.peak_flops(),
        instruction: None,
    })
}

/// The kernel view: the tile `kernel` launches for this shape on this GPU, with the matrix
/// rate of the instruction it issues there, or `None` where it does not run (see
/// `estimator/data/attention_kernel_tiles.csv` and `attention_mma_paths.csv`).
pub fn kernel_bound(
    kernel: &str,
    shape: &AttentionShape,
    spec: &TargetSpec,
    launch_floor_s: f64,
) -> Option<GpuBound> {
    let g = spec.gpu.as_ref()?;
    let d = shape.d_qk.max(shape.d_v);
    let t = super::tiles::kernel_tile(kernel, &g.arch, shape.dtype, d, shape.causal)?;
    let (scaled, path) = super::mma_path::kernel_spec(kernel, spec);
    // flash_api.cpp (csrc/flash_attn and hopper/): softmax_lse is allocated as at::kFloat, and
    // FA3's `out_type = q_type == Float8_e4m3fn ? BFloat16 : q_type`.
    let model = KernelModel {
        full_tiles: true,
        smem: operands(kernel, &g.arch, shape.dtype, d, shape.causal),
        out_bytes: (kernel == "fa3" && shape.dtype.bytes() == 1).then_some(2.0),
        lse_bytes: Some(4.0),
    };
    let mut b = gpu_bound_with(shape, &scaled, t, None, launch_floor_s, model)?;
    b.instruction = path.map(|p| p.instruction.clone());
    Some(b)
}

/// The fastest tile any FlashAttention-order kernel can run under `TileLimits` (FP32
/// accumulators, registers, MMA granularity, SMEM per block), trying no split and the finest
/// split of the keys; ties go to fewer HBM bytes, then fewer bytes without L2. `None` off GPUs or when no tile fits.
pub fn best_constrained(
    shape: &AttentionShape,
    spec: &TargetSpec,
    launch_floor_s: f64,
) -> Option<GpuBound> {
    let g = spec.gpu.as_ref()?;
    let p = shape.problem();
    let limits = TileLimits::for_gpu(g, shape.dtype);
    let mut best: Option<GpuBound> = None;
    for t in limits.candidates(&p) {
        let kv_blocks = p.keys.div_ceil(t.b);
        for s in [1, kv_blocks.min(128)] {
            let Some(b) = gpu_bound(shape, spec, t, Some(s), launch_floor_s) else {
                continue;
            };
            let better = best.as_ref().is_none_or(|x| {
                (b.time_s, b.hbm_bytes, b.two_level_bytes)
                    < (x.time_s, x.hbm_bytes, x.two_level_bytes)
            });
            if better {
                best = Some(b);
            }
        }
    }
    best
}
