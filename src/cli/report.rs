//! `presynth report`: one self-contained HTML file per model — the analytic estimate (headline,
//! utilisation bars, model graph, per-layer table with precisions), the RF × strategy ×
//! precision sweep with its Pareto front, the warnings, and with `--project DIR` the figures a
//! synthesised hls4ml project reported beside the estimate (totals, and per layer where the
//! project's `firmware/parameters.h` names hls4ml's layer indices). Written atomically
//! (temporary file, then rename).

use super::common::ModelArgs;
use super::estimate::{device, Overrides};
use anyhow::Context;
use estimator::html::{Actual, Page};
use estimator::sweep::Axes;
use estimator::{EstimateReport, Resources};
use ir::{FixedType, Strategy};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth report examples/jet_tagger_mlp.psn -o report.html\n  \
presynth report examples/hls4ml-examples/keras/KERAS_3layer.json --config examples/jet_tagger_hls4ml_config.yml -o report.html\n  \
presynth report model.json --config cfg.yml --project hls4ml_prj -o report.html\n\n\
The file needs no network to view: CSS, SVG, JS and the estimate's JSON are inline.\n\
The sweep tries the reuse factors model,1,2,4,8,16, the strategies model/Latency/Resource and\n\
the precisions model/ap_fixed<8,3>/ap_fixed<16,6> ('model' = the model's own settings)."
)]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub overrides: Overrides,
    /// A synthesised hls4ml project (csynth report, and vivado_synth.rpt when present) to show
    /// beside the estimate
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Output HTML file
    #[arg(short, long)]
    pub output: PathBuf,
}

/// The totals a synthesised project reported.
fn read_actual(dir: &Path) -> anyhow::Result<Actual> {
    let rep = dataset_tools::ingest::project::read_project(dir)
        .with_context(|| format!("--project {}", dir.display()))?
        .with_context(|| {
            format!(
                "--project {}: no csynth report (expected <top>_prj/solution1/syn/report/<top>_csynth.xml)",
                dir.display()
            )
        })?;
    let c = &rep.csynth;
    let res = |lut: u64, ff: u64, dsp: u64, bram: u64, uram: Option<u64>| Resources {
        lut: lut as f64,
        ff: ff as f64,
        dsp: dsp as f64,
        bram_18k: bram as f64,
        uram: uram.unwrap_or(0) as f64,
    };
    Ok(Actual {
        source: dir.display().to_string(),
        tool: rep.tool.clone(),
        csynth: res(
            c.used.lut,
            c.used.ff,
            c.used.dsp,
            c.used.bram_18k,
            c.used.uram,
        ),
        latency_best: c.latency_best_cycles,
        latency_worst: c.latency_worst_cycles,
        ii: c.interval_max,
        post_synthesis: rep
            .vivado
            .as_ref()
            .map(|v| res(v.lut, v.ff, v.dsp, v.bram_18k, v.uram)),
        layers: Default::default(),
    })
}

/// The synthesised csynth resources per layer of the model: each instance of the top report
/// whose module carries hls4ml's layer index (`config<N>`), named through the project's
/// `firmware/parameters.h`, and attributed to the model layer of that name, or to the one whose
/// name it extends with `_<suffix>` (hls4ml's split activation `fc1_relu` belongs to the IR's
/// `fc1`). Instances without an index or a name are left out; no `parameters.h`: empty.
fn read_actual_layers(
    dir: &Path,
    net: &ir::Network,
) -> anyhow::Result<std::collections::BTreeMap<String, Resources>> {
    use dataset_tools::ingest::layers::{read_layer_names, read_layers};
    let mut out = std::collections::BTreeMap::new();
    let names = read_layer_names(dir).with_context(|| format!("--project {}", dir.display()))?;
    if names.is_empty() {
        return Ok(out);
    }
    let Some(breakdown) =
        read_layers(dir).with_context(|| format!("--project {}", dir.display()))?
    else {
        return Ok(out);
    };
    let ir_names: Vec<&str> = net
        .graph
        .node_indices()
        .map(|id| net.layer(id).name.as_str())
        .collect();
    let owner = |hls: &str| -> Option<&str> {
        if ir_names.contains(&hls) {
            return ir_names.iter().copied().find(|n| *n == hls);
        }
        ir_names
            .iter()
            .copied()
            .filter(|n| {
                hls.len() > n.len() + 1 && hls.starts_with(n) && hls[n.len()..].starts_with('_')
            })
            .max_by_key(|n| n.len())
    };
    for l in &breakdown.layers {
        let Some(name) = l.config_index.and_then(|n| names.get(&n)) else {
            continue;
        };
        let Some(ir) = owner(name) else {
            continue;
        };
        let r: &mut Resources = out.entry(ir.to_string()).or_default();
        r.lut += l.lut as f64;
        r.ff += l.ff as f64;
        r.dsp += l.dsp as f64;
        r.bram_18k += l.bram_18k as f64;
        r.uram += l.uram.unwrap_or(0) as f64;
    }
    Ok(out)
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut net = args.model.load()?;
    args.overrides.apply(&mut net)?;
    let calib = args.overrides.target.calibration()?;
    let dev = device(&net.config.part)?;
    let est = estimator::estimate(&net, &dev, &calib)?;
    let report = EstimateReport::analytic(&net, &est, &dev, &calib);
    let axes = Axes {
        reuse_factors: [None, Some(1), Some(2), Some(4), Some(8), Some(16)].to_vec(),
        strategies: vec![None, Some(Strategy::Latency), Some(Strategy::Resource)],
        precisions: vec![
            None,
            Some(FixedType::fixed(8, 3)),
            Some(FixedType::fixed(16, 6)),
        ],
        io_types: vec![None],
        devices: vec![dev.clone()],
    };
    let points = estimator::sweep::run(&net, &calib, &axes)?;
    let mut actual = args.project.as_deref().map(read_actual).transpose()?;
    if let (Some(a), Some(dir)) = (actual.as_mut(), args.project.as_deref()) {
        a.layers = read_actual_layers(dir, &net)?;
    }
    let html = estimator::html::render(&Page {
        report: &report,
        capacity: dev.capacity,
        sweep: &points,
        actual: actual.as_ref(),
    });
    let out = &args.output;
    let mut tmp = out.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let written = std::fs::write(&tmp, &html).and_then(|()| std::fs::rename(&tmp, out));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("writing {}", out.display()));
    }
    println!(
        "wrote {} ({} KiB): {}",
        out.display(),
        html.len() / 1024,
        report.headline()
    );
    Ok(())
}
