//! `presynth estimate`: the analytic estimate of a model on a part — per-layer table and
//! totals (csynth estimate and post-synthesis estimate, labelled), utilisation, FITS / DOES NOT
//! FIT with the binding resource, latency in cycles and ns, II, warnings; `--explain` prints
//! the formula and inputs behind every figure and the hls4ml layers (the shared lowering's
//! graph) each row prices.

use super::common::{Format, ModelArgs};
use anyhow::Context;
use estimator::{Calibration, Device, EstimateReport};
use ir::{FixedType, IoType, Network, Strategy};
use std::path::PathBuf;

/// Part, interface, clock and calibration: the settings `estimate` and `sweep` share.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TargetArgs {
    /// FPGA part (name, alias or unambiguous prefix from the fpga-targets database)
    #[arg(long)]
    pub part: Option<String>,
    /// io_parallel or io_stream
    #[arg(long)]
    pub io_type: Option<IoType>,
    /// Clock period in ns
    #[arg(long)]
    pub clock_period: Option<f64>,
    /// Calibration file (default: the bundled estimator/calibration/v1.json)
    #[arg(long)]
    pub calibration: Option<PathBuf>,
    /// hls4ml backend, which picks the HLS tool: Vivado (Vivado HLS <= 2020.1) or Vitis (Vitis
    /// HLS >= 2020.2); replaces the config's `Backend`
    #[arg(long, value_parser = ["Vivado", "Vitis", "VivadoAccelerator"])]
    pub backend: Option<String>,
}

impl TargetArgs {
    /// The library overrides these options set (part, io_type, clock, backend).
    pub fn overrides(&self) -> crate::overrides::Overrides {
        crate::overrides::Overrides {
            part: self.part.clone(),
            io_type: self.io_type,
            clock_period: self.clock_period,
            backend: self.backend.clone(),
            ..Default::default()
        }
    }

    /// Apply part, clock, io_type and backend to a network.
    pub fn apply(&self, net: &mut Network) -> anyhow::Result<()> {
        self.overrides().apply(net)
    }

    pub fn calibration(&self) -> anyhow::Result<Calibration> {
        match &self.calibration {
            Some(p) => Ok(Calibration::load(p)?),
            None => Ok(Calibration::builtin()),
        }
    }
}

/// Settings that override the model's (and every layer's) hls4ml settings.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Overrides {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Default precision, e.g. 'ap_fixed<16,6>' (replaces per-layer precisions)
    #[arg(long)]
    pub precision: Option<FixedType>,
    /// Reuse factor (replaces per-layer ones; invalid values are adjusted the hls4ml way)
    #[arg(long)]
    pub reuse_factor: Option<u32>,
    /// Strategy: Latency or Resource (replaces per-layer ones)
    #[arg(long)]
    pub strategy: Option<Strategy>,
}

impl Overrides {
    /// Apply to a network: model-level values set, the matching per-layer overrides removed
    /// ([`crate::overrides::Overrides::apply`]).
    pub fn apply(&self, net: &mut Network) -> anyhow::Result<()> {
        crate::overrides::Overrides {
            precision: self.precision.clone(),
            reuse_factor: self.reuse_factor,
            strategy: self.strategy,
            ..self.target.overrides()
        }
        .apply(net)
    }
}

/// The device of the network's part, the error saying where the part was set: `--part`, else
/// the config YAML, else the model file (an unknown `Part:` used to be reported without it).
pub fn device_of(
    net: &ir::Network,
    target: &TargetArgs,
    model: &ModelArgs,
) -> anyhow::Result<Device> {
    let config = model.config.as_ref().map(|c| c.display().to_string());
    let from = crate::overrides::part_origin(
        target.part.is_some(),
        config.as_deref(),
        &model.model.display().to_string(),
    );
    device(&net.config.part).with_context(|| format!("the part set by {from}"))
}

/// The device of a part name, with a helpful error; when the database answers with another
/// package or grade of the same device, a note on stderr says so.
pub fn device(part: &str) -> anyhow::Result<Device> {
    let (dev, note) = crate::overrides::device(part)?;
    if let Some(n) = note {
        eprintln!("note: part: {n}");
    }
    Ok(dev)
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth estimate examples/jet_tagger_mlp.psn\n  \
presynth estimate examples/hls4ml-examples/keras/KERAS_3layer.json --config examples/jet_tagger_hls4ml_config.yml\n  \
presynth estimate model.json --part xcu250 --strategy Resource --reuse-factor 4 --precision 'ap_fixed<8,3>' --format json\n  \
presynth estimate model.json --explain\n\n\
Resources come in two labelled kinds: 'csynth' (the HLS C-synthesis estimate, JSON `total`) and\n\
'post-synthesis' (the Vivado logic-synthesis estimate, JSON `post_synthesis`, usually lower).\n\
Utilisation and FITS / DOES NOT FIT use the post-synthesis estimate.\n\
Precisions are weight/result/accumulator in short form: 16,6 = ap_fixed<16,6>, u8,0 = ap_ufixed<8,0>.\n\
Every estimator prints the same JSON (docs/estimate.schema.json); a surrogate adds an interval\n\
per total figure and its coverage. --check exits 1 when the design does not fit or will not synthesise."
)]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub overrides: Overrides,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print the formula and inputs behind every per-layer figure, and the hls4ml layers each
    /// row prices
    #[arg(long)]
    pub explain: bool,
    /// analytic, or a surrogate on top of it (hybrid uses the shipped models/default)
    #[arg(long, value_enum, default_value_t = super::train::EstimateWith::Analytic)]
    pub estimator: super::train::EstimateWith,
    /// Surrogate model directory (default: models/default)
    #[arg(long)]
    pub surrogate: Option<PathBuf>,
    /// Exit with status 1 when the design does not fit the part or will not synthesise (for CI)
    #[arg(long)]
    pub check: bool,
    /// Show every column (shapes, parameters, multipliers, post-synthesis per layer, share of
    /// the part) instead of fitting the tables to 100 columns
    #[arg(long)]
    pub wide: bool,
    #[command(flatten)]
    pub gpu: super::estimate_gpu::GpuArgs,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if args.estimator != super::train::EstimateWith::Analytic {
        crate::ml::require()?;
    }
    let mut net = args.model.load()?;
    if let Some(seq) = args.gpu.seq {
        super::estimate_gpu::set_sequence(&mut net, seq)?;
    }
    args.overrides.apply(&mut net)?;
    let targets = super::estimate_gpu::resolve(&args.gpu)?;
    if let Some(t) = &targets {
        if !t.gpus.is_empty() {
            return run_with_gpus(&args, net, t);
        }
        if let Some(p) = &t.fpga {
            net.config.part = p.clone();
        }
    }
    let calib = args.overrides.target.calibration()?;
    let dev = device_of(&net, &args.overrides.target, &args.model)?;
    let analytic = args.estimator == super::train::EstimateWith::Analytic;
    // Every layer's estimate is dropped once its report row (and with `--explain` its lines,
    // spooled to a temporary file) is made; only a surrogate, whose features need them all,
    // keeps them (issue 18: a 100k-layer network in under 200 MB).
    let mut explain = if args.explain {
        Some(super::estimate_explain::Spool::new(
            super::estimate_explain::hls_layers(&net),
        )?)
    } else {
        None
    };
    let (report, dataflow) = if analytic {
        let (report, e) = EstimateReport::estimate_analytic_each(&net, &dev, &calib, |l| {
            if let Some(s) = explain.as_mut() {
                s.layer(l, &calib)
            }
        })?;
        (report, e.dataflow)
    } else {
        let e = estimator::estimate(&net, &dev, &calib)?;
        if let Some(s) = explain.as_mut() {
            for l in &e.layers {
                s.layer(l, &calib);
            }
        }
        let mut report = EstimateReport::analytic(&net, &e, &dev, &calib);
        crate::ml::apply_surrogate(
            &net,
            &dev,
            &e,
            args.estimator,
            args.surrogate.as_deref(),
            &mut report,
        )?;
        (report, e.dataflow)
    };
    {
        // Streamed, in every format: a 100k-layer estimate is about 100 MB of JSON.
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        match args.format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
            }
            Format::Csv => super::estimate_table::write_csv(&mut out, &report)?,
            Format::Table => super::estimate_table::write_text(&mut out, &report, args.wide)?,
        }
        if let Some(s) = explain {
            s.finish(&mut out, dataflow)?;
        }
        out.flush()?;
    }
    if args.check && !(report.fits && report.will_synthesise) {
        anyhow::bail!("--check: {}", report.headline());
    }
    Ok(())
}

/// `--target` with GPUs: the GPU views, beside the FPGA estimate when a part is named too.
fn run_with_gpus(
    args: &Args,
    mut net: Network,
    t: &super::estimate_gpu::Chosen,
) -> anyhow::Result<()> {
    use super::estimate_gpu as g;
    if args.estimator != super::train::EstimateWith::Analytic || args.explain || args.check {
        anyhow::bail!(
            "--estimator, --explain and --check apply to FPGA estimates only; run them without a GPU in --target"
        );
    }
    let gpus = t
        .gpus
        .iter()
        .map(|spec| estimator::gpu_view::estimate(&net, spec, args.gpu.batch, t.dtype))
        .collect::<Result<Vec<_>, _>>()?;
    let fpga = match &t.fpga {
        None => None,
        Some(p) => {
            net.config.part = p.clone();
            let calib = args.overrides.target.calibration()?;
            let dev = device(p)?;
            let e = estimator::estimate(&net, &dev, &calib)?;
            Some(EstimateReport::analytic(&net, &e, &dev, &calib))
        }
    };
    match args.format {
        Format::Json => {
            let r = g::TargetsReport {
                schema: g::SCHEMA,
                fpga: fpga.as_ref(),
                gpus: &gpus,
            };
            println!("{}", serde_json::to_string_pretty(&r)?);
        }
        Format::Csv => print!("{}", g::csv(&gpus)),
        Format::Table => match &fpga {
            Some(f) => {
                print!("{}", g::side_by_side(f, &gpus));
                for w in &f.warnings {
                    eprintln!("warning: {w}");
                }
            }
            None => {
                for e in &gpus {
                    print!("{}", g::gpu_text(e));
                }
            }
        },
    }
    Ok(())
}
