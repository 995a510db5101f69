//! `stats` and `export` on the ingested pilot CSVs, checked against the same columns read
//! independently with the csv crate.

use dataset_tools::ingest::shared_csv;
use dataset_tools::{export, jsonl, stats};
use std::path::PathBuf;

fn pilot(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/wa-hls4ml-search-early-1layer/"
    ))
    .join(name)
}

/// (count, min, max) of a numeric column over the rows with hls_synth_success True.
fn column(name: &str) -> (u64, u64, u64) {
    let mut n = 0;
    let (mut lo, mut hi) = (u64::MAX, 0);
    for f in ["results_latency.csv", "results_resource.csv"] {
        let mut r = csv::Reader::from_path(pilot(f)).unwrap();
        let h = r.headers().unwrap().clone();
        let ok = h.iter().position(|x| x == "hls_synth_success").unwrap();
        let c = h.iter().position(|x| x == name).unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            if &rec[ok] == "True" {
                let v = rec[c].parse::<f64>().unwrap() as u64;
                n += 1;
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    (n, lo, hi)
}

#[test]
fn stats_and_export_agree_with_the_source_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let mut records = shared_csv::read_file(pilot("results_latency.csv"))
        .unwrap()
        .records;
    records.extend(
        shared_csv::read_file(pilot("results_resource.csv"))
            .unwrap()
            .records,
    );
    let path = tmp.path().join("records.jsonl");
    jsonl::write_all(&path, &records).unwrap();

    let svg = tmp.path().join("svg");
    let s = stats::stats(&path, Some(&svg)).unwrap();
    assert_eq!(
        (s.records, s.success, s.failed),
        (1071 + 1070, 60 + 717, 1011 + 353)
    );
    assert_eq!(s.by_strategy["Latency"], 1071);
    assert_eq!(s.by_strategy["Resource"], 1070);
    // Architectures: the README says 51 (d_in, d_out) pairs remain in the shared files.
    assert_eq!(s.architectures, 51);
    for (label, col) in [
        ("csynth_lut", "LUT_hls"),
        ("csynth_ff", "FF_hls"),
        ("csynth_latency_worst_cycles", "WorstLatency_hls"),
    ] {
        let l = s.labels.iter().find(|l| l.label == label).unwrap();
        assert_eq!((l.count, l.min, l.max), column(col), "{label}");
    }
    assert!(s.labels.iter().all(|l| !l.label.starts_with("post_")));
    assert_eq!(s.histograms.len(), s.labels.len());

    let out = tmp.path().join("x.csv");
    let n = export::export_csv(&path, std::fs::File::create(&out).unwrap(), &out).unwrap();
    assert_eq!(n, 1071 + 1070);
    let mut r = csv::Reader::from_path(&out).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        export::COLUMNS
    );
    let lut = export::COLUMNS
        .iter()
        .position(|c| *c == "csynth_lut")
        .unwrap();
    let ok = export::COLUMNS
        .iter()
        .position(|c| *c == "success")
        .unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    // Failures export empty label cells, never zeros.
    assert!(rows
        .iter()
        .filter(|x| &x[ok] == "false")
        .all(|x| x[lut].is_empty()));
    assert_eq!(
        rows.iter().filter(|x| !x[lut].is_empty()).count() as u64,
        column("LUT_hls").0
    );
}
