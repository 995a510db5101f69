//! `presynth inspect`: one row per layer (name, kind, input and output shape, parameters, MACs,
//! precisions weight/result/accumulator, reuse factor and strategy) and totals, as a table, CSV
//! or stable JSON; with `--config`, also what the config file changes against the model alone.

use super::common::{shape_str, table, Format, ModelArgs};
use crate::inspect_report::{config_changes, InspectReport};
use estimator::report::short_precision;

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
        config_changes(&alone, &net)
    } else {
        Vec::new()
    };
    let report = InspectReport::new(&net, config_changes);
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
