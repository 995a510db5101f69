//! The transformer kinds in the DSL against Keras: the Keras 3 transformer examples
//! (examples/transformer, made by scripts/make_transformer_examples.py) written in the DSL
//! equal what the Keras frontend reads from their `.keras` archives and `to_json()` files; the
//! printer writes each back as DSL that reads to the same IR; bad arguments are errors that
//! say what was expected; Keras attributes the IR does not model are refused by name.

use frontends::dsl::{parse, parse_file, to_dsl};
use frontends::keras::{load_json, load_keras};
use ir::{LayerKind, Network};
use std::path::{Path, PathBuf};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn check(keras_name: &str, from_dsl: &Network) {
    let from_keras = load_keras(&example(&format!("transformer/{keras_name}.keras"))).unwrap();
    let from_json = load_json(&example(&format!("transformer/{keras_name}.json")), None).unwrap();
    for other in [&from_keras, &from_json] {
        assert!(
            from_dsl.same_structure(other, false),
            "{keras_name}: DSL and Keras differ\n{}",
            to_dsl(other)
        );
    }
    let exp: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(example(&format!("transformer/{keras_name}.expected.json")))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        from_dsl.total_params(),
        exp["count_params"].as_u64().unwrap()
    );
    let printed = to_dsl(&from_keras);
    let back = parse(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
    assert!(
        back.same_structure(&from_keras, false),
        "{keras_name}: printed\n{printed}"
    );
}

#[test]
fn encoder_block_in_the_dsl_is_the_keras_one() {
    let net = parse_file(example("transformer_block.psn")).unwrap();
    check("transformer_encoder", &net);
}

#[test]
fn grouped_causal_attention_and_einsum_dense_in_the_dsl() {
    // auto-names as Keras 3 gives them in a fresh session (the archive's names)
    let net = parse(
        r#"network transformer_gqa_causal
        features = input(16, 8, name="features")
        x = features -> dense(32, name="proj")
        a = x -> mha(heads=4, key_dim=8, kv_heads=2, causal=true, name="gqa")
        r = add(x, a) -> layernorm
        f = r -> einsum_dense("abc,cd->abd", "_,64", relu, bias="d")
            -> einsum_dense("abc,cd->abd", "_,32", bias="d")
        add(r, f) -> layernorm(center=false) -> globalavgpool1d -> dense(3)
        "#,
    )
    .unwrap();
    check("transformer_gqa_causal", &net);
    let gqa = net.layer(net.find("gqa").unwrap());
    assert!(matches!(
        &gqa.kind,
        LayerKind::MultiHeadAttention(m) if m.causal && m.kv_heads == 2 && m.heads == 4
    ));
}

#[test]
fn cross_attention_with_a_key_and_a_two_axis_layernorm() {
    let net = parse(
        r#"network transformer_cross
        q = input(8, 16, name="query")
        m = input(12, 24, name="memory")
        k = input(12, 10, name="keys")
        q -> mha(m, k, heads=2, key_dim=8, output_dim=20, name="cross")
          -> layernorm(axis="1,2", name="ln") -> globalmaxpool1d -> dense(4, sigmoid, name="dense_1")
        "#,
    )
    .unwrap();
    check("transformer_cross", &net);
}

#[test]
fn bad_transformer_arguments_say_what_was_expected() {
    let cases = [
        ("input(4, 8) -> mha(heads=2)", "needs its key_dim"),
        (
            "input(4, 8) -> mha(heads=2, key_dim=4, causal=maybe)",
            "causal must be true or false",
        ),
        (
            "input(4, 8) -> mha(heads=3, key_dim=4, kv_heads=2)",
            "cannot be grouped",
        ),
        (
            "input(4, 8) -> mha(7, heads=2, key_dim=4)",
            "operands must be node names",
        ),
        (
            "input(4, 8) -> layernorm(axis=\"x\")",
            "axis must be an integer",
        ),
        (
            "input(4, 8) -> layernorm(axis=0)",
            "not a list of distinct non-batch axes",
        ),
        (
            "input(4, 8) -> einsum_dense(\"abc,cd->abd\", \"_,x\")",
            "output_shape must list sizes",
        ),
        (
            "input(4, 8) -> einsum_dense(\"abc,cd->abd\")",
            "needs its output_shape",
        ),
        (
            "input(4, 8) -> einsum_dense(\"abc,cd->abe\", \"_,4\")",
            "neither in the input nor in the kernel",
        ),
        ("input(4) -> embedding(10)", "needs its output_dim"),
    ];
    for (src, want) in cases {
        let e = parse(src).unwrap_err().to_string();
        assert!(e.contains(want), "{src}: {e}");
    }
}

/// A Keras 3 functional model with one layer replaced, as the JSON reader sees it.
fn keras_json_with(class: &str, config: serde_json::Value, kwargs: serde_json::Value) -> String {
    serde_json::json!({
        "class_name": "Functional",
        "config": {
            "name": "m",
            "layers": [
                {"class_name": "InputLayer", "name": "x",
                 "config": {"name": "x", "batch_shape": [null, 8, 16]}, "inbound_nodes": []},
                {"class_name": class, "name": "l", "config": config,
                 "inbound_nodes": [{"args": [
                    {"class_name": "__keras_tensor__", "config": {"keras_history": ["x", 0, 0]}},
                    {"class_name": "__keras_tensor__", "config": {"keras_history": ["x", 0, 0]}}
                 ], "kwargs": kwargs}]}
            ],
            "input_layers": [["x", 0, 0]],
            "output_layers": [["l", 0, 0]]
        }
    })
    .to_string()
}

fn load_text(text: &str) -> Result<Network, String> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.json");
    std::fs::write(&p, text).unwrap();
    load_json(&p, None).map_err(|e| e.to_string())
}

#[test]
fn unmodelled_keras_attention_options_are_refused_by_name() {
    let mha = |extra: serde_json::Value| {
        let mut c = serde_json::json!({"name": "l", "num_heads": 2, "key_dim": 4});
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        c
    };
    let ok = load_text(&keras_json_with(
        "MultiHeadAttention",
        mha(serde_json::json!({})),
        serde_json::json!({"use_causal_mask": true}),
    ))
    .unwrap();
    let l = ok.layer(ok.find("l").unwrap());
    assert!(matches!(&l.kind, LayerKind::MultiHeadAttention(m) if m.causal));
    // Keras: 2·(16·8 + 8) + (16·8 + 8) + (8·16 + 16) = 552 parameters for 2 heads of 4
    assert_eq!(ok.total_params(), 552);
    let refused = [
        (
            mha(serde_json::json!({"use_gate": true})),
            serde_json::json!({}),
            "use_gate",
        ),
        (
            mha(serde_json::json!({"attention_axes": [1, 2]})),
            serde_json::json!({}),
            "attention_axes",
        ),
        (
            mha(serde_json::json!({})),
            serde_json::json!({"return_attention_scores": true}),
            "return_attention_scores",
        ),
        (
            mha(serde_json::json!({})),
            serde_json::json!({"attention_mask": {"class_name": "__keras_tensor__",
                "config": {"keras_history": ["x", 0, 0]}}}),
            "mask tensors are not supported",
        ),
    ];
    for (config, kwargs, want) in refused {
        let e = load_text(&keras_json_with("MultiHeadAttention", config, kwargs)).unwrap_err();
        assert!(e.contains(want) && e.contains("'l'"), "{want}: {e}");
    }
}

#[test]
fn the_issue_syntax_reads_with_hand_counted_parameters() {
    // issue 15's forms: `mha(heads=4, key_dim=16)`, bare `layernorm`, `einsum_dense(...)`.
    // On (16, 64): attention q/k/v kernels 64*4*16 = 4096 each + biases 64 each, output
    // kernel 4*16*64 = 4096 + bias 64: 4*4160 = 16640; LayerNorm gamma+beta 128; EinsumDense
    // 64*32 + bias 32 = 2080.
    let net = parse(
        r#"x = input(16, 64)
        x -> mha(heads=4, key_dim=16, name="a") -> layernorm(name="ln")
          -> einsum_dense("abc,cd->abd", "_,32", bias="d", name="ed")"#,
    )
    .unwrap();
    let stats = net.stats();
    let p = |n: &str| stats.iter().find(|s| s.name == n).unwrap().params;
    assert_eq!((p("a"), p("ln"), p("ed")), (16640, 128, 2080));
    assert_eq!(
        net.layer(net.find("ed").unwrap()).output_shape,
        vec![16, 32]
    );
    // without the key projection's bias (HGQ2's attention): 64 fewer, printed back
    let net = parse("x = input(16, 64)\nx -> mha(heads=4, key_dim=16, key_bias=false, name=\"a\")")
        .unwrap();
    assert_eq!(
        net.stats().iter().find(|s| s.name == "a").unwrap().params,
        16640 - 64
    );
    let printed = to_dsl(&net);
    assert!(printed.contains("key_bias=false"), "{printed}");
    assert!(parse(&printed).unwrap().same_structure(&net, false));
}

#[test]
fn the_hgq2_encoder_prints_as_dsl_that_reads_back() {
    let net = load_keras(&example("transformer/hgq2_encoder.keras")).unwrap();
    let printed = to_dsl(&net);
    let back = parse(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
    assert!(back.same_structure(&net, false), "{printed}");
    // the weights-only count (the quantizer state lives in the weights file, not the DSL)
    let weights: u64 = net
        .layers()
        .iter()
        .map(|l| {
            l.weights
                .iter()
                .map(|(_, t)| t.data.len() as u64)
                .sum::<u64>()
        })
        .sum();
    assert_eq!(back.total_params(), weights);
}
