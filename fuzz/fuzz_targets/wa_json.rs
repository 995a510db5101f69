//! Fuzz the wa-hls4ml JSON reader (an array of records, streamed): never panics or hangs, and
//! every network it returns is usable.
#![no_main]

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::scratch("fuzz.json", data);
    if let Ok(ingested) = dataset_tools::ingest::wa_json::read_file(&path) {
        for r in &ingested.records {
            if let Some(n) = &r.network {
                common::exercise(n);
            }
        }
    }
});
