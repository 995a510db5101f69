//! The recurrent layers' own precision variables in an hls4ml config (`recurrent_weight`,
//! `recurrent_bias`, a Bidirectional's `forward_weight` ... `backward_recurrent_bias`, as
//! `config_from_keras_model(granularity='name')` writes them for LSTM/GRU/Bidirectional) are
//! kept in `Precision::named` (`auto` as `None`), like hls4ml's `Static`, and written back by
//! `write_config`; codegen
//! names and types the arrays by them (harness cases lstm_seq_gru__rnn_prec,
//! bilstm__bidi_prec and the name_* cases, identical with hls4ml 1.3.0).

use frontends::hls4ml_yaml::{apply_config_str, write_config};
use frontends::load_model;
use ir::FixedType;
use std::path::Path;

#[test]
fn recurrent_precision_variables_are_kept_and_written_back() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras/recurrent.keras");
    let mut net = load_model(&model, None, None).unwrap();
    let cfg = "LayerName:
  lstm:
    Precision:
      weight: fixed<10,3>
      recurrent_weight: fixed<9,2>
      recurrent_bias: auto
  bidi:
    Precision:
      backward_recurrent_bias: fixed<8,3>
    Static: false
";
    apply_config_str(&mut net, cfg, "x.yml").unwrap();
    let t = |s: &str| s.parse::<FixedType>().unwrap();
    let lstm = &net.layer(net.find("lstm").unwrap()).settings.precision;
    assert_eq!(lstm.weight, Some(t("ap_fixed<10,3>")));
    assert_eq!(
        lstm.named.get("recurrent_weight"),
        Some(&Some(t("ap_fixed<9,2>")))
    );
    assert_eq!(lstm.named.get("recurrent_bias"), Some(&None));
    let bidi = &net.layer(net.find("bidi").unwrap()).settings.precision;
    assert_eq!(
        bidi.named.get("backward_recurrent_bias"),
        Some(&Some(t("ap_fixed<8,3>")))
    );
    // hls4ml's Static: false (harness cases *__nonstatic)
    let bidi_settings = &net.layer(net.find("bidi").unwrap()).settings;
    assert_eq!(bidi_settings.recurrent_static, Some(false));
    assert_eq!(
        net.layer(net.find("lstm").unwrap())
            .settings
            .recurrent_static,
        None
    );
    let written = write_config(&net);
    for line in [
        "recurrent_weight: ap_fixed<9,2>",
        "recurrent_bias: auto",
        "backward_recurrent_bias: ap_fixed<8,3>",
        "Static: false",
    ] {
        assert!(written.contains(line), "{line} not in\n{written}");
    }
    // and read back to the same settings
    let mut again = load_model(&model, None, None).unwrap();
    apply_config_str(&mut again, &written, "y.yml").unwrap();
    assert_eq!(
        again.layer(again.find("lstm").unwrap()).settings.precision,
        *lstm
    );
    assert_eq!(
        again.layer(again.find("bidi").unwrap()).settings,
        *bidi_settings
    );
    // not a boolean: an error naming the field
    let mut net = load_model(&model, None, None).unwrap();
    let e = apply_config_str(
        &mut net,
        "LayerName:\n  lstm:\n    Static: maybe\n",
        "z.yml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("z.yml") && e.contains("Static") && e.contains("true or false"),
        "{e}"
    );
}
