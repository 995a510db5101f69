//! Ingest speed (records/s) for the issue-6 note: (1) a synthesised dataset of N generated
//! models whose projects hold the fixture reports (csynth XML + vivado_synth.rpt, written here
//! as a real run would leave them), (2) the shared wa-hls4ml CSVs.
//! `cargo bench -p dataset-tools --bench ingest [-- N]`.

use dataset_tools::generate::{write_manifest, FamilyChoice, GenConfig};
use dataset_tools::ingest::{project, shared_csv};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5000);
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let fixtures = here.join("../tests/fixtures/vivado-reports");
    let tmp = tempfile::tempdir().expect("temp dir");
    let ds = tmp.path();
    let cfg = GenConfig {
        family: FamilyChoice::Mixed,
        ..GenConfig::default()
    };
    let manifest = ds.join("records.jsonl");
    let mut f = std::fs::File::create(&manifest).expect("manifest");
    write_manifest(&cfg, 3, n, &mut f, &manifest, &|_| {}).expect("generate");
    let xml = std::fs::read(fixtures.join("myproject_csynth.xml")).expect("fixture");
    let rpt = std::fs::read(fixtures.join("vivado_synth.rpt")).expect("fixture");
    let app = std::fs::read(fixtures.join("vivado_hls.app")).expect("fixture");
    for i in 0..n {
        let p = ds
            .join("projects")
            .join(dataset_tools::generate::record_id(i));
        let r = p.join("myproject_prj/solution1/syn/report");
        std::fs::create_dir_all(&r).expect("mkdir");
        std::fs::write(r.join("myproject_csynth.xml"), &xml).expect("write");
        std::fs::write(p.join("myproject_prj/vivado_hls.app"), &app).expect("write");
        std::fs::write(p.join("vivado_synth.rpt"), &rpt).expect("write");
    }
    let t = Instant::now();
    let mut count = 0u64;
    let skipped = project::ingest_dataset(ds, &mut |_r| {
        count += 1;
        Ok(())
    })
    .expect("ingest");
    let s = t.elapsed().as_secs_f64();
    println!(
        "projects: {count} records ({} skipped) in {s:.2} s = {:.0} records/s (csynth XML + vivado_synth.rpt each)",
        skipped.len(),
        count as f64 / s
    );
    let t = Instant::now();
    let got = shared_csv::read_dir(here.join("../data")).expect("csv");
    let s = t.elapsed().as_secs_f64();
    println!(
        "shared CSVs: {} records in {s:.3} s = {:.0} records/s",
        got.records.len(),
        got.records.len() as f64 / s
    );
}
