//! Serving workloads on a GPU: a batch of sequences of different lengths (variable-length
//! batches, as a serving engine packs prefill chunks and decode steps into one call), a
//! sliding attention window, and a paged K/V cache.
//!
//! **Sequences.** Sequence i has `q_len` queries against `kv_len` keys (decode: q_len = 1;
//! chunked prefill: q_len ≤ kv_len), each sequence with its own row blocks of Br packed rows
//! (GQA packing as in [`super::shape`]: `heads / kv_heads` query heads per K/V head, rows
//! position-major) — no row block spans two sequences, so every sequence pays its own partial
//! last block. Masks are bottom-right aligned: the query at position p of a sequence sees keys
//! up to `p + kv_len − q_len` when causal.
//!
//! **Sliding window** of w keys (causal only, FlashAttention's `window_size = (w − 1, 0)`): the
//! query at position p sees keys `max(0, hi − w + 1) ..= hi`, hi = p + kv_len − q_len. A row
//! block visits the K/V tiles (aligned at key 0, as the kernels align them) from the one
//! holding its first row's first key to the one holding its last row's last key.
//!
//! **Paged K/V** with pages of P tokens: the cache holds ⌈kv_len / P⌉ whole pages per sequence
//! (the capacity check counts them), and a kernel reads every page it touches whole — the last,
//! partial page included (vLLM's paged-attention kernel loads a block's tokens and masks those
//! past the context length). Without `page_size` the reads are the keys themselves.
//!
//! **The bound** is [`super::gpu_bound`]'s, generalised to unequal thread blocks: the compute
//! units on the whole work (overlap rule of [`super::units`]), the pigeonhole bound over SMs of
//! the per-sequence blocks ([`super::gpu_bound::parallel_bound`]: the largest block alone, or k
//! of the (k−1)·P + 1 largest), the launch floor, and memory = the compulsory HBM bytes: Q once
//! per key split, O and the log-sum-exp once, and each K/V word (or page) a sequence touches
//! once. Re-reads that L2 does not catch only add to the true traffic, so this stays a lower
//! bound for any mix of sequences (the exact three-level count of [`super::l2`] assumes
//! identical problems).

use serde::Serialize;

use super::algorithms::Tile;
use super::gpu_bound::{kernel_splits, parallel_bound};
use super::roofline::TargetSpec;
use super::shape::{blocks, Dtype};
use super::units::{UnitTimes, Work};
use super::AttentionError;

/// Most sequences in one batch.
pub const MAX_SEQS: usize = 1 << 20;
/// Largest head count or head dim of a serving batch.
pub const MAX_SERVING_DIM: usize = 1 << 16;
/// Most packed query rows per K/V head over the batch (2^26: a 64 M-token prefill).
pub const MAX_SERVING_ROWS: u128 = 1 << 26;

/// One sequence of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sequence {
    pub q_len: usize,
    pub kv_len: usize,
}

/// A serving batch: sequences of any lengths sharing heads, head dims and types.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServingBatch {
    pub seqs: Vec<Sequence>,
    pub heads: usize,
    pub kv_heads: usize,
    pub d_qk: usize,
    pub d_v: usize,
    pub causal: bool,
    /// Keys each query sees at most (sliding window, causal only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<usize>,
    /// Tokens per K/V cache page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<usize>,
    pub dtype: Dtype,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kv_dtype: Option<Dtype>,
}

impl ServingBatch {
    pub fn validate(&self) -> Result<(), AttentionError> {
        let bad = |field: &str, message: String| {
            Err(AttentionError::Input {
                field: field.into(),
                message,
            })
        };
        if self.seqs.is_empty() {
            return bad("seq_lens", "at least one sequence is needed".into());
        }
        if self.seqs.len() > MAX_SEQS {
            return bad(
                "seq_lens",
                format!("at most {MAX_SEQS} sequences, got {}", self.seqs.len()),
            );
        }
        for (field, v) in [
            ("heads", self.heads),
            ("kv_heads", self.kv_heads),
            ("d_qk", self.d_qk),
            ("d_v", self.d_v),
        ] {
            if v == 0 {
                return bad(field, "must be at least 1".into());
            }
            if v > MAX_SERVING_DIM {
                return bad(field, format!("must be at most {MAX_SERVING_DIM}, got {v}"));
            }
        }
        if !self.heads.is_multiple_of(self.kv_heads) {
            return bad(
                "kv_heads",
                format!(
                    "{} query heads cannot be grouped over {} kv heads",
                    self.heads, self.kv_heads
                ),
            );
        }
        for (i, s) in self.seqs.iter().enumerate() {
            if s.q_len == 0 || s.kv_len == 0 {
                return bad(
                    &format!("seq_lens[{i}]"),
                    "query and key lengths must be at least 1".into(),
                );
            }
            if s.q_len as u64 > super::shape::MAX_SEQ || s.kv_len as u64 > super::shape::MAX_SEQ {
                return bad(
                    &format!("seq_lens[{i}]"),
                    format!("lengths must be at most {}", super::shape::MAX_SEQ),
                );
            }
            if self.causal && s.kv_len < s.q_len {
                return bad(
                    &format!("seq_lens[{i}]"),
                    format!(
                        "causal attention needs kv_len ≥ q_len, got {} < {}",
                        s.kv_len, s.q_len
                    ),
                );
            }
        }
        // Every sequence's packed rows get their own row blocks and each query position is
        // visited once: keep both linear passes bounded.
        let rows: u128 = self
            .seqs
            .iter()
            .map(|q| q.q_len as u128 * (self.heads / self.kv_heads) as u128)
            .sum();
        if rows > MAX_SERVING_ROWS {
            return bad(
                "seq_lens",
                format!(
                    "{rows} packed query rows per K/V head (query heads per K/V head × Σ q_len), \
                     more than {MAX_SERVING_ROWS}"
                ),
            );
        }
        match self.window {
            Some(0) => return bad("window", "must be at least 1 key".into()),
            Some(_) if !self.causal => {
                return bad(
                    "window",
                    "a sliding window is modelled for causal attention only (--causal)".into(),
                )
            }
            _ => {}
        }
        if self.page_size == Some(0) {
            return bad("page_size", "must be at least 1 token".into());
        }
        Ok(())
    }

    fn group(&self) -> usize {
        self.heads / self.kv_heads.max(1)
    }

    /// Keys `lo ..= hi` the query at position `p` of `s` sees.
    pub fn key_range(&self, s: &Sequence, p: usize) -> (usize, usize) {
        let hi = if self.causal {
            p + s.kv_len - s.q_len
        } else {
            s.kv_len - 1
        };
        let lo = self.window.map_or(0, |w| (hi + 1).saturating_sub(w));
        (lo, hi)
    }

    /// Useful FLOPs: 2·(d_qk + d_v) per unmasked score.
    pub fn flops(&self) -> f64 {
        let per_seq: u64 = self
            .seqs
            .iter()
            .map(|s| {
                (0..s.q_len)
                    .map(|p| {
                        let (lo, hi) = self.key_range(s, p);
                        (hi - lo + 1) as u64
                    })
                    .sum::<u64>()
            })
            .sum();
        2.0 * (self.d_qk + self.d_v) as f64 * per_seq as f64 * self.heads as f64
    }

    /// K/V tokens one K/V head of `s` reads: the keys its queries touch, or whole pages.
    pub fn kv_tokens_read(&self, s: &Sequence) -> u64 {
        let (lo, _) = self.key_range(s, 0);
        let (_, hi) = self.key_range(s, s.q_len - 1);
        match self.page_size {
            Some(p) => ((hi / p - lo / p + 1) * p) as u64,
            None => (hi - lo + 1) as u64,
        }
    }

    /// Bytes the call keeps in device memory: Q and O of every query, and the K/V cache in
    /// whole pages.
    pub fn resident_bytes(&self) -> f64 {
        let elem = self.dtype.bytes() as f64;
        let kv_elem = f64::from(self.kv_dtype.unwrap_or(self.dtype).bits()) / 8.0;
        self.seqs
            .iter()
            .map(|s| {
                let tokens = match self.page_size {
                    Some(p) => s.kv_len.div_ceil(p) * p,
                    None => s.kv_len,
                };
                let width = (self.d_qk + self.d_v) as f64;
                s.q_len as f64 * self.heads as f64 * width * elem
                    + tokens as f64 * self.kv_heads as f64 * width * kv_elem
            })
            .sum()
    }

    /// Row blocks of one K/V head of `s` with tile `t`: (rows, unmasked pairs, live K/V tiles).
    pub fn row_blocks(&self, s: &Sequence, t: Tile) -> Vec<(usize, u64, usize)> {
        let g = self.group();
        blocks(g * s.q_len, t.a)
            .map(|(r0, rho)| {
                let (p0, p1) = (r0 / g, (r0 + rho - 1) / g);
                let pairs: u64 = (p0..=p1)
                    .map(|p| {
                        let rows = (r0 + rho).min((p + 1) * g) - r0.max(p * g);
                        let (lo, hi) = self.key_range(s, p);
                        (rows * (hi - lo + 1)) as u64
                    })
                    .sum();
                let (first, _) = self.key_range(s, p0);
                let (_, last) = self.key_range(s, p1);
                (rho, pairs, last / t.b - first / t.b + 1)
            })
            .collect()
    }
}

/// The bound of a serving batch with one tile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServingBound {
    pub br: usize,
    pub bc: usize,
    pub splits: usize,
    pub thread_blocks: u64,
    pub units: UnitTimes,
    /// Pigeonhole bound over SMs.
    pub parallel_s: f64,
    /// K/V tokens read over all sequences and K/V heads (whole pages when paged).
    pub kv_tokens_read: u64,
    pub hbm_bytes: f64,
    pub memory_s: f64,
    pub launch_floor_s: f64,
    pub time_s: f64,
    /// "tensor", "exp", "fp32", "parallelism", "memory" or "launch".
    pub binding: String,
    /// Device memory the batch needs (Q, O, the K/V cache in whole pages) and whether it fits.
    pub needed_bytes: f64,
    pub device_bytes: u64,
    pub fits: bool,
}

/// The bound of `b` with tile `t` and `splits` key splits per row block (`None`:
/// FlashAttention's heuristic over all the batch's row blocks). `None` off GPUs.
pub fn serving_bound(
    b: &ServingBatch,
    spec: &TargetSpec,
    t: Tile,
    splits: Option<usize>,
    launch_floor_s: f64,
) -> Option<ServingBound> {
    let g = spec.gpu.as_ref()?;
    let kvh = b.kv_heads as u64;
    let per_seq: Vec<Vec<(usize, u64, usize)>> =
        b.seqs.iter().map(|s| b.row_blocks(s, t)).collect();
    let row_blocks: u64 = per_seq.iter().map(|v| v.len() as u64).sum::<u64>() * kvh;
    let max_live = per_seq.iter().flatten().map(|r| r.2).max().unwrap_or(1);
    let s = splits
        .unwrap_or_else(|| kernel_splits(row_blocks, g.sms, max_live))
        .max(1);
    let elem = b.dtype.bytes() as f64;
    let kv_elem = f64::from(b.kv_dtype.unwrap_or(b.dtype).bits()) / 8.0;
    let mut items: Vec<(Work, u64)> = Vec::new();
    let mut total = Work::default();
    let mut n_items = 0u64;
    let mut q_words = 0u64;
    for &(rho, pairs, live) in per_seq.iter().flatten() {
        let flops = 2.0 * (b.d_qk + b.d_v) as f64 * pairs as f64;
        let w = Work::attention(flops, pairs as f64, (rho * live) as f64, b.d_v);
        let c = s.min(live.max(1));
        items.push((w.scaled(1.0 / c as f64), c as u64 * kvh));
        n_items += c as u64 * kvh;
        q_words += (rho * b.d_qk * c) as u64 * kvh;
        total.add(&w.scaled(kvh as f64));
    }
    let parallel_s = parallel_bound(&items, u64::from(g.sms), &spec.units);
    let units = spec.units.times(&total);
    let kv_tokens_read: u64 = b.seqs.iter().map(|q| b.kv_tokens_read(q)).sum::<u64>() * kvh;
    let o_words: u64 = b
        .seqs
        .iter()
        .map(|q| (q.q_len * b.heads * (b.d_v + 1)) as u64)
        .sum();
    let hbm_bytes = (q_words + o_words) as f64 * elem
        + kv_tokens_read as f64 * (b.d_qk + b.d_v) as f64 * kv_elem;
    let memory_s = hbm_bytes / spec.bandwidth_bytes_per_s;
    let (time_s, binding) = [
        (units.compute_s, units.binding),
        (parallel_s, "parallelism"),
        (memory_s, "memory"),
        (launch_floor_s, "launch"),
    ]
    .into_iter()
    .fold((0.0, "tensor"), |a, c| {
        if c.0 > a.0 * (1.0 + 1e-12) {
            c
        } else {
            a
        }
    });
    let needed = b.resident_bytes();
    Some(ServingBound {
        br: t.a,
        bc: t.b,
        splits: s,
        thread_blocks: n_items,
        units,
        parallel_s,
        kv_tokens_read,
        hbm_bytes,
        memory_s,
        launch_floor_s,
        time_s,
        binding: binding.to_string(),
        needed_bytes: needed,
        device_bytes: g.memory_bytes,
        fits: needed <= g.memory_bytes as f64,
    })
}

/// The kernel view of a serving batch: `kernel`'s tile for the batch's head dim, mask and type
/// on this GPU, at the rate of the instruction it issues ([`super::mma_path`]). `None` where
/// the kernel does not run.
pub fn serving_kernel_bound(
    kernel: &str,
    b: &ServingBatch,
    spec: &TargetSpec,
    launch_floor_s: f64,
) -> Option<ServingBound> {
    let g = spec.gpu.as_ref()?;
    let d = b.d_qk.max(b.d_v);
    let t = super::tiles::kernel_tile(kernel, &g.arch, b.dtype, d, b.causal)?;
    let (scaled, _) = super::mma_path::kernel_spec(kernel, spec);
    serving_bound(b, &scaled, t, None, launch_floor_s)
}
