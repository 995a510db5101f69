//! A `LayerName` entry naming the activation hls4ml splits off a Dense (`<layer>_<activation>`)
//! sets that split layer's settings (hls4ml 1.3.0 applies them: QKeras harness, cases
//! `qdense__split_override*`, scripts/qkeras_reference.py), instead of being dropped.

use frontends::hls4ml_yaml::apply_config_str;
use frontends::load_model;
use ir::FixedType;
use std::path::Path;

#[test]
fn split_activation_entry_reaches_the_layer_it_is_split_from() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/hls4ml-examples/keras/KERAS_3layer.json");
    let mut net = load_model(&model, None, None).unwrap();
    // KERAS_3layer's first Dense is named fc1_relu and has activation relu: hls4ml splits off
    // fc1_relu_relu.
    let cfg = "LayerName:\n  fc1_relu_relu:\n    Precision:\n      result: fixed<10,4,RND,SAT>\n    ReuseFactor: 2\n";
    apply_config_str(&mut net, cfg, "x.yml").unwrap();
    let fc1 = net.layer(net.find("fc1_relu").unwrap());
    assert_eq!(
        fc1.activation_settings.precision.result,
        Some("ap_fixed<10,4,AP_RND,AP_SAT>".parse::<FixedType>().unwrap())
    );
    assert_eq!(fc1.activation_settings.reuse_factor, Some(2));
    // the Dense itself keeps the model's settings
    assert!(fc1.settings.is_empty());
    // a name that is neither a layer nor a split activation is still an error
    let bad = "LayerName:\n  fc1_relu_tanh:\n    ReuseFactor: 2\n";
    let err = apply_config_str(&mut net, bad, "x.yml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("fc1_relu_tanh"), "{err}");
}
