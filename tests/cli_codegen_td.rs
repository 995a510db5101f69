//! TimeDistributed through the CLI, on the fixtures of frontends/tests/fixtures/keras/nested
//! (scripts/make_nested_fixtures.py): codegen writes hls4ml's tf.keras converter's project (the
//! `for (ts ...)` loop; its bit-exactness is checked by the QKeras harness, td_* cases of
//! tests/cli_codegen_qkeras.rs), for a Keras 3 file too (hls4ml's Keras 3 converter fails on
//! TimeDistributed); codegen refuses what hls4ml 1.3.0 cannot write (io_stream, a wrapped
//! convolution, whose output array hls4ml sizes without the time axis) naming the layer; the
//! estimator prices every one, with its prior flagged.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_presynth");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn fixture(name: &str) -> PathBuf {
    Path::new(ROOT)
        .join("frontends/tests/fixtures/keras/nested")
        .join(name)
}

fn codegen(model: &Path, extra: &[&str]) -> (bool, String, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let prj = dir.path().join("prj");
    let out = Command::new(BIN)
        .arg("codegen")
        .arg(model)
        .arg("-o")
        .arg(&prj)
        .args(extra)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success(), err, prj, dir)
}

#[test]
fn codegen_writes_the_time_step_loop_for_tf_keras_and_keras_3_files() {
    for f in ["k2_td_dense.h5", "k2_td_dense.json", "k3_td_dense.keras"] {
        let (ok, err, prj, _dir) = codegen(&fixture(f), &[]);
        assert!(ok, "{f}: {err}");
        let cpp = std::fs::read_to_string(prj.join("firmware/myproject.cpp")).unwrap();
        // hls4ml 1.3.0 (tf.keras 2.14) on the same model: input 1, td 2, out 3 (+ out_linear
        // 4), td_fc 5, td_end 6; the Dense over positions after it is a pointwise conv
        for line in [
            "    for (int ts = 0; ts < config2::n_time_steps; ts++) {\n        \n        nnet::read_time_step_2d<input_t, config2>(ts, x, layer2_out); // td\n",
            "    nnet::dense<layer2_t, layer5_t, config5>(layer2_out, layer5_out, w5, b5); // td_fc\n",
            "        nnet::write_time_step_2d<layer6_t, config6>(ts, layer5_out, layer6_out);\n    } // td_end\n",
        ] {
            assert!(cpp.contains(line), "{f}: no\n{line}\nin\n{cpp}");
        }
        // the wrapped Dense's relu is dropped, as hls4ml drops it
        assert!(!cpp.contains("relu"), "{f}: {cpp}");
        let params = std::fs::read_to_string(prj.join("firmware/parameters.h")).unwrap();
        assert!(params.contains("#include \"nnet_utils/nnet_time_distributed.h\""));
        assert!(params.contains(
            "struct config6 : nnet::time_distributed_config {\n    static const unsigned dim = 2;\n\n    static const unsigned n_time_steps = 5;\n    static const unsigned in_height = 1;\n    static const unsigned in_width = 1;\n    static const unsigned n_chan = 4;\n};\n"
        ), "{f}: {params}");
    }
}

#[test]
fn io_stream_and_a_wrapped_convolution_are_refused_naming_the_layer() {
    let (ok, err, prj, _dir) = codegen(&fixture("k2_td_dense.h5"), &["--io-type", "io_stream"]);
    assert!(!ok && !prj.exists());
    assert!(
        err.contains("'td'")
            && err.contains("io_stream")
            && err.contains("not supported by hls4ml"),
        "{err}"
    );
    let (ok, err, prj, _dir) = codegen(&fixture("k2_td_conv1d.h5"), &[]);
    assert!(!ok && !prj.exists());
    assert!(
        err.contains("'td'") && err.contains("td_conv") && err.contains("time axis"),
        "{err}"
    );
}

#[test]
fn the_estimate_prices_the_wrapped_layer_and_flags_the_prior() {
    for f in ["k2_td_conv1d.h5", "k3_td_dense.keras"] {
        let out = Command::new(BIN)
            .args(["estimate", "--format", "json"])
            .arg(fixture(f))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let text = v.to_string();
        assert!(
            text.contains("TimeDistributed") && text.contains("prior"),
            "{f}: {text}"
        );
    }
}
