//! Fuzz dataset JSONL records: each line is parsed and validated (graph consistency, size
//! limits, finite weights, part name); never panics, and a record that loads has a network
//! whose shapes are inferred.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reader = dataset_tools::jsonl::Reader::new(std::io::Cursor::new(data), "fuzz.jsonl");
    for r in reader.take(64) {
        if let Ok(r) = r {
            if let Some(n) = &r.network {
                let _ = (n.total_params(), n.total_macs(), n.topo_order());
            }
        }
    }
});
