//! Fuzz a user targets file (`--targets-file`, TOML) merged into the built-in database, then
//! every merged entry resolved and turned into an attention roofline target and (FPGAs) an
//! estimator device: validation must catch whatever would make those panic.
#![no_main]

use estimator::attention::{Dtype, TargetSpec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut db = fpga_targets::Targets::builtin().clone();
    if db
        .merge_str(text, std::path::Path::new("fuzz.toml"))
        .is_err()
    {
        return;
    }
    let names: Vec<String> = db.iter().map(|t| t.name().to_string()).collect();
    for name in names {
        let Ok(r) = db.resolve(&name) else {
            continue;
        };
        for dtype in [Dtype::parse("fp16"), Dtype::parse("ap_fixed<16,6>")]
            .into_iter()
            .flatten()
        {
            let _ = TargetSpec::from_target(r.target, dtype, 0.5, None);
        }
        if let fpga_targets::Target::Fpga(p) = r.target {
            let _ = estimator::Device::from_part(p);
        }
    }
});
