//! Fuzz the Vivado/Vitis HLS csynth XML and Vivado synthesis report parsers: never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let p = std::path::Path::new("fuzz_report");
    let _ = dataset_tools::ingest::reports::parse_csynth_xml_str(text, p);
    let _ = dataset_tools::ingest::reports::parse_vivado_synth_str(text, p);
});
