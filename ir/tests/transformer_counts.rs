//! Output shapes and parameter counts of the transformer kinds against Keras 3.
//!
//! Every expected shape and count below was printed by Keras 3 (`layer.count_params()` and the
//! symbolic output shape, KERAS_BACKEND=jax) for a layer built on `keras.Input` of the given
//! batch-less shape — the script is in the comment of each case's group. The MAC counts are
//! derived by hand in the comments.

use ir::ops::{EinsumDense, Embedding, LayerNorm, MultiHeadAttention};
use ir::{Layer, LayerKind};

fn run(kind: LayerKind, inputs: &[Vec<usize>]) -> (Vec<usize>, u64, u64) {
    let layer = Layer::new("l", kind.clone());
    let out = kind.op().infer(&layer, inputs).expect("infer");
    let cost = kind.op().cost(inputs, &out);
    // the weights the kind declares hold exactly the parameters Keras counts
    let values: u64 = kind
        .op()
        .weights(inputs)
        .iter()
        .map(|w| w.shape.iter().product::<usize>() as u64)
        .sum();
    assert_eq!(values, cost.params, "{kind:?}");
    (out, cost.params, cost.macs)
}

fn mha(h: usize, g: usize, k: usize, v: usize, bias: bool, out: Option<usize>) -> LayerKind {
    LayerKind::MultiHeadAttention(MultiHeadAttention {
        heads: h,
        kv_heads: g,
        key_dim: k,
        value_dim: v,
        use_bias: bias,
        key_bias: true,
        causal: false,
        output_dim: out,
    })
}

#[test]
fn multi_head_attention_matches_keras() {
    // Keras 3.x: q = keras.Input((Tq, dq)); v = keras.Input((Tv, dv)) [; k = keras.Input((Tv, dk))]
    // l = keras.layers.MultiHeadAttention(...); o = l(q, v[, k]); o.shape, l.count_params()
    // (16,32),(16,32), num_heads=4, key_dim=8 -> (16, 32), 4224
    let (out, params, macs) = run(mha(4, 4, 8, 8, true, None), &[vec![16, 32], vec![16, 32]]);
    assert_eq!((out, params), (vec![16, 32], 4224));
    // MACs: projections Q, K, V 16·32·4·8 = 16384 each, output 16·4·8·32 = 16384; scores
    // 4·16·16·8 = 8192; weighted sum 4·16·16·8 = 8192. Total 4·16384 + 2·8192 = 81920.
    assert_eq!(macs, 81920);
    // (10,4),(7,6), num_heads=2, key_dim=3, value_dim=5 -> (10, 4), 186
    let (out, params, macs) = run(mha(2, 2, 3, 5, true, None), &[vec![10, 4], vec![7, 6]]);
    assert_eq!((out, params), (vec![10, 4], 186));
    // Q 10·4·2·3 = 240, K 7·6·2·3 = 252, V 7·6·2·5 = 420, scores 2·10·7·3 = 420, PV
    // 2·10·7·5 = 700, output 10·2·5·4 = 400: 2432.
    assert_eq!(macs, 2432);
    // (12,20),(9,6),key (9,5), num_heads=3, key_dim=4, value_dim=7, use_bias=False,
    // output_shape=11 -> (12, 11), 657
    let (out, params, _) = run(
        mha(3, 3, 4, 7, false, Some(11)),
        &[vec![12, 20], vec![9, 6], vec![9, 5]],
    );
    assert_eq!((out, params), (vec![12, 11], 657));
    // (8,16),(8,16), num_heads=2, key_dim=16, output_shape=(24,) -> (8, 24), 2424
    let (out, params, _) = run(
        mha(2, 2, 16, 16, true, Some(24)),
        &[vec![8, 16], vec![8, 16]],
    );
    assert_eq!((out, params), (vec![8, 24], 2424));
}

#[test]
fn grouped_query_attention_matches_keras() {
    // keras.layers.GroupQueryAttention(head_dim=8, num_query_heads=4, num_key_value_heads=2)
    // on (16, 32) self-attention -> (16, 32), 3168; with 1 kv head and use_bias=False, 2560.
    let (out, params, macs) = run(mha(4, 2, 8, 8, true, None), &[vec![16, 32], vec![16, 32]]);
    assert_eq!((out, params), (vec![16, 32], 3168));
    // Q 16·32·4·8 = 16384, K and V 16·32·2·8 = 8192 each, scores and PV 4·16·16·8 = 8192
    // each, output 16·4·8·32 = 16384: 65536.
    assert_eq!(macs, 65536);
    let (_, params, _) = run(mha(4, 1, 8, 8, false, None), &[vec![16, 32], vec![16, 32]]);
    assert_eq!(params, 2560);
}

#[test]
fn attention_operands_are_checked() {
    let l = |k: LayerKind| Layer::new("att", k);
    let k = mha(4, 3, 8, 8, true, None);
    let e = k
        .op()
        .infer(&l(k.clone()), &[vec![4, 8], vec![4, 8]])
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot be grouped"), "{e}");
    let k = mha(2, 2, 8, 8, true, None);
    let e = k
        .op()
        .infer(&l(k.clone()), &[vec![4, 8, 2], vec![4, 8]])
        .unwrap_err()
        .to_string();
    assert!(e.contains("rank-2") && e.contains("query"), "{e}");
    let e = k
        .op()
        .infer(&l(k.clone()), &[vec![4, 8], vec![5, 8], vec![6, 8]])
        .unwrap_err()
        .to_string();
    assert!(e.contains("same sequence length"), "{e}");
    let causal = LayerKind::MultiHeadAttention(MultiHeadAttention {
        heads: 2,
        kv_heads: 2,
        key_dim: 8,
        value_dim: 8,
        key_bias: true,
        use_bias: true,
        causal: true,
        output_dim: None,
    });
    let e = causal
        .op()
        .infer(&l(causal.clone()), &[vec![6, 8], vec![4, 8]])
        .unwrap_err()
        .to_string();
    assert!(e.contains("causal"), "{e}");
    // sizes whose parameters overflow any count are refused, not saturated: 2^24 heads of
    // 2^24 on a 2^24-wide query is 2^72 query-kernel values
    let huge = mha(1 << 24, 1 << 24, 1 << 24, 1, true, None);
    let e = huge
        .op()
        .infer(&l(huge.clone()), &[vec![4, 1 << 24], vec![4, 8]])
        .unwrap_err()
        .to_string();
    assert!(e.contains("more than"), "{e}");
}

fn ln(axes: &[isize], center: bool, scale: bool) -> LayerKind {
    LayerKind::LayerNorm(LayerNorm {
        axes: axes.to_vec(),
        epsilon: 1e-3,
        center,
        scale,
    })
}

#[test]
fn layer_normalization_matches_keras() {
    // keras.layers.LayerNormalization(**kw) on keras.Input(shape): count_params()
    // (10,4) -> 8; (16,32) center=False -> 32; (16,32) neither -> 0;
    // (5,6,7) axis=[1,2] -> 60 (gamma, beta (5, 6)); (5,6,7) axis=[-1,-3] -> 70 ((7, 5)).
    assert_eq!(run(ln(&[-1], true, true), &[vec![10, 4]]).1, 8);
    assert_eq!(run(ln(&[-1], false, true), &[vec![16, 32]]).1, 32);
    assert_eq!(run(ln(&[-1], false, false), &[vec![16, 32]]).1, 0);
    assert_eq!(run(ln(&[1, 2], true, true), &[vec![5, 6, 7]]).1, 60);
    assert_eq!(run(ln(&[-1, -3], true, true), &[vec![5, 6, 7]]).1, 70);
    // MACs (nnet_layernorm.h layernorm_1d per row of dim values: 3·dim + 2): 16 rows of 32
    // -> 16·98 = 1568.
    let (out, _, macs) = run(ln(&[-1], true, true), &[vec![16, 32]]);
    assert_eq!((out, macs), (vec![16, 32], 1568));
    // axis 0 is the batch; 3 is beyond a rank-2 input
    for bad in [&[0isize][..], &[3], &[-1, 2]] {
        let k = ln(bad, true, true);
        assert!(
            k.op()
                .infer(&Layer::new("n", k.clone()), &[vec![16, 32]])
                .is_err(),
            "{bad:?}"
        );
    }
}

/// (input shape, equation, output_shape, bias axes, Keras's output shape, Keras's count).
type EinsumCase<'a> = (
    &'a [usize],
    &'a str,
    &'a [Option<usize>],
    Option<&'a str>,
    &'a [usize],
    u64,
);
/// (equation, output_shape, bias axes, a part of the error).
type EinsumError<'a> = (&'a str, &'a [Option<usize>], Option<&'a str>, &'a str);

fn ed(eq: &str, out: &[Option<usize>], bias: Option<&str>) -> LayerKind {
    LayerKind::EinsumDense(EinsumDense {
        equation: eq.into(),
        output_shape: out.to_vec(),
        bias_axes: bias.map(Into::into),
    })
}

#[test]
fn einsum_dense_matches_keras() {
    // keras.layers.EinsumDense(eq, output_shape=out, bias_axes=bias) on keras.Input(shape):
    // count_params() and the weights' shapes. Keras leaves output axes given as None unknown
    // ((None, None, 24)); their size is the input's.
    let cases: &[EinsumCase] = &[
        // (10,4) abc,cde->abde (None,2,3) de -> 30 [(4,2,3),(2,3)]
        (
            &[10, 4],
            "abc,cde->abde",
            &[None, Some(2), Some(3)],
            Some("de"),
            &[10, 2, 3],
            30,
        ),
        // (16,32) abc,cd->abd (None,24) d -> 792 [(32,24),(24,)]
        (
            &[16, 32],
            "abc,cd->abd",
            &[None, Some(24)],
            Some("d"),
            &[16, 24],
            792,
        ),
        // (16,32) abc,cd->abd (16,24) no bias -> 768
        (
            &[16, 32],
            "abc,cd->abd",
            &[Some(16), Some(24)],
            None,
            &[16, 24],
            768,
        ),
        // (16,4,8) abcd,cde->abe (None,32) e -> 1056 [(4,8,32),(32,)]
        (
            &[16, 4, 8],
            "abcd,cde->abe",
            &[None, Some(32)],
            Some("e"),
            &[16, 32],
            1056,
        ),
        // (7,5) ...b,bc->...c 9 c -> (7, 9), 54
        (&[7, 5], "...b,bc->...c", &[Some(9)], Some("c"), &[7, 9], 54),
        // (12,) ab,bc->ac 6 c -> (6,), 78
        (&[12], "ab,bc->ac", &[Some(6)], Some("c"), &[6], 78),
        // (6,5) abc,cd->abd (6,4) bd -> 44 [(5,4),(6,4)]
        (
            &[6, 5],
            "abc,cd->abd",
            &[Some(6), Some(4)],
            Some("bd"),
            &[6, 4],
            44,
        ),
    ];
    for (input, eq, out, bias, want_shape, want_params) in cases {
        let (shape, params, _) = run(ed(eq, out, *bias), &[input.to_vec()]);
        assert_eq!((&shape[..], params), (*want_shape, *want_params), "{eq}");
    }
    // MACs: every index combination but the batch: abcd,cde->abe over (16,4,8) -> 32 is
    // b·c·d·e = 16·4·8·32 = 16384.
    let (_, _, macs) = run(
        ed("abcd,cde->abe", &[None, Some(32)], Some("e")),
        &[vec![16, 4, 8]],
    );
    assert_eq!(macs, 16384);
    // hls4ml's dense kernel of abcd,cde->abe contracts c·d = 32 into e = 32
    let k = ed("abcd,cde->abe", &[None, Some(32)], Some("e"));
    assert_eq!(k.op().product_shape(&[vec![16, 4, 8]]), Some((32, 32)));
}

#[test]
fn einsum_dense_errors_say_what_is_wrong() {
    let cases: &[EinsumError] = &[
        ("abc,cd", &[None, Some(4)], None, "no '->'"),
        ("ab,cd->abd", &[None, Some(4)], None, "has 2 axes"),
        ("abc,cd->abd", &[Some(3), Some(4)], None, "input's is 16"),
        (
            "abc,cd->abe",
            &[None, Some(4)],
            None,
            "neither in the input nor in the kernel",
        ),
        ("abc,cd->abd", &[None], None, "needs 2"),
        ("abc,cd->abd", &[None, Some(4)], Some("x"), "bias_axes"),
        ("abc,ce->abd", &[None, Some(4)], None, "neither"),
        ("ab...,bc->ac...", &[Some(4)], None, "leading '...'"),
    ];
    for (eq, out, bias, want) in cases {
        let k = ed(eq, out, *bias);
        let e = k
            .op()
            .infer(&Layer::new("e", k.clone()), &[vec![16, 32]])
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{eq}: {e}");
    }
}

#[test]
fn embedding_matches_keras() {
    // keras.layers.Embedding(100, 32) on keras.Input((16,), dtype='int32') -> (16, 32), 3200;
    // Embedding(50, 8) on (10,) -> (10, 8), 400. A lookup: no MACs.
    let e = |i, o| {
        LayerKind::Embedding(Embedding {
            input_dim: i,
            output_dim: o,
        })
    };
    assert_eq!(run(e(100, 32), &[vec![16]]), (vec![16, 32], 3200, 0));
    assert_eq!(run(e(50, 8), &[vec![10]]), (vec![10, 8], 400, 0));
}
