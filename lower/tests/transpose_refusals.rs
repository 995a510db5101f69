//! hls4ml 1.3.0's transpose rewrites presynth does not make (it removes a Permute read by a
//! Flatten read by a Dense in io_parallel and permutes the Dense's weights:
//! `remove_transpose_before_flatten`, checked on the harness: its project for Dense → Permute
//! → Flatten → Dense has no transpose call) are refused naming the layer and hls4ml's pass; the
//! same network in io_stream, which hls4ml leaves alone, lowers.

use ir::{IoType, Layer, LayerKind, Network};

fn net() -> Network {
    let mut net = Network::new("m");
    let chain = [
        (
            "input_layer",
            LayerKind::Input(ir::ops::Input { shape: vec![6, 4] }),
        ),
        (
            "permute1",
            LayerKind::Permute(ir::ops::Permute { dims: vec![2, 1] }),
        ),
        ("flat", LayerKind::Flatten),
        (
            "out",
            LayerKind::Dense(ir::ops::Dense {
                units: 3,
                use_bias: true,
            }),
        ),
    ];
    let mut prev: Option<&str> = None;
    for (name, kind) in chain {
        let ins: Vec<&str> = prev.into_iter().collect();
        net.add_layer(Layer::new(name, kind), &ins).unwrap();
        prev = Some(name);
    }
    net.default_outputs();
    net.infer_shapes().unwrap();
    net
}

#[test]
fn permute_flatten_dense_is_refused_in_io_parallel_only() {
    let mut n = net();
    let e = lower::lower(&n).unwrap_err().to_string();
    assert!(
        e.contains("permute1") && e.contains("remove_transpose_before_flatten"),
        "{e}"
    );
    n.config.io_type = IoType::Stream;
    lower::lower(&n).unwrap();
}

/// hls4ml 1.3.0's io_stream project for a Dot does not compile (checked with g++ on the
/// harness model dot1d): presynth refuses it as not in hls4ml, naming the layer.
#[test]
fn dot_in_io_stream_is_not_in_hls4ml() {
    let mut net = Network::new("m");
    net.add_layer(
        Layer::new("x", LayerKind::Input(ir::ops::Input { shape: vec![6] })),
        &[],
    )
    .unwrap();
    net.add_layer(Layer::new("dot", LayerKind::Dot), &["x", "x"])
        .unwrap();
    net.default_outputs();
    net.infer_shapes().unwrap();
    lower::lower(&net).unwrap();
    net.config.io_type = IoType::Stream;
    let e = lower::lower(&net).unwrap_err().to_string();
    assert!(e.contains("dot") && e.contains("io_stream"), "{e}");
}
