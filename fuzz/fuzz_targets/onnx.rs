//! Fuzz the ONNX / QONNX reader (protobuf decode, conversion, size limits, shape inference):
//! never panics or hangs.
#![no_main]

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::scratch("fuzz.onnx", data);
    if let Ok(net) = frontends::onnx::load_onnx(&path) {
        common::exercise(&net);
    }
});
