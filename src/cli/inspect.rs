//! `presynth inspect`: one row per layer (name, kind, input and output shape, parameters, MACs,
//! precisions weight/result/accumulator, reuse factor and strategy) and totals, as a table, CSV
//! or stable JSON; with `--config`, also what the config file changes against the model alone.

use super::common::{shape_str, table, Format, ModelArgs};
use super::stream_table;
use crate::inspect_report::{config_changes, InspectStream, LayerRow};
use estimator::report::short_precision;
use std::io::{BufWriter, Write};

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
    // Each row is made as it is written (issue 18: a 100k-layer network in under 200 MB).
    let report = InspectStream::new(&net, config_changes);
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Csv => {
            writeln!(out, "layer,kind,input_shape,output_shape,params,macs,weight_precision,result_precision,accum_precision,reuse_factor,strategy")?;
            for i in 0..report.len() {
                let l = report.row(i);
                let ins: Vec<String> = l.input_shape.iter().map(|s| shape_str(s)).collect();
                writeln!(
                    out,
                    "{},{},{},{},{},{},\"{}\",\"{}\",\"{}\",{},{}",
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
                )?;
            }
            writeln!(
                out,
                "total,,,,{},{},,,,,",
                report.total_params, report.total_macs
            )?;
        }
        Format::Table => write_table(&mut out, &report, args.model.config.is_some())?,
    }
    out.flush()?;
    Ok(())
}

const HEADER: [&str; 8] = [
    "layer",
    "kind",
    "input",
    "output",
    "params",
    "MACs",
    "precision w/r/a",
    "RF",
];

/// A layer's cells in the table.
fn table_row(l: &LayerRow) -> Vec<String> {
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
    vec![
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
    ]
}

/// The table: comfy-table fitted to the terminal width, or, past
/// [`STREAM_ROWS`](super::estimate_table::STREAM_ROWS) layers, written row by row
/// ([`stream_table`]) with the totals as its last row.
fn write_table(
    out: &mut impl Write,
    report: &InspectStream,
    with_config: bool,
) -> std::io::Result<()> {
    use super::estimate_table::{STREAM_ROWS, WIDTH};
    let total = |n: usize| {
        let mut r = vec![String::new(); n];
        r[0] = "total".to_string();
        r[4] = report.total_params.to_string();
        r[5] = report.total_macs.to_string();
        r
    };
    writeln!(out, "model: {}", report.name())?;
    let n = report.len();
    if n > STREAM_ROWS {
        let width = stream_table::write(out, &HEADER, n + 1, |i| {
            if i < n {
                table_row(&report.row(i))
            } else {
                total(HEADER.len())
            }
        })?;
        if width > WIDTH as usize {
            writeln!(
                out,
                "({n} layers: the table is written row by row, {width} characters wide, not fitted to {WIDTH})"
            )?;
        }
    } else {
        let mut t = table(&HEADER);
        t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
        t.set_width(WIDTH);
        for i in 0..n {
            t.add_row(table_row(&report.row(i)));
        }
        t.add_row(total(HEADER.len()));
        writeln!(out, "{t}")?;
    }
    if with_config {
        if report.config_changes.is_empty() {
            writeln!(
                out,
                "--config changes nothing against the model's own settings"
            )?;
        } else {
            writeln!(out, "--config changes:")?;
            for c in &report.config_changes {
                writeln!(out, "  {c}")?;
            }
        }
    }
    Ok(())
}
