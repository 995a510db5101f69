//! # hls-codegen — the HLS project hls4ml 1.3.0 would write, without Python
//!
//! Owns: rendering the lowered graph of an IR [`ir::Network`] (the shared `lower` crate's
//! passes) as hls4ml's layer list with variables, types and weights ([`lower`]), the per-layer C++
//! text ([`layers`], one file per layer kind), the project files ([`writer`]: firmware,
//! weights, testbench, bridge, scripts, YAML), reuse-factor validation as hls4ml does it
//! ([`reuse`]), finding hls4ml's templates at run time ([`templates`]) and writing projects
//! atomically, one ([`emit`]) or many in parallel ([`emit_batch`]).
//!
//! Must not depend on: the estimator, surrogate, dataset tools or the CLI. Never ships
//! hls4ml's nnet_utils/ or ap_types/: they are copied (or linked) from an installed hls4ml.
//!
//! Checked against hls4ml itself by `scripts/hls4ml_reference.py` (run from
//! `tests/cli_codegen.rs`): both projects are compiled with g++ and must give bit-identical
//! outputs, and the generated text must match.

pub mod error;
pub mod layers;
pub mod lower;
pub mod model;
pub mod precision;
pub mod reuse;
pub mod templates;
pub mod weights;
pub mod writer;

pub use error::{CodegenError, Result};
pub use lower::{lower, ProjectOptions};
pub use model::{Backend, HlsModel};
pub use templates::Templates;
pub use writer::{render, write_project, LinkMode, Project};

use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Options of one project write.
#[derive(Debug, Clone, Default)]
pub struct EmitOptions {
    pub project: ProjectOptions,
    pub link: LinkMode,
    /// Replace an existing output directory (atomically).
    pub overwrite: bool,
}

/// What a write produced.
#[derive(Debug, Clone)]
pub struct EmitReport {
    pub dir: PathBuf,
    /// Generated files (not counting template files).
    pub generated_files: usize,
    pub generated_bytes: usize,
    pub template_files: usize,
    /// Reuse factors changed, and other notes.
    pub warnings: Vec<String>,
    pub layers: usize,
}

/// Lower, render and write one project for `net` into `dir`.
pub fn emit(
    net: &ir::Network,
    dir: &Path,
    templates: &Templates,
    opts: &EmitOptions,
    source_model: Option<&Path>,
) -> Result<EmitReport> {
    let m = lower(net, &opts.project)?;
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let p = render(&m, templates, &abs, source_model);
    write_project(&p, dir, opts.link, opts.overwrite)?;
    Ok(EmitReport {
        dir: dir.to_path_buf(),
        generated_files: p.files.len(),
        generated_bytes: p.generated_bytes(),
        template_files: p.template_files.len(),
        warnings: p.warnings,
        layers: m.layers.len(),
    })
}

/// One project of a batch.
#[derive(Debug, Clone)]
pub struct BatchJob {
    pub network: ir::Network,
    pub dir: PathBuf,
}

/// Outcome of [`emit_batch`].
#[derive(Debug, Clone, Default)]
pub struct BatchReport {
    pub written: usize,
    /// (directory, error message) of the projects that failed.
    pub failed: Vec<(PathBuf, String)>,
    pub generated_bytes: usize,
}

/// Write many projects on all cores (rayon). `jobs` is consumed lazily, so memory stays flat
/// however many projects there are: each network is lowered, rendered, written and dropped.
/// Use [`LinkMode::HardLink`] or [`LinkMode::Symlink`] so that the ~100 template files per
/// project are not copied each time.
pub fn emit_batch<I>(jobs: I, templates: &Templates, opts: &EmitOptions) -> BatchReport
where
    I: Iterator<Item = BatchJob> + Send,
{
    let results: Vec<std::result::Result<usize, (PathBuf, String)>> = jobs
        .par_bridge()
        .map(|job| {
            emit(&job.network, &job.dir, templates, opts, None)
                .map(|r| r.generated_bytes)
                .map_err(|e| (job.dir.clone(), e.to_string()))
        })
        .collect();
    let mut rep = BatchReport::default();
    for r in results {
        match r {
            Ok(b) => {
                rep.written += 1;
                rep.generated_bytes += b;
            }
            Err(f) => rep.failed.push(f),
        }
    }
    rep
}

/// Settings given on a command line, applied over a network's [`ir::HlsConfig`] (shared by
/// `presynth codegen` and dataset emission).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub backend: Option<Backend>,
    pub part: Option<String>,
    pub clock_period: Option<f64>,
    pub precision: Option<String>,
    pub reuse_factor: Option<u32>,
    pub strategy: Option<String>,
    pub io_type: Option<String>,
}

impl Overrides {
    /// Apply to `cfg`, naming the option whose value is invalid.
    pub fn apply(&self, cfg: &mut ir::HlsConfig) -> Result<()> {
        let bad = |opt: &str, message: String| CodegenError::Option {
            option: opt.to_string(),
            message,
        };
        if let Some(b) = self.backend {
            cfg.backend = b.name().to_string();
        }
        if let Some(p) = &self.part {
            ir::names::check_part(p).map_err(|m| bad("--part", m))?;
            cfg.part = p.clone();
        }
        if let Some(c) = self.clock_period {
            if !(c > 0.0 && c.is_finite()) {
                return Err(bad(
                    "--clock-period",
                    format!("must be a positive number of ns, got {c}"),
                ));
            }
            cfg.clock_period_ns = c;
        }
        if let Some(p) = &self.precision {
            cfg.precision = p
                .parse()
                .map_err(|e: ir::IrError| bad("--precision", e.to_string()))?;
        }
        if let Some(r) = self.reuse_factor {
            if r == 0 {
                return Err(bad("--reuse-factor", "must be at least 1".into()));
            }
            cfg.reuse_factor = r;
        }
        if let Some(s) = &self.strategy {
            cfg.strategy = s.parse().map_err(|e: String| bad("--strategy", e))?;
        }
        if let Some(s) = &self.io_type {
            cfg.io_type = s.parse().map_err(|e: String| bad("--io-type", e))?;
        }
        Ok(())
    }
}
