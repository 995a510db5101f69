//! Timing of the 680k-model manifest (issue 6 target: < 60 s on 2 cores, flat memory).
//! `cargo bench -p dataset-tools --bench manifest [-- COUNT FAMILY]` writes the manifest to a
//! temporary file and prints records/s, bytes and the time. Not a criterion bench: one run of
//! this size is the measurement.

use dataset_tools::generate::{write_manifest, FamilyChoice, GenConfig};
use std::io::BufWriter;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let count: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(680_000);
    let family: FamilyChoice = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(FamilyChoice::Mixed);
    let cfg = GenConfig {
        family,
        ..GenConfig::default()
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("records.jsonl");
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).expect("create"));
    let t = Instant::now();
    let n = write_manifest(&cfg, 1, count, &mut out, &path, &|_| {}).expect("generate");
    drop(out);
    let secs = t.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "manifest: {n} records ({family:?}) in {secs:.2} s on {} threads = {:.0} records/s, {:.1} MB",
        rayon::current_num_threads(),
        n as f64 / secs,
        bytes as f64 / 1e6
    );
}
