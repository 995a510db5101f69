//! `presynth sweep`: estimate every combination of reuse factor, strategy, precision, io_type
//! and part in parallel, keeping the model's own settings (per-layer precisions, RFs and
//! strategies of the model and its config) on every axis not given; print the table with the
//! Pareto front of latency vs binding-resource utilisation among designs that fit and
//! synthesise; draw it as an SVG only when `--svg PATH` asks for one.

use super::common::{table, Format, ModelArgs};
use super::estimate::{device, TargetArgs};
use anyhow::{anyhow, bail};
use estimator::plot::SweepPoint;
use estimator::sweep::{Axes, Point};
use ir::{FixedType, IoType, Network, Strategy};
use std::path::PathBuf;

/// The word that stands for the model's own setting on any axis.
const MODEL: &str = "model";

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth sweep examples/jet_tagger_mlp.psn --reuse-factor 1,2,4,8,16 --strategy Latency,Resource\n  \
presynth sweep model.json --config cfg.yml --reuse-factor model,4,16 --precision 'ap_fixed<8,3>' --precision 'ap_fixed<16,6>' --svg pareto.svg\n  \
presynth sweep model.json --part xcu250,xc7z020clg400-1 --io-type io_parallel,io_stream\n\n\
Every axis takes 'model' for the model's own setting (per-layer ones from the model and\n\
--config included); an axis not given is 'model' alone, except the reuse factor\n\
(default model,1,2,4,8,16). A value replaces the model's setting and every per-layer one.\n\
Precisions contain commas, so give --precision once per value (or separate values with ';').\n\
Where the Latency strategy hits the unroll limit the sweep also tries Resource.\n\
Pareto front: configurations that fit the part and are predicted to synthesise that no other\n\
beats in both latency and binding-resource utilisation (post-synthesis estimate)."
)]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Reuse factors, comma-separated ('model' = the model's own)
    #[arg(long, value_delimiter = ',', default_value = "model,1,2,4,8,16")]
    pub reuse_factor: Vec<String>,
    /// Precisions (repeat the flag, or separate with ';'); default: the model's own
    #[arg(long)]
    pub precision: Vec<String>,
    /// Strategies, comma-separated (Latency, Resource, model); default: the model's own
    #[arg(long, value_delimiter = ',')]
    pub strategy: Vec<String>,
    /// io types, comma-separated (io_parallel, io_stream, model); default: the model's own
    #[arg(long, value_delimiter = ',')]
    pub io_type: Vec<String>,
    /// FPGA parts, comma-separated; default: the model's own
    #[arg(long, value_delimiter = ',')]
    pub part: Vec<String>,
    /// Clock period in ns
    #[arg(long)]
    pub clock_period: Option<f64>,
    /// Calibration file (default: the bundled estimator/calibration/v1.json)
    #[arg(long)]
    pub calibration: Option<PathBuf>,
    /// Write the latency-vs-utilisation plot to this SVG (nothing is written without it)
    #[arg(long)]
    pub svg: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Parse one axis: `model` → `None`, anything else with `parse`.
fn axis<T>(
    flag: &str,
    values: &[String],
    parse: impl Fn(&str) -> Result<T, String>,
) -> anyhow::Result<Vec<Option<T>>> {
    if values.is_empty() {
        return Ok(vec![None]);
    }
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| {
            if v.eq_ignore_ascii_case(MODEL) {
                Ok(None)
            } else {
                parse(v)
                    .map(Some)
                    .map_err(|e| anyhow!("{flag} '{v}': {e} (or '{MODEL}' for the model's own)"))
            }
        })
        .collect()
}

/// The layers whose own precisions a `--precision` value replaces.
fn precision_overrides(net: &Network) -> Vec<String> {
    net.graph
        .node_indices()
        .map(|id| net.layer(id))
        .filter(|l| {
            let p = &l.settings.precision;
            p.weight.is_some()
                || p.bias.is_some()
                || p.result.is_some()
                || p.accum.is_some()
                || p.scale.is_some()
        })
        .map(|l| l.name.clone())
        .collect()
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut net = args.model.load()?;
    let target = TargetArgs {
        part: None,
        io_type: None,
        clock_period: args.clock_period,
        calibration: args.calibration.clone(),
        backend: None,
    };
    target.apply(&mut net)?;
    let calib = target.calibration()?;
    let reuse_factors = axis("--reuse-factor", &args.reuse_factor, |v| {
        match v.parse::<u32>() {
            Ok(0) | Err(_) => Err("expected a positive integer".to_string()),
            Ok(r) => Ok(r),
        }
    })?;
    let precisions = axis(
        "--precision",
        &args
            .precision
            .iter()
            .flat_map(|p| p.split(';'))
            .map(str::to_string)
            .collect::<Vec<_>>(),
        |v| v.parse::<FixedType>().map_err(|e| e.to_string()),
    )?;
    let strategies = axis("--strategy", &args.strategy, |v| {
        v.parse::<Strategy>().map_err(|e| e.to_string())
    })?;
    let io_types = axis("--io-type", &args.io_type, |v| {
        v.parse::<IoType>().map_err(|e| e.to_string())
    })?;
    let parts = if args.part.is_empty() {
        vec![net.config.part.clone()]
    } else {
        args.part.clone()
    };
    let mut devices = Vec::new();
    for p in &parts {
        let d = device(if p.eq_ignore_ascii_case(MODEL) {
            &net.config.part
        } else {
            p
        })?;
        if !devices.iter().any(|x: &estimator::Device| x.part == d.part) {
            devices.push(d);
        }
    }
    if reuse_factors.is_empty() {
        bail!("--reuse-factor needs values, e.g. model,1,2,4");
    }
    if precisions.iter().any(Option::is_some) {
        let own = precision_overrides(&net);
        if !own.is_empty() {
            eprintln!(
                "note: --precision replaces the model's own precisions of {} layer(s): {} (add '{MODEL}' to --precision to keep them as one more point)",
                own.len(),
                own.join(", ")
            );
        }
    }
    let axes = Axes {
        reuse_factors,
        strategies,
        precisions,
        io_types,
        devices,
    };
    let points = estimator::sweep::run(&net, &calib, &axes)?;
    if let Some(svg) = &args.svg {
        plot(&net, &axes, &points, svg)?;
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&points)?),
        Format::Csv => print!("{}", csv(&points)),
        Format::Table => print_table(&net, &axes, &points),
    }
    Ok(())
}

fn plot(net: &Network, axes: &Axes, points: &[Point], svg: &std::path::Path) -> anyhow::Result<()> {
    let shown: Vec<SweepPoint> = points
        .iter()
        .filter(|p| p.will_synthesise)
        .map(|p| SweepPoint {
            latency_ns: p.latency_ns.max(f64::MIN_POSITIVE),
            utilisation: p.binding_utilization,
            pareto: p.pareto,
            label: p.label(),
        })
        .collect();
    if shown.is_empty() {
        eprintln!(
            "no plot written to {}: none of the {} configurations is predicted to synthesise",
            svg.display(),
            points.len()
        );
        return Ok(());
    }
    let parts: Vec<&str> = axes.devices.iter().map(|d| d.part.as_str()).collect();
    estimator::plot::sweep(
        svg,
        &format!(
            "{} on {}: latency vs utilisation",
            net.name,
            parts.join(", ")
        ),
        &shown,
    )?;
    eprintln!("plot: {}", svg.display());
    Ok(())
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| MODEL.to_string())
}

fn csv(points: &[Point]) -> String {
    let mut out = String::from("part,io_type,strategy,precision,reuse_factor,added,latency_cycles,latency_ns,ii,binding_resource,binding_utilization,fits,will_synthesise,pareto,lut,ff,dsp,bram_18k,post_lut,post_ff,post_dsp,post_bram_18k\n");
    for p in points {
        let (t, q) = (&p.total, &p.post_synthesis);
        out.push_str(&format!(
            "{},{},{},\"{}\",{},\"{}\",{},{},{},{},{:.3},{},{},{},{},{},{},{},{},{},{},{}\n",
            p.part,
            opt(&p.io_type),
            opt(&p.strategy),
            opt(&p.precision),
            p.reuse_factor.map_or(MODEL.to_string(), |r| r.to_string()),
            p.added.clone().unwrap_or_default(),
            p.latency_cycles,
            p.latency_ns,
            p.ii,
            p.binding_resource,
            p.binding_utilization,
            p.fits,
            p.will_synthesise,
            p.pareto,
            t.lut,
            t.ff,
            t.dsp,
            t.bram_18k,
            q.lut,
            q.ff,
            q.dsp,
            q.bram_18k
        ));
    }
    out
}

fn print_table(net: &Network, axes: &Axes, points: &[Point]) {
    let many_parts = axes.devices.len() > 1;
    let many_io = axes.io_types.len() > 1;
    let mut header = Vec::new();
    if many_parts {
        header.push("part");
    }
    if many_io {
        header.push("io");
    }
    header.extend([
        "strategy",
        "precision",
        "RF",
        "latency cycles (ns)",
        "II",
        "binding util",
        "fits",
        "Pareto",
    ]);
    let mut t = table(&header);
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    t.set_width(super::estimate_table::WIDTH);
    for p in points {
        let mut row = Vec::new();
        if many_parts {
            row.push(p.part.clone());
        }
        if many_io {
            row.push(opt(&p.io_type));
        }
        row.extend([
            format!(
                "{}{}",
                opt(&p.strategy),
                if p.added.is_some() { " (+)" } else { "" }
            ),
            p.precision
                .as_deref()
                .map_or(MODEL.to_string(), estimator::report::short_precision_str),
            p.reuse_factor.map_or(MODEL.to_string(), |r| r.to_string()),
            format!("{} ({:.0} ns)", p.latency_cycles, p.latency_ns),
            p.ii.to_string(),
            format!(
                "{} {:.1}%",
                p.binding_resource.to_uppercase(),
                p.binding_utilization
            ),
            if !p.will_synthesise {
                "no synth".into()
            } else if p.fits {
                "yes".into()
            } else {
                "no".into()
            },
            if p.pareto { "*".into() } else { String::new() },
        ]);
        t.add_row(row);
    }
    let parts: Vec<&str> = axes.devices.iter().map(|d| d.part.as_str()).collect();
    println!(
        "model: {}  part: {}  {} configurations\n\
         model = the model's own setting (per-layer ones included); * = Pareto front of the\n\
         designs that fit and synthesise; no synth = predicted not to synthesise (unroll limit)\n{t}",
        net.name,
        parts.join(", "),
        points.len()
    );
    if points.iter().any(|p| p.added.is_some()) {
        println!(
            "(+) added by the sweep: Resource where the Latency strategy hits the unroll limit"
        );
    }
    if !points.iter().any(|p| p.pareto) {
        println!("no Pareto front: no configuration fits the part and synthesises");
    }
}
