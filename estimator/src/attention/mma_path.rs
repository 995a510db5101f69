//! The tensor-core instruction path of each FlashAttention kernel and its ceiling: the share
//! of the GPU's dense tensor peak that instruction can reach (data with citations in
//! `estimator/data/attention_mma_paths.csv`). FlashAttention-2 issues Ampere's `mma.sync`
//! everywhere; on Hopper that path reaches about 2/3 of the `wgmma` peak the target data
//! quotes, so FA2's kernel view on an H100 is bounded by 2/3 of 989 TFLOP/s, not by 989.
//! A kernel/architecture pair without a row keeps the full dense peak (the safe default for a
//! bound).

use std::sync::OnceLock;

use serde::Serialize;

use super::roofline::TargetSpec;

const PATHS_CSV: &str = include_str!("../../data/attention_mma_paths.csv");

/// One row of the instruction-path table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MmaPath {
    pub kernel: String,
    pub arch: Vec<String>,
    /// "mma.sync", "wgmma", ...
    pub instruction: String,
    /// Ceiling of this path as a share of the dense tensor peak, in (0, 1].
    pub peak_fraction: f64,
    pub citation: String,
}

/// Parses the table (comment lines start with `#`), naming the record and field of an error.
pub fn parse(text: &str) -> Result<Vec<MmaPath>, String> {
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
        let peak_fraction: f64 = field(3, "peak_fraction")?
            .parse()
            .map_err(|e| format!("record {n}: field peak_fraction: {e}"))?;
        if !(peak_fraction > 0.0 && peak_fraction <= 1.0) {
            return Err(format!(
                "record {n}: field peak_fraction must be in (0, 1], got {peak_fraction}"
            ));
        }
        out.push(MmaPath {
            kernel: field(0, "kernel")?.to_string(),
            arch: field(1, "arch")?.split('|').map(str::to_string).collect(),
            instruction: field(2, "instruction")?.to_string(),
            peak_fraction,
            citation: field(4, "citation")?.to_string(),
        });
    }
    Ok(out)
}

/// The built-in table. It is compiled in and checked by the tests, so a bad row panics with
/// its record number.
pub fn table() -> &'static [MmaPath] {
    static T: OnceLock<Vec<MmaPath>> = OnceLock::new();
    T.get_or_init(|| parse(PATHS_CSV).unwrap_or_else(|e| panic!("attention_mma_paths.csv: {e}")))
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
