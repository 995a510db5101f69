//! The real-project corpus (data/real-projects/rows.csv) as dataset records
//! (`dataset_tools::ingest::real_projects`): every row becomes a record with the row's figures
//! as labels and the row's settings, or a skipped-row error naming rows.csv, the row and the
//! field. The expected figures are read from rows.csv here with the csv crate, independently of
//! the converter; the settings below are the projects' own (their hls4ml_config.yml).

use dataset_tools::ingest::real_projects::{read_table, source_of};
use std::collections::HashMap;
use std::path::Path;

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/real-projects/rows.csv")
}

#[test]
fn every_row_is_a_record_with_its_figures_or_a_named_skip() {
    let got = read_table(&corpus()).unwrap();
    let mut rdr = csv::Reader::from_path(corpus()).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let rows: Vec<HashMap<String, String>> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    assert_eq!(got.records.len() + got.skipped.len(), rows.len());
    // Every row loads, the 7 HGQ1 proxy models (FixedPointQuantizer layers) included.
    assert!(got.records.len() >= 156, "{} records", got.records.len());
    assert!(got.skipped.is_empty(), "{:?}", got.skipped);
    let by_id: HashMap<&str, &HashMap<String, String>> =
        rows.iter().map(|r| (r["row_id"].as_str(), r)).collect();
    for rec in &got.records {
        let row = by_id[rec.id.as_str()];
        let n = |k: &str| row[k].parse::<u64>().unwrap();
        let c = rec.csynth.as_ref().unwrap();
        assert_eq!(
            (c.latency_best_cycles, c.latency_worst_cycles, c.ii_max),
            (n("lat_min"), n("lat_max"), Some(n("ii_max"))),
            "{}",
            rec.id
        );
        assert_eq!(
            (c.lut, c.ff, c.dsp, c.bram_18k),
            (
                Some(n("lut")),
                Some(n("ff")),
                Some(n("dsp")),
                Some(n("bram_18k"))
            ),
            "{}",
            rec.id
        );
        assert_eq!(
            rec.post_synth.is_some(),
            !row["post_synth_report"].is_empty()
        );
        if let Some(p) = &rec.post_synth {
            assert_eq!(
                (p.lut, p.ff, p.dsp, p.bram_18k),
                (n("ps_lut"), n("ps_ff"), n("ps_dsp"), n("ps_bram_18k")),
                "{}",
                rec.id
            );
        }
        assert_eq!(source_of(&rec.id), row["source_id"]);
        assert_eq!(
            rec.hls.clock_period_ns,
            row["clock_ns"].parse::<f64>().unwrap()
        );
        let backend = if row["tool"] == "vivado_hls" {
            "Vivado"
        } else {
            "Vitis"
        };
        assert_eq!(rec.hls.backend, backend, "{}", rec.id);
        assert_eq!(rec.hls.io_type.to_string(), row["io_type"], "{}", rec.id);
    }
}

#[test]
fn per_layer_settings_of_the_project_config_are_kept() {
    // uw-acme/HLS4ML_-NeutDetector run 002: model-level ReuseFactor 1 in rows.csv, but its
    // hls4ml_config.yml gives every Conv1D layer ReuseFactor 16 (io_stream, Resource).
    let got = read_table(&corpus()).unwrap();
    let rec = got
        .records
        .iter()
        .find(|r| r.id == "uw-acme__hls4ml_-neutdetector/002")
        .unwrap();
    let net = rec.network.as_ref().unwrap();
    let conv = net.find("conv1d").expect("layer conv1d");
    assert_eq!(net.layer(conv).settings.reuse_factor, Some(16));
    assert_eq!(rec.family.as_str(), "conv1d");
    // xc7vx690t is not in the database: priced on the 7-series stand-in, and the record says so.
    assert_eq!(rec.provenance.part.as_deref(), Some("xc7vx690t-ffg1761-2"));
    assert!(
        rec.provenance.notes.iter().any(|n| n.contains("xc7vx690t"))
            || rec.hls.part.starts_with("xc7vx690t"),
        "{:?} {}",
        rec.provenance.notes,
        rec.hls.part
    );
}

#[test]
fn a_bad_row_is_refused_naming_the_row_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(corpus()).unwrap();
    let mut lines = src.lines();
    let header = lines.next().unwrap();
    let first = lines
        .find(|l| l.starts_with("astitwlathe__example-hls4ml/"))
        .unwrap();
    // Copy the row's model beside the new table, then break one figure and one model path.
    let cols: Vec<&str> = header.split(',').collect();
    let lut = cols.iter().position(|c| *c == "lut").unwrap();
    let model = cols.iter().position(|c| *c == "model_file").unwrap();
    let mut bad_lut: Vec<String> = split_csv(first);
    bad_lut[lut] = "12.5".into();
    let mut no_model: Vec<String> = split_csv(first);
    no_model[model] = "models/none.h5".into();
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/real-projects");
    let mut text = format!("{header}\n");
    for r in [&bad_lut, &no_model] {
        text.push_str(&join_csv(r));
        text.push('\n');
    }
    // Files of the row resolve against the table's folder: link the corpus folders in.
    for sub in ["models", "reports"] {
        std::os::unix::fs::symlink(real.join(sub), dir.path().join(sub)).unwrap();
    }
    let table = dir.path().join("rows.csv");
    std::fs::write(&table, text).unwrap();
    let got = read_table(&table).unwrap();
    assert!(got.records.is_empty());
    let msgs: Vec<String> = got.skipped.iter().map(|e| e.to_string()).collect();
    assert!(
        msgs[0].contains("row 1: field 'lut'") && msgs[0].contains("12.5"),
        "{}",
        msgs[0]
    );
    assert!(
        msgs[1].contains("row 2: field 'model_file'") && msgs[1].contains("none.h5"),
        "{}",
        msgs[1]
    );
    assert!(
        msgs.iter()
            .all(|m| m.contains("astitwlathe__example-hls4ml/")),
        "{msgs:?}"
    );
}

fn split_csv(line: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    r.records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(String::from)
        .collect()
}

fn join_csv(fields: &[String]) -> String {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(fields).unwrap();
    String::from_utf8(w.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_string()
}
