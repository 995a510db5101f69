//! Fuzz the Keras JSON frontend (`model.to_json()` text, no weights): never panics.
#![no_main]

use frontends::keras::{self, json::ModelSpec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = keras::json::parse_json_text("fuzz.json", text) else {
        return;
    };
    let Ok(spec) = ModelSpec::from_value("fuzz.json", &value) else {
        return;
    };
    if let Ok(net) = keras::build("fuzz.json", &spec, None, "fuzz") {
        let _ = (net.total_params(), net.total_macs());
    }
});
