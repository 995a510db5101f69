//! End-to-end tests of `presynth codegen`: the bit-exact harness against hls4ml 1.3.0
//! (scripts/hls4ml_reference.py: both projects compiled with g++ and run on the same inputs,
//! outputs compared as exact decimals, generated text compared), plus the CLI's contract:
//! project layout, atomic writes, reuse-factor warnings, and the missing-templates message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_presynth");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn repo(rel: &str) -> PathBuf {
    Path::new(ROOT).join(rel)
}

fn venv_python() -> PathBuf {
    Path::new(ROOT).join(".venv/bin/python")
}

/// hls4ml's templates are needed to write a project: the venv made by scripts/setup-python.sh.
/// In CI (CI set) a missing venv is an error; elsewhere the test says why it is skipped.
fn have_hls4ml(test: &str) -> bool {
    if venv_python().exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: .venv/bin/python is missing in CI; run scripts/setup-python.sh first"
    );
    eprintln!("SKIPPED {test}: no .venv (run scripts/setup-python.sh to install hls4ml 1.3.0)");
    false
}

fn codegen(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("codegen")
        .args(args)
        .output()
        .expect("run presynth")
}

fn keras_3layer() -> String {
    repo("examples/hls4ml-examples/keras/KERAS_3layer.json")
        .display()
        .to_string()
}

#[test]
fn bit_exact_against_hls4ml() {
    if !have_hls4ml("bit_exact_against_hls4ml") {
        return;
    }
    let gxx = Command::new("g++").arg("--version").output();
    if gxx.is_err() {
        assert!(std::env::var_os("CI").is_none(), "g++ is missing in CI");
        eprintln!("SKIPPED bit_exact_against_hls4ml: no g++");
        return;
    }
    let out = Command::new(venv_python())
        .current_dir(ROOT)
        .env("KERAS_BACKEND", "jax")
        .env("JAX_PLATFORMS", "cpu")
        .args([
            "scripts/hls4ml_reference.py",
            "--presynth",
            BIN,
            "--jobs",
            "2",
        ])
        .output()
        .expect("run scripts/hls4ml_reference.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "harness reported differences (table above)"
    );
    // the table must cover the minimum of 20 model/config combinations
    let summary = stdout
        .lines()
        .find(|l| l.contains("bit-identical"))
        .expect("summary line");
    let (ok, total) = summary
        .split_whitespace()
        .next()
        .and_then(|s| s.split_once('/'))
        .map(|(a, b)| (a.parse::<usize>().unwrap(), b.parse::<usize>().unwrap()))
        .expect("N/M bit-identical");
    assert!(total >= 20 && ok == total, "{summary}");
    // hls4ml's example ONNX models are among the cases (convert_from_onnx_model references)
    for m in [
        "onnx_two_layer_keras",
        "onnx_three_layer_pytorch",
        "onnx_conv1d_small_keras",
        "onnx_conv2d_pads",
        // QONNX BipolarQuant weights (xnor 0/1, weight_binary)
        "qonnx_bipolar",
    ] {
        assert!(stdout.contains(m), "no {m} case in the harness table");
    }
    // the recurrent classes (LSTM, GRU, Bidirectional), in io_parallel, io_stream and Resource
    for (m, configs) in [
        ("lstm_last", &["lat", "res_rf4", "stream", "nonstatic"][..]),
        (
            "lstm_seq_gru",
            &[
                "lat",
                "res_rf3",
                "stream",
                "stream_res",
                "name_lat",
                "rnn_prec",
            ][..],
        ),
        ("gru_seq", &["lat", "stream", "rnn_prec", "nonstatic"][..]),
        (
            "bilstm",
            &["lat", "res_rf3", "name_lat", "bidi_prec", "nonstatic"][..],
        ),
        ("bilstm_seq", &["lat"][..]),
        ("bigru", &["lat"][..]),
        // separable halves under granularity='name' (their weight types named after the
        // halves), GlobalMaxPooling1D/2D and Reshape (io_stream: hls4ml's Repack)
        ("separable1d", &["name_lat", "name_stream"][..]),
        ("separable2d", &["name_lat", "name_stream"][..]),
        ("gmp1d_reshape", &["lat", "stream"][..]),
        ("gmp2d_reshape", &["lat", "stream"][..]),
    ] {
        for c in configs {
            assert!(
                stdout
                    .lines()
                    .any(|l| l.starts_with(&format!("{m} ")) && l.contains(&format!("| {c} "))),
                "no {m} {c} case in the harness table"
            );
        }
    }
}

#[test]
fn writes_the_hls4ml_layout() {
    if !have_hls4ml("writes_the_hls4ml_layout") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prj = dir.path().join("prj");
    let out = codegen(&[
        &keras_3layer(),
        "-o",
        prj.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for f in [
        "firmware/myproject.cpp",
        "firmware/myproject.h",
        "firmware/defines.h",
        "firmware/parameters.h",
        "firmware/nnet_utils/nnet_dense_latency.h",
        "firmware/ap_types/ap_fixed.h",
        "myproject_test.cpp",
        "myproject_bridge.cpp",
        "build_lib.sh",
        "build_prj.tcl",
        "build_opt.tcl",
        "project.tcl",
        "vivado_synth.tcl",
        "hls4ml_config.yml",
    ] {
        assert!(prj.join(f).is_file(), "missing {f}");
    }
    assert!(prj.join("tb_data").is_dir());
    // KERAS_3layer.json is 16 -> 64 -> 32 -> 32 -> 5 (its JSON): 4 Dense layers, 8 weight files
    // as .h and .txt, the first Dense is config2 (the input is layer 1).
    let weights = std::fs::read_dir(prj.join("firmware/weights"))
        .unwrap()
        .count();
    assert_eq!(weights, 16);
    let params = std::fs::read_to_string(prj.join("firmware/parameters.h")).unwrap();
    assert!(params.contains("struct config2 : nnet::dense_config {\n    static const unsigned n_in = 16;\n    static const unsigned n_out = 64;"));
    assert_eq!(j["io_type"], "io_parallel");
    assert_eq!(j["layers"][1]["index"], 2);
    assert!(j["layers"].as_array().unwrap().len() >= 9);
}

#[test]
fn resource_reuse_factor_is_corrected_with_a_warning() {
    if !have_hls4ml("resource_reuse_factor_is_corrected_with_a_warning") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prj = dir.path().join("prj");
    let out = codegen(&[
        &keras_3layer(),
        "-o",
        prj.to_str().unwrap(),
        "--strategy",
        "Resource",
        "--reuse-factor",
        "7",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    // fc1 is 16 x 64: RF 7 divides neither 1024 nor 16; hls4ml's valid list is the divisors of
    // 16 and the multiples of 16 dividing 1024, and 8 is the closest to 7.
    assert!(err.contains("ReuseFactor 7 -> 8"), "{err}");
    assert!(err.contains("7 does not divide n_in*n_out = 1024"), "{err}");
    let params = std::fs::read_to_string(prj.join("firmware/parameters.h")).unwrap();
    assert!(params.contains("static const unsigned reuse_factor = 8;"));
    assert!(
        params.contains("using kernel = nnet::DenseResource_rf_leq_nin<data_T, res_T, CONFIG_T>;")
    );
}

#[test]
fn failed_run_leaves_no_directory() {
    if !have_hls4ml("failed_run_leaves_no_directory") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prj = dir.path().join("prj");
    // the DSL example has no weights: codegen must refuse and leave nothing behind
    let psn = Path::new(ROOT).join("examples/jet_tagger_mlp.psn");
    let out = codegen(&[psn.to_str().unwrap(), "-o", prj.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("weight 'kernel' is missing"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no DIR and no temp dir"
    );

    // an existing directory is kept unless --force
    std::fs::create_dir(&prj).unwrap();
    std::fs::write(prj.join("keep"), "x").unwrap();
    let out = codegen(&[&keras_3layer(), "-o", prj.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert!(prj.join("keep").exists());
    let out = codegen(&[&keras_3layer(), "-o", prj.to_str().unwrap(), "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!prj.join("keep").exists() && prj.join("firmware/parameters.h").exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "temp/old dirs are removed"
    );
}

#[test]
fn missing_templates_say_how_to_get_them() {
    let dir = tempfile::tempdir().unwrap();
    let prj = dir.path().join("prj");
    let out = codegen(&[
        &keras_3layer(),
        "-o",
        prj.to_str().unwrap(),
        "--templates",
        "/nonexistent/hls4ml",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pip install hls4ml==1.3.0"), "{err}");
    assert!(!prj.exists());
}

#[test]
fn shared_templates_are_linked_not_copied() {
    if !have_hls4ml("shared_templates_are_linked_not_copied") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prj = dir.path().join("prj");
    let cache = dir.path().join("cache");
    let out = Command::new(BIN)
        .env("PRESYNTH_TEMPLATE_CACHE", &cache)
        .args([
            "codegen",
            &keras_3layer(),
            "-o",
            prj.to_str().unwrap(),
            "--link",
            "symlink",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // an MLP has no generated im2col code: nnet_utils/ and ap_types/ are two links into the cache
    let cache = std::fs::canonicalize(&cache).unwrap();
    for d in ["firmware/ap_types", "firmware/nnet_utils"] {
        let m = std::fs::symlink_metadata(prj.join(d)).unwrap();
        assert!(m.file_type().is_symlink(), "{d}");
        assert!(
            std::fs::canonicalize(prj.join(d))
                .unwrap()
                .starts_with(&cache),
            "{d}"
        );
    }
    assert!(prj.join("firmware/nnet_utils/nnet_dense.h").is_file());
    // generated files are real files
    let p = std::fs::symlink_metadata(prj.join("firmware/parameters.h")).unwrap();
    assert!(p.file_type().is_file());
}

#[test]
fn random_weights_make_a_model_without_weights_writable() {
    if !have_hls4ml("random_weights_make_a_model_without_weights_writable") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let psn = Path::new(ROOT).join("examples/jet_tagger_mlp.psn");
    let psn = psn.to_str().unwrap();
    // Without weights the error says what to do.
    let out = codegen(&[psn, "-o", dir.path().join("x").to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--random-weights SEED"));
    let write = |name: &str, seed: &str| {
        let prj = dir.path().join(name);
        let out = codegen(&[psn, "-o", prj.to_str().unwrap(), "--random-weights", seed]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(prj.join("firmware/weights"))
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let a = write("a", "7");
    assert!(!a.is_empty());
    // The same seed writes the same weights; another seed other ones.
    assert_eq!(a, write("b", "7"));
    assert_ne!(a, write("c", "8"));
    // --format csv: one row per layer of the project (the .psn's 16-64-32-32-5 dense layers,
    // reuse factor 1, Latency strategy as its config block says).
    let prj = dir.path().join("d");
    let out = codegen(&[
        psn,
        "-o",
        prj.to_str().unwrap(),
        "--random-weights",
        "7",
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("index,layer,class,reuse_factor,strategy")
    );
    let dense: Vec<&str> = lines.filter(|l| l.contains(",Dense,")).collect();
    assert_eq!(dense.len(), 4, "{text}");
    assert!(dense.iter().all(|l| l.ends_with(",1,Latency")), "{text}");
}

#[test]
fn print_lowering_shows_the_graph_after_each_pass() {
    if !have_hls4ml("print_lowering_shows_the_graph_after_each_pass") {
        return;
    }
    // the harness model conv1d_same in io_stream: hls4ml 1.3.0 inserts zp1d_conv1 (index 9)
    // and zp1d_conv2 (10) before the same-padded convs (harness case conv1d_same__stream)
    let dir = tempfile::tempdir().unwrap();
    let model = Path::new(ROOT).join("tests/fixtures/harness-models/conv1d_same.json");
    let out = codegen(&[
        model.to_str().unwrap(),
        "-o",
        dir.path().join("p").to_str().unwrap(),
        "--io-type",
        "io_stream",
        "--random-weights",
        "1",
        "--print-lowering",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let after = err
        .split("== insert_zero_padding_before_conv1d\n")
        .nth(1)
        .expect("the zero-padding pass changed the graph");
    assert!(
        after.contains("  9 zp1d_conv1 ZeroPadding1D[1,1] <- [input_layer] -> [14, 2]"),
        "{err}"
    );
    assert!(after.contains(" 10 zp1d_conv2 ZeroPadding1D[0,1]"), "{err}");
    assert!(
        err.contains("== optimize_pointwise_conv (unchanged)"),
        "{err}"
    );
    // and the project has the ZeroPadding calls
    let cpp = std::fs::read_to_string(dir.path().join("p/firmware/myproject.cpp")).unwrap();
    assert!(cpp.contains("nnet::zeropad1d_cl<input_t, layer9_t, config9>(input_layer, layer9_out); // zp1d_conv1"), "{cpp}");
}
