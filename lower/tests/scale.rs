//! The lowering is linear in the network: the estimator and dataset emission lower networks of
//! 100k layers (issue 18's estimator bench is a 100k Dense+ReLU chain). A pass that rewired by
//! scanning the whole graph per node took minutes here.

use ir::{Activation, IoType, Layer, LayerKind, Network};

#[test]
fn a_60k_layer_chain_lowers_in_linear_time() {
    let n = 30_000;
    let mut net = Network::new("deep");
    net.config.io_type = IoType::Stream;
    net.add_layer(
        Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![16] })),
        &[],
    )
    .unwrap();
    let mut prev = "in".to_string();
    for i in 1..n {
        let (fc, drop) = (format!("fc{i}"), format!("drop{i}"));
        let dense = LayerKind::Dense(ir::ops::Dense {
            units: 16,
            use_bias: true,
        });
        net.add_layer(
            Layer::new(&fc, dense).with_activation(Activation::Relu),
            &[&prev],
        )
        .unwrap();
        net.add_layer(
            Layer::new(&drop, LayerKind::Dropout(ir::ops::Dropout { rate: 0.1 })),
            &[&fc],
        )
        .unwrap();
        prev = drop;
    }
    net.default_outputs();
    net.infer_shapes().unwrap();
    let t = std::time::Instant::now();
    let g = lower::lower(&net).unwrap();
    let took = t.elapsed().as_secs_f64();
    // input + (Dense + its split ReLU) per block; the Dropouts are gone
    assert_eq!(g.nodes.len(), 1 + 2 * (n - 1));
    // the last ReLU reads the last Dense, indices in Keras order: fc_i = 3i - 1, its relu 3i
    let last = g.nodes.last().unwrap();
    assert_eq!(
        (last.name.as_str(), last.index),
        ("fc29999_relu", 3 * 29_999)
    );
    assert!(took < 5.0, "lowering 60k layers took {took:.1} s");
}
