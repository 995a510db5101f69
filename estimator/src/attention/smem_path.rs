//! The shared-memory operand path of each FlashAttention kernel (data with citations in
//! `estimator/data/attention_smem_operands.csv`) and the bytes it reads from SMEM per tile
//! step: the work of the shared-memory ceiling in the kernel view ([`super::units`]).
//!
//! FlashAttention-2 splits the query rows over its warps and lets every warp read the whole
//! K and V tile from SMEM (ldmatrix) at every step, and re-reads its Q fragments too; on an
//! H100 at d = 256 (64×64 tile, 4 warps) that is 2·256·(64 + 4·64 + 4·64) = 294,912 bytes per
//! 4·64·64·256 = 4,194,304 matrix FLOPs, 14.2 FLOP/B, so 128 B/clk per SM caps it at 1,820
//! FLOP/clk per SM, below the 2/3 × 4,096 its `mma.sync` path reaches. A kernel/shape without
//! a row reads nothing here (no ceiling), which keeps the bound safe: FlashAttention-3 has
//! none, its `wgmma` reading SMEM through the tensor cores' own path, whose bandwidth the
//! 32-bank figure does not document.

use std::sync::OnceLock;

use serde::Serialize;

use super::algorithms::Tile;
use super::shape::{Dtype, Problem};

const OPERANDS_CSV: &str = include_str!("../../data/attention_smem_operands.csv");

/// One row of the operand-path table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmemOperands {
    pub kernel: String,
    pub arch: Vec<String>,
    pub elem_bytes: u64,
    pub d_max: usize,
    /// "any", "causal" or "noncausal".
    pub mask: String,
    /// Times the Q tile is read from SMEM per K/V step.
    pub q_reads: f64,
    /// Times each K and each V tile is read from SMEM per step.
    pub kv_readers: f64,
    /// Times the P tile is read from SMEM per step (0: P stays in registers).
    pub p_reads: f64,
}

impl SmemOperands {
    /// Bytes read from SMEM by one step of tile `t` (Br query rows against Bc keys).
    pub fn step_bytes(&self, p: &Problem, t: Tile) -> f64 {
        let (br, bc) = (t.a as f64, t.b as f64);
        self.elem_bytes as f64
            * (self.q_reads * br * p.d_qk as f64
                + self.kv_readers * bc * (p.d_qk + p.d_v) as f64
                + self.p_reads * br * bc)
    }
}

/// Parses the table (comment lines start with `#`), naming the record and field of an error.
pub fn parse(text: &str) -> Result<Vec<SmemOperands>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let n = i + 1;
        let rec = rec.map_err(|e| format!("record {n}: {e}"))?;
        let field = |k: usize, name: &str| {
            rec.get(k)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("record {n}: missing field {name}"))
        };
        let num = |k: usize, name: &str| -> Result<f64, String> {
            let v: f64 = field(k, name)?
                .parse()
                .map_err(|e| format!("record {n}: field {name}: {e}"))?;
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(format!(
                    "record {n}: field {name} must be a non-negative number, got {v}"
                ))
            }
        };
        let mask = field(4, "mask")?.to_string();
        if !["any", "causal", "noncausal"].contains(&mask.as_str()) {
            return Err(format!(
                "record {n}: field mask must be any, causal or noncausal, got `{mask}`"
            ));
        }
        out.push(SmemOperands {
            kernel: field(0, "kernel")?.to_string(),
            arch: field(1, "arch")?.split('|').map(str::to_string).collect(),
            elem_bytes: num(2, "elem_bytes")? as u64,
            d_max: num(3, "d_max")? as usize,
            mask,
            q_reads: num(5, "q_reads")?,
            kv_readers: num(6, "kv_readers")?,
            p_reads: num(7, "p_reads")?,
        });
    }
    Ok(out)
}

/// The built-in table, compiled in and checked by the tests (a bad row panics with its
/// record number).
pub fn table() -> &'static [SmemOperands] {
    static T: OnceLock<Vec<SmemOperands>> = OnceLock::new();
    T.get_or_init(|| {
        parse(OPERANDS_CSV).unwrap_or_else(|e| panic!("attention_smem_operands.csv: {e}"))
    })
}

/// The operand path of `kernel` on `arch` for this type, head dim and mask, if known.
pub fn operands(
    kernel: &str,
    arch: &str,
    dtype: Dtype,
    d: usize,
    causal: bool,
) -> Option<&'static SmemOperands> {
    table().iter().find(|r| {
        r.kernel == kernel
            && r.arch.iter().any(|a| a == arch)
            && r.elem_bytes == dtype.bytes()
            && d <= r.d_max
            && match r.mask.as_str() {
                "causal" => causal,
                "noncausal" => !causal,
                _ => true,
            }
    })
}
