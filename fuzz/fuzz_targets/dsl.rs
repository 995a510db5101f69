//! Fuzz the network DSL: parsing never panics, and whatever parses prints to text that parses
//! back to the same network.
#![no_main]

use frontends::dsl::{parse, to_dsl};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(net) = parse(text) {
        let printed = to_dsl(&net);
        assert_eq!(parse(&printed).as_ref(), Ok(&net), "{printed}");
    }
});
