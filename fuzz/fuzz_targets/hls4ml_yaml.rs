//! Fuzz the hls4ml config YAML frontend, applied to a small MLP: never panics.
#![no_main]

use frontends::{dsl, hls4ml_yaml::apply_config_str};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut net = dsl::parse(
        "input(16) -> dense(64, relu, name=fc1) -> dense(5, softmax, name=output_softmax)",
    )
    .expect("the fixed network parses");
    let _ = apply_config_str(&mut net, text, "fuzz.yml");
});
