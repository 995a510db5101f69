//! `presynth inspect`: one row per layer (name, kind, input and output shape, parameters, MACs)
//! and totals, as a table or stable JSON.

use super::common::{shape_str, table, Format, ModelArgs};
use serde::Serialize;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth inspect examples/jet_tagger_mlp.psn\n  \
presynth inspect examples/hls4ml-examples/keras/KERAS_3layer.json --format json"
)]
pub struct Args {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Output format (csv is not offered: use json)
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
}

#[derive(Serialize)]
struct Report {
    name: String,
    layers: Vec<LayerRow>,
    total_params: u64,
    total_macs: u64,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let net = args.model.load()?;
    let stats = net.stats();
    let report = Report {
        name: net.name.clone(),
        total_params: stats.iter().map(|s| s.params).sum(),
        total_macs: stats.iter().map(|s| s.macs).sum(),
        layers: stats
            .into_iter()
            .map(|s| LayerRow {
                name: s.name,
                kind: s.kind,
                input_shape: s.input_shape,
                output_shape: s.output_shape,
                params: s.params,
                macs: s.macs,
            })
            .collect(),
    };
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Csv => anyhow::bail!("--format csv is not offered by inspect; use --format json"),
        Format::Table => {
            let mut t = table(&["layer", "kind", "input", "output", "params", "MACs"]);
            for l in &report.layers {
                let ins: Vec<String> = l.input_shape.iter().map(|s| shape_str(s)).collect();
                t.add_row(vec![
                    l.name.clone(),
                    l.kind.clone(),
                    ins.join(", "),
                    shape_str(&l.output_shape),
                    l.params.to_string(),
                    l.macs.to_string(),
                ]);
            }
            t.add_row(vec![
                "total".to_string(),
                String::new(),
                String::new(),
                String::new(),
                report.total_params.to_string(),
                report.total_macs.to_string(),
            ]);
            println!("model: {}\n{t}", report.name);
        }
    }
    Ok(())
}
