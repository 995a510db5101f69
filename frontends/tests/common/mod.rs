//! Shared by the frontend tests: a network read by presynth checked against the truth a
//! framework wrote beside its fixture (`NAME.expected.json`, written by the scripts named in each
//! test: Keras's `count_params()`, per-layer output shapes and `count_params()`, and each weight's
//! shape and first values; `last`, `sum`, `outputs` and `input_shapes` where the script wrote them).

use ir::Network;
use serde_json::Value;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-5 * (1.0 + a.abs().max(b.abs()))
}

/// Shapes listed under `key` in the expected file, when it has them.
fn shapes(exp: &Value, key: &str) -> Option<Vec<Vec<usize>>> {
    exp.get(key)
        .map(|v| serde_json::from_value(v.clone()).unwrap())
}

/// Asserts `net` equals the framework's truth `exp`; `what` names the case in failures.
pub fn check_against_framework(what: &str, net: &Network, exp: &Value) {
    assert_eq!(
        net.total_params(),
        exp["count_params"].as_u64().unwrap(),
        "{what}: count_params"
    );
    let stats = net.stats();
    for l in exp["layers"].as_array().unwrap() {
        let lname = l["name"].as_str().unwrap();
        let id = net
            .find(lname)
            .unwrap_or_else(|| panic!("{what}: no layer {lname}"));
        let layer = net.layer(id);
        let shape: Vec<usize> = serde_json::from_value(l["output_shape"].clone()).unwrap();
        assert_eq!(layer.output_shape, shape, "{what}/{lname}: output shape");
        let st = stats.iter().find(|s| s.name == lname).unwrap();
        assert_eq!(
            st.params,
            l["params"].as_u64().unwrap(),
            "{what}/{lname}: params"
        );
        let ws = l["weights"].as_array().unwrap();
        assert_eq!(
            layer.weights.len(),
            ws.len(),
            "{what}/{lname}: number of weight arrays"
        );
        for w in ws {
            let wname = w["name"].as_str().unwrap();
            let t = layer
                .weight(wname)
                .unwrap_or_else(|| panic!("{what}/{lname}: no weight {wname}"));
            let wshape: Vec<usize> = serde_json::from_value(w["shape"].clone()).unwrap();
            assert_eq!(t.shape, wshape, "{what}/{lname}/{wname}: shape");
            for (i, v) in w["first"].as_array().unwrap().iter().enumerate() {
                // The framework's values are f32 printed as f64; compare as f32 (serde_json's
                // default float parsing may be one f64 ulp off, which vanishes at f32 precision).
                assert_eq!(
                    t.data[i],
                    v.as_f64().unwrap() as f32,
                    "{what}/{lname}/{wname}[{i}]"
                );
            }
            if let Some(last) = w.get("last") {
                assert_eq!(
                    *t.data.last().unwrap(),
                    last.as_f64().unwrap() as f32,
                    "{what}/{lname}/{wname} last"
                );
            }
            if let Some(want) = w.get("sum") {
                let sum: f64 = t.data.iter().map(|v| *v as f64).sum();
                assert!(
                    close(sum, want.as_f64().unwrap()),
                    "{what}/{lname}/{wname}: sum {sum} vs {want}"
                );
            }
        }
    }
    for (key, ids) in [("outputs", &net.outputs), ("input_shapes", &net.inputs)] {
        if let Some(want) = shapes(exp, key) {
            let got: Vec<Vec<usize>> = ids
                .iter()
                .map(|&o| net.layer(o).output_shape.clone())
                .collect();
            assert_eq!(got, want, "{what}: {key}");
        }
    }
}
