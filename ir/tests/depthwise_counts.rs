//! Depthwise and separable convolutions: output shapes and parameter counts equal Keras 3's.
//! Truth: Keras 3.x (`.venv`, KERAS_BACKEND=jax) on
//! `Sequential([Input((9, 8, 3)), DepthwiseConv2D(3, depth_multiplier=2),
//! SeparableConv2D(5, 3, depth_multiplier=2, padding='same', strides=2),
//! SeparableConv2D(4, (2, 3), use_bias=False), DepthwiseConv2D((2, 1), use_bias=False)])`:
//! per layer `count_params()` 60, 173, 50, 8 (total 291), outputs (7, 6, 6), (4, 3, 5),
//! (3, 1, 4), (2, 1, 4), and weights `kernel` (3, 3, 3, 2) + `bias` (6,);
//! `depthwise_kernel` (3, 3, 6, 2) + `pointwise_kernel` (1, 1, 12, 5) + `bias` (5,); ...

use ir::ops::{DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D};
use ir::{Layer, LayerKind, Network, Padding};

#[test]
fn depthwise_and_separable_match_keras_counts_and_shapes() {
    let mut net = Network::new("dw");
    net.add_layer(
        Layer::new(
            "in",
            LayerKind::Input(ir::ops::Input {
                shape: vec![9, 8, 3],
            }),
        ),
        &[],
    )
    .unwrap();
    let layers = [
        LayerKind::DepthwiseConv2D(DepthwiseConv2D {
            kernel: [3, 3],
            stride: [1, 1],
            padding: Padding::Valid,
            depth_multiplier: 2,
            use_bias: true,
        }),
        LayerKind::SeparableConv2D(SeparableConv2D {
            filters: 5,
            kernel: [3, 3],
            stride: [2, 2],
            padding: Padding::Same,
            depth_multiplier: 2,
            use_bias: true,
        }),
        LayerKind::SeparableConv2D(SeparableConv2D {
            filters: 4,
            kernel: [2, 3],
            stride: [1, 1],
            padding: Padding::Valid,
            depth_multiplier: 1,
            use_bias: false,
        }),
        LayerKind::DepthwiseConv2D(DepthwiseConv2D {
            kernel: [2, 1],
            stride: [1, 1],
            padding: Padding::Valid,
            depth_multiplier: 1,
            use_bias: false,
        }),
    ];
    check_chain(
        net,
        layers.to_vec(),
        &[vec![7, 6, 6], vec![4, 3, 5], vec![3, 1, 4], vec![2, 1, 4]],
        &[60, 173, 50, 8],
        &[
            vec![vec![3, 3, 3, 2], vec![6]],
            vec![vec![3, 3, 6, 2], vec![1, 1, 12, 5], vec![5]],
        ],
        291,
    );
}

/// Truth: Keras 3.x (`.venv`, KERAS_BACKEND=jax) on `Sequential([Input((11, 3)),
/// DepthwiseConv1D(3, depth_multiplier=2), SeparableConv1D(5, 3, depth_multiplier=2,
/// padding='same', strides=2), SeparableConv1D(4, 2, use_bias=False),
/// DepthwiseConv1D(2, use_bias=False)])`: per layer `count_params()` 24, 101, 30, 8 (total
/// 163), outputs (9, 6), (5, 5), (4, 4), (3, 4), and weights `kernel` (3, 3, 2) + `bias` (6,);
/// `depthwise_kernel` (3, 6, 2) + `pointwise_kernel` (1, 12, 5) + `bias` (5,).
#[test]
fn depthwise_and_separable_1d_match_keras_counts_and_shapes() {
    let mut net = Network::new("dw1d");
    net.add_layer(
        Layer::new(
            "in",
            LayerKind::Input(ir::ops::Input { shape: vec![11, 3] }),
        ),
        &[],
    )
    .unwrap();
    let layers = vec![
        LayerKind::DepthwiseConv1D(DepthwiseConv1D {
            kernel: [3],
            stride: [1],
            padding: Padding::Valid,
            depth_multiplier: 2,
            use_bias: true,
        }),
        LayerKind::SeparableConv1D(SeparableConv1D {
            filters: 5,
            kernel: [3],
            stride: [2],
            padding: Padding::Same,
            depth_multiplier: 2,
            use_bias: true,
        }),
        LayerKind::SeparableConv1D(SeparableConv1D {
            filters: 4,
            kernel: [2],
            stride: [1],
            padding: Padding::Valid,
            depth_multiplier: 1,
            use_bias: false,
        }),
        LayerKind::DepthwiseConv1D(DepthwiseConv1D {
            kernel: [2],
            stride: [1],
            padding: Padding::Valid,
            depth_multiplier: 1,
            use_bias: false,
        }),
    ];
    check_chain(
        net,
        layers,
        &[vec![9, 6], vec![5, 5], vec![4, 4], vec![3, 4]],
        &[24, 101, 30, 8],
        &[
            vec![vec![3, 3, 2], vec![6]],
            vec![vec![3, 6, 2], vec![1, 12, 5], vec![5]],
        ],
        163,
    );
}

/// Chains `layers` after the input `in` of `net` and checks each layer's output shape and
/// parameter count, the weight shapes of the first layers, and the total.
fn check_chain(
    mut net: Network,
    layers: Vec<LayerKind>,
    want_shapes: &[Vec<usize>],
    want_params: &[u64],
    want_weights: &[Vec<Vec<usize>>],
    total: u64,
) {
    let mut prev = "in".to_string();
    for (i, kind) in layers.into_iter().enumerate() {
        let name = format!("l{i}");
        net.add_layer(Layer::new(name.clone(), kind), &[prev.as_str()])
            .unwrap();
        prev = name;
    }
    net.infer_shapes().unwrap();
    for i in 0..want_shapes.len() {
        let id = net.find(&format!("l{i}")).unwrap();
        let l = net.layer(id);
        assert_eq!(l.output_shape, want_shapes[i], "layer {i}");
        let ins: Vec<Vec<usize>> = net
            .inputs_of(id)
            .into_iter()
            .map(|p| net.layer(p).output_shape.clone())
            .collect();
        assert_eq!(
            l.kind.op().cost(&ins, &l.output_shape).params,
            want_params[i],
            "layer {i}"
        );
        let shapes: Vec<Vec<usize>> = l
            .kind
            .op()
            .weights(&ins)
            .into_iter()
            .map(|w| w.shape)
            .collect();
        if let Some(w) = want_weights.get(i) {
            assert_eq!(&shapes, w, "layer {i}");
        }
    }
    assert_eq!(net.total_params(), total);
}
