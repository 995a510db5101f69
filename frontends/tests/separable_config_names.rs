//! The project config hls4ml 1.3.0 writes for a SeparableConv1D/2D names the two nodes its
//! `separable_to_depthwise_and_conv` pass makes (`<layer>_depthwise`, `<layer>_pointwise`;
//! seen in the harness case separable1d with granularity='name',
//! target/hls4ml-ref/separable1d__name_lat/hls4ml/hls4ml_config.yml). Those entries load with a
//! note (presynth reads the layer's own entry), other unknown names stay errors.

use frontends::dsl::parse;
use frontends::hls4ml_yaml::{apply_config_str, apply_config_str_report};

#[test]
fn separable_halves_are_noted_not_refused() {
    let mut net = parse(
        r#"input(12, 2, name="input_layer") -> separable_conv1d(4, 3, relu, name="sep1")
             -> flatten(name="flat") -> dense(3, name="out")"#,
    )
    .unwrap();
    let cfg = "LayerName:\n  sep1:\n    ReuseFactor: 1\n  sep1_depthwise:\n    Precision:\n      weight: auto\n  sep1_pointwise:\n    ReuseFactor: 1\n";
    let report = apply_config_str_report(&mut net, cfg, "x.yml").unwrap();
    for half in ["sep1_depthwise", "sep1_pointwise"] {
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains(half) && n.contains("separable")),
            "{half}: {:?}",
            report.notes
        );
    }
    let bad = "LayerName:\n  sep2_depthwise:\n    ReuseFactor: 2\n";
    let err = apply_config_str(&mut net, bad, "x.yml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no layer named 'sep2_depthwise'"), "{err}");
}
