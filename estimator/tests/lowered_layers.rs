//! The estimate's per-layer list against the shared lowering (hls4ml 1.3.0's layer graph, as
//! hls-codegen writes it bit-exact), for every Keras model of the bit-exact harness
//! (`scripts/hls4ml_reference.py`; architectures exported to tests/fixtures/harness-models/ by
//! its `--export-models`) in both io types:
//! - every row of the estimate is an IR layer, in order, and every hls4ml layer maps back to one
//!   of them (clones excepted); the IR layers hls4ml removes (Dropout, linear activations) are
//!   priced at nothing;
//! - in io_stream, the FIFOs the estimator adds inside an IR layer (the ZeroPadding hls4ml
//!   inserts before a `same` conv, the activation it splits off a Dense/Conv) come from the
//!   lowered graph, and agree with what each kind's own model says: the analysis is the same
//!   with either source.

use estimator::network::{analyse_lowered, estimate};
use estimator::{Calibration, Device};
use ir::{IoType, Network};
use std::path::{Path, PathBuf};

fn models() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/harness-models");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    assert!(v.len() >= 20, "harness models: {}", v.len());
    v
}

fn load(path: &Path, io: IoType) -> Network {
    let mut net = frontends::load_model(path, None, None)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    net.config.io_type = io;
    net
}

fn device(net: &Network) -> Device {
    Device::lookup(&net.config.part).expect("the default part is in the database")
}

#[test]
fn per_layer_rows_are_the_lowered_layers() {
    for path in models() {
        for io in [IoType::Parallel, IoType::Stream] {
            let net = load(&path, io);
            let case = format!("{} {io:?}", path.display());
            let e = estimate(&net, &device(&net), &Calibration::builtin()).unwrap();
            let g = e
                .lowered
                .as_ref()
                .unwrap_or_else(|| panic!("{case}: hls4ml converts every harness model"));
            let order = net.topo_order().unwrap();
            let names: Vec<&str> = order
                .iter()
                .map(|&id| net.layer(id).name.as_str())
                .collect();
            let rows: Vec<&str> = e.layers.iter().map(|l| l.name.as_str()).collect();
            assert_eq!(rows, names, "{case}: one row per IR layer, in order");
            let by_layer = estimator::lowered::hls_layers(g);
            for n in &g.nodes {
                if let Some(id) = n.origin.layer() {
                    assert!(order.contains(&id), "{case}: {} maps to no row", n.name);
                }
            }
            for (row, &id) in e.layers.iter().zip(&order) {
                let hls = by_layer.get(&id).map_or(0, Vec::len);
                if hls == 0 {
                    // removed by hls4ml: no call, so no cost
                    assert_eq!(
                        (
                            row.csynth.lut,
                            row.csynth.ff,
                            row.csynth.dsp,
                            row.latency_best
                        ),
                        (0.0, 0.0, 0.0, 0),
                        "{case}: {} ({}) is not in hls4ml's graph but is priced",
                        row.name,
                        row.kind
                    );
                }
            }
        }
    }
}

#[test]
fn inserted_fifos_agree_with_the_per_kind_models() {
    let mut inserted = 0;
    for path in models() {
        let net = load(&path, IoType::Stream);
        let case = path.display().to_string();
        let g = lower::lower(&net).unwrap();
        inserted += estimator::lowered::internal_fifos(&g)
            .values()
            .map(Vec::len)
            .sum::<usize>();
        let dev = device(&net);
        let cal = Calibration::builtin();
        let (from_graph, _) = analyse_lowered(&net, &dev, &cal, Some(&g)).unwrap();
        let (per_kind, _) = analyse_lowered(&net, &dev, &cal, None).unwrap();
        for (a, b) in from_graph.iter().zip(&per_kind) {
            assert_eq!(
                a.analysis,
                b.analysis,
                "{case}: layer {} priced differently",
                net.layer(a.id).name
            );
        }
    }
    // the harness models exercise both kinds of inserted nodes: split activations in most,
    // ZeroPadding in conv1d_same, conv2d_same_bn and conv2d_same_stride
    assert!(inserted >= 20, "{inserted} inserted FIFOs");
}
