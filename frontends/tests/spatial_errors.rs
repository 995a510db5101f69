//! Bad padding, cropping and upsampling, in Keras files and DSL text: each is an error that
//! names the layer and the offending attribute, never a panic or a silently wrong shape.

use frontends::dsl::parse;
use frontends::load_model;
use serde_json::Value;
use std::path::Path;

/// The spatial_2d fixture's JSON with layer `name`'s config field `key` set to `v`, loaded.
fn keras_with(name: &str, key: &str, v: Value) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras/spatial_2d.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let layers = m["config"]["layers"].as_array_mut().unwrap();
    let l = layers
        .iter_mut()
        .find(|l| l["config"]["name"] == name)
        .unwrap();
    l["config"][key] = v;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.json");
    std::fs::write(&file, m.to_string()).unwrap();
    load_model(&file, None, None).unwrap_err().to_string()
}

#[test]
fn keras_refuses_bilinear_and_bad_amounts() {
    let e = keras_with("up", "interpolation", "bilinear".into());
    assert!(
        e.contains("'up'") && e.contains("interpolation") && e.contains("bilinear"),
        "{e}"
    );
    let e = keras_with("pad_pairs", "padding", serde_json::json!([[1, 0], [2, -1]]));
    assert!(e.contains("pad_pairs") && e.contains("padding"), "{e}");
    let e = keras_with("crop_pair", "cropping", serde_json::json!([1, 2, 3]));
    assert!(e.contains("crop_pair") && e.contains("cropping"), "{e}");
    // cropping 7 + 7 rows of a 14-row image leaves nothing
    let e = keras_with("crop_pair", "cropping", serde_json::json!([[7, 7], [0, 0]]));
    assert!(
        e.contains("crop_pair") && e.contains("leaves nothing"),
        "{e}"
    );
}

#[test]
fn dsl_errors_name_the_argument() {
    for (text, want) in [
        ("input(8, 2) -> zeropad1d(1x2)", "left= and right="),
        ("input(8, 2) -> crop1d(4)", "leaves nothing"),
        (
            "input(8, 8, 2) -> zeropad2d(top=-1)",
            "top must be an integer from 0",
        ),
        (
            "input(8, 8, 2) -> upsample2d(0)",
            "size must be a positive integer",
        ),
        ("input(8, 8, 2) -> upsample1d(2)", "rank-2 input"),
    ] {
        let e = parse(text).unwrap_err().to_string();
        assert!(e.contains(want), "{text}: {e}");
    }
}

#[test]
fn dsl_defaults_are_keras_s() {
    // Keras 3: ZeroPadding1D(padding=1), ZeroPadding2D(padding=(1, 1)),
    // Cropping1D(cropping=(1, 1)), Cropping2D(cropping=((0, 0), (0, 0))),
    // UpSampling1D(size=2), UpSampling2D(size=(2, 2)): on (8, 2) and (8, 8, 2) inputs
    for (text, shape) in [
        ("input(8, 2) -> zeropad1d", vec![10, 2]),
        ("input(8, 2) -> crop1d", vec![6, 2]),
        ("input(8, 2) -> upsample1d", vec![16, 2]),
        ("input(8, 8, 2) -> zeropad2d", vec![10, 10, 2]),
        ("input(8, 8, 2) -> crop2d", vec![8, 8, 2]),
        ("input(8, 8, 2) -> upsample2d", vec![16, 16, 2]),
    ] {
        let net = parse(text).unwrap();
        let last = net.layers().last().unwrap().output_shape.clone();
        assert_eq!(last, shape, "{text}");
    }
}
