//! `presynth codegen`: write the HLS project hls4ml 1.3.0 would write for a model (Vitis or
//! Vivado, io_parallel or io_stream, Latency or Resource), atomically, with nnet_utils/ and
//! ap_types/ taken from an installed hls4ml. Reuse factors hls4ml would change are changed the
//! same way, with a warning saying requested → used and why.

use super::common::{table, Format, ModelArgs};
use anyhow::Context;
use hls_codegen::{Backend, EmitOptions, LinkMode, ProjectOptions, Templates};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  presynth codegen model.keras -o prj\n  \
presynth codegen model.keras -o prj --io-type io_stream --strategy Resource --reuse-factor 4\n  \
presynth codegen model.json --config hls4ml_config.yml -o prj --backend Vivado --part xc7z020clg400-1\n\n\
nnet_utils/ and ap_types/ come from an installed hls4ml 1.3.0: --templates PATH, else\n\
$PRESYNTH_HLS4ML_TEMPLATES, else a .venv near the working directory, else the python on PATH\n\
(`pip install hls4ml==1.3.0`). Settings given here override the model's and --config's.")]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Output project directory (written atomically)
    #[arg(short, long)]
    pub output: PathBuf,
    /// HLS backend: Vitis or Vivado
    #[arg(long, default_value = "Vitis")]
    pub backend: String,
    /// FPGA part
    #[arg(long)]
    pub part: Option<String>,
    /// Clock period in ns
    #[arg(long)]
    pub clock_period: Option<f64>,
    /// Model default precision, e.g. ap_fixed<16,6>
    #[arg(long)]
    pub precision: Option<String>,
    /// Model reuse factor
    #[arg(long)]
    pub reuse_factor: Option<u32>,
    /// Latency or Resource
    #[arg(long)]
    pub strategy: Option<String>,
    /// io_parallel or io_stream
    #[arg(long)]
    pub io_type: Option<String>,
    /// Project (top function) name
    #[arg(long, default_value = "myproject")]
    pub project_name: String,
    /// hls4ml package or templates directory to take nnet_utils/ and ap_types/ from
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// How template files get into the project: copy, hardlink, or symlink (shared)
    #[arg(long, default_value = "copy")]
    pub link: String,
    /// Replace the output directory if it exists
    #[arg(long)]
    pub force: bool,
    /// Summary format (csv is not offered: use json)
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Serialize)]
struct LayerRow {
    index: usize,
    name: String,
    class: String,
    reuse_factor: u32,
    strategy: String,
}

#[derive(Serialize)]
struct Report {
    output_dir: String,
    project_name: String,
    backend: String,
    io_type: String,
    layers: Vec<LayerRow>,
    warnings: Vec<String>,
    generated_files: usize,
    generated_bytes: usize,
    template_files: usize,
    elapsed_ms: f64,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let backend = Backend::parse(&args.backend)
        .with_context(|| format!("--backend '{}': expected Vitis or Vivado", args.backend))?;
    let link = LinkMode::parse(&args.link)
        .with_context(|| format!("--link '{}': expected copy, hardlink or symlink", args.link))?;
    if matches!(args.format, Format::Csv) {
        anyhow::bail!("--format csv is not offered by codegen; use --format json");
    }
    let mut net = args.model.load()?;
    let cfg = &mut net.config;
    cfg.backend = backend.name().to_string();
    if let Some(p) = &args.part {
        cfg.part = p.clone();
    }
    if let Some(c) = args.clock_period {
        anyhow::ensure!(c > 0.0, "--clock-period must be positive, got {c}");
        cfg.clock_period_ns = c;
    }
    if let Some(p) = &args.precision {
        cfg.precision = p.parse().with_context(|| format!("--precision '{p}'"))?;
    }
    if let Some(r) = args.reuse_factor {
        anyhow::ensure!(r >= 1, "--reuse-factor must be at least 1");
        cfg.reuse_factor = r;
    }
    if let Some(s) = &args.strategy {
        cfg.strategy = s.parse().map_err(|e: String| anyhow::anyhow!("--strategy: {e}"))?;
    }
    if let Some(s) = &args.io_type {
        cfg.io_type = s.parse().map_err(|e: String| anyhow::anyhow!("--io-type: {e}"))?;
    }
    let templates = Templates::discover(args.templates.as_deref())?;
    let opts = EmitOptions {
        project: ProjectOptions {
            project_name: args.project_name.clone(),
            backend,
            clock_uncertainty: None,
        },
        link,
        overwrite: args.force,
    };
    let model = hls_codegen::lower(&net, &opts.project)?;
    let source = args
        .model
        .model
        .extension()
        .is_some_and(|e| e == "keras")
        .then_some(args.model.model.as_path());
    let rep = hls_codegen::emit(&net, &args.output, &templates, &opts, source)
        .with_context(|| format!("writing {}", args.output.display()))?;
    for w in &rep.warnings {
        eprintln!("warning: {w}");
    }
    let report = Report {
        output_dir: args.output.display().to_string(),
        project_name: args.project_name,
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
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        _ => {
            let mut t = table(&["index", "layer", "class", "reuse factor", "strategy"]);
            for l in &report.layers {
                t.add_row(vec![
                    l.index.to_string(),
                    l.name.clone(),
                    l.class.clone(),
                    l.reuse_factor.to_string(),
                    l.strategy.clone(),
                ]);
            }
            println!("{t}");
            println!(
                "wrote {} ({} {}, {} generated files, {} KiB, {} template files) in {:.1} ms",
                report.output_dir,
                report.backend,
                report.io_type,
                report.generated_files,
                report.generated_bytes / 1024,
                report.template_files,
                report.elapsed_ms
            );
        }
    }
    Ok(())
}
