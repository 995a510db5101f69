//! Fuzz the csynth text report's per-layer tables (instances and FIFOs): never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = dataset_tools::ingest::layers::parse_layers_str(text, std::path::Path::new("fuzz.rpt"));
});
