//! The QKeras part of the bit-exact harness: `scripts/qkeras_reference.py`, run in
//! `.venv-qkeras` (TensorFlow 2.14, QKeras 0.9.0, hls4ml 1.3.0; scripts/setup-qkeras.sh), compiles
//! presynth's and hls4ml's projects of small QKeras Dense and Conv models (flags and
//! granularity='name' configs, YAML overrides of a split activation, io_parallel and io_stream)
//! and of hls4ml's example qkeras_3layer with g++, and compares their outputs on seeded inputs
//! and their generated texts (defines.h, parameters.h, myproject.cpp, weight files).

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_presynth");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn qkeras_python() -> PathBuf {
    Path::new(ROOT).join(".venv-qkeras/bin/python")
}

#[test]
fn qkeras_bit_exact_against_hls4ml() {
    if !qkeras_python().exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            ".venv-qkeras/bin/python is missing in CI; run scripts/setup-qkeras.sh first"
        );
        eprintln!(
            "SKIPPED qkeras_bit_exact_against_hls4ml: no .venv-qkeras \
             (run scripts/setup-qkeras.sh to install TensorFlow 2.14, QKeras and hls4ml 1.3.0)"
        );
        return;
    }
    let out = Command::new(qkeras_python())
        .current_dir(ROOT)
        .env("TF_CPP_MIN_LOG_LEVEL", "3")
        .args([
            "scripts/qkeras_reference.py",
            "--presynth",
            BIN,
            "--jobs",
            "2",
        ])
        .output()
        .expect("run scripts/qkeras_reference.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "QKeras harness reported differences (table above)"
    );
    let summary = stdout
        .lines()
        .find(|l| l.contains("bit-identical"))
        .expect("summary line");
    let total: usize = summary
        .split_whitespace()
        .next()
        .and_then(|s| s.split_once('/'))
        .and_then(|(_, b)| b.parse().ok())
        .expect("N/M bit-identical");
    assert!(total >= 24, "{summary}");
    // the cases the issue names: QKeras Dense and Conv with flags and name-granularity configs,
    // a YAML override of the split activation fc1_relu, both io types
    for (model, config) in [
        ("qdense", "flags_lat"),
        ("qdense", "flags_stream"),
        ("qdense", "name_lat"),
        ("qdense", "split_override"),
        ("qdense", "split_override_stream"),
        ("qconv2d", "flags_lat"),
        ("qconv2d", "flags_stream"),
        ("qconv2d", "name_lat"),
        ("qkeras_3layer", "flags_lat"),
        // alpha="auto_po2": hls4ml's ApplyAlpha with its power-of-two scale
        ("qdense_alpha", "flags_lat"),
        ("qdense_alpha", "flags_stream"),
        ("qdense_alpha", "name_lat"),
        // QDepthwiseConv2D and QBatchNormalization
        ("qdepthwise_bn", "flags_lat"),
        ("qdepthwise_bn", "name_lat"),
        ("qseparable", "flags_lat"),
        ("qseparable", "flags_stream"),
        ("qseparable", "name_lat"),
    ] {
        // outputs bit-identical and generated texts identical (the script fails otherwise;
        // the row says so)
        assert!(
            stdout.lines().any(|l| {
                let cols: Vec<&str> = l.split('|').map(str::trim).collect();
                cols.len() > 3
                    && cols[0] == model
                    && cols[1] == config
                    && cols[2] == "identical"
                    && cols[3].starts_with("text same")
            }),
            "no identical {model} x {config} row with the same texts in the QKeras harness table"
        );
    }
}
