//! Hostile values in dataset inputs (issue 18): a generator part holding a Tcl command
//! substitution, which `dataset generate --part` or a generator config would otherwise carry
//! into every project's project.tcl.

use dataset_tools::generate::GenConfig;

#[test]
fn generator_part_with_tcl_substitution_is_refused() {
    // What `dataset generate --part` does: set the part, then validate.
    let cfg = GenConfig {
        part: "xcu250\"; [exec touch /tmp/pwned]; #".into(),
        ..GenConfig::default()
    };
    let e = cfg.validate().unwrap_err();
    assert!(
        e.starts_with("part: ") && e.contains("not an FPGA part name"),
        "{e}"
    );

    // The same from a config file, which names the file.
    let dir = tempfile::tempdir().unwrap();
    let y = dir.path().join("gen.yaml");
    std::fs::write(&y, "part: \"xcu250\\n#error x\"\n").unwrap();
    let e = GenConfig::from_path(&y).unwrap_err().to_string();
    assert!(
        e.contains("gen.yaml") && e.contains("not an FPGA part name"),
        "{e}"
    );

    assert!(GenConfig::default().validate().is_ok());
}

use dataset_tools::generate::sample_record;
use dataset_tools::jsonl;
use serde_json::Value;

/// One generated record as a JSON value (a Dense chain with an Input layer).
fn record_value() -> Value {
    let r = sample_record(&GenConfig::default(), 7, 0).unwrap();
    let mut buf = Vec::new();
    jsonl::encode_into(&r, &mut buf);
    serde_json::from_slice(&buf).unwrap()
}

/// The first object under `v` that has key `key`, mutably.
fn find_key<'a>(v: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    match v {
        Value::Object(m) => {
            if m.contains_key(key) {
                return m.get_mut(key);
            }
            m.values_mut().find_map(|x| find_key(x, key))
        }
        Value::Array(a) => a.iter_mut().find_map(|x| find_key(x, key)),
        _ => None,
    }
}

/// Read a one-record JSONL file; the error message, or "" when it loaded.
fn load(v: &Value) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("records.jsonl");
    std::fs::write(&p, format!("{v}\n")).unwrap();
    match jsonl::read_all(&p) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn records_with_inconsistent_graphs_or_sizes_are_refused_on_load() {
    let good = record_value();
    assert_eq!(load(&good), "", "the unmodified record loads");

    // Issue 18: "node_holes":[0] made node 0 (the Input) vacant; evaluate and train panicked
    // in ir/src/graph.rs when they looked it up.
    let mut v = good.clone();
    *find_key(&mut v, "node_holes").unwrap() = serde_json::json!([0]);
    let e = load(&v);
    assert!(e.contains("records.jsonl:1:"), "{e}");

    // units of 2^62: accepted before, with meaningless metrics.
    let mut v = good.clone();
    *find_key(&mut v, "units").unwrap() = serde_json::json!(1u64 << 62);
    let e = load(&v);
    assert!(
        e.contains("records.jsonl:1:") && e.contains("more than"),
        "{e}"
    );

    // Zero and empty input shapes.
    for shape in [serde_json::json!([0]), serde_json::json!([])] {
        let mut v = good.clone();
        let input = find_key(&mut v, "Input").unwrap();
        input["shape"] = shape.clone();
        let e = load(&v);
        assert!(
            e.contains("records.jsonl:1:") && e.contains("input shape"),
            "{shape}: {e}"
        );
    }

    // A part that would reach project.tcl.
    let mut v = good.clone();
    v["hls"]["part"] = Value::String("[exec id]".into());
    let e = load(&v);
    assert!(e.contains("not an FPGA part name"), "{e}");
}

#[test]
fn a_csv_row_with_a_saturating_width_is_skipped_at_once() {
    // Issue 18: model_string 9223372036854775807-48 made `evaluate` loop forever in the
    // reuse-factor divisor loop. The row must be refused with its field, quickly.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("rows.csv");
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../data/wa-hls4ml-jdweitz-csv-sample/2layer_head.csv"),
    )
    .unwrap();
    let mut lines = src.lines();
    let header = lines.next().unwrap();
    let row = lines
        .next()
        .unwrap()
        .replace("80-24-120", "9223372036854775807-48");
    std::fs::write(&p, format!("{header}\n{row}\n")).unwrap();
    let t = std::time::Instant::now();
    let got = dataset_tools::ingest::shared_csv::read_file(&p).unwrap();
    assert!(t.elapsed().as_secs() < 5);
    assert!(got.records.is_empty());
    let e = got.skipped[0].to_string();
    assert!(e.contains("row 1") && e.contains("model_string"), "{e}");
}

#[test]
fn a_data_folder_with_a_symlink_cycle_is_read_once() {
    // Issue 18: a link to a parent folder made ingest read every file 41 times.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../data/wa-hls4ml-jdweitz-csv-sample/2layer_head.csv"),
        data.join("sub/a.csv"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&data, data.join("sub/loop")).unwrap();
    let once = dataset_tools::ingest::shared_csv::read_file(data.join("sub/a.csv")).unwrap();
    let all = dataset_tools::ingest::read_path(&data).unwrap();
    assert!(!once.records.is_empty());
    assert_eq!(all.records.len(), once.records.len());
}
