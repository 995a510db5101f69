//! `dataset export --format csv`: one flat row per record for pandas users. Missing labels are
//! empty cells (never zeros). Column names are stable: see [`COLUMNS`].

use crate::error::{DatasetError, Result};
use crate::jsonl::Reader;
use crate::record::Record;
use ir::LayerKind;
use std::io::Write;
use std::path::Path;

/// The CSV header, in order.
pub const COLUMNS: &[&str] = &[
    "id",
    "family",
    "architecture",
    "n_layers",
    "n_dense",
    "n_conv",
    "input_shape",
    "params",
    "macs",
    "weight_bits",
    "precision",
    "reuse_factor",
    "strategy",
    "io_type",
    "part",
    "clock_period_ns",
    "success",
    "failure",
    "csynth_latency_best_cycles",
    "csynth_latency_worst_cycles",
    "csynth_ii_min",
    "csynth_ii_max",
    "csynth_estimated_clock_ns",
    "csynth_lut",
    "csynth_ff",
    "csynth_dsp",
    "csynth_bram_18k",
    "csynth_uram",
    "post_lut",
    "post_ff",
    "post_dsp",
    "post_bram_18k",
    "post_uram",
    "source",
    "row",
    "tool",
    "tool_version",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The CSV cells of one record, in [`COLUMNS`] order.
pub fn row(r: &Record) -> Vec<String> {
    let (n_layers, n_dense, n_conv, input, params, macs) = match &r.network {
        Some(n) => {
            let layers = n.layers();
            let count =
                |f: &dyn Fn(&LayerKind) -> bool| layers.iter().filter(|l| f(&l.kind)).count();
            let input = layers
                .iter()
                .find_map(|l| {
                    let LayerKind::Input(ir::ops::Input { shape }) = &l.kind else {
                        return None;
                    };
                    Some(
                        shape
                            .iter()
                            .map(|d| d.to_string())
                            .collect::<Vec<_>>()
                            .join("x"),
                    )
                })
                .unwrap_or_default();
            (
                Some(count(&|k| !matches!(k, LayerKind::Input(_)))),
                Some(count(&|k| matches!(k, LayerKind::Dense(_)))),
                Some(count(&|k| {
                    matches!(k, LayerKind::Conv1D(_) | LayerKind::Conv2D(_))
                })),
                input,
                Some(n.total_params()),
                Some(n.total_macs()),
            )
        }
        None => (None, None, None, String::new(), None, None),
    };
    let c = r.csynth.as_ref();
    let p = r.post_synth.as_ref();
    vec![
        r.id.clone(),
        r.family.to_string(),
        r.architecture.clone(),
        opt(n_layers),
        opt(n_dense),
        opt(n_conv),
        input,
        opt(params),
        opt(macs),
        r.weight_bits().to_string(),
        r.weight_precision
            .as_ref()
            .unwrap_or(&r.hls.precision)
            .to_string(),
        r.hls.reuse_factor.to_string(),
        r.hls.strategy.to_string(),
        r.hls.io_type.to_string(),
        r.hls.part.clone(),
        r.hls.clock_period_ns.to_string(),
        opt(r.success),
        r.failure.clone().unwrap_or_default(),
        opt(c.map(|c| c.latency_best_cycles)),
        opt(c.map(|c| c.latency_worst_cycles)),
        opt(c.and_then(|c| c.ii_min)),
        opt(c.and_then(|c| c.ii_max)),
        opt(c.and_then(|c| c.estimated_clock_ns)),
        opt(c.and_then(|c| c.lut)),
        opt(c.and_then(|c| c.ff)),
        opt(c.and_then(|c| c.dsp)),
        opt(c.and_then(|c| c.bram_18k)),
        opt(c.and_then(|c| c.uram)),
        opt(p.map(|p| p.lut)),
        opt(p.map(|p| p.ff)),
        opt(p.map(|p| p.dsp)),
        opt(p.map(|p| p.bram_18k)),
        opt(p.and_then(|p| p.uram)),
        r.provenance.source.clone(),
        opt(r.provenance.row),
        r.provenance.tool.clone().unwrap_or_default(),
        r.provenance.tool_version.clone().unwrap_or_default(),
    ]
}

/// Stream the records of `input` (a JSONL file or dataset directory) to CSV. Returns the row
/// count.
pub fn export_csv<W: Write>(input: &Path, out: W, out_name: &Path) -> Result<u64> {
    let mut w = csv::Writer::from_writer(out);
    let err = |e: csv::Error| DatasetError::Csv {
        path: out_name.to_path_buf(),
        message: e.to_string(),
    };
    w.write_record(COLUMNS).map_err(err)?;
    let mut n = 0;
    for r in Reader::open(input)? {
        w.write_record(row(&r?)).map_err(err)?;
        n += 1;
    }
    w.flush().map_err(|e| DatasetError::io(out_name, e))?;
    Ok(n)
}
