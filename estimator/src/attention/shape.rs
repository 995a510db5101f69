//! The attention problem: batch, heads, key/value heads, lengths, head dims, mask and element
//! type ([`AttentionShape`]), and the per-(batch, kv-head) problem the algorithms run on
//! ([`Problem`]).
//!
//! Grouped-query attention is modelled the way GQA kernels pack it: the `g = heads / kv_heads`
//! query heads that share one K/V head form one problem of `R = g·seq` query rows against
//! `L = kv_seq` keys, rows ordered position-major (row `r` is position `r / g`). The causal
//! mask is bottom-right aligned as in FlashAttention: row at position `p` sees keys
//! `0 ..= p + L − N`, so `kv_seq ≥ seq` is required when causal (prefill and decode both fit).

use serde::Serialize;

use super::AttentionError;

/// Element type of Q, K, V, O and of the intermediate S/P.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    Fp32,
    Tf32,
    Bf16,
    Fp16,
    Fp8,
    /// An `ap_fixed`/`ap_int` of this total width in bits.
    Fixed(u32),
}

impl Dtype {
    /// Parses `fp32 tf32 bf16 fp16 fp8`, `ap_fixed<W,I>` / `ap_int<W>` (as hls4ml writes them)
    /// or `fixedW`.
    pub fn parse(s: &str) -> Result<Dtype, AttentionError> {
        let t = s.trim().to_ascii_lowercase();
        let d = match t.as_str() {
            "fp32" | "f32" | "float32" => Dtype::Fp32,
            "tf32" => Dtype::Tf32,
            "bf16" | "bfloat16" => Dtype::Bf16,
            "fp16" | "f16" | "half" | "float16" => Dtype::Fp16,
            "fp8" | "e4m3" | "e5m2" => Dtype::Fp8,
            _ if t.starts_with("fixed") && t[5..].parse::<u32>().is_ok() => {
                Dtype::Fixed(t[5..].parse().unwrap_or(16))
            }
            _ => {
                let ty: ir::FixedType = s.trim().parse().map_err(|e| AttentionError::Input {
                    field: "dtype".into(),
                    message: format!(
                        "expected fp32, tf32, bf16, fp16, fp8 or an ap_fixed type, got `{s}` ({e})"
                    ),
                })?;
                Dtype::Fixed(ty.width())
            }
        };
        if let Dtype::Fixed(w) = d {
            if w == 0 || w > 64 {
                return Err(AttentionError::Input {
                    field: "dtype".into(),
                    message: format!("fixed-point width must be 1..=64 bits, got {w}"),
                });
            }
        }
        Ok(d)
    }

    /// Storage width in bits (tf32 is stored as 32-bit words).
    pub fn bits(self) -> u32 {
        match self {
            Dtype::Fp32 | Dtype::Tf32 => 32,
            Dtype::Bf16 | Dtype::Fp16 => 16,
            Dtype::Fp8 => 8,
            Dtype::Fixed(w) => w,
        }
    }

    /// Bytes per element in slow memory (fixed-point rounded up to whole bytes).
    pub fn bytes(self) -> u64 {
        u64::from(self.bits().div_ceil(8))
    }

    /// Width of the multiplier operands an FPGA needs for this type (the significand for
    /// floating types: fp32 24, fp16 11, bf16 8, fp8 4).
    pub fn multiplier_bits(self) -> u32 {
        match self {
            Dtype::Fp32 | Dtype::Tf32 => 24,
            Dtype::Fp16 => 11,
            Dtype::Bf16 => 8,
            Dtype::Fp8 => 4,
            Dtype::Fixed(w) => w,
        }
    }

    pub fn label(self) -> String {
        match self {
            Dtype::Fixed(w) => format!("fixed{w}"),
            other => format!("{other:?}").to_ascii_lowercase(),
        }
    }
}

/// Largest value of one attention dimension (batch, heads, head sizes): 2^32.
pub const MAX_ATTENTION_DIM: u64 = 1 << 32;
/// Longest sequence (seq, kv_seq): 2^24 = 16M tokens, beyond the longest published context
/// windows (about 10M). The tile simulation is linear in the sequence length (1.5 s for 2^24 in
/// a debug build), so this also bounds the time of one analysis.
pub const MAX_SEQ: u64 = 1 << 24;
/// Largest number of score entries (heads × seq × kv_seq), and of batch × heads: 2^62.
pub const MAX_SCORES: u128 = 1 << 62;

/// One attention call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AttentionShape {
    pub batch: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub seq: usize,
    pub kv_seq: usize,
    pub d_qk: usize,
    pub d_v: usize,
    pub causal: bool,
    pub dtype: Dtype,
    /// Element type of the K/V cache in device memory when it differs from `dtype` (FP8/INT8/
    /// INT4 KV caches dequantised in the kernel); used by the GPU bound's memory term.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kv_dtype: Option<Dtype>,
}

impl AttentionShape {
    /// Bytes of one K/V element in device memory (fractional for 4-bit caches).
    pub fn kv_bytes(&self) -> f64 {
        f64::from(self.kv_dtype.unwrap_or(self.dtype).bits()) / 8.0
    }

    /// Bytes the call keeps in device memory: Q, the K/V cache and O.
    pub fn resident_bytes(&self) -> f64 {
        let q = (self.batch * self.heads * self.seq * self.d_qk) as f64;
        let o = (self.batch * self.heads * self.seq * self.d_v) as f64;
        let kv = (self.batch * self.kv_heads * self.kv_seq * (self.d_qk + self.d_v)) as f64;
        (q + o) * self.dtype.bytes() as f64 + kv * self.kv_bytes()
    }

    /// Multi-head self-attention (kv_heads = heads, kv_seq = seq, d_v = d_qk), non-causal, bf16.
    pub fn mha(batch: usize, heads: usize, seq: usize, head_dim: usize) -> Self {
        AttentionShape {
            batch,
            heads,
            kv_heads: heads,
            seq,
            kv_seq: seq,
            d_qk: head_dim,
            d_v: head_dim,
            causal: false,
            dtype: Dtype::Bf16,
            kv_dtype: None,
        }
    }

    pub fn validate(&self) -> Result<(), AttentionError> {
        let bad = |field: &str, message: String| {
            Err(AttentionError::Input {
                field: field.into(),
                message,
            })
        };
        for (field, v) in [
            ("batch", self.batch),
            ("heads", self.heads),
            ("kv_heads", self.kv_heads),
            ("seq", self.seq),
            ("kv_seq", self.kv_seq),
            ("d_qk", self.d_qk),
            ("d_v", self.d_v),
        ] {
            if v == 0 {
                return bad(field, "must be at least 1".into());
            }
            let max = if field.ends_with("seq") {
                MAX_SEQ
            } else {
                MAX_ATTENTION_DIM
            };
            if v as u64 > max {
                return bad(field, format!("must be at most {max}, got {v}"));
            }
        }
        // The analysis counts score entries (rows × keys per problem) and problems in u64/usize:
        // keep both far from overflow.
        let scores = self.heads as u128 * self.seq as u128 * self.kv_seq as u128;
        if scores > MAX_SCORES {
            return bad(
                "seq",
                format!(
                    "heads × seq × kv_seq = {scores} score entries per batch element, more than \
                     {MAX_SCORES}"
                ),
            );
        }
        if self.batch as u128 * self.heads as u128 > MAX_SCORES {
            return bad("batch", "batch × heads is too large".into());
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
        if self.causal && self.kv_seq < self.seq {
            return bad(
                "kv_seq",
                format!(
                    "causal attention needs kv_seq ≥ seq, got {} < {}",
                    self.kv_seq, self.seq
                ),
            );
        }
        Ok(())
    }

    /// Independent problems: one per (batch, kv head).
    pub fn problems(&self) -> u64 {
        (self.batch * self.kv_heads) as u64
    }

    pub fn problem(&self) -> Problem {
        let group = self.heads / self.kv_heads.max(1);
        Problem {
            rows: group * self.seq,
            keys: self.kv_seq,
            d_qk: self.d_qk,
            d_v: self.d_v,
            group,
            seq: self.seq,
            causal: self.causal,
        }
    }

    /// Useful floating-point operations: 2·(d_qk + d_v) per unmasked score (QKᵀ and PV), the
    /// convention of the FlashAttention benchmarks (4·B·H·N²·d when d_qk = d_v, non-causal).
    pub fn flops(&self) -> f64 {
        let p = self.problem();
        2.0 * (p.d_qk + p.d_v) as f64 * p.pairs() as f64 * self.problems() as f64
    }
}

/// One (batch, kv-head) problem: `rows` packed query rows against `keys` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Problem {
    pub rows: usize,
    pub keys: usize,
    pub d_qk: usize,
    pub d_v: usize,
    /// Query heads per kv head.
    pub group: usize,
    /// Query positions per head (rows = group · seq).
    pub seq: usize,
    pub causal: bool,
}

impl Problem {
    /// The last key row `r` may attend to.
    pub fn max_key(&self, r: usize) -> usize {
        if self.causal {
            r / self.group + self.keys - self.seq
        } else {
            self.keys - 1
        }
    }

    /// Whether row `r` attends to key `j`.
    pub fn allowed(&self, r: usize, j: usize) -> bool {
        j <= self.max_key(r)
    }

    /// Keys covered by the column blocks of width `block` that row `last_row` (and every row
    /// before it) needs: `min(L, block·(⌊max_key/block⌋ + 1))`. Blocks past it are fully
    /// masked for every row up to `last_row` and are skipped.
    pub fn extent(&self, last_row: usize, block: usize) -> usize {
        if !self.causal {
            return self.keys;
        }
        (block * (self.max_key(last_row) / block + 1)).min(self.keys)
    }

    /// Unmasked (row, key) pairs of rows `r0 .. r0 + rho`: ρ·L, or, causal, Σ_r (⌊r/g⌋ + L − N
    /// + 1) in closed form (summing row by row made a 2^24-key bound take seconds per tile).
    pub fn pairs_in_rows(&self, r0: usize, rho: usize) -> u64 {
        if !self.causal {
            return (rho as u128 * self.keys as u128).min(u64::MAX as u128) as u64;
        }
        // Σ_{r<n} ⌊r/g⌋ = g·q(q−1)/2 + q·(n − g·q), q = ⌊n/g⌋.
        let g = self.group.max(1) as u128;
        let below = |n: u128| {
            let q = n / g;
            g * q * q.saturating_sub(1) / 2 + q * (n - g * q)
        };
        let (a, b) = (r0 as u128, (r0 + rho) as u128);
        let offset = (self.keys - self.seq + 1) as u128;
        (below(b) - below(a) + rho as u128 * offset).min(u64::MAX as u128) as u64
    }

    /// Unmasked (row, key) pairs: R·L, or g·Σ_p (p + L − N + 1) when causal.
    pub fn pairs(&self) -> u64 {
        let (g, n, l) = (self.group as u64, self.seq as u64, self.keys as u64);
        if !self.causal {
            return g * n * l;
        }
        g * (n * (l - n + 1) + n * (n - 1) / 2)
    }
}

/// Blocks `(start, len)` of width `b` covering `0..n`; the last one may be partial.
pub fn blocks(n: usize, b: usize) -> impl Iterator<Item = (usize, usize)> {
    let b = b.max(1);
    (0..n).step_by(b).map(move |s| (s, b.min(n - s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_in_rows_counts_the_allowed_pairs() {
        // Against the mask itself: count (r, j) with allowed(r, j), row by row.
        for (heads, kv_heads, seq, kv_seq, causal) in [
            (1, 1, 37, 37, true),
            (4, 2, 20, 33, true),
            (3, 1, 9, 9, true),
            (2, 2, 11, 17, false),
            (6, 3, 5, 64, true),
        ] {
            let mut s = AttentionShape::mha(1, heads, seq, 8);
            s.kv_heads = kv_heads;
            s.kv_seq = kv_seq;
            s.causal = causal;
            let p = s.problem();
            for r0 in 0..p.rows {
                for rho in 0..=(p.rows - r0) {
                    let brute: u64 = (r0..r0 + rho)
                        .map(|r| (0..p.keys).filter(|&j| p.allowed(r, j)).count() as u64)
                        .sum();
                    assert_eq!(p.pairs_in_rows(r0, rho), brute, "{p:?} {r0} {rho}");
                }
            }
            assert_eq!(p.pairs_in_rows(0, p.rows), p.pairs());
        }
    }
}
