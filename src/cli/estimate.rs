//! `presynth estimate`: the analytic estimate of a model on a part — per-layer table and
//! totals (csynth estimate and post-synthesis estimate, labelled), utilisation, FITS / DOES NOT
//! FIT with the binding resource, latency in cycles and ns, II, warnings; `--explain` prints
//! the formula and inputs behind every figure.

use super::common::{table, Format, ModelArgs};
use anyhow::{anyhow, Context};
use estimator::{Calibration, Device, NetworkEstimate};
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

/// The device of a part name, with a helpful error.
pub fn device(part: &str) -> anyhow::Result<Device> {
    match fpga_targets::Targets::builtin().get(part) {
        Ok(fpga_targets::Target::Fpga(p)) => Ok(Device::from_part(p)),
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
Utilisation and FITS / DOES NOT FIT use the post-synthesis estimate."
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
}

fn r(v: f64) -> String {
    format!("{}", v.round() as i64)
}

fn pct(v: f64) -> String {
    if v.is_infinite() {
        "n/a (part has none)".into()
    } else {
        format!("{v:.1}%")
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if args.estimator != super::train::EstimateWith::Analytic {
        crate::ml::require()?;
    }
    let mut net = args.model.load()?;
    args.overrides.apply(&mut net)?;
    let calib = args.overrides.target.calibration()?;
    let dev = device_of(&net, &args.overrides.target, &args.model)?;
    let e = estimator::estimate(&net, &dev, &calib)?;
    if args.estimator != super::train::EstimateWith::Analytic {
        return crate::ml::print_surrogate_estimate(
            &net,
            &dev,
            &e,
            args.estimator,
            args.surrogate.as_deref(),
            args.format,
        );
    }
    match args.format {
        Format::Json => {
            // Streamed: a 100k-layer estimate is 57 MB of JSON, not worth holding as a String.
            use std::io::Write;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            serde_json::to_writer_pretty(&mut out, &e)?;
            writeln!(out)?;
            out.flush()?;
        }
        Format::Csv => print_csv(&e),
        Format::Table => print_table(&net, &e),
    }
    if args.explain {
        println!();
        for l in &e.layers {
            for line in l.explain(&calib) {
                println!("{line}");
            }
        }
        println!(
            "network: latency = longest path of layer latencies ({}); II = largest layer II",
            if e.dataflow { "DATAFLOW" } else { "PIPELINE" }
        );
    }
    Ok(())
}

fn print_csv(e: &NetworkEstimate) {
    println!("layer,kind,strategy,reuse_factor,multipliers,lut,ff,dsp,bram_18k,uram,post_lut,post_ff,post_dsp,post_bram_18k,latency_best,latency_worst,ii");
    for l in &e.layers {
        let c = l.csynth;
        let p = l.post_synthesis;
        println!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            l.name,
            l.kind,
            l.strategy,
            l.reuse_factor.map(|v| v.to_string()).unwrap_or_default(),
            l.multipliers,
            r(c.lut),
            r(c.ff),
            r(c.dsp),
            r(c.bram_18k),
            r(c.uram),
            r(p.lut),
            r(p.ff),
            r(p.dsp),
            r(p.bram_18k),
            l.latency_best,
            l.latency_worst,
            l.ii
        );
    }
    let t = &e.total;
    let p = e.post_synthesis;
    println!(
        "total,,,,,{},{},{},{},{},{},{},{},{},{},{},{}",
        r(t.lut),
        r(t.ff),
        r(t.dsp),
        r(t.bram_18k),
        r(t.uram),
        r(p.lut),
        r(p.ff),
        r(p.dsp),
        r(p.bram_18k),
        t.latency_cycles,
        e.latency_worst,
        t.ii
    );
}

fn print_table(net: &Network, e: &NetworkEstimate) {
    let mut t = table(&[
        "layer", "kind", "strategy", "RF", "mults", "LUT", "FF", "DSP", "BRAM18K", "latency", "II",
    ]);
    for l in &e.layers {
        let c = l.csynth;
        t.add_row(vec![
            l.name.clone(),
            l.kind.clone(),
            if l.reuse_factor.is_some() {
                l.strategy.clone()
            } else {
                String::new()
            },
            l.reuse_factor.map(|v| v.to_string()).unwrap_or_default(),
            l.multipliers.to_string(),
            r(c.lut),
            r(c.ff),
            r(c.dsp),
            r(c.bram_18k),
            l.latency_best.to_string(),
            l.ii.to_string(),
        ]);
    }
    let tot = &e.total;
    t.add_row(vec![
        "total (csynth estimate)".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        r(tot.lut),
        r(tot.ff),
        r(tot.dsp),
        r(tot.bram_18k),
        tot.latency_cycles.to_string(),
        tot.ii.to_string(),
    ]);
    let p = e.post_synthesis;
    t.add_row(vec![
        "total (post-synthesis estimate)".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        r(p.lut),
        r(p.ff),
        r(p.dsp),
        r(p.bram_18k),
        String::new(),
        String::new(),
    ]);
    let u = e.utilization;
    t.add_row(vec![
        format!("utilisation of {}", e.part),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        pct(u.lut),
        pct(u.ff),
        pct(u.dsp),
        pct(u.bram_18k),
        String::new(),
        String::new(),
    ]);
    println!(
        "model: {}  part: {}  clock: {} ns  io: {}  pipeline: {}",
        net.name,
        e.part,
        e.clock_period_ns,
        net.config.io_type,
        if e.dataflow { "DATAFLOW" } else { "PIPELINE" }
    );
    println!("{t}");
    let binding = e.binding_resource.to_uppercase();
    if e.fits {
        println!(
            "FITS: binding resource {binding} at {}",
            pct(e.binding_utilisation())
        );
    } else {
        println!(
            "DOES NOT FIT: binding resource {binding} at {}",
            pct(e.binding_utilisation())
        );
    }
    println!(
        "latency: {} cycles (worst {}) = {:.1} ns at {} ns; II: {} cycles",
        tot.latency_cycles, e.latency_worst, tot.latency_ns, e.clock_period_ns, tot.ii
    );
    for w in &e.warnings {
        println!("warning: {w}");
    }
}
