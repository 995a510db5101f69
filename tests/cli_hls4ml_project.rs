//! `presynth inspect|estimate|codegen` on hls4ml projects written by hls4ml 1.3.0
//! (tests/fixtures/hls4ml-configs/projects, see its README), with and without the model file,
//! `--verbose` listing the keys presynth accepts without using, and part-name notes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hls4ml-configs")
}

fn presynth(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Keras's count_params() for the example, as recorded by scripts/make_hls4ml_configs.py.
fn keras_params(model: &str) -> u64 {
    let text = std::fs::read_to_string(fixtures().join("expected.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["count_params"][model].as_u64().unwrap()
}

/// A copy of the project without its model file (only the C++ is left).
fn without_model(model: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = fixtures().join("projects").join(model);
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to).unwrap();
        for rel in [
            "hls4ml_config.yml",
            "firmware/parameters.h",
            "firmware/defines.h",
            "firmware/myproject.cpp",
        ] {
            let d = to.join(rel);
            std::fs::create_dir_all(d.parent().unwrap()).unwrap();
            std::fs::copy(from.join(rel), d).unwrap();
        }
        std::fs::create_dir_all(to.join("firmware/weights")).unwrap();
        for e in std::fs::read_dir(from.join("firmware/weights")).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join("firmware/weights").join(e.file_name())).unwrap();
        }
    };
    copy(&src, tmp.path());
    tmp
}

fn inspect_params(path: &Path) -> (u64, String) {
    let (ok, out, err) = presynth(&["inspect", path.to_str().unwrap(), "--format", "json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    (v["total_params"].as_u64().unwrap(), err)
}

#[test]
fn inspect_a_project_with_and_without_its_model_file() {
    for model in ["KERAS_3layer", "KERAS_conv1d_small"] {
        let dir = fixtures().join("projects").join(model);
        let (params, err) = inspect_params(&dir);
        assert_eq!(params, keras_params(model), "{model}");
        assert!(
            err.contains("does not exist (a path of the machine that wrote the project); using"),
            "{err}"
        );
        let (params, _) = inspect_params(&dir.join("hls4ml_config.yml"));
        assert_eq!(params, keras_params(model), "{model} via the config file");
        let tmp = without_model(model);
        let (params, err) = inspect_params(tmp.path());
        assert_eq!(params, keras_params(model), "{model} rebuilt from the C++");
        assert!(err.contains("rebuilt from"), "{err}");
    }
}

#[test]
fn estimate_and_codegen_a_project_rebuilt_from_its_cpp() {
    let tmp = without_model("KERAS_3layer");
    let p = tmp.path().to_str().unwrap();
    let (ok, out, err) = presynth(&["estimate", p, "--format", "json", "--verbose"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["total"]["dsp"].as_f64().unwrap() > 0.0, "{out}");
    // --verbose lists what hls4ml wrote and presynth does not use, never refusing it.
    for key in [
        "ClockUncertainty",
        "Stamp",
        "WriterConfig",
        "HLSConfig.Model.BitExact",
        "TableSize",
    ] {
        assert!(err.contains(key), "{key} missing from:\n{err}");
    }
    let (_, _, quiet) = presynth(&["estimate", p, "--format", "json"]);
    assert!(!quiet.contains("ClockUncertainty"), "{quiet}");
    // Codegen writes a project from the rebuilt network.
    let out_dir = tmp.path().join("regen");
    let (ok, _, err) = presynth(&["codegen", p, "-o", out_dir.to_str().unwrap()]);
    assert!(ok, "{err}");
    let defines = std::fs::read_to_string(out_dir.join("firmware/defines.h")).unwrap();
    // The accumulator hls4ml inferred (`auto` in the config) comes back from defines.h:
    // fixture firmware/defines.h has `typedef ap_fixed<37,17> fc1_relu_accum_t;`.
    assert!(
        defines.contains("typedef ap_fixed<37,17> fc1_relu_accum_t;"),
        "{defines}"
    );
}

#[test]
fn part_names_as_hls4ml_spells_them() {
    let model = fixtures().join("projects/KERAS_3layer");
    let m = model.to_str().unwrap();
    // Hyphenated 7-series spelling: the Pynq-Z2 part, no note.
    let (ok, _, err) = presynth(&[
        "estimate",
        m,
        "--part",
        "xc7z020-clg400-1",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    assert!(!err.contains("note: part"), "{err}");
    // hls4ml's example config names xcvu9p-flga2577-2-e: the VU9P entry stands in, and says so.
    let (ok, _, err) = presynth(&[
        "estimate",
        m,
        "--part",
        "xcvu9p-flga2577-2-e",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    assert!(
        err.contains("note: part: no entry for xcvu9p-flga2577-2-e; using xcvu9p-flga2104-2L-e"),
        "{err}"
    );
    // An unknown device: error with same-family suggestions, no substitution.
    let (ok, _, err) = presynth(&["estimate", m, "--part", "xczu8ev-ffvc1156-2-e"]);
    assert!(!ok);
    // The error says where the part was set (issue 18) and which part it was.
    assert!(
        err.contains("error: the part set by --part: part 'xczu8ev-ffvc1156-2-e'"),
        "{err}"
    );
    // Same family, nearest size, same variant (EV) first.
    assert!(err.contains("did you mean xczu7ev-ffvc1156-2-e, "), "{err}");
}

#[test]
fn bad_project_inputs_are_errors_not_panics() {
    let tmp = without_model("KERAS_conv1d_small");
    let p = tmp.path();
    std::fs::write(p.join("firmware/weights/w9.txt"), "0.1, nope").unwrap();
    let (ok, _, err) = presynth(&["inspect", p.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.starts_with("error: ") && err.contains("w9.txt") && err.contains("'nope'"),
        "{err}"
    );
    let tmp = without_model("KERAS_conv1d_small");
    let p = tmp.path();
    std::fs::write(
        p.join("hls4ml_config.yml"),
        "HLSConfig:\n  Model:\n    Precison: fixed<16,6>\n",
    )
    .unwrap();
    let (ok, _, err) = presynth(&["inspect", p.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("did you mean 'Precision'"), "{err}");
    let (ok, _, err) = presynth(&["inspect", "/nonexistent/project/hls4ml_config.yml"]);
    assert!(!ok);
    assert!(
        err.contains("/nonexistent/project/hls4ml_config.yml"),
        "{err}"
    );
}
