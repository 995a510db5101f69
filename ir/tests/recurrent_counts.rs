//! Recurrent layers: output shapes, parameter counts and weight shapes equal Keras 3's.
//! Truth: Keras 3 (`.venv`, KERAS_BACKEND=jax) printed, for
//! `Sequential([Input((5, 3)), LSTM(4, return_sequences=True),
//! GRU(3, reset_after=False, return_sequences=True), GRU(2, return_sequences=True),
//! SimpleRNN(3, return_sequences=True, use_bias=False),
//! Bidirectional(GRU(2, return_sequences=True), merge_mode='sum'), Bidirectional(LSTM(2)),
//! Dense(1)])`, per layer `count_params()` and output shape:
//! lstm 128 (5, 4); gru 72 (5, 3); gru_1 42 (5, 2); simple_rnn 15 (5, 3);
//! bidirectional 84 (5, 2); bidirectional_1 80 (4,); dense 5 (1,); model total 426;
//! weights: lstm (3, 16) (4, 16) (16,); gru (4, 9) (3, 9) (9,); gru_1 (3, 6) (2, 6) (2, 6);
//! simple_rnn (2, 3) (3, 3); bidirectional (3, 6) (2, 6) (2, 6) twice; bidirectional_1
//! (2, 8) (2, 8) (8,) twice.

use ir::ops::{Activation, BidiMerge, Cell, Dense, Input, Recurrent};
use ir::{Layer, LayerKind, Network};

fn rnn(cell: Cell, units: usize) -> Recurrent {
    Recurrent {
        cell,
        units,
        activation: Activation::Tanh,
        recurrent_activation: if cell == Cell::SimpleRnn {
            Activation::Linear
        } else {
            Activation::Sigmoid
        },
        use_bias: true,
        return_sequences: true,
        go_backwards: false,
        reset_after: cell == Cell::Gru,
        bidirectional: None,
    }
}

#[test]
fn recurrent_layers_match_keras_counts_shapes_and_weights() {
    let mut net = Network::new("rnn");
    net.add_layer(
        Layer::new("in", LayerKind::Input(Input { shape: vec![5, 3] })),
        &[],
    )
    .unwrap();
    let layers = [
        rnn(Cell::Lstm, 4),
        Recurrent {
            reset_after: false,
            ..rnn(Cell::Gru, 3)
        },
        rnn(Cell::Gru, 2),
        Recurrent {
            use_bias: false,
            ..rnn(Cell::SimpleRnn, 3)
        },
        Recurrent {
            bidirectional: Some(BidiMerge::Sum),
            ..rnn(Cell::Gru, 2)
        },
        Recurrent {
            bidirectional: Some(BidiMerge::Concat),
            return_sequences: false,
            ..rnn(Cell::Lstm, 2)
        },
    ];
    let mut prev = "in".to_string();
    for (i, r) in layers.into_iter().enumerate() {
        let name = format!("l{i}");
        net.add_layer(
            Layer::new(name.clone(), LayerKind::Recurrent(r)),
            &[prev.as_str()],
        )
        .unwrap();
        prev = name;
    }
    net.add_layer(
        Layer::new(
            "out",
            LayerKind::Dense(Dense {
                units: 1,
                use_bias: true,
            }),
        ),
        &[prev.as_str()],
    )
    .unwrap();
    net.infer_shapes().unwrap();
    let want_shapes = [
        vec![5, 4],
        vec![5, 3],
        vec![5, 2],
        vec![5, 3],
        vec![5, 2],
        vec![4],
    ];
    let want_params = [128u64, 72, 42, 15, 84, 80];
    let want_weights: [Vec<Vec<usize>>; 6] = [
        vec![vec![3, 16], vec![4, 16], vec![16]],
        vec![vec![4, 9], vec![3, 9], vec![9]],
        vec![vec![3, 6], vec![2, 6], vec![2, 6]],
        vec![vec![2, 3], vec![3, 3]],
        vec![
            vec![3, 6],
            vec![2, 6],
            vec![2, 6],
            vec![3, 6],
            vec![2, 6],
            vec![2, 6],
        ],
        vec![
            vec![2, 8],
            vec![2, 8],
            vec![8],
            vec![2, 8],
            vec![2, 8],
            vec![8],
        ],
    ];
    for i in 0..6 {
        let id = net.find(&format!("l{i}")).unwrap();
        let l = net.layer(id);
        assert_eq!(l.output_shape, want_shapes[i], "layer {i}");
        let ins: Vec<Vec<usize>> = net
            .inputs_of(id)
            .into_iter()
            .map(|p| net.layer(p).output_shape.clone())
            .collect();
        let op = l.kind.op();
        assert_eq!(
            op.cost(&ins, &l.output_shape).params,
            want_params[i],
            "layer {i}"
        );
        let shapes: Vec<Vec<usize>> = op.weights(&ins).into_iter().map(|w| w.shape).collect();
        assert_eq!(shapes, want_weights[i], "layer {i}");
    }
    assert_eq!(net.total_params(), 426);
}

/// MACs by hand: per step and direction, features·G·u + u·G·u + 3u (LSTM/GRU element-wise
/// products). LSTM(4) over (5, 3): 5·(3·16 + 4·16 + 12) = 5·124 = 620. Bidirectional GRU(2)
/// over (5, 3): 2·5·(3·6 + 2·6 + 6) = 10·36 = 360. SimpleRNN(3) over (5, 2): 5·(2·3 + 3·3) = 75.
#[test]
fn recurrent_macs_are_hand_derived() {
    let ins = |t: usize, f: usize| vec![vec![t, f]];
    let cost = |r: Recurrent, i: Vec<Vec<usize>>| ir::ops::LayerOp::cost(&r, &i, &[]).macs;
    assert_eq!(cost(rnn(Cell::Lstm, 4), ins(5, 3)), 620);
    assert_eq!(
        cost(
            Recurrent {
                bidirectional: Some(BidiMerge::Sum),
                ..rnn(Cell::Gru, 2)
            },
            ins(5, 3)
        ),
        360
    );
    assert_eq!(cost(rnn(Cell::SimpleRnn, 3), ins(5, 2)), 75);
}

#[test]
fn recurrent_input_must_be_a_sequence() {
    let mut net = Network::new("bad");
    net.add_layer(
        Layer::new("in", LayerKind::Input(Input { shape: vec![7] })),
        &[],
    )
    .unwrap();
    net.add_layer(
        Layer::new("lstm", LayerKind::Recurrent(rnn(Cell::Lstm, 2))),
        &["in"],
    )
    .unwrap();
    let e = net.infer_shapes().unwrap_err().to_string();
    assert!(e.contains("lstm") && e.contains("rank-2"), "{e}");
}
