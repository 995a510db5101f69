//! Fuzz a calibration file (`--calibration`, JSON): whatever loads must estimate a small MLP
//! without a panic and with finite figures.
#![no_main]

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::scratch("fuzz-calibration.json", data);
    let Ok(calib) = estimator::Calibration::load(&path) else {
        return;
    };
    let mut net = frontends::dsl::parse(
        "input(16) -> dense(64, relu, name=fc1) -> dense(5, softmax, name=output_softmax)",
    )
    .expect("the fixed network parses");
    net.infer_shapes().expect("the fixed network has shapes");
    let part = match fpga_targets::Targets::builtin().get("xcu250-figd2104-2L-e") {
        Ok(fpga_targets::Target::Fpga(p)) => p,
        other => panic!("the part database has no U250: {other:?}"),
    };
    let device = estimator::Device::from_part(part);
    if let Ok(e) = estimator::estimate(&net, &device, &calib) {
        let t = &e.total;
        assert!(
            [t.lut, t.ff, t.dsp, t.bram_18k, t.uram, t.latency_ns]
                .iter()
                .all(|v| v.is_finite()),
            "non-finite estimate from a calibration that loaded: {t:?}"
        );
    }
});
