//! QKeras's QDenseBatchnorm (a QDense with its batch normalisation folded in): read as a Dense
//! whose kernel and bias are the folded, quantised values QKeras's own inference uses
//! (keras/fold.rs). The truth is QKeras's `predict` of the layer, written with the model by
//! scripts/make_qdense_batchnorm_fixture.py (tf.keras 2.14.1, QKeras 0.9.0 plus
//! `qkeras/qdense_batchnorm.py` of google/qkeras b601b54, the only place the class exists;
//! 2026-12-07): on the zero vector it gives the bias, on unit vector i the bias plus kernel row
//! i, so the comparison checks every weight. hls4ml 1.3.0 has no converter for the class (its
//! error is in the fixture); codegen's refusal is tested in tests/cli_codegen_qkeras.rs.

use frontends::load_model;
use ir::LayerKind;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

#[test]
fn qdense_batchnorm_is_the_folded_quantised_dense_qkeras_infers_with() {
    let net = load_model(&fixture("qkeras/qdense_batchnorm.h5"), None, None).unwrap();
    let l = net.layer(net.find("dbn1").unwrap());
    let LayerKind::Dense(d) = &l.kind else {
        panic!("dbn1 is {:?}", l.kind)
    };
    assert_eq!(d.units, 4);
    assert!(d.use_bias);
    let folded = *l.batchnorm_folded.as_deref().expect("marked as folded");
    // QKeras's iteration counter and the four statistics arrays are gone: 6*4 + 4
    assert_eq!(net.total_params(), 28);
    let k = l.weight("kernel").unwrap();
    let b = l.weight("bias").unwrap();
    assert_eq!(k.shape, vec![6, 4]);
    // quantized_bits(6, 0): multiples of 2^-5 in [-1, 31/32]
    for v in k.data.iter().chain(&b.data) {
        assert!(
            (v * 32.0).fract() == 0.0 && (-1.0..=0.96875).contains(v),
            "{v}"
        );
    }
    // the stored (unfolded) kernel's statistics are kept for hls4ml's headers: also on the grid
    let ks = folded.kernel.unwrap();
    assert!(ks.min >= -1.0 && ks.max <= 0.96875 && ks.min < ks.max);

    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("qkeras/qdense_batchnorm.json")).unwrap(),
    )
    .unwrap();
    let rows = |key: &str| -> Vec<Vec<f64>> {
        doc[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect()
            })
            .collect()
    };
    let (xs, ys) = (rows("inputs"), rows("outputs"));
    assert_eq!(xs.len(), 11);
    for (x, y) in xs.iter().zip(&ys) {
        assert_eq!(y.len(), 4);
        for (j, want) in y.iter().enumerate() {
            let got =
                b.data[j] as f64 + (0..6).map(|i| x[i] * k.data[i * 4 + j] as f64).sum::<f64>();
            assert!(
                (got - want).abs() < 1e-5,
                "x {x:?} unit {j}: {got} vs QKeras {want}"
            );
        }
    }
    assert_eq!(
        doc["hls4ml_error"].as_str(),
        Some("ERROR: Unsupported layer type: QDenseBatchnorm")
    );
}
