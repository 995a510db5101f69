//! `EstimateReport::estimate_analytic` (one pass, each layer's estimate dropped once its row is
//! made: issue 18's memory fix for 100k-layer networks) gives the report that
//! `EstimateReport::analytic` gives from a stored `estimate`, on the example networks in both
//! interfaces and both strategies; and the rows' graph fields (inputs, shapes, parameters,
//! MACs) are the IR's own `Network::stats`.

use estimator::{Calibration, Device, EstimateReport};
use ir::{IoType, Network, Strategy};

fn u250() -> Device {
    match fpga_targets::Targets::builtin().get("xcu250-figd2104-2L-e") {
        Ok(fpga_targets::Target::Fpga(p)) => Device::from_part(p),
        other => panic!("the part database has no U250 FPGA entry: {other:?}"),
    }
}

fn examples() -> Vec<Network> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/");
    let mut out = Vec::new();
    for f in [
        "jet_tagger_mlp.psn",
        "conv1d_small.psn",
        "conv2d_small.psn",
        "residual.psn",
    ] {
        let net =
            frontends::dsl::parse_file(format!("{root}{f}")).unwrap_or_else(|e| panic!("{f}: {e}"));
        for (io, strategy) in [
            (IoType::Parallel, Strategy::Latency),
            (IoType::Stream, Strategy::Resource),
        ] {
            let mut n = net.clone();
            n.config.io_type = io;
            n.config.strategy = strategy;
            for id in n.graph.node_indices().collect::<Vec<_>>() {
                n.layer_mut(id).settings.strategy = None;
            }
            out.push(n);
        }
    }
    out
}

#[test]
fn one_pass_report_equals_the_report_of_a_stored_estimate() {
    let (dev, calib) = (u250(), Calibration::builtin());
    for net in examples() {
        let stored = estimator::estimate(&net, &dev, &calib).unwrap();
        let want = EstimateReport::analytic(&net, &stored, &dev, &calib);
        let got = EstimateReport::estimate_analytic(&net, &dev, &calib).unwrap();
        assert_eq!(got, want, "{} {:?}", net.name, net.config.io_type);
        assert_eq!(got.layers.len(), net.graph.node_count());
    }
}

#[test]
fn rows_carry_the_irs_own_layer_statistics() {
    let (dev, calib) = (u250(), Calibration::builtin());
    for net in examples() {
        let report = EstimateReport::estimate_analytic(&net, &dev, &calib).unwrap();
        let stats = net.stats();
        assert_eq!(report.layers.len(), stats.len());
        for (row, s) in report.layers.iter().zip(&stats) {
            assert_eq!(row.name, s.name);
            assert_eq!(row.kind, s.kind);
            assert_eq!(row.input_shape, s.input_shape, "{}", s.name);
            assert_eq!(row.output_shape, s.output_shape, "{}", s.name);
            assert_eq!((row.params, row.macs), (s.params, s.macs), "{}", s.name);
            let id = net.find(&row.name).unwrap();
            let inputs: Vec<String> = net
                .inputs_of(id)
                .into_iter()
                .map(|p| net.layer(p).name.clone())
                .collect();
            assert_eq!(row.inputs, inputs);
        }
    }
}
