//! No parser panics, whatever it is given: the DSL parser, the fixed-point type parser, the
//! Keras JSON frontend and the hls4ml config YAML frontend get arbitrary strings, arbitrary
//! bytes, token soups of their own syntax, and real inputs (the DSL examples, the Keras
//! fixtures, hls4ml's config files) with random cuts, deletions and insertions. Each must
//! return `Ok` or `Err`; a panic fails the test.

use ir::frontend::dsl;
use ir::frontend::hls4ml_yaml::apply_config_str;
use ir::frontend::keras::{self, json::ModelSpec};
use ir::FixedType;
use proptest::prelude::*;
use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn dsl_sources() -> Vec<String> {
    ["jet_tagger_mlp", "conv1d_small", "conv2d_small", "residual"]
        .iter()
        .map(|n| read(&format!("../examples/{n}.psn")))
        .collect()
}

fn keras_sources() -> Vec<String> {
    [
        "mlp_leaky",
        "conv1d_pool_bn",
        "conv2d_pool_bn",
        "global_pools",
        "functional_add_concat",
    ]
    .iter()
    .map(|n| read(&format!("tests/fixtures/keras/{n}.json")))
    .collect()
}

fn yaml_sources() -> Vec<String> {
    ["qkeras_3layer_config.yml", "qkeras_mnist_dense_config.yml"]
        .iter()
        .map(|n| read(&format!("../examples/hls4ml-examples/config-files/{n}")))
        .collect()
}

/// Text that is likely to reach deep into the parsers.
const SNIPPETS: &[&str] = &[
    "",
    "-1",
    "0",
    "-0",
    "1e308",
    "1e-400",
    "99999999999999999999",
    "16777217",
    "3x3",
    "0x0",
    "null",
    "true",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    "\"",
    "\\",
    ",",
    ":",
    ";",
    "\n",
    "#",
    "->",
    "@",
    "=",
    "<",
    ">",
    "ap_fixed<",
    "ap_fixed<16,6>",
    "ap_fixed<0,0>",
    "ap_int<>",
    "AP_RND",
    "input(",
    "dense(",
    "add(",
    "concat(",
    "reshape(-1, -1)",
    "conv2d(1, 9x9)",
    "x",
    "é",
    "\u{0}",
    "NaN",
    "inf",
    "[null, 0]",
    "{\"class_name\": 1}",
    "\"units\": -5",
    "\"units\": 1e30",
    "\"kernel_size\": [0]",
    "\"strides\": []",
    "\"inbound_nodes\": [[[]]]",
    "Precision:",
    "ReuseFactor: -1",
    "LayerName:",
    "  ",
    "\t",
    "- ",
    "&a",
    "*a",
    "!!binary",
    "? ",
];

#[derive(Debug, Clone)]
enum Edit {
    Cut(usize),
    Delete(usize, usize),
    Insert(usize, usize),
    Replace(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Cut),
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, s)| Edit::Insert(a, s)),
        (any::<usize>(), 1usize..20, any::<usize>()).prop_map(|(a, n, s)| Edit::Replace(a, n, s)),
    ]
}

fn boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(mut s: String, edits: &[Edit]) -> String {
    for e in edits {
        if s.is_empty() {
            break;
        }
        let at = |p: usize, s: &str| boundary(s, p % (s.len() + 1));
        match *e {
            Edit::Cut(p) => {
                let p = at(p, &s);
                s.truncate(p);
            }
            Edit::Delete(p, n) => {
                let a = at(p, &s);
                let b = boundary(&s, a + n);
                s.replace_range(a..b, "");
            }
            Edit::Insert(p, k) => {
                let a = at(p, &s);
                s.insert_str(a, SNIPPETS[k % SNIPPETS.len()]);
            }
            Edit::Replace(p, n, k) => {
                let a = at(p, &s);
                let b = boundary(&s, a + n);
                s.replace_range(a..b, SNIPPETS[k % SNIPPETS.len()]);
            }
        }
    }
    s
}

/// A source picked from `sources`, with a few random edits.
fn mutated(sources: Vec<String>) -> impl Strategy<Value = String> {
    (
        prop::sample::select(sources),
        prop::collection::vec(edit(), 1..5),
    )
        .prop_map(|(s, e)| apply(s, &e))
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(SNIPPETS), 0..40).prop_map(|v| v.join(""))
}

fn dsl_soup() -> impl Strategy<Value = String> {
    const TOKENS: &[&str] = &[
        "input",
        "dense",
        "conv1d",
        "conv2d",
        "maxpool2d",
        "avgpool1d",
        "globalmaxpool2d",
        "batchnorm",
        "relu",
        "leaky_relu",
        "flatten",
        "reshape",
        "dropout",
        "add",
        "concat",
        "network",
        "config",
        "outputs",
        "x",
        "y",
        "=",
        "->",
        "(",
        ")",
        "{",
        "}",
        "@",
        ",",
        ":",
        ";",
        "\n",
        " ",
        "#c\n",
        "1",
        "2",
        "3",
        "-1",
        "0",
        "0.5",
        "3x3",
        "1x9",
        "16777216",
        "name=",
        "\"n\"",
        "stride=",
        "padding=",
        "same",
        "axis=",
        "alpha=",
        "bias=",
        "false",
        "precision",
        "ap_fixed<8,3>",
        "reuse",
        "strategy",
        "resource",
        "clock",
        "part",
    ];
    prop::collection::vec(prop::sample::select(TOKENS), 0..60).prop_map(|v| v.join(""))
}

fn keras_json(text: &str) {
    if let Ok(v) = keras::json::parse_json_text("fuzz.json", text) {
        if let Ok(spec) = ModelSpec::from_value("fuzz.json", &v) {
            if let Ok(net) = keras::build("fuzz.json", &spec, None, "fuzz") {
                let _ = (net.total_params(), net.total_macs());
            }
        }
    }
}

fn yaml(text: &str) {
    let mut net = dsl::parse(
        "input(16) -> dense(64, relu, name=fc1) -> dense(5, softmax, name=output_softmax)",
    )
    .unwrap();
    let _ = apply_config_str(&mut net, text, "fuzz.yml");
}

fn dsl_text(text: &str) {
    if let Ok(net) = dsl::parse(text) {
        // what parses also prints and parses back
        let printed = dsl::to_dsl(&net);
        assert_eq!(dsl::parse(&printed).as_ref(), Ok(&net), "{printed}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn dsl_never_panics_on_strings(s in any::<String>()) { dsl_text(&s); }

    #[test]
    fn dsl_never_panics_on_bytes(b in prop::collection::vec(any::<u8>(), 0..200)) {
        dsl_text(&String::from_utf8_lossy(&b));
    }

    #[test]
    fn dsl_never_panics_on_token_soup(s in dsl_soup()) { dsl_text(&s); }

    #[test]
    fn dsl_never_panics_on_edited_examples(s in mutated(dsl_sources())) { dsl_text(&s); }

    #[test]
    fn fixed_type_never_panics(s in prop_oneof![any::<String>(), soup(), soup().prop_map(|s| format!("ap_fixed<{s}>"))]) {
        let _ = s.parse::<FixedType>();
    }

    #[test]
    fn keras_json_never_panics_on_strings(s in prop_oneof![any::<String>(), soup()]) { keras_json(&s); }

    #[test]
    fn keras_json_never_panics_on_edited_models(s in mutated(keras_sources())) { keras_json(&s); }

    #[test]
    fn hls4ml_yaml_never_panics_on_strings(s in prop_oneof![any::<String>(), soup()]) { yaml(&s); }

    #[test]
    fn hls4ml_yaml_never_panics_on_edited_configs(s in mutated(yaml_sources())) { yaml(&s); }
}
