//! Fuzz the legacy Keras `.h5` reader. libhdf5 runs in a forked child with a time limit
//! (`PRESYNTH_H5_TIMEOUT`), so a crash or spin inside the C library must come back as an error;
//! this process must never panic or hang. Slow (one fork per input): run it longer.
#![no_main]

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::scratch("fuzz.h5", data);
    if let Ok(net) = frontends::keras::load_h5(&path) {
        common::exercise(&net);
    }
});
