//! The tables and CSV of `presynth estimate`, printed from an [`EstimateReport`] so that every
//! estimator (analytic or surrogate) has the same layout: the headline ("WILL NOT SYNTHESISE"
//! first when it applies), a per-layer table (precision weight/result/accumulator, strategy and
//! RF, csynth resources, latency, II) that fits 100 columns unless `--wide`, and a totals table
//! with an interval column per label kind (empty for the analytic estimator).

use super::common::{shape_str, table};
use super::stream_table;
use estimator::report::{pct, short_precision_str, EstimateReport, Interval};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Terminal width the default tables fit.
pub const WIDTH: u16 = 100;

fn r(v: f64) -> String {
    format!("{}", v.round() as i64)
}

/// `weight/result/accumulator` in short form, one value when all three are the same.
/// Layers without weights show `-/result/-`.
pub fn precision_cell(l: &estimator::report::LayerReport) -> String {
    let p = &l.precision;
    let (w, res, a) = (
        short_precision_str(&p.weight),
        short_precision_str(&p.result),
        short_precision_str(&p.accum),
    );
    if l.params == 0 {
        format!("-/{res}/-")
    } else if w == res && res == a {
        w
    } else {
        format!("{w}/{res}/{a}")
    }
}

/// `4 Res` / `1 Lat`: a layer's strategy and reuse factor in one cell (empty without an RF).
pub fn strategy_rf(l: &estimator::report::LayerReport) -> String {
    match (&l.strategy, l.reuse_factor) {
        (Some(s), Some(rf)) => format!("{rf} {}", &s[..s.len().min(3)]),
        _ => String::new(),
    }
}

fn interval_cell(i: Option<Interval>) -> String {
    match i {
        Some(i) => format!("{}–{}", r(i.low), r(i.high)),
        None => "—".into(),
    }
}

/// Per-layer tables longer than this are written row by row ([`stream_table`]) instead of
/// through comfy-table, which holds every cell: the same look, but the columns are not wrapped
/// to fit [`WIDTH`] (a 100k-layer table took 568 MB through comfy-table).
pub const STREAM_ROWS: usize = 5_000;

/// The per-layer table's header.
fn layer_header(wide: bool) -> Vec<&'static str> {
    let mut header = vec!["layer", "kind"];
    if wide {
        header.extend(["input", "output", "params", "mults"]);
    }
    header.extend(["precision w/r/a", "RF", "LUT", "FF", "DSP", "BRAM"]);
    if wide {
        header.extend(["post LUT", "post FF", "post DSP", "post BRAM", "share %"]);
    }
    header.extend(["latency", "II"]);
    header
}

/// One layer's row of the per-layer table.
fn layer_row(l: &estimator::report::LayerReport, wide: bool) -> Vec<String> {
    let c = l.csynth;
    let mut row = vec![l.name.clone(), l.kind.clone()];
    if wide {
        let ins: Vec<String> = l.input_shape.iter().map(|s| shape_str(s)).collect();
        row.extend([
            ins.join(", "),
            shape_str(&l.output_shape),
            l.params.to_string(),
            l.multipliers.to_string(),
        ]);
    }
    row.extend([
        precision_cell(l),
        strategy_rf(l),
        r(c.lut),
        r(c.ff),
        r(c.dsp),
        r(c.bram_18k),
    ]);
    if wide {
        let p = l.post_synthesis;
        let share = l.share.as_array().into_iter().fold(0.0, f64::max);
        row.extend([
            r(p.lut),
            r(p.ff),
            r(p.dsp),
            r(p.bram_18k),
            format!("{share:.1}"),
        ]);
    }
    row.extend([l.latency_best.to_string(), l.ii.to_string()]);
    row
}

/// The table output of `estimate`, as one string.
pub fn text(e: &EstimateReport, wide: bool) -> String {
    let mut out = Vec::new();
    write_text(&mut out, e, wide).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("the tables are UTF-8")
}

/// Write the table output of `estimate` to `w`.
pub fn write_text(w: &mut impl Write, e: &EstimateReport, wide: bool) -> io::Result<()> {
    let mut out = String::new();
    let est = match &e.surrogate {
        Some(s) => format!(
            "{} ({} {}, {} members)",
            e.estimator, s.arch, s.mode, s.members
        ),
        None => e.estimator.clone(),
    };
    let _ = writeln!(
        out,
        "model: {}  estimator: {est}\npart: {}  clock: {} ns  {}  {}",
        e.model, e.part, e.clock_period_ns, e.io_type, e.pipeline
    );
    let _ = writeln!(out, "{}", e.headline());
    let header = layer_header(wide);
    if e.layers.len() > STREAM_ROWS {
        w.write_all(out.as_bytes())?;
        out.clear();
        let width = stream_table::write(w, &header, e.layers.len(), |i| {
            layer_row(&e.layers[i], wide)
        })?;
        if !wide && width > WIDTH as usize {
            let _ = writeln!(
                out,
                "({} layers: the per-layer table is written row by row, {width} characters \
                 wide, not fitted to {WIDTH})",
                e.layers.len()
            );
        }
    } else {
        let mut t = table(&header);
        if !wide {
            t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
            t.set_width(WIDTH);
        }
        for l in &e.layers {
            t.add_row(layer_row(l, wide));
        }
        let _ = writeln!(out, "{t}");
    }

    let mut tt = table(&[
        "total",
        "csynth estimate",
        "interval",
        "post-synthesis estimate",
        "interval",
        "% of part",
    ]);
    if !wide {
        tt.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
        tt.set_width(WIDTH);
    }
    let c = [
        e.total.lut,
        e.total.ff,
        e.total.dsp,
        e.total.bram_18k,
        e.total.uram,
    ];
    let p = e.post_synthesis.as_array();
    let u = e.utilization.as_array();
    for (i, (name, key)) in [
        ("LUT", "lut"),
        ("FF", "ff"),
        ("DSP", "dsp"),
        ("BRAM (18K)", "bram_18k"),
        ("URAM", "uram"),
    ]
    .into_iter()
    .enumerate()
    {
        tt.add_row(vec![
            name.to_string(),
            r(c[i]),
            interval_cell(e.interval_of(&format!("total.{key}"))),
            r(p[i]),
            interval_cell(e.interval_of(&format!("post_synthesis.{key}"))),
            pct(u[i]),
        ]);
    }
    tt.add_row(vec![
        "latency (cycles)".to_string(),
        e.total.latency_cycles.to_string(),
        interval_cell(e.interval_of("total.latency_cycles")),
        String::new(),
        String::new(),
        String::new(),
    ]);
    tt.add_row(vec![
        "II (cycles)".to_string(),
        e.total.ii.to_string(),
        interval_cell(e.interval_of("total.ii")),
        String::new(),
        String::new(),
        String::new(),
    ]);
    let _ = writeln!(out, "{tt}");
    let _ = writeln!(
        out,
        "latency: {} cycles (worst {}) = {:.1} ns at {} ns; II: {} cycles",
        e.total.latency_cycles,
        e.latency_worst_cycles,
        e.total.latency_ns,
        e.clock_period_ns,
        e.total.ii
    );
    if let Some(c) = &e.coverage {
        let _ = writeln!(
            out,
            "coverage: {} ({}covered by the model's training networks)",
            c.key,
            if c.covered { "" } else { "not " }
        );
    }
    for warning in &e.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    w.write_all(out.as_bytes())
}

/// Figures that carry an interval, in CSV column order.
const INTERVAL_FIGURES: [&str; 10] = [
    "total.lut",
    "total.ff",
    "total.dsp",
    "total.bram_18k",
    "post_synthesis.lut",
    "post_synthesis.ff",
    "post_synthesis.dsp",
    "post_synthesis.bram_18k",
    "total.latency_cycles",
    "total.ii",
];

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Write the CSV output of `estimate` to `w`, a row at a time: one row per layer and a `total`
/// row; the interval columns (`low:FIGURE`, `high:FIGURE`) are filled on the total row of a
/// surrogate estimate.
pub fn write_csv(w: &mut impl Write, e: &EstimateReport) -> io::Result<()> {
    let mut out = String::from(
        "layer,kind,strategy,reuse_factor,multipliers,lut,ff,dsp,bram_18k,uram,post_lut,post_ff,post_dsp,post_bram_18k,latency_best,latency_worst,ii,precision_weight,precision_result,precision_accum,estimator",
    );
    for f in INTERVAL_FIGURES {
        let _ = write!(out, ",low:{f},high:{f}");
    }
    out.push('\n');
    let blanks = ",".repeat(2 * INTERVAL_FIGURES.len());
    for l in &e.layers {
        let (c, p) = (l.csynth, l.post_synthesis);
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}{blanks}",
            csv_field(&l.name),
            l.kind,
            l.strategy.clone().unwrap_or_default(),
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
            l.ii,
            csv_field(&l.precision.weight),
            csv_field(&l.precision.result),
            csv_field(&l.precision.accum),
            e.estimator
        );
        w.write_all(out.as_bytes())?;
        out.clear();
    }
    let t = &e.total;
    let p = e.post_synthesis;
    let _ = write!(
        out,
        "total,,,,,{},{},{},{},{},{},{},{},{},{},{},{},,,,{}",
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
        e.latency_worst_cycles,
        t.ii,
        e.estimator
    );
    for f in INTERVAL_FIGURES {
        match e.interval_of(f) {
            Some(i) => {
                let _ = write!(out, ",{},{}", i.low, i.high);
            }
            None => out.push_str(",,"),
        }
    }
    out.push('\n');
    w.write_all(out.as_bytes())
}
