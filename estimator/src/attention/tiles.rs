//! Tiles as real GPU kernels can run them: the tiles FlashAttention-2/-3 actually launch (data
//! in `estimator/data/attention_kernel_tiles.csv`, read from their launch code, with the commit
//! cited there) and the constraints any FlashAttention-order kernel obeys:
//! - shared memory per thread block holds Q_i (Br × d_qk) and one K_j/V_j stage
//!   (Bc × (d_qk + d_v)) in the element type (one stage: the weakest assumption; real kernels
//!   double-buffer, so the bound stays below them);
//! - the FP32 accumulators S/P (Br × Bc), O (Br × d_v) and the row statistics m, l (2 × Br)
//!   live in registers: Br·(Bc + d_v + 2) 32-bit words ≤ the registers one block may use
//!   (64 K on NVIDIA parts since compute capability 8.0);
//! - MMA granularity: Br a multiple of 64 on Hopper/Blackwell (one wgmma is m64 per
//!   warpgroup), 16 elsewhere (mma.sync m16; AMD MFMA 16×16), 128 on a TPU MXU; Bc a multiple
//!   of 16 (the k of the PV product; 32 for 8-bit types, whose MMA k is 32).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::algorithms::Tile;
use super::roofline::GpuDetails;
use super::shape::{Dtype, Problem};
use super::table::{
    self, arch_list, check_mask, kernel_keyed, KernelKeyed, Mask, TableError, TableRow,
};

const FILE: &str = "attention_kernel_tiles.csv";
const TILES_CSV: &str = include_str!("../../data/attention_kernel_tiles.csv");

/// One row of the kernel-tile table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelTileRow {
    pub kernel: String,
    #[serde(deserialize_with = "arch_list")]
    pub arch: Vec<String>,
    pub elem_bytes: u64,
    pub d_max: usize,
    pub mask: Mask,
    pub br: usize,
    pub bc: usize,
}

impl TableRow for KernelTileRow {
    fn check(&self) -> Result<(), (&'static str, String)> {
        check_mask(self.mask)?;
        match (self.br, self.bc) {
            (0, _) => Err(("br", "must be positive".into())),
            (_, 0) => Err(("bc", "must be positive".into())),
            _ => Ok(()),
        }
    }
}

kernel_keyed!(KernelTileRow);

/// The tile table, parsed once. A malformed row is a build-time data error: the table is
/// compiled in and checked by the tests, so a bad row panics with its record and field.
pub fn table() -> &'static [KernelTileRow] {
    static T: OnceLock<Vec<KernelTileRow>> = OnceLock::new();
    T.get_or_init(|| table::builtin(FILE, TILES_CSV))
}

/// Parses the table (comment lines start with `#`), naming the file, record and field of an
/// error.
pub fn parse(text: &str) -> Result<Vec<KernelTileRow>, TableError> {
    table::read(FILE, text)
}

/// The tile `kernel` ("fa2", "fa3") launches on `arch` for head dim `d`, or `None` where the
/// kernel does not run there (FA3 needs sm_90; FA2 sm_80+; neither takes d > 256).
pub fn kernel_tile(kernel: &str, arch: &str, dtype: Dtype, d: usize, causal: bool) -> Option<Tile> {
    table()
        .iter()
        .find(|r| r.selects(kernel, arch, dtype, d, causal))
        .map(|r| Tile::new(r.br, r.bc))
}

/// The kernels with table rows, in report order.
pub const KERNELS: [&str; 2] = ["fa2", "fa3"];

/// Real-kernel constraints of one GPU and element type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TileLimits {
    pub smem_bytes: u64,
    /// 32-bit registers one block may use; `None` = not modelled.
    pub regs: Option<u64>,
    pub mma_m: usize,
    pub mma_n: usize,
    pub elem_bytes: u64,
}

impl TileLimits {
    pub fn for_gpu(g: &GpuDetails, dtype: Dtype) -> TileLimits {
        let mma_m = match g.arch.as_str() {
            "sm_90" | "sm_100" => 64,
            a if a.starts_with("tpu") => 128,
            _ => 16,
        };
        TileLimits {
            smem_bytes: g.smem_per_block_bytes,
            regs: g.regs_per_sm,
            mma_m,
            mma_n: if dtype.bytes() == 1 { 32 } else { 16 },
            elem_bytes: dtype.bytes(),
        }
    }

    /// Shared-memory bytes of the tile: Q_i plus one K/V stage in the element type.
    pub fn smem(&self, p: &Problem, t: Tile) -> u64 {
        ((t.a * p.d_qk + t.b * (p.d_qk + p.d_v)) as u64) * self.elem_bytes
    }

    /// FP32 accumulator registers: S (Br×Bc), O (Br×d_v), m and l.
    pub fn acc_regs(&self, p: &Problem, t: Tile) -> u64 {
        (t.a * (t.b + p.d_v + 2)) as u64
    }

    /// Why `t` cannot run, or `None` when it can.
    pub fn violation(&self, p: &Problem, t: Tile) -> Option<String> {
        if t.a == 0
            || t.b == 0
            || !t.a.is_multiple_of(self.mma_m)
            || !t.b.is_multiple_of(self.mma_n)
        {
            return Some(format!(
                "Br={} Bc={} is not a multiple of the MMA granularity {}x{}",
                t.a, t.b, self.mma_m, self.mma_n
            ));
        }
        let smem = self.smem(p, t);
        if smem > self.smem_bytes {
            return Some(format!(
                "needs {smem} B of shared memory, a block may use {}",
                self.smem_bytes
            ));
        }
        if let Some(r) = self.regs {
            let acc = self.acc_regs(p, t);
            if acc > r {
                return Some(format!(
                    "needs {acc} FP32 accumulator registers, a block may use {r}"
                ));
            }
        }
        None
    }

    /// Tiles that can run: every Br multiple of the MMA M up to the rows (rounded up), with
    /// Bc at powers of two times the MMA N and at the largest that fits.
    pub fn candidates(&self, p: &Problem) -> Vec<Tile> {
        let max_a = p.rows.next_multiple_of(self.mma_m);
        let max_b = p.keys.next_multiple_of(self.mma_n);
        let mut out = Vec::new();
        for a in (self.mma_m..=max_a).step_by(self.mma_m) {
            let fits = |b: usize| self.violation(p, Tile::new(a, b)).is_none();
            if !fits(self.mma_n) {
                break;
            }
            let mut b = self.mma_n;
            while b <= max_b && fits(b) {
                out.push(Tile::new(a, b));
                b *= 2;
            }
            // largest fitting multiple of mma_n
            let (mut lo, mut hi) = (1usize, max_b / self.mma_n);
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if fits(mid * self.mma_n) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            out.push(Tile::new(a, lo * self.mma_n));
        }
        out.sort_unstable_by_key(|t| (t.a, t.b));
        out.dedup();
        out
    }
}
