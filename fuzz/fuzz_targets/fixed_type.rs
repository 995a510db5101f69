//! Fuzz the fixed-point type parser (`ap_fixed<16,6>`, ...): never panics, and a parsed type
//! prints to text that parses back to the same value.
#![no_main]

use ir::FixedType;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = text.parse::<FixedType>() {
        assert_eq!(t.to_string().parse::<FixedType>().as_ref(), Ok(&t));
    }
});
