//! The real-project corpus (`data/real-projects/rows.csv`: published hls4ml runs with their
//! model, configuration, part, clock, HLS tool and reported figures) as canonical [`Record`]s,
//! so that `dataset ingest`, `train` and `evaluate` read it like any other labelled data.
//!
//! Each row becomes the network `presynth estimate` prices for it in
//! `scripts/bench_real_projects.py` (the same settings, in the same order): the row's model
//! (`model_file`, relative to the corpus folder) with the project's `hls4ml_config.yml` where it
//! has one, then the row's part, clock, io_type and HLS tool (`vivado_hls` → Vivado backend,
//! else Vitis); without a YAML config also its strategy, reuse factor and precision (the
//! precision is not forced on a QKeras model whose default is hls4ml's `fixed<16,6>`: its
//! per-layer precisions come from the quantizers). A part the fpga-targets database does not
//! know is replaced by a known part of the same family (the script's stand-ins), and the record
//! says so in its provenance notes. Labels: C synthesis (`lat_min`/`lat_max`, `ii_min`/`ii_max`,
//! `lut`, `ff`, `dsp`, `bram_18k`, `uram`) and, where the row has a post-synthesis report,
//! Vivado's (`ps_*`, already in 18K blocks).
//!
//! A row that cannot be used is a [`DatasetError::Field`] naming rows.csv, the row, its
//! `row_id` and the field: a model the frontends refuse, a number that is not one, a quantized
//! model spelled in the DSL without its precisions.

use super::Ingested;
use crate::error::{DatasetError, Result};
use ir::{FixedType, IoType, Network, Strategy};
use record::{CsynthLabels, PostSynthLabels, Provenance, Record};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The corpus' table, inside its folder.
pub const ROWS_FILE: &str = "rows.csv";

/// The first columns of rows.csv: how a CSV is told to be the corpus table.
const HEADER_START: [&str; 2] = ["row_id", "source_id"];

/// Known parts that stand in for families the database lacks (same LUT and DSP primitives);
/// the list of scripts/bench_real_projects.py (`STAND_IN`), in its order.
const STAND_IN: [(&str, &str); 4] = [
    ("xczu", "xczu9eg-ffvb1156-2-e"),
    ("xcku", "xczu9eg-ffvb1156-2-e"),
    ("xcu50", "xcu280-fsvh2892-2L-e"),
    ("xc7", "xc7z020clg400-1"),
];

/// Whether `path` is a corpus table (a CSV whose header starts `row_id,source_id`).
pub fn is_corpus_csv(path: &Path) -> bool {
    let Ok(mut rdr) = csv::Reader::from_path(path) else {
        return false;
    };
    rdr.headers().is_ok_and(|h| {
        h.len() >= HEADER_START.len() && HEADER_START.iter().zip(h.iter()).all(|(a, b)| *a == b)
    })
}

/// The corpus table of `path`: `path` itself when it is one, or `path/rows.csv`.
pub fn corpus_table(path: &Path) -> Option<PathBuf> {
    if path.is_file() {
        return is_corpus_csv(path).then(|| path.to_path_buf());
    }
    let t = path.join(ROWS_FILE);
    (t.is_file() && is_corpus_csv(&t)).then_some(t)
}

/// One row of rows.csv by column name, with errors naming the row and field.
struct Row<'a> {
    path: &'a Path,
    /// 1-based data row (the header not counted).
    n: u64,
    id: String,
    cells: HashMap<&'a str, &'a str>,
}

impl Row<'_> {
    fn err(&self, field: &str, message: impl std::fmt::Display) -> DatasetError {
        DatasetError::Field {
            path: self.path.to_path_buf(),
            row: self.n,
            field: field.to_string(),
            message: format!("{} ({})", message, self.id),
        }
    }
    fn text(&self, field: &str) -> Result<&str> {
        self.cells
            .get(field)
            .map(|s| s.trim())
            .ok_or_else(|| self.err(field, "missing column"))
    }
    fn required(&self, field: &str) -> Result<&str> {
        let t = self.text(field)?;
        if t.is_empty() {
            return Err(self.err(field, "empty; expected a value"));
        }
        Ok(t)
    }
    fn count(&self, field: &str) -> Result<u64> {
        super::parse_count(self.text(field)?).map_err(|m| self.err(field, m))
    }
    fn opt_count(&self, field: &str) -> Result<Option<u64>> {
        match self.text(field)? {
            "" => Ok(None),
            _ => self.count(field).map(Some),
        }
    }
    fn parsed<T: std::str::FromStr<Err = String>>(&self, field: &str) -> Result<T> {
        self.required(field)?
            .parse()
            .map_err(|m: String| self.err(field, m))
    }
}

/// Read every row of the corpus table `table` (rows.csv; the files it names are relative to
/// its folder). Rows that cannot be used are in `skipped`; an unreadable table is an error.
pub fn read_table(table: &Path) -> Result<Ingested> {
    let dir = table.parent().unwrap_or(Path::new("."));
    let mut rdr = csv::Reader::from_path(table).map_err(|e| DatasetError::Csv {
        path: table.to_path_buf(),
        message: e.to_string(),
    })?;
    let headers = rdr
        .headers()
        .map_err(|e| DatasetError::Csv {
            path: table.to_path_buf(),
            message: e.to_string(),
        })?
        .clone();
    let mut out = Ingested::default();
    for (i, rec) in rdr.records().enumerate() {
        let n = i as u64 + 1;
        let rec = rec.map_err(|e| DatasetError::Csv {
            path: table.to_path_buf(),
            message: format!("row {n}: {e}"),
        })?;
        let cells: HashMap<&str, &str> = headers.iter().zip(rec.iter()).collect();
        let row = Row {
            path: table,
            n,
            id: cells.get("row_id").map_or("", |s| s.trim()).to_string(),
            cells,
        };
        match record_of(&row, dir) {
            Ok(r) => out.records.push(r),
            Err(e) => out.skipped.push(e),
        }
    }
    Ok(out)
}

/// The part to price the row on: the row's own when the database resolves it, else the
/// family's stand-in (with a note), else an error naming the field.
fn part_of(row: &Row) -> Result<(String, Option<String>)> {
    let part = row.required("part")?;
    let db = fpga_targets::Targets::builtin();
    if let Ok(r) = db.resolve(part) {
        if let fpga_targets::Target::Fpga(p) = r.target {
            return Ok((p.name.clone(), None));
        }
    }
    let lower = part.to_ascii_lowercase();
    match STAND_IN
        .iter()
        .find(|(prefix, _)| lower.starts_with(prefix))
    {
        Some((_, k)) => Ok((
            k.to_string(),
            Some(format!(
                "part {part} is not in the fpga-targets database: priced on {k} (same family)"
            )),
        )),
        None => Err(row.err(
            "part",
            format!("'{part}' is not in the fpga-targets database and has no stand-in"),
        )),
    }
}

/// Whether a DSL model spells per-layer weight precisions (`weight:` outside comments).
fn dsl_has_precisions(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| {
        t.lines()
            .any(|l| !l.trim_start().starts_with('#') && l.contains("weight:"))
    })
}

/// The network of a row, with the row's settings applied (see the module doc).
fn network_of(row: &Row, dir: &Path) -> Result<(Network, Vec<String>)> {
    let model = dir.join(row.required("model_file")?);
    if !model.is_file() {
        return Err(row.err("model_file", format!("{}: no such file", model.display())));
    }
    let overrides = row.text("layer_overrides")?;
    let quantized = overrides == "qkeras" || overrides == "hgq";
    if quantized && model.extension().is_some_and(|e| e == "psn") && !dsl_has_precisions(&model) {
        return Err(row.err(
            "model_file",
            format!(
                "a {overrides} model spelled in the DSL without its per-layer precisions: the quantizers are not in {}",
                model.display()
            ),
        ));
    }
    let config_file = row.text("config_file")?;
    let yml = config_file.ends_with(".yml") || config_file.ends_with(".yaml");
    let config = yml.then(|| dir.join(config_file));
    let (mut net, _) = frontends::load_model_report(&model, None, config.as_deref())
        .map_err(|e| row.err(if yml { "config_file" } else { "model_file" }, e))?;
    let (part, note) = part_of(row)?;
    let clock: f64 =
        crate::ingest::parse_f64(row.text("clock_ns")?).map_err(|m| row.err("clock_ns", m))?;
    if clock <= 0.0 {
        return Err(row.err("clock_ns", "expected a positive number of ns"));
    }
    net.config.part = part;
    net.config.clock_period_ns = clock;
    net.config.io_type = row.parsed::<IoType>("io_type")?;
    net.config.backend = match row.required("tool")? {
        "vivado_hls" => "Vivado",
        "vitis_hls" => "Vitis",
        other => {
            return Err(row.err(
                "tool",
                format!("'{other}': expected vivado_hls or vitis_hls"),
            ))
        }
    }
    .to_string();
    let ids: Vec<_> = net.graph.node_indices().collect();
    if !yml {
        // Model-level settings replace the per-layer ones (estimate's --strategy/--reuse-factor).
        net.config.strategy = row.parsed::<Strategy>("strategy")?;
        let rf = row.count("reuse_factor")?;
        net.config.reuse_factor = u32::try_from(rf)
            .ok()
            .filter(|&r| r > 0)
            .ok_or_else(|| row.err("reuse_factor", format!("{rf}: expected 1 or more")))?;
        for &id in &ids {
            let s = &mut net.layer_mut(id).settings;
            s.strategy = None;
            s.reuse_factor = None;
        }
        let p = row.text("precision")?.replace(' ', "");
        if !p.is_empty() {
            let p = if p.starts_with("ap_") {
                p
            } else {
                format!("ap_{p}")
            };
            let qkeras_default = overrides == "qkeras" && p == "ap_fixed<16,6>";
            if !qkeras_default {
                net.config.precision = p
                    .parse::<FixedType>()
                    .map_err(|e| row.err("precision", e))?;
                for &id in &ids {
                    net.layer_mut(id).settings.precision = Default::default();
                }
            }
        }
    }
    net.reindex();
    Ok((net, note.into_iter().collect()))
}

/// The record of one row.
fn record_of(row: &Row, dir: &Path) -> Result<Record> {
    let id = row.required("row_id")?.to_string();
    row.required("source_id")?;
    let (net, notes) = network_of(row, dir)?;
    let csynth = CsynthLabels {
        latency_best_cycles: row.count("lat_min")?,
        latency_worst_cycles: row.count("lat_max")?,
        ii_min: row.opt_count("ii_min")?,
        ii_max: row.opt_count("ii_max")?,
        estimated_clock_ns: None,
        lut: Some(row.count("lut")?),
        ff: Some(row.count("ff")?),
        dsp: Some(row.count("dsp")?),
        bram_18k: Some(row.count("bram_18k")?),
        uram: row.opt_count("uram")?,
    };
    let post_synth = if row.text("post_synth_report")?.is_empty() {
        None
    } else {
        Some(PostSynthLabels {
            lut: row.count("ps_lut")?,
            ff: row.count("ps_ff")?,
            dsp: row.count("ps_dsp")?,
            bram_18k: row.count("ps_bram_18k")?,
            uram: None,
        })
    };
    let provenance = Provenance {
        source: row.path.display().to_string(),
        row: Some(row.n),
        tool: Some(row.required("tool")?.to_string()),
        tool_version: Some(row.text("tool_version")?.to_string()).filter(|s| !s.is_empty()),
        hls4ml_version: None,
        part: Some(row.required("part")?.to_string()),
        clock_period_ns: Some(net.config.clock_period_ns),
        model_name: Some(row.required("model_file")?.to_string()),
        seed: None,
        notes,
    };
    let mut rec = Record::from_network(id, net, provenance);
    rec.success = Some(true);
    rec.csynth = Some(csynth);
    rec.post_synth = post_synth;
    rec.validate().map_err(|m| row.err("model_file", m))?;
    Ok(rec)
}

/// The source (repository) of a corpus record id `<source_id>/<n>`.
pub fn source_of(id: &str) -> &str {
    id.split_once('/').map_or(id, |(s, _)| s)
}
