//! wa-hls4ml JSON records (data/WA_HLS4ML_FORMAT.md) on the example record
//! data/wa-hls4ml-example-record.json. Its numbers are illustrative (hand-written, not
//! synthesised), so they are the truth only for what a parser must *read*: the expected values
//! below are copied from that file, with the unit conversions the format note prescribes.

use dataset_tools::ingest::wa_json;
use dataset_tools::Family;
use std::path::PathBuf;

fn example() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/wa-hls4ml-example-record.json"
    ))
}

#[test]
fn example_record_is_read_field_by_field() {
    let got = wa_json::read_file(example()).unwrap();
    assert!(got.skipped.is_empty(), "{:?}", got.skipped);
    assert_eq!(got.records.len(), 1);
    let r = &got.records[0];
    // model_config: QDense 24 -> 40, QDense 40 -> 16, no activations (linear).
    assert_eq!(r.family, Family::Dense);
    assert_eq!(r.architecture, "in(24) dense(40) dense(16)");
    let net = r.network.as_ref().unwrap();
    // Keras parameter counts in model_config: 1000 and 656.
    assert_eq!(net.total_params(), 1000 + 656);
    // Per-layer closest-valid RFs from model_config (240, 320); requested RF 256.
    let rfs: Vec<Option<u32>> = net
        .layers()
        .iter()
        .skip(1)
        .map(|l| l.settings.reuse_factor)
        .collect();
    assert_eq!(rfs, vec![Some(240), Some(320)]);
    assert_eq!(r.hls.reuse_factor, 256);
    assert_eq!(r.hls.strategy, ir::Strategy::Resource);
    assert_eq!(r.hls.io_type, ir::IoType::Parallel); // no io_type key, no conv
    assert_eq!(r.weight_bits(), 6); // LayerName weight "fixed<6,1>"
    assert_eq!(r.hls.precision.to_string(), "ap_fixed<16,6>"); // Model.Precision.default
    assert_eq!(r.hls.part, "xcu250-figd2104-2L-e");
    assert_eq!(r.success, Some(true));
    let c = r.csynth.as_ref().unwrap();
    // latency_report: cycles 573/575, interval 322/322, clocks 5.00/3.902 (strings).
    assert_eq!((c.latency_best_cycles, c.latency_worst_cycles), (573, 575));
    assert_eq!((c.ii_min, c.ii_max), (Some(322), Some(322)));
    assert_eq!(c.estimated_clock_ns, Some(3.902));
    assert_eq!(r.hls.clock_period_ns, 5.0);
    // hls_resource_report (csynth, BRAM already in 18K blocks): bram 4, dsp 0, ff 7033, lut 11862.
    assert_eq!(
        (c.bram_18k, c.dsp, c.ff, c.lut, c.uram),
        (Some(4), Some(0), Some(7033), Some(11862), Some(0))
    );
    // resource_report (post-synthesis; BRAM "1.5" 36K tiles = 3 x 18K): dsp 0, ff 6120, lut 9475.
    let p = r.post_synth.as_ref().unwrap();
    assert_eq!(
        (p.bram_18k, p.dsp, p.ff, p.lut, p.uram),
        (3, 0, 6120, 9475, Some(0))
    );
    assert_eq!(r.provenance.tool_version.as_deref(), Some("2023.2"));
    assert_eq!(r.provenance.hls4ml_version.as_deref(), Some("1.0.0"));
    assert_eq!(
        r.provenance.model_name.as_deref(),
        Some("dense_24_40_16_6b")
    );
}

#[test]
fn failed_and_bad_records() {
    let text = std::fs::read_to_string(example()).unwrap();
    let mut arr: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ok = arr[0].clone();
    // HLS failed: all three label blocks empty -> failure without labels.
    let mut failed = ok.clone();
    for k in ["resource_report", "hls_resource_report", "latency_report"] {
        failed[k] = serde_json::json!({});
    }
    // Logic synthesis failed only: csynth labels kept, no post-synthesis labels.
    let mut no_vsynth = ok.clone();
    no_vsynth["resource_report"] = serde_json::json!({});
    // A corrupted label: skipped, naming the record and the field.
    let mut bad = ok.clone();
    bad["latency_report"]["cycles_max"] = serde_json::json!("n/a");
    arr = serde_json::json!([ok, failed, no_vsynth, bad]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("merged.json");
    std::fs::write(&p, serde_json::to_string(&arr).unwrap()).unwrap();
    let got = wa_json::read_file(&p).unwrap();
    assert_eq!(got.records.len(), 3);
    assert_eq!(got.skipped.len(), 1);
    let e = got.skipped[0].to_string();
    assert!(
        e.contains("merged.json") && e.contains("row 4") && e.contains("latency_report.cycles_max"),
        "{e}"
    );
    let f = &got.records[1];
    assert_eq!(f.success, Some(false));
    assert!(f.csynth.is_none() && f.post_synth.is_none());
    let n = &got.records[2];
    assert_eq!(n.success, Some(true));
    assert!(n.csynth.is_some() && n.post_synth.is_none());
}
