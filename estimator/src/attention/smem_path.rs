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

use serde::{Deserialize, Serialize};

use super::algorithms::Tile;
use super::shape::{Dtype, Problem};
use super::table::{
    self, arch_list, check_mask, kernel_keyed, KernelKeyed, Mask, TableError, TableRow,
};

const FILE: &str = "attention_smem_operands.csv";
const OPERANDS_CSV: &str = include_str!("../../data/attention_smem_operands.csv");

/// One row of the operand-path table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmemOperands {
    pub kernel: String,
    #[serde(deserialize_with = "arch_list")]
    pub arch: Vec<String>,
    pub elem_bytes: u64,
    pub d_max: usize,
    pub mask: Mask,
    /// Times the Q tile is read from SMEM per K/V step.
    pub q_reads: f64,
    /// Times each K and each V tile is read from SMEM per step.
    pub kv_readers: f64,
    /// Times the P tile is read from SMEM per step (0: P stays in registers).
    pub p_reads: f64,
}

impl TableRow for SmemOperands {
    fn check(&self) -> Result<(), (&'static str, String)> {
        check_mask(self.mask)?;
        for (name, v) in [
            ("q_reads", self.q_reads),
            ("kv_readers", self.kv_readers),
            ("p_reads", self.p_reads),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err((name, format!("must be a non-negative number, got {v}")));
            }
        }
        Ok(())
    }
}

kernel_keyed!(SmemOperands);

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

/// Parses the table (comment lines start with `#`), naming the file, record and field of an
/// error.
pub fn parse(text: &str) -> Result<Vec<SmemOperands>, TableError> {
    table::read(FILE, text)
}

/// The built-in table, compiled in and checked by the tests (a bad row panics with its
/// record and field).
pub fn table() -> &'static [SmemOperands] {
    static T: OnceLock<Vec<SmemOperands>> = OnceLock::new();
    T.get_or_init(|| table::builtin(FILE, OPERANDS_CSV))
}

/// The operand path of `kernel` on `arch` for this type, head dim and mask, if known.
pub fn operands(
    kernel: &str,
    arch: &str,
    dtype: Dtype,
    d: usize,
    causal: bool,
) -> Option<&'static SmemOperands> {
    table()
        .iter()
        .find(|r| r.selects(kernel, arch, dtype, d, causal))
}
