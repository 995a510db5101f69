//! Every model and config of hls4ml's examples loads in `presynth inspect|estimate|codegen`, with
//! parameter counts equal to the framework's (issue 12):
//! - every model file in examples/hls4ml-examples/{keras,onnx} (Keras 2 JSON with each of its
//!   weight files, Keras 3 `.keras`, QKeras, ONNX);
//! - every config in examples/hls4ml-examples/config-files (as the model, naming its Keras JSON,
//!   and as `--config` of that JSON);
//! - every config hls4ml 1.3.0's `config_from_keras_model`/`config_from_onnx_model` wrote for
//!   them at granularity model/type/name (tests/fixtures/hls4ml-configs/configs).
//!
//! The truth is what the frameworks counted when the fixtures were made (see that folder's
//! README): Keras `count_params()` (expected.json, .venv), QKeras/tf.keras `count_params()` and
//! the Keras 3 weights file's element count (qkeras_expected.json, .venv-qkeras), and the ONNX
//! initializers' element count (expected.json).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_presynth");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn examples() -> PathBuf {
    Path::new(ROOT).join("examples/hls4ml-examples")
}
fn fixtures() -> PathBuf {
    Path::new(ROOT).join("tests/fixtures/hls4ml-configs")
}

/// Model file stem -> parameter count, from the frameworks (both fixture files).
fn framework_counts() -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for (file, sections) in [
        (
            "expected.json",
            &["count_params", "onnx_initializer_params"][..],
        ),
        (
            "qkeras_expected.json",
            &["count_params", "keras3_weights_h5_params"][..],
        ),
    ] {
        let text = std::fs::read_to_string(fixtures().join(file)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for s in sections {
            for (k, n) in v[s].as_object().unwrap_or_else(|| panic!("{file}: {s}")) {
                m.insert(k.clone(), n.as_u64().unwrap());
            }
        }
    }
    m
}

fn run(args: &[&str]) -> Result<String, String> {
    let out = Command::new(BIN).args(args).output().unwrap();
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

/// hls4ml's templates come from .venv (scripts/setup-python.sh); codegen needs them.
fn have_templates() -> bool {
    if Path::new(ROOT).join(".venv/bin/python").exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        ".venv is missing in CI; run scripts/setup-python.sh"
    );
    eprintln!("SKIPPED the codegen part: no .venv (run scripts/setup-python.sh)");
    false
}

/// Number of values in the weight files codegen wrote (firmware/weights/*.txt).
fn written_values(prj: &Path) -> u64 {
    let mut n = 0;
    for e in std::fs::read_dir(prj.join("firmware/weights")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            let t = std::fs::read_to_string(&p).unwrap();
            n += t.split(',').filter(|s| !s.trim().is_empty()).count() as u64;
        }
    }
    n
}

/// inspect, estimate and codegen on `model` (with `extra` arguments); each failure is returned
/// as one line naming the command and presynth's error.
fn check(model: &Path, extra: &[&str], params: u64, codegen: bool) -> Vec<String> {
    let m = model.to_str().unwrap();
    let label = format!("{m} {}", extra.join(" "));
    let mut bad = Vec::new();
    let with = |cmd: &str, more: &[&str]| {
        let mut a = vec![cmd, m];
        a.extend_from_slice(extra);
        a.extend_from_slice(more);
        run(&a)
    };
    match with("inspect", &["--format", "json"]) {
        Ok(out) => {
            let got = json(&out)["total_params"].as_u64().unwrap();
            if got != params {
                bad.push(format!(
                    "{label}: inspect total_params {got}, framework {params}"
                ));
            }
        }
        Err(e) => bad.push(format!("{label}: inspect: {}", e.trim())),
    }
    match with("estimate", &["--format", "json"]) {
        Ok(out) => {
            let got: u64 = json(&out)["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["params"].as_u64().unwrap())
                .sum();
            if got != params {
                bad.push(format!(
                    "{label}: estimate layer params sum {got}, framework {params}"
                ));
            }
        }
        Err(e) => bad.push(format!("{label}: estimate: {}", e.trim())),
    }
    if codegen {
        let dir = tempfile::tempdir().unwrap();
        let prj = dir.path().join("prj");
        match with("codegen", &["-o", prj.to_str().unwrap()]) {
            // every parameter lands in a weight file (no BatchNorm folding in these examples)
            Ok(_) => {
                let got = written_values(&prj);
                if got != params {
                    bad.push(format!(
                        "{label}: codegen wrote {got} weight values, framework {params}"
                    ));
                }
            }
            Err(e) => bad.push(format!("{label}: codegen: {}", e.trim())),
        }
    }
    bad
}

/// Model files (and alternative weight files of a Keras JSON) of examples/hls4ml-examples.
fn example_models() -> Vec<(PathBuf, Vec<String>, String)> {
    let mut out = Vec::new();
    for dir in ["keras", "onnx"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(examples().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for p in &files {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
            match p.extension().and_then(|x| x.to_str()) {
                Some("json") => {
                    out.push((p.clone(), vec![], stem.clone()));
                    // other weight files for the same architecture (pruned retrainings)
                    for w in &files {
                        let wn = w.file_name().unwrap().to_str().unwrap();
                        let Some(base) = wn.strip_suffix("_weights.h5") else {
                            continue;
                        };
                        // X_<variant>_weights.h5, unless X_<variant> is a model of its own
                        let own_model = files.iter().any(|f| {
                            f.file_name().unwrap().to_str() == Some(&format!("{base}.json"))
                        });
                        if base.starts_with(&format!("{stem}_")) && !own_model {
                            let w = w.to_str().unwrap().to_string();
                            out.push((p.clone(), vec!["--weights".into(), w], stem.clone()));
                        }
                    }
                }
                Some("keras") | Some("onnx") => out.push((p.clone(), vec![], stem)),
                Some("h5") => {}
                _ => panic!("{name}: a file of a kind this test does not know"),
            }
        }
    }
    out
}

#[test]
fn every_example_model_loads_with_the_frameworks_parameter_count() {
    let counts = framework_counts();
    let codegen = have_templates();
    let models = example_models();
    // 8 Keras JSON (KERAS_3layer also with its 70 % and 95 % pruned weights), 1 .keras, 4 ONNX
    assert_eq!(models.len(), 15, "{models:?}");
    let mut bad = Vec::new();
    for (model, extra, stem) in &models {
        let params = *counts.get(stem).unwrap_or_else(|| {
            panic!("{stem}: no framework count in the fixtures; regenerate them")
        });
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        bad.extend(check(model, &extra, params, codegen));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The configs of examples/hls4ml-examples/config-files: project-style files naming their
/// Keras JSON relative to the examples folder.
#[test]
fn every_example_config_file_loads() {
    let counts = framework_counts();
    let codegen = have_templates();
    let mut bad = Vec::new();
    let mut n = 0;
    for e in std::fs::read_dir(examples().join("config-files")).unwrap() {
        let cfg = e.unwrap().path();
        let stem = cfg.file_stem().unwrap().to_str().unwrap();
        let model = stem.strip_suffix("_config").expect("<model>_config.yml");
        let params = counts[model];
        // the config as the model: it names keras/<model>.json
        bad.extend(check(&cfg, &[], params, codegen));
        // the config applied to the model
        let json_model = examples().join(format!("keras/{model}.json"));
        bad.extend(check(
            &json_model,
            &["--config", cfg.to_str().unwrap()],
            params,
            codegen,
        ));
        n += 1;
    }
    assert_eq!(n, 2);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_config_hls4ml_wrote_loads_on_its_model() {
    let counts = framework_counts();
    let codegen = have_templates();
    let mut bad = Vec::new();
    let mut n = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for cfg in files {
        let stem = cfg.file_stem().unwrap().to_str().unwrap().to_string();
        let (model, gran) = stem.rsplit_once('_').unwrap();
        assert!(["model", "type", "name"].contains(&gran), "{stem}");
        let (file, key) = match model.strip_prefix("onnx_") {
            Some(m) => (examples().join(format!("onnx/{m}.onnx")), m),
            None => (examples().join(format!("keras/{model}.json")), model),
        };
        let params = counts[key];
        // ONNX name configs name layers as hls4ml's ONNX flow does (MatMul_0, global_in, ...)
        bad.extend(check(
            &file,
            &["--config", cfg.to_str().unwrap()],
            params,
            codegen,
        ));
        n += 1;
    }
    // 6 Keras + 2 QKeras examples and 4 ONNX examples, 3 granularities each
    assert_eq!(n, 36);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
