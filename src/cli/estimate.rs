//! `presynth estimate`: the analytic estimate of a model on a part — per-layer table and
//! totals (csynth estimate and post-synthesis estimate, labelled), utilisation, FITS / DOES NOT
//! FIT with the binding resource, latency in cycles and ns, II, warnings; `--explain` prints
//! the formula and inputs behind every figure.

use super::common::{Format, ModelArgs};
use anyhow::{anyhow, Context};
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
}

impl TargetArgs {
    /// Apply part, clock and io_type to a network.
    pub fn apply(&self, net: &mut Network) -> anyhow::Result<()> {
        if let Some(p) = &self.part {
            net.config.part = p.clone();
        }
        if let Some(c) = self.clock_period {
            if !(c.is_finite() && c > 0.0) {
                return Err(anyhow!(
                    "--clock-period must be a positive number of ns, got {c}"
                ));
            }
            net.config.clock_period_ns = c;
        }
        if let Some(io) = self.io_type {
            net.config.io_type = io;
        }
        Ok(())
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
    /// Apply to a network: model-level values set, the matching per-layer overrides removed.
    pub fn apply(&self, net: &mut Network) -> anyhow::Result<()> {
        self.target.apply(net)?;
        let ids: Vec<_> = net.graph.node_indices().collect();
        if let Some(p) = &self.precision {
            net.config.precision = p.clone();
            for &id in &ids {
                net.layer_mut(id).settings.precision = Default::default();
            }
        }
        if let Some(rf) = self.reuse_factor {
            if rf == 0 {
                return Err(anyhow!("--reuse-factor must be at least 1"));
            }
            net.config.reuse_factor = rf;
            for &id in &ids {
                net.layer_mut(id).settings.reuse_factor = None;
            }
        }
        if let Some(s) = self.strategy {
            net.config.strategy = s;
            for &id in &ids {
                net.layer_mut(id).settings.strategy = None;
            }
        }
        Ok(())
    }
}

/// The device of the network's part, the error saying where the part was set: `--part`, else
/// the config YAML, else the model file (an unknown `Part:` used to be reported without it).
pub fn device_of(
    net: &ir::Network,
    target: &TargetArgs,
    model: &ModelArgs,
) -> anyhow::Result<Device> {
    let from = if target.part.is_some() {
        "--part".to_string()
    } else {
        match &model.config {
            Some(c) => format!("{} (or {})", c.display(), model.model.display()),
            None => model.model.display().to_string(),
        }
    };
    device(&net.config.part).with_context(|| format!("the part set by {from}"))
}

/// The device of a part name, with a helpful error; when the database answers with another
/// package or grade of the same device, a note on stderr says so.
pub fn device(part: &str) -> anyhow::Result<Device> {
    match fpga_targets::Targets::builtin().resolve(part) {
        Ok(fpga_targets::Resolution {
            target: fpga_targets::Target::Fpga(p),
            note,
        }) => {
            if let Some(n) = note {
                eprintln!("note: part: {n}");
            }
            Ok(Device::from_part(p))
        }
        Ok(_) => Err(anyhow!(
            "'{part}' is a GPU; estimate needs an FPGA part (see `presynth targets`)"
        )),
        Err(e) => Err(anyhow!("{e}")).context(format!("part '{part}'")),
    }
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
    /// Print the formula and inputs behind every per-layer figure
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
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if args.estimator != super::train::EstimateWith::Analytic {
        crate::ml::require()?;
    }
    let mut net = args.model.load()?;
    args.overrides.apply(&mut net)?;
    let calib = args.overrides.target.calibration()?;
    let dev = device_of(&net, &args.overrides.target, &args.model)?;
    let analytic = args.estimator == super::train::EstimateWith::Analytic;
    // The per-layer estimates are kept only where they are used (`--explain`, a surrogate's
    // features); otherwise each is dropped once its report row is made (issue 18: a 100k-layer
    // network in under 200 MB).
    let (e, mut report) = if args.explain || !analytic {
        let e = estimator::estimate(&net, &dev, &calib)?;
        let report = EstimateReport::analytic(&net, &e, &dev, &calib);
        (Some(e), report)
    } else {
        (None, EstimateReport::estimate_analytic(&net, &dev, &calib)?)
    };
    if let (false, Some(e)) = (analytic, &e) {
        crate::ml::apply_surrogate(
            &net,
            &dev,
            e,
            args.estimator,
            args.surrogate.as_deref(),
            &mut report,
        )?;
    }
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
        if let (true, Some(e)) = (args.explain, &e) {
            writeln!(out)?;
            for l in &e.layers {
                for line in l.explain(&calib) {
                    writeln!(out, "{line}")?;
                }
            }
            writeln!(
                out,
                "network: latency = longest path of layer latencies ({}); II = largest layer II",
                if e.dataflow { "DATAFLOW" } else { "PIPELINE" }
            )?;
        }
        out.flush()?;
    }
    if args.check && !(report.fits && report.will_synthesise) {
        anyhow::bail!("--check: {}", report.headline());
    }
    Ok(())
}
