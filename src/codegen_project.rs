//! Writing the HLS project of a loaded network, what `presynth codegen` does after loading the
//! model and what the Python package's `codegen` does: backend and link mode parsed, the
//! settings overridden, missing weights filled with reproducible random values when asked,
//! the network lowered (a missing-weights error says how to give them), the project emitted
//! atomically, and its summary ([`ProjectReport`], the JSON of `codegen --format json`).

use anyhow::Context;
use hls_codegen::{Backend, EmitOptions, HlsModel, LinkMode, ProjectOptions, Templates};
use ir::Network;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The settings of one project (the options of `presynth codegen`).
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// Vitis or Vivado.
    pub backend: &'a str,
    /// copy, hardlink or symlink.
    pub link: &'a str,
    pub part: Option<String>,
    pub clock_period: Option<f64>,
    pub precision: Option<String>,
    pub reuse_factor: Option<u32>,
    pub strategy: Option<String>,
    pub io_type: Option<String>,
    pub project_name: &'a str,
    /// hls4ml package or templates directory (default: discovered).
    pub templates: Option<&'a Path>,
    /// Replace the output directory if it exists.
    pub force: bool,
    /// Fill missing weights with pseudo-random values from this seed.
    pub random_weights: Option<u64>,
    /// Print hls4ml's layer graph after each lowering pass (to `note`).
    pub print_lowering: bool,
}

/// One layer of the written project.
#[derive(Debug, Clone, Serialize)]
pub struct LayerRow {
    pub index: usize,
    pub name: String,
    pub class: String,
    pub reuse_factor: u32,
    pub strategy: String,
}

/// The summary of a written project.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectReport {
    pub output_dir: String,
    pub project_name: String,
    pub backend: String,
    pub io_type: String,
    pub layers: Vec<LayerRow>,
    pub warnings: Vec<String>,
    pub generated_files: usize,
    pub generated_bytes: usize,
    pub template_files: usize,
    pub elapsed_ms: f64,
}

/// A written project with what was used to write it (the CLI's benchmarks write it again).
pub struct Written {
    pub report: ProjectReport,
    pub model: HlsModel,
    pub templates: Templates,
    pub opts: EmitOptions,
    pub net: Network,
    /// The `.keras` file the project names as its source, if the model came from one.
    pub source: Option<PathBuf>,
}

/// Number of files (links included, directories not) and their bytes under `dir`, without
/// following links; `None` when `dir` is not a directory.
fn contents(dir: &std::path::Path) -> Option<(u64, u64)> {
    if !std::fs::symlink_metadata(dir).ok()?.is_dir() {
        return None;
    }
    let (mut files, mut bytes) = (0u64, 0u64);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => {
                    files += 1;
                    bytes += m.len();
                }
                Err(_) => files += 1,
            }
        }
    }
    Some((files, bytes))
}

/// Write the project of `net` (loaded from `model_path`) into `output`. Notes a user should
/// see (random weights filled, a directory replaced by `force`, hls4ml's warnings) go to
/// `note`, one line each, already prefixed (`note: `, `warning: `).
pub fn write(
    mut net: Network,
    model_path: &Path,
    output: &Path,
    req: &Request<'_>,
    note: &mut dyn FnMut(String),
) -> anyhow::Result<Written> {
    let t0 = Instant::now();
    let backend = Backend::parse(req.backend)
        .with_context(|| format!("--backend '{}': expected Vitis or Vivado", req.backend))?;
    let link = LinkMode::parse(req.link)
        .with_context(|| format!("--link '{}': expected copy, hardlink or symlink", req.link))?;
    let overrides = hls_codegen::Overrides {
        backend: Some(backend),
        part: req.part.clone(),
        clock_period: req.clock_period,
        precision: req.precision.clone(),
        reuse_factor: req.reuse_factor,
        strategy: req.strategy.clone(),
        io_type: req.io_type.clone(),
    };
    overrides.apply(&mut net.config)?;
    if let Some(seed) = req.random_weights {
        let n = crate::cli::random_weights::fill(&mut net, seed);
        note(format!(
            "note: {n} weight tensors filled with pseudo-random values (--random-weights {seed})"
        ));
    }
    if req.print_lowering {
        let pipeline = lower::Pipeline::hls4ml();
        let steps = pipeline
            .steps(&net)
            .with_context(|| format!("{}", model_path.display()))?;
        note(format!("lowering pipeline {}:", pipeline.name));
        for step in steps {
            let state = if step.changed { "" } else { " (unchanged)" };
            note(format!("== {}{state}\n{}", step.pass, step.graph));
        }
    }
    let templates = Templates::discover(req.templates)?;
    let opts = EmitOptions {
        project: ProjectOptions {
            project_name: req.project_name.to_string(),
            backend,
            clock_uncertainty: None,
        },
        link,
        overwrite: req.force,
    };
    let model = hls_codegen::lower(&net, &opts.project).map_err(|e| {
        let msg = e.to_string();
        if msg.contains("is missing") {
            anyhow::anyhow!(
                "{msg}; give the weights with --weights FILE, or use --random-weights SEED for reproducible random ones"
            )
        } else {
            e.into()
        }
    })
    .with_context(|| format!("{}", model_path.display()))?;
    let source = model_path
        .extension()
        .is_some_and(|e| e == "keras")
        .then(|| model_path.to_path_buf());
    if req.force {
        if let Some((files, bytes)) = contents(output).filter(|&(n, _)| n > 0) {
            // --force used to empty the directory without a word.
            note(format!(
                "--force: replacing {} and deleting the {files} files ({bytes} bytes) in it",
                output.display()
            ));
        }
    }
    let rep = hls_codegen::emit(&net, output, &templates, &opts, source.as_deref())
        .with_context(|| format!("writing {}", output.display()))?;
    for w in &rep.warnings {
        note(format!("warning: {w}"));
    }
    let report = ProjectReport {
        output_dir: output.display().to_string(),
        project_name: req.project_name.to_string(),
        backend: backend.name().to_string(),
        io_type: model.io_type_name().to_string(),
        layers: model
            .layers
            .iter()
            .map(|l| LayerRow {
                index: l.index,
                name: l.name.clone(),
                class: l.class_name.clone(),
                reuse_factor: l.reuse_factor,
                strategy: l.strategy.to_string(),
            })
            .collect(),
        warnings: rep.warnings.clone(),
        generated_files: rep.generated_files,
        generated_bytes: rep.generated_bytes,
        template_files: rep.template_files,
        elapsed_ms: t0.elapsed().as_secs_f64() * 1e3,
    };
    Ok(Written {
        report,
        model,
        templates,
        opts,
        net,
        source,
    })
}
