//! `presynth codegen`: write the HLS project hls4ml 1.3.0 would write for a model (Vitis or
//! Vivado, io_parallel or io_stream, Latency or Resource), atomically, with nnet_utils/ and
//! ap_types/ taken from an installed hls4ml. Reuse factors hls4ml would change are changed the
//! same way, with a warning saying requested → used and why.

use super::common::{table, Format, ModelArgs};
use crate::codegen_project::{self, ProjectReport, Request};
use anyhow::Context;
use hls_codegen::{EmitOptions, LinkMode, Templates};
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
    /// Fill the weights a model lacks (a .psn file, a Keras JSON without its .h5) with
    /// reproducible pseudo-random values from this seed: for studying resources and latency
    #[arg(long, value_name = "SEED")]
    pub random_weights: Option<u64>,
    /// Print hls4ml's layer graph after each lowering pass (parse, split_activation, ...,
    /// insert_zero_padding_before_conv2d, optimize_pointwise_conv) to stderr, then write
    #[arg(long)]
    pub print_lowering: bool,
    /// Summary format (csv: one row per layer of the written project)
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Benchmark: after writing DIR, render and write the project N more times in-process (into
    /// temporary directories beside DIR) with each link mode, and report the median times
    #[arg(long, value_name = "N", help_heading = "Benchmark")]
    pub repeat: Option<usize>,
    /// Benchmark: write N copies of the project with the parallel batch writer (all cores,
    /// --link mode) into DIR.batch/, report projects/s and peak memory after N/10 and N, then
    /// remove them
    #[arg(long, value_name = "N", help_heading = "Benchmark")]
    pub batch: Option<usize>,
}

#[derive(Serialize)]
struct RepeatRow {
    link: String,
    render_ms_median: f64,
    write_ms_median: f64,
    total_ms_median: f64,
}

#[derive(Serialize)]
struct BatchRow {
    projects: usize,
    link: String,
    threads: usize,
    seconds: f64,
    projects_per_s: f64,
    peak_rss_mib_after_10pct: f64,
    peak_rss_mib_after_all: f64,
    failed: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    v[v.len() / 2]
}

/// Peak resident memory of this process (Linux VmHWM), in MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn bench_repeat(
    model: &hls_codegen::HlsModel,
    templates: &Templates,
    out: &std::path::Path,
    source: Option<&std::path::Path>,
    n: usize,
) -> anyhow::Result<Vec<RepeatRow>> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut rows = Vec::new();
    for link in [LinkMode::Copy, LinkMode::HardLink, LinkMode::Symlink] {
        let (mut r, mut w) = (Vec::new(), Vec::new());
        for i in 0..n {
            let dir = parent.join(format!(".presynth-bench-{:?}-{i}", link));
            let t0 = Instant::now();
            let p = hls_codegen::render(model, templates, &dir, source);
            let t1 = Instant::now();
            hls_codegen::write_project(&p, &dir, link, true)?;
            let t2 = Instant::now();
            r.push((t1 - t0).as_secs_f64() * 1e3);
            w.push((t2 - t1).as_secs_f64() * 1e3);
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        let tot: Vec<f64> = r.iter().zip(&w).map(|(a, b)| a + b).collect();
        rows.push(RepeatRow {
            link: format!("{link:?}").to_lowercase(),
            render_ms_median: median(r),
            write_ms_median: median(w),
            total_ms_median: median(tot),
        });
    }
    Ok(rows)
}

fn bench_batch(
    net: &ir::Network,
    templates: &Templates,
    opts: &EmitOptions,
    out: &std::path::Path,
    n: usize,
) -> anyhow::Result<BatchRow> {
    let root = out.with_extension("batch");
    if root.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    std::fs::create_dir_all(&root)?;
    let first = (n / 10).max(1).min(n);
    let jobs = |range: std::ops::Range<usize>| {
        let root = root.clone();
        range.map(move |i| hls_codegen::BatchJob {
            network: net.clone(),
            dir: root.join(format!("{i:06}")),
        })
    };
    let t0 = Instant::now();
    let a = hls_codegen::emit_batch(jobs(0..first), templates, opts);
    let rss1 = peak_rss_mib();
    let b = hls_codegen::emit_batch(jobs(first..n), templates, opts);
    let secs = t0.elapsed().as_secs_f64();
    let rss2 = peak_rss_mib();
    std::fs::remove_dir_all(&root)?;
    Ok(BatchRow {
        projects: a.written + b.written,
        link: format!("{:?}", opts.link).to_lowercase(),
        threads: rayon_threads(),
        seconds: secs,
        projects_per_s: (a.written + b.written) as f64 / secs,
        peak_rss_mib_after_10pct: rss1,
        peak_rss_mib_after_all: rss2,
        failed: a.failed.len() + b.failed.len(),
    })
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// What `codegen --format json` prints: the project's summary, and the benchmark rows when asked.
#[derive(Serialize)]
struct Report {
    #[serde(flatten)]
    project: ProjectReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeat: Option<Vec<RepeatRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    batch: Option<BatchRow>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let net = args.model.load()?;
    let request = Request {
        backend: &args.backend,
        link: &args.link,
        part: args.part.clone(),
        clock_period: args.clock_period,
        precision: args.precision.clone(),
        reuse_factor: args.reuse_factor,
        strategy: args.strategy.clone(),
        io_type: args.io_type.clone(),
        project_name: &args.project_name,
        templates: args.templates.as_deref(),
        force: args.force,
        random_weights: args.random_weights,
        print_lowering: args.print_lowering,
    };
    let w = codegen_project::write(
        net,
        &args.model.model,
        &args.output,
        &request,
        &mut |line| eprintln!("{line}"),
    )?;
    let (model, templates, opts, net, source) =
        (&w.model, &w.templates, &w.opts, &w.net, w.source.as_deref());
    let report = Report {
        project: w.report.clone(),
        repeat: None,
        batch: None,
    };
    let mut report = report;
    if let Some(n) = args.repeat {
        report.repeat = Some(bench_repeat(
            model,
            templates,
            &args.output,
            source,
            n.max(1),
        )?);
    }
    if let Some(n) = args.batch {
        report.batch = Some(bench_batch(net, templates, opts, &args.output, n.max(1))?);
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Csv => {
            println!("index,layer,class,reuse_factor,strategy");
            for l in &report.project.layers {
                println!(
                    "{},{},{},{},{}",
                    l.index, l.name, l.class, l.reuse_factor, l.strategy
                );
            }
        }
        Format::Table => {
            let mut t = table(&["index", "layer", "class", "reuse factor", "strategy"]);
            for l in &report.project.layers {
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
                report.project.output_dir,
                report.project.backend,
                report.project.io_type,
                report.project.generated_files,
                report.project.generated_bytes / 1024,
                report.project.template_files,
                report.project.elapsed_ms
            );
            if let Some(rows) = &report.repeat {
                let mut t = table(&[
                    "link",
                    "render ms (median)",
                    "write ms (median)",
                    "total ms (median)",
                ]);
                for r in rows {
                    t.add_row(vec![
                        r.link.clone(),
                        format!("{:.3}", r.render_ms_median),
                        format!("{:.3}", r.write_ms_median),
                        format!("{:.3}", r.total_ms_median),
                    ]);
                }
                println!("{t}");
            }
            if let Some(b) = &report.batch {
                println!(
                    "batch: {} projects ({} failed, --link {}) on {} threads in {:.2} s = {:.0} projects/s; peak RSS {:.1} MiB after 10 %, {:.1} MiB after all",
                    b.projects, b.failed, b.link, b.threads, b.seconds, b.projects_per_s, b.peak_rss_mib_after_10pct, b.peak_rss_mib_after_all
                );
            }
        }
    }
    Ok(())
}
