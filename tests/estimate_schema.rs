//! `presynth estimate --format json` prints one schema for every estimator: the output of the
//! analytic, hybrid, gnn, transformer and pure estimators validates against
//! docs/estimate.schema.json, and so does the sweep's per-point estimate.
//!
//! The validator is a small checker of the JSON Schema keywords that file uses (`type`, `const`,
//! `enum`, `properties`, `required`, `additionalProperties: false`, `items`, `minimum`,
//! `exclusiveMinimum`, `$ref` into `#/$defs`), not the `jsonschema` crate: that crate brings
//! an HTTP resolver, regex engines and ~40 more crates for what this file needs. A keyword the
//! checker does not know fails the test, so the schema cannot silently outgrow it.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo("docs/estimate.schema.json")).unwrap())
        .expect("docs/estimate.schema.json parses")
}

const KNOWN: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "title",
    "description",
    "type",
    "const",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minimum",
    "exclusiveMinimum",
];

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_u64() || v.is_i64(),
        other => panic!("schema type {other} unknown to the checker"),
    }
}

/// Every violation of `s` by `v`, as `path: what`.
fn check(root: &Value, s: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    let obj = s.as_object().expect("a schema is an object");
    for k in obj.keys() {
        assert!(
            KNOWN.contains(&k.as_str()),
            "schema keyword {k} unknown to the checker"
        );
    }
    if let Some(r) = obj.get("$ref") {
        let name = r
            .as_str()
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .expect("$ref into #/$defs");
        check(root, &root["$defs"][name], v, path, errs);
    }
    if let Some(t) = obj.get("type") {
        let ok = match t {
            Value::String(t) => type_ok(t, v),
            Value::Array(ts) => ts.iter().any(|t| type_ok(t.as_str().unwrap(), v)),
            _ => panic!("bad type keyword"),
        };
        if !ok {
            errs.push(format!("{path}: expected type {t}, got {v}"));
            return;
        }
    }
    if let Some(c) = obj.get("const") {
        if c != v {
            errs.push(format!("{path}: expected {c}, got {v}"));
        }
    }
    if let Some(Value::Array(e)) = obj.get("enum") {
        if !e.contains(v) {
            errs.push(format!("{path}: {v} not one of {e:?}"));
        }
    }
    if let (Some(n), Some(x)) = (v.as_f64(), obj.get("minimum").and_then(Value::as_f64)) {
        if n < x {
            errs.push(format!("{path}: {n} < minimum {x}"));
        }
    }
    if let (Some(n), Some(x)) = (
        v.as_f64(),
        obj.get("exclusiveMinimum").and_then(Value::as_f64),
    ) {
        if n <= x {
            errs.push(format!("{path}: {n} <= exclusive minimum {x}"));
        }
    }
    if let Value::Object(m) = v {
        let props = obj.get("properties").and_then(Value::as_object);
        if let Some(Value::Array(req)) = obj.get("required") {
            for r in req {
                if !m.contains_key(r.as_str().unwrap()) {
                    errs.push(format!("{path}: missing required field {r}"));
                }
            }
        }
        for (k, val) in m {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => check(root, ps, val, &format!("{path}.{k}"), errs),
                None if obj.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errs.push(format!("{path}: field {k} not in the schema"))
                }
                None => {}
            }
        }
    }
    if let (Value::Array(a), Some(items)) = (v, obj.get("items")) {
        for (i, x) in a.iter().enumerate() {
            check(root, items, x, &format!("{path}[{i}]"), errs);
        }
    }
}

fn violations(v: &Value) -> Vec<String> {
    violations_of(&schema(), v)
}

fn violations_of(root: &Value, v: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    check(root, root, v, "$", &mut errs);
    errs
}

#[test]
fn fpga_and_gpu_targets_print_their_schemas() {
    // `--target xcu250,h100`: the whole validates against docs/estimate-targets.schema.json
    // and its `fpga` part against docs/estimate.schema.json
    let targets: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("docs/estimate-targets.schema.json")).unwrap(),
    )
    .expect("docs/estimate-targets.schema.json parses");
    let model = repo("examples/transformer/transformer_encoder.keras");
    let v = run(
        env!("CARGO_BIN_EXE_presynth"),
        &[
            "estimate",
            model.to_str().unwrap(),
            "--target",
            "xcu250,h100",
            "--format",
            "json",
        ],
    );
    assert_eq!(violations_of(&targets, &v), Vec::<String>::new());
    assert_eq!(violations(&v["fpga"]), Vec::<String>::new());
    let mut bad = v.clone();
    bad["gpus"][0]["layers"][2]["bound"] = Value::from("magic");
    bad["gpus"][0]["batch"] = Value::from(0);
    let errs = violations_of(&targets, &bad);
    assert!(errs.iter().any(|e| e.contains("bound")), "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("batch")), "{errs:?}");
}

fn run(bin: &str, args: &[&str]) -> Value {
    let out = Command::new(bin).args(args).output().expect("binary runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn estimate(bin: &str, estimator: &str, extra: &[&str]) -> Value {
    let model = repo("examples/hls4ml-examples/keras/KERAS_3layer.json");
    let mut args = vec![
        "estimate",
        model.to_str().unwrap(),
        "--format",
        "json",
        "--estimator",
        estimator,
    ];
    args.extend_from_slice(extra);
    run(bin, &args)
}

#[test]
fn the_checker_rejects_what_the_schema_forbids() {
    let good = estimate(env!("CARGO_BIN_EXE_presynth"), "analytic", &[]);
    assert_eq!(violations(&good), Vec::<String>::new());
    let mut bad = good.clone();
    bad["fits"] = Value::from("yes");
    bad.as_object_mut().unwrap().remove("will_synthesise");
    bad["layers"][1]["extra"] = Value::from(1);
    bad["total"]["ii"] = Value::from(0);
    let errs = violations(&bad);
    for want in [
        "$.fits: expected type",
        "missing required field \"will_synthesise\"",
        "$.layers[1]: field extra",
        "$.total.ii: 0 < minimum 1",
    ] {
        assert!(errs.iter().any(|e| e.contains(want)), "{want}: {errs:?}");
    }
}

#[test]
fn every_estimator_prints_the_schema() {
    let lean = env!("CARGO_BIN_EXE_presynth");
    // presynth-ml is the ml/ crate's binary, built beside presynth by `cargo test --workspace`.
    let ml_path = Path::new(lean).with_file_name("presynth-ml");
    assert!(
        ml_path.is_file(),
        "{} is missing: run the tests with `cargo test --workspace` (scripts/test.sh)",
        ml_path.display()
    );
    let ml = ml_path.to_str().unwrap();
    let analytic = estimate(lean, "analytic", &[]);
    assert_eq!(violations(&analytic), Vec::<String>::new());
    assert!(analytic["interval"].is_null() && analytic["coverage"].is_null());

    // The shipped model is a GNN hybrid: it answers for `hybrid` and `gnn`. `presynth` hands
    // learned estimators to `presynth-ml`; both must print the same.
    for name in ["hybrid", "gnn"] {
        let v = estimate(ml, name, &[]);
        assert_eq!(violations(&v), Vec::<String>::new(), "{name}");
        assert_eq!(v["estimator"], name);
        assert!(
            v["interval"]["total.lut"]["low"].as_f64().unwrap()
                <= v["interval"]["total.lut"]["high"].as_f64().unwrap()
        );
        assert!(v["coverage"]["covered"].is_boolean());
        // The per-layer table is the analytic one, whatever the estimator.
        assert_eq!(v["layers"], analytic["layers"], "{name}");
        assert_eq!(v["analytic"]["total"], analytic["total"], "{name}");
    }
    // The CSV of a surrogate fills the interval columns of the total row (analytic: empty).
    let model = repo("examples/hls4ml-examples/keras/KERAS_3layer.json");
    for (name, filled) in [("analytic", false), ("hybrid", true)] {
        let out = Command::new(ml)
            .args([
                "estimate",
                model.to_str().unwrap(),
                "--format",
                "csv",
                "--estimator",
                name,
            ])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let h = r.headers().unwrap().clone();
        let col = h
            .iter()
            .position(|c| c == "low:total.lut")
            .expect("interval column");
        let total = r
            .records()
            .map(|x| x.unwrap())
            .find(|x| &x[0] == "total")
            .unwrap();
        assert_eq!(!total[col].is_empty(), filled, "{name}: {text}");
    }

    // transformer and pure: a tiny model trained here on the real CSV sample (seconds).
    let dir = tempfile::tempdir().unwrap();
    let data = repo("data/wa-hls4ml-jdweitz-csv-sample");
    for (arch, mode, name) in [
        ("transformer", "hybrid", "transformer"),
        ("gnn", "pure", "pure"),
    ] {
        let out = dir.path().join(name);
        run(
            ml,
            &[
                "train",
                "--data",
                data.to_str().unwrap(),
                "--arch",
                arch,
                "--mode",
                mode,
                "--epochs",
                "3",
                "--members",
                "2",
                "--hidden",
                "8",
                "--layers",
                "1",
                "--format",
                "json",
                "-o",
                out.to_str().unwrap(),
            ],
        );
        let v = estimate(ml, name, &["--surrogate", out.to_str().unwrap()]);
        assert_eq!(violations(&v), Vec::<String>::new(), "{name}");
        assert_eq!(v["surrogate"]["arch"], arch);
        assert_eq!(v["surrogate"]["mode"], mode);
    }
}

#[test]
fn narrow_dsp_layers_print_the_schema() {
    // A layer with `narrow_dsp` (estimator/src/narrowdsp.rs): the QKeras jet tagger's fc1.
    let model = repo("data/real-projects/models/hls4ml-tutorial/jet_mlp_qkeras6_pruned75.psn");
    let v = run(
        env!("CARGO_BIN_EXE_presynth"),
        &["estimate", model.to_str().unwrap(), "--format", "json"],
    );
    assert!(
        v["layers"][1]["narrow_dsp"].is_object(),
        "{}",
        v["layers"][1]
    );
    assert_eq!(violations(&v), Vec::<String>::new());
    let mut bad = v.clone();
    bad["layers"][1]["narrow_dsp"]["share"] = Value::from("high");
    assert!(violations(&bad)
        .iter()
        .any(|e| e.contains("narrow_dsp.share")));
}
