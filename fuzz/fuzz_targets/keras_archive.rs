//! Fuzz the `.keras` reader (zip archive with bomb limits, config.json, weights through the
//! guarded HDF5 child): never panics or hangs.
#![no_main]

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::scratch("fuzz.keras", data);
    if let Ok(net) = frontends::keras::load_keras(&path) {
        common::exercise(&net);
    }
});
