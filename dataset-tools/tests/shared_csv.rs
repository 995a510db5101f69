//! Ingesting the shared wa-hls4ml CSVs must reproduce each file's row and success counts.
//! The truth is counted independently here with the csv crate, and checked against the counts
//! the data READMEs give (data/*/README.md: pilot latency 1071 rows / 60 OK, resource
//! 1070 / 717 OK after the held-out split; jdweitz 2layer 77-19 = 58, 3layer 74-16 = 58,
//! conv2d 42-9 = 33 rows, all successful).

use dataset_tools::ingest::shared_csv;
use dataset_tools::Family;
use std::path::PathBuf;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/")).join(rel)
}

/// (rows, rows with hls_synth_success true), read with the csv crate.
fn independent_counts(path: &PathBuf) -> (usize, usize) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "hls_synth_success")
        .unwrap();
    let mut rows = 0;
    let mut ok = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        rows += 1;
        if rec[col].eq_ignore_ascii_case("true") {
            ok += 1;
        }
    }
    (rows, ok)
}

#[test]
fn every_shared_csv_reproduces_row_and_success_counts() {
    let files = [
        (
            "wa-hls4ml-search-early-1layer/results_latency.csv",
            1071,
            60,
        ),
        (
            "wa-hls4ml-search-early-1layer/results_resource.csv",
            1070,
            717,
        ),
        ("wa-hls4ml-jdweitz-csv-sample/2layer_head.csv", 58, 58),
        ("wa-hls4ml-jdweitz-csv-sample/3layer_head.csv", 58, 58),
        ("wa-hls4ml-jdweitz-csv-sample/conv2d.csv", 33, 33),
    ];
    for (rel, readme_rows, readme_ok) in files {
        let path = data(rel);
        let (rows, ok) = independent_counts(&path);
        assert_eq!(
            (rows, ok),
            (readme_rows, readme_ok),
            "{rel}: csv crate vs README"
        );
        let got = shared_csv::read_file(&path).unwrap();
        assert!(got.skipped.is_empty(), "{rel}: {:?}", got.skipped);
        assert_eq!(got.records.len(), rows, "{rel}: records");
        assert_eq!(got.successes(), ok, "{rel}: successes");
        assert_eq!(got.failures(), rows - ok, "{rel}: failures");
        for r in &got.records {
            // Failures carry no labels (never zeros); successes carry latency labels.
            match r.success {
                Some(false) => {
                    assert!(r.csynth.is_none() && r.post_synth.is_none() && r.failure.is_some())
                }
                Some(true) => assert!(r.csynth.is_some()),
                None => panic!("{rel}: ingested record without success flag"),
            }
            assert_eq!(r.provenance.source, path.display().to_string());
        }
    }
}

#[test]
fn read_dir_covers_all_files() {
    let got = shared_csv::read_dir(data("")).unwrap();
    assert_eq!(got.records.len(), 1071 + 1070 + 58 + 58 + 33);
    assert_eq!(got.successes(), 60 + 717 + 58 + 58 + 33);
    // data/real-projects/rows.csv is another kind of CSV: listed as skipped, not read, not fatal.
    let other: Vec<String> = got
        .skipped
        .iter()
        .map(|e| e.to_string())
        .filter(|e| e.contains("unknown header"))
        .collect();
    assert_eq!(other.len(), 1, "{other:?}");
    assert!(other[0].contains("real-projects/rows.csv"), "{other:?}");
}

#[test]
fn first_rows_are_read_with_the_right_units() {
    // results_resource.csv row 2: dense_32_64_2b,32,64,2,...,512,resource,True,5.0,3.344,513.0,
    // 514.0,512.0,512.0,1157.0,8360.0,2.0,0.0,0.0 (csynth estimates; BRAM already in 18K).
    let got =
        shared_csv::read_file(data("wa-hls4ml-search-early-1layer/results_resource.csv")).unwrap();
    let r = &got.records[1];
    assert_eq!(r.provenance.row, Some(2));
    let c = r.csynth.as_ref().unwrap();
    assert_eq!((c.latency_best_cycles, c.latency_worst_cycles), (513, 514));
    assert_eq!((c.ii_min, c.ii_max), (Some(512), Some(512)));
    assert_eq!(
        (c.ff, c.lut, c.bram_18k, c.dsp, c.uram),
        (Some(1157), Some(8360), Some(2), Some(0), Some(0))
    );
    assert!(r.post_synth.is_none());
    assert_eq!(r.architecture, "in(32) dense(64)");
    assert_eq!(r.weight_bits(), 2);
    assert_eq!(r.hls.reuse_factor, 512);

    // conv2d.csv row 1: conv2d_4,...,16-1920-32-16-64-16-64,8192,resource,5.0,5.821,1253444,
    // 1255150,...,117.5,3,94549,63301,0 -> post-synthesis BRAM 117.5 tiles of 36K = 235 x 18K.
    let got = shared_csv::read_file(data("wa-hls4ml-jdweitz-csv-sample/conv2d.csv")).unwrap();
    let r = &got.records[0];
    assert_eq!(r.family, Family::Conv2d);
    // conv2d_4 is a stored wa-hls4ml model (ingest::wa_conv2d): in(29,21,16), QConv2D 128 k1
    // s3 same, max pool, then 5 dense layers; 8-bit kernels (prec column says 16).
    let net = r
        .network
        .as_ref()
        .expect("conv2d_4 has a stored architecture");
    assert_eq!(net.config.io_type, ir::IoType::Stream);
    assert!(r
        .architecture
        .starts_with("in(29x21x16) conv2d(128,k1x1,s3x3,same"));
    assert_eq!(r.weight_bits(), 8);
    assert_eq!(r.hls.io_type, ir::IoType::Stream);
    let p = r.post_synth.as_ref().unwrap();
    assert_eq!(
        (p.bram_18k, p.dsp, p.ff, p.lut, p.uram),
        (235, 3, 94549, 63301, Some(0))
    );
    let c = r.csynth.as_ref().unwrap();
    assert_eq!(
        (c.latency_best_cycles, c.latency_worst_cycles, c.lut),
        (1253444, 1255150, None)
    );
    assert!(r.provenance.notes.iter().any(|n| n.contains("36K")));
}
