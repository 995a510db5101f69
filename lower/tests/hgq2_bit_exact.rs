//! hls4ml's bit-exact precision flow for HGQ2 Dense chains (`lower::passes::bit_exact`)
//! against hls4ml 1.3.0's own output: the golden projects of tests/fixtures/hgq2 (written by
//! scripts/hgq2_hls4ml_reference.py with hls4ml 1.3.0, Keras 3.12.0, hgq2 0.1.6, numpy 2.4.6 on
//! 2026-12-07, as each case's meta.json records). From HGQ2's own quantizer state and float weights
//! (state.json, read from the model, not from hls4ml) the test derives
//! - each kernel's and bias's quantized values (HGQ2's float32 quantization), compared with the
//!   `qkernel`/`qbias` HGQ2 computes and with hls4ml's weights/w*.txt;
//! - every typedef hls4ml's defines.h has for the chain (input, quantizers, accumulators,
//!   results, weights, biases, the split relu) and each quantizer's per-element casts in the
//!   function hls4ml generates (nnet_code_gen.h),
//!
//! and requires them equal as text.

use lower::passes::bit_exact::{
    minimal_kif_ints, quantize, register, FixedKif, Interval, Kif, Quantizer, QuantizerModes,
};
use serde_json::Value;

mod common;
use common::{floats, generated_casts, ints, read, typedefs, weights_txt};

struct QLayer {
    name: String,
    iq: Quantizer,
    kernel: Vec<f64>,
    bias: Vec<f64>,
    n_out: usize,
}

/// One HGQ2 quantizer's state as a mask: (k, i, f) per element (HGQ2's `kif`).
fn quantizer(q: &Value) -> (Kif, QuantizerModes) {
    (
        Kif {
            k: ints(&q["k"]),
            i: ints(&q["i"]),
            f: ints(&q["f"]),
        },
        QuantizerModes {
            round: q["round_mode"].as_str().unwrap().to_string(),
            overflow: q["overflow_mode"].as_str().unwrap().to_string(),
        },
    )
}

/// Quantize a weight with its kbi quantizer the way HGQ2 does, checked against HGQ2's own
/// quantized values; returns them.
fn quantized(layer: &Value, w: &str, role: &str) -> Vec<f64> {
    let q = layer["quantizers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["role"] == role)
        .unwrap();
    let (mask, modes) = quantizer(q);
    let raw = floats(&layer[w]);
    let ours: Vec<f64> = raw
        .iter()
        .enumerate()
        .map(|(e, &x)| {
            let m = e % mask.len();
            quantize(x as f32, mask.k[m], mask.i[m], mask.f[m], &modes).unwrap() as f64
        })
        .collect();
    assert_eq!(
        ours,
        floats(&layer[&format!("q{w}")]),
        "{} {w}",
        layer["name"]
    );
    ours
}

fn layers(case: &str) -> Vec<QLayer> {
    let state: Value = serde_json::from_str(&read(case, "state.json")).unwrap();
    state
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let iq = l["quantizers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|q| q["role"] == "iq")
                .unwrap();
            let (mask, modes) = quantizer(iq);
            QLayer {
                name: l["name"].as_str().unwrap().to_string(),
                iq: Quantizer { mask, modes },
                kernel: quantized(l, "kernel", "kq"),
                bias: quantized(l, "bias", "bq"),
                n_out: l["bias_shape"][0].as_u64().unwrap() as usize,
            }
        })
        .collect()
}

fn wq(q: &Quantizer) -> bool {
    q.modes.overflow != "SAT" && q.modes.overflow != "SAT_SYM"
}

#[test]
fn one_qdense_types_equal_hls4mls() {
    let case = "qdense";
    let t = typedefs(case);
    let ls = layers(case);
    let d1 = &ls[0];
    assert_eq!(d1.kernel, weights_txt(case, "w3"));
    assert_eq!(d1.bias, weights_txt(case, "b3"));

    let n_in = d1.iq.mask.len();
    let m1 = d1.iq.produce(&Kif::unbounded(n_in));
    assert_eq!(
        d1.iq.element_types(&m1),
        generated_casts(case, "d1_iq"),
        "the quantizer's casts"
    );
    let x_t = register(&Kif::unbounded(n_in), &d1.iq.request(&m1), wq(&d1.iq));
    let iq_t = register(&m1, &Kif::unbounded(n_in), false);
    let p = Interval::from_kif(&m1)
        .dense(&d1.kernel, Some(&d1.bias), d1.n_out)
        .to_kif();
    let (pk, pi, pf) = p.max_ints();
    let accum = FixedKif::from_kif(pk, pi, pf);
    let result = register(&p, &Kif::unbounded(d1.n_out), false);
    let w = minimal_kif_ints(&d1.kernel);
    let b = minimal_kif_ints(&d1.bias);
    let ours = [
        ("x_t", x_t),
        ("d1_iq_t", iq_t),
        ("d1_accum_t", accum),
        ("result_t", result),
        ("d1_weight_t", FixedKif::from_kif(w.0, w.1, w.2)),
        ("d1_bias_t", FixedKif::from_kif(b.0, b.1, b.2)),
    ];
    for (name, ty) in ours {
        assert_eq!(Some(&ty.cpp()), t.get(name), "{case}: {name}");
    }
    assert_eq!(d1.name, "d1");
}

#[test]
fn qdense_relu_qdense_types_equal_hls4mls() {
    let case = "qdense2";
    let t = typedefs(case);
    let ls = layers(case);
    let (d1, d2) = (&ls[0], &ls[1]);
    assert_eq!(d1.kernel, weights_txt(case, "w3"));
    assert_eq!(d2.kernel, weights_txt(case, "w6"));

    // forward: input (untrusted) -> d1_iq -> d1 -> d1_relu -> d2_iq -> d2
    let n_in = d1.iq.mask.len();
    let m1 = d1.iq.produce(&Kif::unbounded(n_in));
    let p1 = Interval::from_kif(&m1)
        .dense(&d1.kernel, Some(&d1.bias), d1.n_out)
        .to_kif();
    // relu: the input's bits, unsigned
    let r = Kif {
        k: vec![0; p1.len()],
        ..p1.clone()
    };
    let m2 = d2.iq.produce(&r);
    let p2 = Interval::from_kif(&m2)
        .dense(&d2.kernel, Some(&d2.bias), d2.n_out)
        .to_kif();
    assert_eq!(d1.iq.element_types(&m1), generated_casts(case, "d1_iq"));
    assert_eq!(d2.iq.element_types(&m2), generated_casts(case, "d2_iq"));

    // backward: d2_iq requests of the relu, the relu of d1 (all integer bits, its f)
    let req2 = d2.iq.request(&m2);
    let relu_req = Kif {
        k: vec![1; req2.len()],
        i: vec![lower::passes::bit_exact::UNBOUNDED; req2.len()],
        f: req2.f.clone(),
    };
    let ints = |k: &Kif| {
        let (a, b, c) = k.max_ints();
        FixedKif::from_kif(a, b, c)
    };
    let weight = |w: &[f64]| {
        let (a, b, c) = minimal_kif_ints(w);
        FixedKif::from_kif(a, b, c)
    };
    let ours = [
        (
            "x_t",
            register(&Kif::unbounded(n_in), &d1.iq.request(&m1), wq(&d1.iq)),
        ),
        ("d1_iq_t", register(&m1, &Kif::unbounded(n_in), false)),
        ("d1_accum_t", ints(&p1)),
        ("d1_t", register(&p1, &relu_req, false)),
        ("d1_weight_t", weight(&d1.kernel)),
        ("d1_bias_t", weight(&d1.bias)),
        ("d1_relu_t", register(&r, &req2, wq(&d2.iq))),
        ("d2_iq_t", register(&m2, &Kif::unbounded(m2.len()), false)),
        ("d2_accum_t", ints(&p2)),
        ("result_t", register(&p2, &Kif::unbounded(d2.n_out), false)),
        ("d2_weight_t", weight(&d2.kernel)),
        ("d2_bias_t", weight(&d2.bias)),
    ];
    for (name, ty) in ours {
        assert_eq!(Some(&ty.cpp()), t.get(name), "{case}: {name}");
    }
}
