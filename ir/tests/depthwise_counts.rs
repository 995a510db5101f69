//! Depthwise and separable convolutions: output shapes and parameter counts equal Keras 3's.
//! Truth: Keras 3.x (`.venv`, KERAS_BACKEND=jax) on
//! `Sequential([Input((9, 8, 3)), DepthwiseConv2D(3, depth_multiplier=2),
//! SeparableConv2D(5, 3, depth_multiplier=2, padding='same', strides=2),
//! SeparableConv2D(4, (2, 3), use_bias=False), DepthwiseConv2D((2, 1), use_bias=False)])`:
//! per layer `count_params()` 60, 173, 50, 8 (total 291), outputs (7, 6, 6), (4, 3, 5),
//! (3, 1, 4), (2, 1, 4), and weights `kernel` (3, 3, 3, 2) + `bias` (6,);
//! `depthwise_kernel` (3, 3, 6, 2) + `pointwise_kernel` (1, 1, 12, 5) + `bias` (5,); ...

use ir::ops::{DepthwiseConv2D, SeparableConv2D};
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
    let mut prev = "in".to_string();
    for (i, kind) in layers.into_iter().enumerate() {
        let name = format!("l{i}");
        net.add_layer(Layer::new(name.clone(), kind), &[prev.as_str()])
            .unwrap();
        prev = name;
    }
    net.infer_shapes().unwrap();
    let want_shapes = [vec![7, 6, 6], vec![4, 3, 5], vec![3, 1, 4], vec![2, 1, 4]];
    let want_params = [60u64, 173, 50, 8];
    for i in 0..4 {
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
        if i == 1 {
            assert_eq!(shapes, vec![vec![3, 3, 6, 2], vec![1, 1, 12, 5], vec![5]]);
        }
        if i == 0 {
            assert_eq!(shapes, vec![vec![3, 3, 3, 2], vec![6]]);
        }
    }
    assert_eq!(net.total_params(), 291);
}
