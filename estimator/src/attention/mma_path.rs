//! The tensor-core instruction path of each FlashAttention kernel and its ceiling: the share
//! of the GPU's dense tensor peak that instruction can reach (data with citations in
//! `estimator/data/attention_mma_paths.csv`). FlashAttention-2 issues Ampere's `mma.sync`
//! everywhere; on Hopper that path reaches about 2/3 of the `wgmma` peak the target data
//! quotes, so FA2's kernel view on an H100 is bounded by 2/3 of 989 TFLOP/s, not by 989.
//! A kernel/architecture pair without a row keeps the full dense peak (the safe default for a
//! bound).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::roofline::TargetSpec;
use super::table::{self, arch_list, TableError, TableRow};

const FILE: &str = "attention_mma_paths.csv";
const PATHS_CSV: &str = include_str!("../../data/attention_mma_paths.csv");

/// One row of the instruction-path table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MmaPath {
    pub kernel: String,
    #[serde(deserialize_with = "arch_list")]
    pub arch: Vec<String>,
    /// "mma.sync", "wgmma", ...
    pub instruction: String,
    /// Ceiling of this path as a share of the dense tensor peak, in (0, 1].
    pub peak_fraction: f64,
    pub citation: String,
}

impl TableRow for MmaPath {
    fn check(&self) -> Result<(), (&'static str, String)> {
        let f = self.peak_fraction;
        if f > 0.0 && f <= 1.0 {
            Ok(())
        } else {
            Err(("peak_fraction", format!("must be in (0, 1], got {f}")))
        }
    }
}

/// Parses the table (comment lines start with `#`), naming the file, record and field of an
/// error.
pub fn parse(text: &str) -> Result<Vec<MmaPath>, TableError> {
    table::read(FILE, text)
}

/// The built-in table. It is compiled in and checked by the tests, so a bad row panics with
/// its record and field.
pub fn table() -> &'static [MmaPath] {
    static T: OnceLock<Vec<MmaPath>> = OnceLock::new();
    T.get_or_init(|| table::builtin(FILE, PATHS_CSV))
}

/// The instruction path `kernel` takes on `arch`, if the table has one.
pub fn path(kernel: &str, arch: &str) -> Option<&'static MmaPath> {
    table()
        .iter()
        .find(|r| r.kernel == kernel && r.arch.iter().any(|a| a == arch))
}

/// `spec` with its matrix rate at `kernel`'s instruction ceiling on the spec's GPU, and the
/// path used (`None`, and `spec` unchanged, where the table has no row or off GPUs).
pub fn kernel_spec(kernel: &str, spec: &TargetSpec) -> (TargetSpec, Option<&'static MmaPath>) {
    let found = spec.gpu.as_ref().and_then(|g| path(kernel, &g.arch));
    let mut out = spec.clone();
    if let Some(p) = found {
        out.units = spec.units.with_mma_fraction(p.peak_fraction);
    }
    (out, found)
}
