//! Recurrent layers: options hls4ml 1.3.0 refuses or presynth does not model, in Keras files
//! and DSL text, are errors naming the layer and the field; options Keras ignores at inference
//! (dropout) are accepted.

use frontends::dsl::parse;
use frontends::load_model;
use serde_json::Value;
use std::path::Path;

/// The `recurrent` fixture's JSON (scripts/make_keras_fixtures.py) with layer `name`'s config
/// edited by `edit`, loaded.
fn keras_with(name: &str, edit: impl FnOnce(&mut Value)) -> Result<ir::Network, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras/recurrent.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let layers = m["config"]["layers"].as_array_mut().unwrap();
    let l = layers
        .iter_mut()
        .find(|l| l["config"]["name"] == name)
        .unwrap();
    edit(&mut l["config"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.json");
    std::fs::write(&file, m.to_string()).unwrap();
    load_model(&file, None, None).map_err(|e| e.to_string())
}

#[test]
fn keras_refuses_what_hls4ml_refuses_by_name() {
    for (layer, key, v, want) in [
        ("lstm", "return_state", Value::Bool(true), "return_state"),
        ("gru", "stateful", Value::Bool(true), "stateful"),
        ("lstm", "time_major", Value::Bool(true), "time_major"),
        ("gru", "recurrent_activation", Value::from("gelu"), "gelu"),
    ] {
        let e = keras_with(layer, |c| c[key] = v).unwrap_err();
        assert!(
            e.contains(&format!("'{layer}'")) && e.contains(want),
            "{layer}.{key}: {e}"
        );
    }
    // a Bidirectional whose backward layer is not a copy of the forward one
    let e = keras_with("bidi", |c| {
        c["backward_layer"]["config"]["units"] = 3.into()
    })
    .unwrap_err();
    assert!(e.contains("'bidi'") && e.contains("backward_layer"), "{e}");
    let e = keras_with("bidi", |c| c["merge_mode"] = Value::Null).unwrap_err();
    assert!(e.contains("'bidi'") && e.contains("merge_mode"), "{e}");
    let e = keras_with("bidi", |c| c["layer"]["class_name"] = "Dense".into()).unwrap_err();
    assert!(e.contains("'bidi'") && e.contains("Dense"), "{e}");
}

#[test]
fn keras_ignores_dropout_as_inference_does() {
    let net = keras_with("lstm", |c| {
        c["dropout"] = 0.5.into();
        c["recurrent_dropout"] = 0.25.into();
    })
    .unwrap();
    // 528 parameters, as Keras counts the unedited network
    assert_eq!(net.total_params(), 528);
}

#[test]
fn dsl_errors_name_the_argument() {
    for (text, want) in [
        ("input(5, 3) -> lstm(4, reset_after=false)", "reset_after"),
        (
            "input(5, 3) -> simple_rnn(4, recurrent_activation=sigmoid)",
            "recurrent_activation",
        ),
        ("input(5, 3) -> gru(4, bidirectional=both)", "bidirectional"),
        ("input(5, 3) -> lstm(4, leaky_relu)", "activation"),
        ("input(5, 3) -> lstm(0)", "units"),
        ("input(7) -> gru(2)", "rank-2"),
    ] {
        let e = parse(text).unwrap_err().to_string();
        assert!(e.contains(want), "{text}: {e}");
    }
}

#[test]
fn dsl_defaults_are_keras_s() {
    // Keras 3: LSTM/GRU(units) return the last state; GRU's reset_after defaults to true;
    // Bidirectional concatenates: GRU(4) over (5, 3) has 3·4·(3+4) + 2·12 = 108 parameters,
    // Bidirectional(LSTM(2)) 2·(4·2·5 + 8) = 96 with an output of 4.
    let net = parse("input(5, 3) -> gru(4)").unwrap();
    assert_eq!(net.total_params(), 108);
    assert_eq!(net.layers().last().unwrap().output_shape, vec![4]);
    let net = parse("input(5, 3) -> lstm(2, bidirectional=concat)").unwrap();
    assert_eq!(net.total_params(), 96);
    assert_eq!(net.layers().last().unwrap().output_shape, vec![4]);
    let net = parse("input(5, 3) -> simple_rnn(2, return_sequences=true)").unwrap();
    assert_eq!(net.layers().last().unwrap().output_shape, vec![5, 2]);
}
