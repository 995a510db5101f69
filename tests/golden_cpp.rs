//! Golden files of the C++ `presynth codegen` emits per layer kind: the `nnet::` calls of
//! firmware/myproject.cpp and the config structs of firmware/parameters.h, for harness models
//! (tests/fixtures/harness-models) chosen so that every layer kind and both io types appear.
//! Where the truth was checked: each test is a case of the bit-exact harness
//! (`scripts/hls4ml_reference.py`, run by tests/cli_codegen.rs), whose hls4ml 1.3.0 project has
//! the same text, except the `n_zeros` counts, which follow the weights (the harness seeds its
//! own; here they come from `--random-weights 1`, which has no zeros, so every `n_zeros` is 0).
//! `scripts/check_cpp_goldens.py` compares every snapshot with the harness's hls4ml project
//! (15/15 the same when written).
//! After an intended change run `INSTA_UPDATE=always cargo test --test golden_cpp` (or
//! `cargo insta review`) and read the diff of tests/snapshots/ before committing it.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_presynth");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Whether hls4ml's templates are there (the project copies nnet_utils/ from them); a missing
/// install fails under CI and skips loudly otherwise.
fn have_templates(test: &str) -> bool {
    let venv = Path::new(ROOT).join(".venv");
    if venv.exists() || std::env::var_os("PRESYNTH_HLS4ML_TEMPLATES").is_some() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "hls4ml is missing in CI (scripts/setup.sh installs it)"
    );
    eprintln!("SKIPPED {test}: no hls4ml (run scripts/setup-python.sh)");
    false
}

/// The calls and config structs of the project written for harness model `model` with `args`.
fn cpp(model: &str, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let prj = dir.path().join("p");
    let json = Path::new(ROOT).join(format!("tests/fixtures/harness-models/{model}.json"));
    let out = Command::new(BIN)
        .arg("codegen")
        .arg(&json)
        .arg("-o")
        .arg(&prj)
        .args(["--random-weights", "1", "--precision", "ap_fixed<16,6>"])
        .args(args)
        .output()
        .expect("run presynth");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |f: &str| std::fs::read_to_string(prj.join(f)).unwrap();
    let mut s = String::new();
    for line in read("firmware/myproject.cpp").lines() {
        let t = line.trim();
        if t.starts_with("nnet::") && !t.starts_with("nnet::load_weights") {
            s.push_str(t);
            s.push('\n');
        }
    }
    let mut inside = false;
    for line in read("firmware/parameters.h").lines() {
        if line.starts_with("struct ") {
            inside = true;
            s.push('\n');
        }
        if inside {
            s.push_str(line);
            s.push('\n');
        }
        if line == "};" {
            inside = false;
        }
    }
    s
}

macro_rules! golden {
    ($name:ident, $model:literal, [$($arg:expr),*]) => {
        #[test]
        fn $name() {
            if !have_templates(stringify!($name)) {
                return;
            }
            insta::assert_snapshot!(cpp($model, &[$($arg),*]));
        }
    };
}

// harness case pointwise2d__lat: PointwiseConv2D, Conv2D, Dense, ReLU, Softmax
golden!(pointwise2d_lat, "pointwise2d", ["--io-type", "io_parallel"]);
// harness case pointwise1d__stream: PointwiseConv1D and Conv1D in io_stream
golden!(
    pointwise1d_stream,
    "pointwise1d",
    ["--io-type", "io_stream"]
);
// harness case dense_positions__lat: a Dense over positions as a PointwiseConv1D
golden!(
    dense_positions_lat,
    "dense_positions",
    ["--io-type", "io_parallel"]
);
// harness case conv1d_same__stream: ZeroPadding1D inserted before same convs, stride 2
golden!(
    conv1d_same_stream,
    "conv1d_same",
    ["--io-type", "io_stream"]
);
// harness case conv2d_same_bn__stream: ZeroPadding2D inserted, BatchNormalization after a conv
golden!(
    conv2d_same_bn_stream,
    "conv2d_same_bn",
    ["--io-type", "io_stream"]
);
// harness case conv2d_bn__lat: Conv2D, BatchNormalization, AveragePooling2D
golden!(conv2d_bn_lat, "conv2d_bn", ["--io-type", "io_parallel"]);
// harness case conv1d_pool__res_rf4: Conv1D and MaxPooling1D, Resource strategy
golden!(
    conv1d_pool_res_rf4,
    "conv1d_pool",
    [
        "--io-type",
        "io_parallel",
        "--strategy",
        "Resource",
        "--reuse-factor",
        "4"
    ]
);
// harness case conv1d_gap__stream: GlobalAveragePooling1D, tanh
golden!(conv1d_gap_stream, "conv1d_gap", ["--io-type", "io_stream"]);
// harness case mlp_sep_act__lat: separate Activation, Dropout removed, LeakyReLU
golden!(mlp_sep_act_lat, "mlp_sep_act", ["--io-type", "io_parallel"]);
// harness case dense_bn__res_rf4: BatchNormalization on a flat input, Resource Dense
golden!(
    dense_bn_res_rf4,
    "dense_bn",
    [
        "--io-type",
        "io_parallel",
        "--strategy",
        "Resource",
        "--reuse-factor",
        "4"
    ]
);
// harness case branch_concat__stream: Clone for fan-out, Concatenate, sigmoid
golden!(
    branch_concat_stream,
    "branch_concat",
    ["--io-type", "io_stream"]
);
// harness case branch_add__lat: Add
golden!(branch_add_lat, "branch_add", ["--io-type", "io_parallel"]);
// harness case zeropad2d_up2d__stream: ZeroPadding2D and Resize (UpSampling2D) in io_stream
golden!(
    zeropad2d_up2d_stream,
    "zeropad2d_up2d",
    ["--io-type", "io_stream"]
);
// harness case seq1d_pad_crop_up__lat: ZeroPadding1D, Cropping1D, Resize (UpSampling1D)
golden!(
    seq1d_pad_crop_up_lat,
    "seq1d_pad_crop_up",
    ["--io-type", "io_parallel"]
);
// harness case crop2d__lat: Cropping2D
golden!(crop2d_lat, "crop2d", ["--io-type", "io_parallel"]);
