//! Fuzz the wa-hls4ml CSV reader (pilot and export schemas; `model_string` rows become Dense
//! networks): never panics or hangs, and every network it returns is usable.
#![no_main]

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::scratch("fuzz.csv", data);
    if let Ok(ingested) = dataset_tools::ingest::shared_csv::read_file(&path) {
        for r in &ingested.records {
            if let Some(n) = &r.network {
                common::exercise(n);
            }
        }
    }
});
