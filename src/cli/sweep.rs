//! `presynth sweep`: estimate every combination of reuse factor, precision and strategy in
//! parallel, print the table with the Pareto front of latency vs binding-resource utilisation,
//! and draw it as an SVG.

use super::common::{table, Format, ModelArgs};
use super::estimate::{device_of, TargetArgs};
use anyhow::anyhow;
use estimator::plot::SweepPoint;
use ir::{FixedType, Strategy};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth sweep examples/jet_tagger_mlp.psn --reuse-factor 1,2,4,8,16 --strategy Latency,Resource\n  \
presynth sweep model.json --reuse-factor 1,4,16 --precision 'ap_fixed<8,3>' --precision 'ap_fixed<16,6>' --svg pareto.svg\n\n\
Precisions contain commas, so give --precision once per value (or separate values with ';').\n\
Pareto front: configurations predicted to synthesise that no other beats in both latency and\n\
binding-resource utilisation (post-synthesis estimate)."
)]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Reuse factors, comma-separated
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16")]
    pub reuse_factor: Vec<u32>,
    /// Precisions (repeat the flag, or separate with ';'); default: the model's
    #[arg(long)]
    pub precision: Vec<String>,
    /// Strategies, comma-separated; default: the model's
    #[arg(long, value_delimiter = ',')]
    pub strategy: Vec<Strategy>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// SVG plot of the sweep (default: <model name>_sweep.svg in the current directory)
    #[arg(long)]
    pub svg: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut net = args.model.load()?;
    args.target.apply(&mut net)?;
    let calib = args.target.calibration()?;
    let dev = device_of(&net, &args.target, &args.model)?;
    let precisions: Vec<FixedType> = if args.precision.is_empty() {
        vec![net.config.precision.clone()]
    } else {
        args.precision
            .iter()
            .flat_map(|p| p.split(';'))
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                p.parse::<FixedType>()
                    .map_err(|e| anyhow!("--precision: {e}"))
            })
            .collect::<anyhow::Result<_>>()?
    };
    let strategies = if args.strategy.is_empty() {
        vec![net.config.strategy]
    } else {
        args.strategy.clone()
    };
    if args.reuse_factor.is_empty() || args.reuse_factor.contains(&0) {
        return Err(anyhow!("--reuse-factor needs positive values, e.g. 1,2,4"));
    }
    let points = estimator::sweep::run(
        &net,
        &dev,
        &calib,
        &args.reuse_factor,
        &precisions,
        &strategies,
    )?;
    let svg = args
        .svg
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}_sweep.svg", net.name)));
    let plot_points: Vec<SweepPoint> = points
        .iter()
        .filter(|p| p.will_synthesise)
        .map(|p| SweepPoint {
            latency_ns: p.latency_ns.max(f64::MIN_POSITIVE),
            utilisation: p.binding_utilization,
            pareto: p.pareto,
            label: format!(
                "{} RF{} {}",
                p.config.strategy,
                p.config.reuse_factor,
                p.config.precision.trim_start_matches("ap_")
            ),
        })
        .collect();
    estimator::plot::sweep(
        &svg,
        &format!("{} on {}: latency vs utilisation", net.name, dev.part),
        &plot_points,
    )?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&points)?),
        Format::Csv => {
            println!("strategy,precision,reuse_factor,latency_cycles,latency_ns,ii,binding_resource,binding_utilization,fits,will_synthesise,pareto");
            for p in &points {
                println!(
                    "{},\"{}\",{},{},{},{},{},{:.3},{},{},{}",
                    p.config.strategy,
                    p.config.precision,
                    p.config.reuse_factor,
                    p.latency_cycles,
                    p.latency_ns,
                    p.ii,
                    p.binding_resource,
                    p.binding_utilization,
                    p.fits,
                    p.will_synthesise,
                    p.pareto
                );
            }
        }
        Format::Table => {
            let mut t = table(&[
                "strategy",
                "precision",
                "RF",
                "latency (cycles)",
                "latency (ns)",
                "II",
                "binding",
                "util %",
                "fits",
                "Pareto",
            ]);
            for p in &points {
                t.add_row(vec![
                    p.config.strategy.clone(),
                    p.config.precision.clone(),
                    p.config.reuse_factor.to_string(),
                    p.latency_cycles.to_string(),
                    format!("{:.1}", p.latency_ns),
                    p.ii.to_string(),
                    p.binding_resource.to_uppercase(),
                    format!("{:.1}", p.binding_utilization),
                    if !p.will_synthesise {
                        "will not synthesise".into()
                    } else if p.fits {
                        "yes".into()
                    } else {
                        "no".into()
                    },
                    if p.pareto { "*".into() } else { String::new() },
                ]);
            }
            println!(
                "model: {}  part: {}  {} configurations  (* = Pareto front)\n{t}",
                net.name,
                dev.part,
                points.len()
            );
            println!("plot: {}", svg.display());
        }
    }
    Ok(())
}
