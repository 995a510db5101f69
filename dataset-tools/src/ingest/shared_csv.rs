//! Ingestion of the wa-hls4ml CSV exports in `shared/data/` into canonical records.
//!
//! Two schemas, told apart by their header:
//! - **pilot** (`wa-hls4ml-search-early-1layer/results_*.csv`: has `model_file` and
//!   `AvailableLUT_hls`): one Dense layer `d_in -> d_out`; every label is an HLS csynth
//!   estimate, so they go to [`CsynthLabels`] (BRAM in 18K blocks, II from the Interval
//!   columns). Part xcu250 (from the `Available*` columns), tool version not recorded.
//! - **export** (`wa-hls4ml-jdweitz-csv-sample/*.csv`: has `model_string`): latency columns are
//!   csynth cycles, but the resource columns (`*_hls` despite the name) are **post-logic-
//!   synthesis** Vivado numbers with BRAM in 36K tiles (half steps): they go to
//!   [`PostSynthLabels`] with `bram_18k = 2 × BRAM_18K_hls`. The `Interval*` columns of these
//!   exports are copies of the latency, so no II is kept. Vitis HLS 2023.2, xcu250, 5 ns.
//!   Dense rows get their network from `model_string` (`80-24-120` = Dense 80→24→120, linear
//!   activations as in the wa-hls4ml model_config). Conv2d rows have no kernel sizes in the
//!   CSV: a row whose model is one of the stored wa-hls4ml conv2d models ([`super::wa_conv2d`])
//!   gets that network (io_stream, weights at the model's quantizer precision) when the
//!   network reproduces the row's `model_string` exactly; any other conv2d row gets no network
//!   and the architecture key `conv2d-csv(<model_string>)`.
//!
//! Rows with `hls_synth_success` false become failures with no labels. A successful row whose
//! label is empty or not a number is reported (file, row, column), counted and skipped.

use super::wa_conv2d;
use super::{bram36_tiles_to_18k, parse_count, parse_f64, Ingested, BRAM36_NOTE};
use crate::error::{DatasetError, Result};
use crate::netbuild::dense_chain;
use crate::record::{CsynthLabels, Family, PostSynthLabels, Provenance, Record};
use ir::{Activation, FixedType, HlsConfig, IoType, Strategy};
use std::collections::HashMap;
use std::path::Path;

/// The part of the wa-hls4ml runs (Alveo U250).
pub const U250_PART: &str = "xcu250-figd2104-2L-e";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Schema {
    Pilot,
    Export,
}

/// One CSV row with its header map, for typed access with precise errors.
struct Row<'a> {
    path: &'a Path,
    row: u64,
    cols: &'a HashMap<String, usize>,
    rec: &'a csv::StringRecord,
}

impl Row<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> DatasetError {
        DatasetError::Field {
            path: self.path.to_path_buf(),
            row: self.row,
            field: field.to_string(),
            message: message.into(),
        }
    }
    fn text(&self, field: &str) -> Result<&str> {
        let i = self
            .cols
            .get(field)
            .ok_or_else(|| self.err(field, "column missing from the header"))?;
        self.rec
            .get(*i)
            .map(str::trim)
            .ok_or_else(|| self.err(field, "row is shorter than the header"))
    }
    fn count(&self, field: &str) -> Result<u64> {
        parse_count(self.text(field)?).map_err(|m| self.err(field, m))
    }
    fn float(&self, field: &str) -> Result<f64> {
        parse_f64(self.text(field)?).map_err(|m| self.err(field, m))
    }
    fn bram36(&self, field: &str) -> Result<u64> {
        bram36_tiles_to_18k(self.text(field)?).map_err(|m| self.err(field, m))
    }
    fn success(&self) -> Result<bool> {
        match self
            .text("hls_synth_success")?
            .to_ascii_lowercase()
            .as_str()
        {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            other => Err(self.err("hls_synth_success", format!("'{other}' is not True/False"))),
        }
    }
}

/// Read one shared CSV file.
pub fn read_file(path: impl AsRef<Path>) -> Result<Ingested> {
    let path = path.as_ref();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| DatasetError::Csv {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    let headers = reader
        .headers()
        .map_err(|e| DatasetError::Csv {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?
        .clone();
    let cols: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_string(), i))
        .collect();
    let schema = if cols.contains_key("model_string") {
        Schema::Export
    } else if cols.contains_key("model_file") && cols.contains_key("AvailableLUT_hls") {
        Schema::Pilot
    } else {
        return Err(DatasetError::Csv {
            path: path.to_path_buf(),
            message: UNKNOWN_HEADER.into(),
        });
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = Ingested::default();
    for (i, rec) in reader.records().enumerate() {
        let row_no = i as u64 + 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.skipped.push(DatasetError::Field {
                    path: path.to_path_buf(),
                    row: row_no,
                    field: "(row)".into(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let row = Row {
            path,
            row: row_no,
            cols: &cols,
            rec: &rec,
        };
        let parsed = match schema {
            Schema::Pilot => pilot_row(&row, &stem),
            Schema::Export => export_row(&row, &stem),
        };
        match parsed {
            Ok(r) => out.records.push(r),
            Err(e) => out.skipped.push(e),
        }
    }
    Ok(out)
}

const UNKNOWN_HEADER: &str = "unknown header: expected the wa-hls4ml export (with \
    'model_string') or the pilot schema (with 'model_file' and 'AvailableLUT_hls')";

/// Read every `*.csv` under `dir` (recursively, in sorted path order). A CSV of another kind
/// (its header is neither wa-hls4ml schema, e.g. `data/real-projects/rows.csv`) is not read:
/// it is listed in `skipped` with that reason. Any other error stops the walk.
pub fn read_dir(dir: impl AsRef<Path>) -> Result<Ingested> {
    let files = super::walk::data_files(dir.as_ref(), &["csv"])?;
    let mut out = Ingested::default();
    for f in files {
        match read_file(&f) {
            Ok(got) => out.extend(got),
            Err(e @ DatasetError::Csv { .. }) if e.to_string().ends_with(UNKNOWN_HEADER) => {
                out.skipped.push(e)
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Settings shared by both schemas: uniform `ap_fixed<prec,1>` weights, model RF and strategy.
fn base(row: &Row, io_type: IoType) -> Result<(String, u32, FixedType, HlsConfig)> {
    let model_name = row.text("model_name")?.to_string();
    let prec = row.count("prec")?;
    if !(1..=64).contains(&prec) {
        return Err(row.err("prec", format!("{prec} is not a bit width in 1..=64")));
    }
    let rf = row.count("rf")?;
    let strategy: Strategy = row
        .text("strategy")?
        .parse()
        .map_err(|m: String| row.err("strategy", m))?;
    let config = HlsConfig {
        reuse_factor: u32::try_from(rf).map_err(|_| row.err("rf", "too large"))?,
        strategy,
        io_type,
        part: U250_PART.to_string(),
        clock_period_ns: 5.0,
        backend: "Vitis".to_string(),
        ..HlsConfig::default()
    };
    Ok((
        model_name,
        prec as u32,
        FixedType::fixed(prec as u32, 1),
        config,
    ))
}

fn record_for(
    id: String,
    family: Family,
    architecture: String,
    network: Option<ir::Network>,
    hls: HlsConfig,
    weight: FixedType,
    provenance: Provenance,
) -> Record {
    Record {
        id,
        family,
        architecture,
        network,
        hls,
        weight_precision: Some(weight),
        success: None,
        failure: None,
        csynth: None,
        post_synth: None,
        provenance,
    }
}

fn pilot_row(row: &Row, stem: &str) -> Result<Record> {
    let (model_name, _prec, weight, mut config) = base(row, IoType::Parallel)?;
    let d_in = row.count("d_in")? as usize;
    let d_out = row.count("d_out")? as usize;
    let success = row.success()?;
    let target = if success {
        Some(row.float("TargetClockPeriod_hls")?)
    } else {
        None
    };
    if let Some(t) = target {
        config.clock_period_ns = t;
    }
    let net = dense_chain(
        &model_name,
        &[d_in, d_out],
        Activation::Linear,
        config.clone(),
        Some(&weight),
    )?;
    let provenance = Provenance {
        source: row.path.display().to_string(),
        row: Some(row.row),
        tool: Some("vivado_hls".into()),
        part: Some(U250_PART.into()),
        clock_period_ns: target,
        model_name: Some(model_name.clone()),
        notes: vec![
            "wa-hls4ml-search pilot (June 2024): labels are HLS csynth estimates; tool version \
             not recorded; part from the Available* columns (xcu250)"
                .into(),
        ],
        ..Provenance::default()
    };
    let id = format!("{stem}:{}:{model_name}_rf{}", row.row, config.reuse_factor);
    let arch = crate::record::architecture_key(&net);
    let mut rec = record_for(
        id,
        Family::Dense,
        arch,
        Some(net),
        config,
        weight,
        provenance,
    );
    if !success {
        rec.set_failed("hls_synth_success=False in the source (no labels)");
        return Ok(rec);
    }
    rec.csynth = Some(CsynthLabels {
        latency_best_cycles: row.count("BestLatency_hls")?,
        latency_worst_cycles: row.count("WorstLatency_hls")?,
        ii_min: Some(row.count("IntervalMin_hls")?),
        ii_max: Some(row.count("IntervalMax_hls")?),
        estimated_clock_ns: Some(row.float("EstimatedClockPeriod_hls")?),
        lut: Some(row.count("LUT_hls")?),
        ff: Some(row.count("FF_hls")?),
        dsp: Some(row.count("DSP_hls")?),
        bram_18k: Some(row.count("BRAM_18K_hls")?),
        uram: Some(row.count("URAM_hls")?),
    });
    rec.success = Some(true);
    Ok(rec)
}

fn export_row(row: &Row, stem: &str) -> Result<Record> {
    let model_name = row.text("model_name")?.to_string();
    let is_conv2d = model_name.starts_with("conv2d");
    let io = if is_conv2d {
        IoType::Stream
    } else {
        IoType::Parallel
    };
    let (model_name, _prec, weight, config) = base(row, io)?;
    let model_string = row.text("model_string")?.to_string();
    let success = row.success()?;
    let target = if success {
        Some(row.float("TargetClockPeriod_hls")?)
    } else {
        None
    };
    let mut config = config;
    if let Some(t) = target {
        config.clock_period_ns = t;
    }
    let mut notes = Vec::new();
    let mut weight = weight;
    let (family, network, arch) = if is_conv2d {
        match conv2d_network(row, &model_name, &model_string, &config)? {
            Conv2dArch::Known(net, spec) => {
                weight = spec.weight_precision();
                notes.push(format!(
                    "{}; it reproduces the row's model_string {model_string}",
                    spec.citation()
                ));
                notes.push(format!(
                    "weights {} from the model's quantized_bits({},1) kernels; the export's prec \
                     column ({}) is its fallback to the model default precision, not the weight \
                     width",
                    weight,
                    spec.bits,
                    row.text("prec")?
                ));
                let arch = crate::record::architecture_key(&net);
                (Family::Conv2d, Some(*net), arch)
            }
            Conv2dArch::Unknown(why) => {
                notes.push(why);
                (Family::Conv2d, None, format!("conv2d-csv({model_string})"))
            }
        }
    } else {
        let widths: Vec<usize> = model_string
            .split('-')
            .map(|w| w.trim().parse::<usize>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| {
                row.err(
                    "model_string",
                    format!("'{model_string}' is not a '-'-separated list of widths"),
                )
            })?;
        let net = dense_chain(
            &model_name,
            &widths,
            Activation::Linear,
            config.clone(),
            Some(&weight),
        )
        .map_err(|e| row.err("model_string", e.to_string()))?;
        let arch = crate::record::architecture_key(&net);
        (Family::Dense, Some(net), arch)
    };
    let provenance = Provenance {
        source: row.path.display().to_string(),
        row: Some(row.row),
        tool: Some("vitis_hls".into()),
        tool_version: Some("2023.2".into()),
        part: Some(U250_PART.into()),
        clock_period_ns: target,
        model_name: Some(model_name.clone()),
        notes: [
            BRAM36_NOTE.into(),
            "resource columns are post-logic-synthesis (Vivado); latency is csynth; the \
             export's Interval columns copy the latency, so no II is kept"
                .into(),
        ]
        .into_iter()
        .chain(notes)
        .collect(),
        ..Provenance::default()
    };
    let id = format!("{stem}:{}:{model_name}_rf{}", row.row, config.reuse_factor);
    let mut rec = record_for(id, family, arch, network, config, weight, provenance);
    if !success {
        rec.set_failed("hls_synth_success=False in the source (no labels)");
        return Ok(rec);
    }
    rec.csynth = Some(CsynthLabels {
        latency_best_cycles: row.count("BestLatency_hls")?,
        latency_worst_cycles: row.count("WorstLatency_hls")?,
        estimated_clock_ns: Some(row.float("EstimatedClockPeriod_hls")?),
        ..CsynthLabels::default()
    });
    rec.post_synth = Some(PostSynthLabels {
        lut: row.count("LUT_hls")?,
        ff: row.count("FF_hls")?,
        dsp: row.count("DSP_hls")?,
        bram_18k: row.bram36("BRAM_18K_hls")?,
        uram: Some(row.count("URAM_hls")?),
    });
    rec.success = Some(true);
    Ok(rec)
}

/// What is known of a conv2d row's architecture.
enum Conv2dArch {
    /// The stored model of that name, which reproduces the row's `model_string`.
    Known(Box<ir::Network>, &'static wa_conv2d::Spec),
    /// No network: the reason, for the provenance notes.
    Unknown(String),
}

fn conv2d_network(
    row: &Row,
    model_name: &str,
    model_string: &str,
    config: &HlsConfig,
) -> Result<Conv2dArch> {
    let Some(spec) = wa_conv2d::Spec::find(model_name) else {
        return Ok(Conv2dArch::Unknown(format!(
            "no stored architecture for '{model_name}' (the CSV has no kernel sizes): no network"
        )));
    };
    let net = spec
        .network(config.clone())
        .map_err(|e| row.err("model_name", e.to_string()))?;
    let got = wa_conv2d::model_string(&net).map_err(|e| row.err("model_name", e.to_string()))?;
    if got != model_string {
        return Ok(Conv2dArch::Unknown(format!(
            "the stored '{model_name}' gives model_string {got}, the row has {model_string}: \
             a different model of that name, so no network"
        )));
    }
    Ok(Conv2dArch::Known(Box::new(net), spec))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const EXPORT_HEADER: &str = "model_name,d_in,d_out,prec,model_string,rf,strategy,TargetClockPeriod_hls,EstimatedClockPeriod_hls,BestLatency_hls,WorstLatency_hls,IntervalMin_hls,IntervalMax_hls,BRAM_18K_hls,DSP_hls,FF_hls,LUT_hls,URAM_hls,rf_times_precision,hls_synth_success";

    #[test]
    fn export_row_units_and_bad_label_is_skipped_with_field() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        let mut f = std::fs::File::create(&p).unwrap();
        writeln!(f, "{EXPORT_HEADER}").unwrap();
        // First data row of shared 3layer_head.csv.
        writeln!(f, "dense_104_48_104_104_4b,104,104,4,104-48-104-104,2047,resource,5.0,3.797,6869,6872,6869,6872,2.5,0,24235,30996,0,8188,True").unwrap();
        // The same row with the LUT column emptied: must be skipped, naming row 2 and LUT_hls.
        writeln!(f, "dense_104_48_104_104_4b,104,104,4,104-48-104-104,2047,resource,5.0,3.797,6869,6872,6869,6872,2.5,0,24235,,0,8188,True").unwrap();
        drop(f);
        let got = read_file(&p).unwrap();
        assert_eq!(got.records.len(), 1);
        assert_eq!(got.skipped.len(), 1);
        let msg = got.skipped[0].to_string();
        assert!(msg.contains("row 2") && msg.contains("LUT_hls"), "{msg}");
        let r = &got.records[0];
        let ps = r.post_synth.as_ref().unwrap();
        // 2.5 tiles of 36K = 5 blocks of 18K.
        assert_eq!((ps.bram_18k, ps.lut, ps.ff, ps.dsp), (5, 30996, 24235, 0));
        let cs = r.csynth.as_ref().unwrap();
        assert_eq!(
            (cs.latency_best_cycles, cs.latency_worst_cycles),
            (6869, 6872)
        );
        assert_eq!(cs.ii_max, None);
        assert_eq!(r.architecture, "in(104) dense(48) dense(104) dense(104)");
        assert_eq!(r.weight_bits(), 4);
        assert_eq!(r.hls.reuse_factor, 2047);
        assert_eq!(r.hls.strategy, Strategy::Resource);
    }

    #[test]
    fn conv2d_network_only_when_the_stored_model_reproduces_model_string() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("conv2d.csv");
        let mut f = std::fs::File::create(&p).unwrap();
        writeln!(f, "{EXPORT_HEADER}").unwrap();
        // Row 1 of shared conv2d.csv; then the same name with another model_string; then a
        // name with no stored model.
        let tail = "8192,resource,5.0,5.821,1253444,1255150,1253444,1255150,117.5,3,94549,63301,0,131072,True";
        writeln!(f, "conv2d_4,16,64,16,16-1920-32-16-64-16-64,{tail}").unwrap();
        writeln!(f, "conv2d_4,16,64,16,16-1921-32-16-64-16-64,{tail}").unwrap();
        writeln!(f, "conv2d_7,16,64,16,16-1920-32-16-64-16-64,{tail}").unwrap();
        drop(f);
        let got = read_file(&p).unwrap();
        assert!(got.skipped.is_empty(), "{:?}", got.skipped);
        let r = &got.records;
        let net = r[0].network.as_ref().unwrap();
        // Flatten of (29,21,16) -> conv 128 k1 s3 same -> (10,7,128) -> max pool -> (5,3,128).
        assert_eq!(
            super::wa_conv2d::model_string(net).unwrap(),
            "16-1920-32-16-64-16-64"
        );
        assert_eq!(
            r[0].weight_precision.as_ref().unwrap().to_string(),
            "ap_fixed<8,2>"
        );
        for (rec, why) in [
            (&r[1], "gives model_string"),
            (&r[2], "no stored architecture"),
        ] {
            assert!(rec.network.is_none());
            assert!(rec.architecture.starts_with("conv2d-csv("));
            // Without the stored model the CSV's prec column stays the precision.
            assert_eq!(rec.weight_bits(), 16);
            assert!(
                rec.provenance.notes.iter().any(|n| n.contains(why)),
                "{:?}",
                rec.provenance.notes
            );
        }
    }
}
