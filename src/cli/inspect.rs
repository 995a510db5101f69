//! `presynth inspect`: one row per layer (name, kind, input and output shape, parameters, MACs,
//! precisions weight/result/accumulator, reuse factor and strategy) and totals, as a table, CSV
//! or stable JSON; with `--config`, also what the config file changes against the model alone.

use super::common::{shape_str, table, Format, ModelArgs};
use estimator::report::short_precision;
use ir::Network;
use serde::Serialize;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth inspect examples/jet_tagger_mlp.psn\n  \
presynth inspect examples/hls4ml-examples/keras/KERAS_3layer.json --config examples/jet_tagger_hls4ml_config.yml\n  \
presynth inspect examples/hls4ml-examples/keras/KERAS_3layer.json --format csv\n\n\
Precisions are weight/result/accumulator in short form: 16,6 = ap_fixed<16,6>, u8,0 = ap_ufixed<8,0>."
)]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Serialize)]
struct LayerRow {
    name: String,
    kind: String,
    input_shape: Vec<Vec<usize>>,
    output_shape: Vec<usize>,
    params: u64,
    macs: u64,
    weight_precision: String,
    result_precision: String,
    accum_precision: String,
    reuse_factor: u32,
    strategy: String,
}

#[derive(Serialize)]
struct Report {
    name: String,
    layers: Vec<LayerRow>,
    total_params: u64,
    total_macs: u64,
    /// What `--config` changed against the model alone (empty without `--config`).
    config_changes: Vec<String>,
}

fn rows(net: &Network) -> Vec<LayerRow> {
    net.stats()
        .into_iter()
        .map(|s| {
            let r = net
                .find(&s.name)
                .map(|id| net.config.resolve(&net.layer(id).settings))
                .unwrap_or_else(|| net.config.resolve(&Default::default()));
            LayerRow {
                name: s.name,
                kind: s.kind,
                input_shape: s.input_shape,
                output_shape: s.output_shape,
                params: s.params,
                macs: s.macs,
                weight_precision: r.weight.to_string(),
                result_precision: r.result.to_string(),
                accum_precision: r.accum.to_string(),
                reuse_factor: r.reuse_factor,
                strategy: r.strategy.to_string(),
            }
        })
        .collect()
}

/// Every model-level and per-layer setting that differs between `before` and `after`.
fn changes(before: &Network, after: &Network) -> Vec<String> {
    let (b, a) = (&before.config, &after.config);
    let mut out = Vec::new();
    let mut model = |what: &str, x: String, y: String| {
        if x != y {
            out.push(format!("model {what}: {x} → {y}"));
        }
    };
    model("part", b.part.clone(), a.part.clone());
    model(
        "clock period (ns)",
        b.clock_period_ns.to_string(),
        a.clock_period_ns.to_string(),
    );
    model("io_type", b.io_type.to_string(), a.io_type.to_string());
    model(
        "precision",
        b.precision.to_string(),
        a.precision.to_string(),
    );
    model(
        "reuse factor",
        b.reuse_factor.to_string(),
        a.reuse_factor.to_string(),
    );
    model("strategy", b.strategy.to_string(), a.strategy.to_string());
    let (rb, ra) = (rows(before), rows(after));
    for (x, y) in rb.iter().zip(&ra) {
        let mut d = Vec::new();
        for (what, p, q) in [
            ("weight", &x.weight_precision, &y.weight_precision),
            ("result", &x.result_precision, &y.result_precision),
            ("accum", &x.accum_precision, &y.accum_precision),
            ("strategy", &x.strategy, &y.strategy),
        ] {
            if p != q {
                d.push(format!("{what} {p} → {q}"));
            }
        }
        if x.reuse_factor != y.reuse_factor {
            d.push(format!("RF {} → {}", x.reuse_factor, y.reuse_factor));
        }
        if !d.is_empty() {
            out.push(format!("{}: {}", y.name, d.join(", ")));
        }
    }
    out
}

fn short(s: &str) -> String {
    s.parse::<ir::FixedType>()
        .map(|t| short_precision(&t))
        .unwrap_or_else(|_| s.to_string())
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let net = args.model.load()?;
    let config_changes = if args.model.config.is_some() {
        let alone = ModelArgs {
            config: None,
            ..args.model.clone()
        }
        .load()?;
        changes(&alone, &net)
    } else {
        Vec::new()
    };
    let layers = rows(&net);
    let report = Report {
        name: net.name.clone(),
        total_params: layers.iter().map(|s| s.params).sum(),
        total_macs: layers.iter().map(|s| s.macs).sum(),
        layers,
        config_changes,
    };
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Csv => {
            let mut w = String::from("layer,kind,input_shape,output_shape,params,macs,weight_precision,result_precision,accum_precision,reuse_factor,strategy\n");
            for l in &report.layers {
                let ins: Vec<String> = l.input_shape.iter().map(|s| shape_str(s)).collect();
                w.push_str(&format!(
                    "{},{},{},{},{},{},\"{}\",\"{}\",\"{}\",{},{}\n",
                    l.name,
                    l.kind,
                    ins.join(";"),
                    shape_str(&l.output_shape),
                    l.params,
                    l.macs,
                    l.weight_precision,
                    l.result_precision,
                    l.accum_precision,
                    l.reuse_factor,
                    l.strategy
                ));
            }
            w.push_str(&format!(
                "total,,,,{},{},,,,,\n",
                report.total_params, report.total_macs
            ));
            print!("{w}");
        }
        Format::Table => {
            let mut t = table(&[
                "layer",
                "kind",
                "input",
                "output",
                "params",
                "MACs",
                "precision w/r/a",
                "RF",
            ]);
            t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
            t.set_width(super::estimate_table::WIDTH);
            for l in &report.layers {
                let ins: Vec<String> = l.input_shape.iter().map(|s| shape_str(s)).collect();
                let prec = if l.params == 0 {
                    format!("-/{}/-", short(&l.result_precision))
                } else {
                    format!(
                        "{}/{}/{}",
                        short(&l.weight_precision),
                        short(&l.result_precision),
                        short(&l.accum_precision)
                    )
                };
                t.add_row(vec![
                    l.name.clone(),
                    l.kind.clone(),
                    ins.join(", "),
                    shape_str(&l.output_shape),
                    l.params.to_string(),
                    l.macs.to_string(),
                    prec,
                    if l.params == 0 {
                        String::new()
                    } else {
                        format!("{} {}", l.reuse_factor, &l.strategy[..3])
                    },
                ]);
            }
            t.add_row(vec![
                "total".to_string(),
                String::new(),
                String::new(),
                String::new(),
                report.total_params.to_string(),
                report.total_macs.to_string(),
                String::new(),
                String::new(),
            ]);
            println!("model: {}\n{t}", report.name);
            if args.model.config.is_some() {
                if report.config_changes.is_empty() {
                    println!("--config changes nothing against the model's own settings");
                } else {
                    println!("--config changes:");
                    for c in &report.config_changes {
                        println!("  {c}");
                    }
                }
            }
        }
    }
    Ok(())
}
