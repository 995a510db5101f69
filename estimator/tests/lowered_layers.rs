//! The estimate's per-layer list against the shared lowering (hls4ml 1.3.0's layer graph, as
//! hls-codegen writes it bit-exact), for every Keras model of the bit-exact harness
//! (`scripts/hls4ml_reference.py`; architectures exported to tests/fixtures/harness-models/ by
//! its `--export-models`) in both io types:
//! - every row of the estimate is an IR layer, in order, and every hls4ml layer maps back to one
//!   of them (clones excepted); the IR layers hls4ml removes (Dropout, linear activations) are
//!   priced at nothing;
//! - in io_stream, the FIFOs the estimator prices come from the lowered graph (every stream of
//!   the project hls4ml writes); where hls4ml inserts no Clone they agree with the IR walk and
//!   each kind's own model of the FIFOs inside a layer (the ZeroPadding before a `same` conv,
//!   the activation split off a Dense/Conv): the analysis is the same with either source. With
//!   a fan-out, the graph adds the clone's copies, which the IR walk missed.

use estimator::calibration::Feature;
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
fn stream_fifos_agree_with_the_ir_walk_without_fan_out() {
    let (mut inserted, mut compared) = (0, 0);
    for path in models() {
        let net = load(&path, IoType::Stream);
        let case = path.display().to_string();
        let g = lower::lower(&net).unwrap();
        if g.nodes.iter().any(|n| n.op == lower::Op::Clone) {
            continue;
        }
        compared += 1;
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
    assert!(compared >= 18, "{compared} models compared");
    assert!(inserted >= 20, "{inserted} inserted FIFOs");
}

#[test]
fn a_fan_out_pays_for_the_clone_copies() {
    // harness model branch_add in io_stream: hls4ml writes clone_input_layer, whose copies
    // layer8_cpy1 and layer8_cpy2 (one pixel of 8 values, ap_fixed<16,6>: depth 1, 128 bits)
    // feed `a` and `b` (harness case branch_add__stream). The input itself is a port.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/harness-models/branch_add.json");
    let net = load(&path, IoType::Stream);
    let g = lower::lower(&net).unwrap();
    let dev = device(&net);
    let cal = Calibration::builtin();
    let (from_graph, _) = analyse_lowered(&net, &dev, &cal, Some(&g)).unwrap();
    let (ir_walk, _) = analyse_lowered(&net, &dev, &cal, None).unwrap();
    for (a, b) in from_graph.iter().zip(&ir_walk) {
        let name = net.layer(a.id).name.as_str();
        let extra = a.analysis.fixed[Feature::BufferBits] - b.analysis.fixed[Feature::BufferBits];
        let want = if name == "a" || name == "b" {
            128.0
        } else {
            0.0
        };
        assert_eq!(extra, want, "layer {name}");
        assert_eq!(a.analysis.fifo_bram, b.analysis.fifo_bram, "layer {name}");
    }
}

#[test]
fn a_removed_linear_activation_has_no_stream() {
    // input[8] -> Dense(8) -> Activation(linear) -> Dense(4) in io_stream: hls4ml's
    // eliminate_linear_activation removes the activation, so the second Dense reads the first's
    // stream (one pixel of 8 x ap_fixed<16,6> = 128 bits) and the activation has none.
    use ir::{Activation, Layer, LayerKind};
    let mut net = Network::new("lin");
    net.config.io_type = IoType::Stream;
    let dense = |units| {
        LayerKind::Dense(ir::ops::Dense {
            units,
            use_bias: true,
        })
    };
    net.add_layer(
        Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![8] })),
        &[],
    )
    .unwrap();
    net.add_layer(Layer::new("d1", dense(8)), &["in"]).unwrap();
    net.add_layer(
        Layer::new("lin", LayerKind::Activation(Activation::Linear)),
        &["d1"],
    )
    .unwrap();
    net.add_layer(Layer::new("d2", dense(4)), &["lin"]).unwrap();
    net.default_outputs();
    net.infer_shapes().unwrap();
    let g = lower::lower(&net).unwrap();
    let names: Vec<&str> = g.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["in", "d1", "d2"]);
    let fifos = estimator::lowered::stream_fifos(&g);
    let lin = net.find("lin").unwrap();
    let d2 = net.find("d2").unwrap();
    assert!(!fifos.contains_key(&lin));
    assert_eq!(fifos[&d2], vec![(1.0, 128.0)]);
    let e = estimate(&net, &device(&net), &Calibration::builtin()).unwrap();
    let row = e.layers.iter().find(|l| l.name == "lin").unwrap();
    assert_eq!((row.csynth.lut, row.csynth.ff), (0.0, 0.0));
}
