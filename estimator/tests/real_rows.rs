//! The analytic model against real synthesis rows (../shared/data, read through dataset-tools):
//! the figures hls4ml's formulas determine must match exactly on architectures the bundled
//! calibration held out, and the bundled calibration must be what `presynth calibrate`
//! produces from the same data.

use estimator::calibration::Calibration;
use estimator::evaluate::{evaluate, Analytic};
use estimator::{fit, samples};

fn data(p: &str) -> String {
    format!("{}/../../shared/data/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn shared_samples() -> samples::Loaded {
    samples::load(&[
        data("wa-hls4ml-search-early-1layer"),
        data("wa-hls4ml-jdweitz-csv-sample"),
    ])
    .unwrap()
}

#[test]
fn bundled_calibration_is_reproducible() {
    // The command in v1.json's `produced_by`, run in-process from the repository root's view of
    // the data: the same file (numbers equal to 1e-9 relative, to allow for floating-point
    // differences between compilers and CPUs).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let bundled = Calibration::builtin();
    let args: Vec<&str> = bundled.produced_by.split_whitespace().collect();
    assert_eq!(&args[..2], &["presynth", "calibrate"]);
    let o = args.iter().position(|a| *a == "-o").unwrap();
    let data: Vec<std::path::PathBuf> = args[2..o].iter().map(|p| root.join(p)).collect();
    let holdout: f64 = args[o + 3].parse().unwrap();
    let (mut fitted, _, _) =
        fit::calibrate(&data, std::path::Path::new(args[o + 1]), holdout).unwrap();
    // Paths in the record are as typed on the command line (relative to the repository root).
    fitted.produced_by = bundled.produced_by.clone();
    fitted.data = bundled.data.clone();
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&fitted.to_json()).unwrap(),
        serde_json::from_str(&bundled.to_json()).unwrap(),
    );
    same(&a, &b, "");
}

fn same(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs())),
                "{at}: {x} vs {y}"
            );
        }
        (Array(x), Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                same(p, q, &format!("{at}[{i}]"));
            }
        }
        (Object(x), Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, p) in x {
                same(p, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

#[test]
fn resource_strategy_latency_and_ii_exact_on_held_out_architectures() {
    // Truth: the csynth BestLatency / Interval columns of the real rows. hls4ml's Resource
    // dense is RF iterations at II=1 (+ pipeline depth), II = RF, layers in DATAFLOW.
    let loaded = shared_samples();
    let cal = Calibration::builtin();
    let held: Vec<_> = loaded
        .samples
        .into_iter()
        .filter(|s| s.success && cal.holdout_architectures.contains(&s.architecture))
        .filter(|s| {
            s.network.config.strategy == ir::Strategy::Resource && s.network.config.reuse_factor > 1
        })
        .collect();
    assert!(held.len() > 150, "{} rows", held.len());
    let ev = evaluate(&Analytic { calib: &cal }, &held);
    let get = |t: &str| ev.targets.iter().find(|r| r.target == t).unwrap().metrics;
    let lat = get("latency_best");
    // Exact on ≥ 95 %; the rest (2/4-bit weights at RF = 2·n_in) are 1 cycle over.
    assert!(lat.exact >= 0.95 && lat.smape < 0.1, "{lat:?}");
    let t = ev
        .targets
        .iter()
        .find(|r| r.target == "latency_best")
        .unwrap();
    assert!(t
        .pred
        .iter()
        .zip(&t.truth)
        .all(|(p, v)| (p - v).abs() <= 1.0));
    let ii = get("ii");
    assert_eq!(ii.exact, 1.0, "{ii:?}");
    // 2-layer row dense_80_24_120_6b, rf 1024 (2layer_head.csv line 2): 1923 cycles; hls4ml
    // adjusts RF to 960 for both layers: 960 + 960 + 2 stage depths + 1 DATAFLOW channel.
    let s = held
        .iter()
        .find(|s| s.id.contains("dense_80_24_120_6b_rf1024"))
        .unwrap();
    let e = estimator::estimate(&s.network, &s.device, &cal).unwrap();
    assert_eq!(e.total.latency_cycles, 1923);
    assert_eq!(e.layers[1].reuse_factor, Some(960));
}

#[test]
fn resource_dsp_is_block_factor_at_8_bits_and_above() {
    // Truth: csynth DSP_hls of the pilot rows: one DSP48E2 per multiplier of the block
    // (block_factor = n_in·n_out/RF) once the weights are ≥ 8 bits and RF > 1.
    let loaded = shared_samples();
    let cal = Calibration::builtin();
    let rows: Vec<_> = loaded
        .samples
        .into_iter()
        .filter(|s| {
            s.success
                && s.labels.csynth.is_some()
                && s.network.config.strategy == ir::Strategy::Resource
        })
        .filter(|s| {
            s.network.config.reuse_factor > 1
                && s.id.contains("b_rf")
                && !s.id.contains("_2b_")
                && !s.id.contains("_4b_")
                && !s.id.contains("_6b_")
        })
        .collect();
    assert!(rows.len() > 300, "{}", rows.len());
    let mut exact = 0;
    for s in &rows {
        let e = estimator::estimate(&s.network, &s.device, &cal).unwrap();
        if e.total.dsp == s.labels.csynth.unwrap()[2] {
            exact += 1;
        }
    }
    assert!(
        exact as f64 >= 0.98 * rows.len() as f64,
        "{exact}/{}",
        rows.len()
    );
}

#[test]
fn unroll_limit_predicts_failed_latency_runs() {
    // Truth: hls_synth_success of the pilot's Latency-strategy rows: every run with
    // n_in·n_out ≥ 4096 failed (987 rows), every success is predicted to synthesise; at
    // n_in·n_out = 3072, 18 runs passed and 24 failed, which no size rule separates.
    let loaded = shared_samples();
    let cal = Calibration::builtin();
    let lat: Vec<_> = loaded
        .samples
        .into_iter()
        .filter(|s| s.network.config.strategy == ir::Strategy::Latency)
        .collect();
    let ev = evaluate(&Analytic { calib: &cal }, &lat);
    let s = ev.synthesis;
    assert_eq!(s.predicted_fail_but_ok, 0, "{s:?}");
    assert_eq!(s.true_fail, 987, "{s:?}");
    assert!(s.predicted_ok_but_failed <= 24, "{s:?}");
}

#[test]
fn dsp_of_the_vivado_report_fixture() {
    // ../shared/fixtures/vivado-reports: a real Vivado HLS 2020.1 run of Dense 16 → 5 + ReLU,
    // io_stream, xc7z020clg400-1 (DSP48E1), 5 ns: csynth DSP 73, post-synthesis DSP48E 66.
    // Assumed settings: hls4ml defaults (ap_fixed<16,6>, Latency, RF 1). 80 products of
    // 16×16 bits, one DSP48E1 each when mapped: the estimate must be within 10 % of csynth and
    // no higher than the product count.
    let mut net = ir::Network::new("fixture");
    net.config = ir::HlsConfig {
        io_type: ir::IoType::Stream,
        part: "xc7z020clg400-1".into(),
        ..ir::HlsConfig::default()
    };
    net.add_layer(
        ir::Layer::new("in", ir::LayerKind::Input { shape: vec![16] }),
        &[],
    )
    .unwrap();
    net.add_layer(
        ir::Layer::new(
            "fc",
            ir::LayerKind::Dense {
                units: 5,
                use_bias: true,
            },
        )
        .with_activation(ir::Activation::Relu),
        &["in"],
    )
    .unwrap();
    net.infer_shapes().unwrap();
    let dev = estimator::Device::lookup("xc7z020clg400-1").unwrap();
    let e = estimator::estimate(&net, &dev, &Calibration::builtin()).unwrap();
    assert!(
        (e.total.dsp - 73.0).abs() <= 7.3 && e.total.dsp <= 80.0,
        "csynth DSP {}",
        e.total.dsp
    );
    assert!(
        e.post_synthesis.dsp <= 80.0,
        "post DSP {}",
        e.post_synthesis.dsp
    );
}
