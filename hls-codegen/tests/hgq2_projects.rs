//! presynth's projects of HGQ2 (hgq2 0.1.6) Dense chains against hls4ml 1.3.0's own: the golden
//! projects tests/fixtures/hgq2/{qdense,qdense2,qdense_homog,qdense_oq} (written by
//! scripts/hgq2_hls4ml_reference.py with hls4ml 1.3.0 and Keras 3.12.0, the last two under
//! 3.15.1, as each meta.json records; Vitis, io_parallel, `fixed<16,6>`, RF 1, BitExact at its
//! default: on). Each model.keras is read and written as `presynth codegen` writes it; the
//! project is compiled with g++ against scripts/hls4ml_reference.py's driver (`HARNESS_TB`, the
//! one hls4ml.out.txt was made with: every output element printed as the exact double of its
//! ap_fixed value) and run on the fixture's inputs.txt. Required: the outputs equal
//! hls4ml.out.txt as text (bit-exact), and the firmware equals hls4ml's: defines.h,
//! parameters.h, myproject.cpp, every weights/ file and the generated part of
//! nnet_code_gen.h (the quantizers' per-element functions).

use hls_codegen::{emit, EmitOptions, Templates};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// hls4ml's templates (nnet_utils, ap_types) from the project's venv; in CI a missing venv or
/// g++ is an error, elsewhere the test says why it is skipped.
fn templates_and_gxx(test: &str) -> Option<Templates> {
    let ci = std::env::var_os("CI").is_some();
    let t = match Templates::discover(None) {
        Ok(t) => t,
        Err(e) => {
            assert!(!ci, "{test}: no hls4ml templates in CI: {e}");
            eprintln!("SKIPPED {test}: {e}");
            return None;
        }
    };
    if Command::new("g++").arg("--version").output().is_err() {
        assert!(!ci, "{test}: g++ is missing in CI");
        eprintln!("SKIPPED {test}: no g++");
        return None;
    }
    Some(t)
}

/// scripts/hls4ml_reference.py's C++ driver, `HARNESS_TB`.
fn harness_tb() -> String {
    let py = read(&root().join("scripts/hls4ml_reference.py"));
    let start = py
        .find("HARNESS_TB = r\"\"\"")
        .expect("HARNESS_TB in the script")
        + 17;
    let end = start + py[start..].find("\"\"\"").expect("end of HARNESS_TB");
    py[start..end].to_string()
}

/// nnet_code_gen.h from `// hls4ml insert code` on (what hls4ml generates).
fn generated_part(text: &str) -> &str {
    &text[text.find("// hls4ml insert code").expect("insert marker")..]
}

/// Write the case's project, compare its firmware with hls4ml's and its C simulation with
/// hls4ml's output.
fn check(case: &str) {
    let test = format!("hgq2 {case}");
    let Some(templates) = templates_and_gxx(&test) else {
        return;
    };
    let dir = root().join("tests/fixtures/hgq2").join(case);
    let meta: serde_json::Value = serde_json::from_str(&read(&dir.join("meta.json"))).unwrap();
    let net = frontends::load_model(&dir.join("model.keras"), None, None).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let prj = tmp.path().join("prj");
    emit(&net, &prj, &templates, &EmitOptions::default(), None)
        .unwrap_or_else(|e| panic!("{case}: {e}"));

    // the firmware, file by file
    let gold = dir.join("firmware");
    let ours = prj.join("firmware");
    for f in ["defines.h", "parameters.h", "myproject.cpp"] {
        assert_eq!(
            read(&ours.join(f)),
            read(&gold.join(f)),
            "{case}: firmware/{f} differs from hls4ml's"
        );
    }
    let mut weights: Vec<_> = std::fs::read_dir(gold.join("weights"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    weights.sort();
    assert!(!weights.is_empty());
    for w in &weights {
        let rel = Path::new("weights").join(w);
        assert_eq!(
            read(&ours.join(&rel)),
            read(&gold.join(&rel)),
            "{case}: firmware/{} differs from hls4ml's",
            rel.display()
        );
    }
    assert_eq!(
        generated_part(&read(&ours.join("nnet_utils/nnet_code_gen.h"))),
        read(&gold.join("nnet_code_gen.generated.h")),
        "{case}: the generated part of nnet_code_gen.h differs from hls4ml's"
    );

    // C simulation, bit-exact
    let tb = tmp.path().join("harness_tb.cpp");
    std::fs::write(&tb, harness_tb()).unwrap();
    let exe = tmp.path().join("harness_tb");
    let status = Command::new("g++")
        .args(["-std=c++11", "-O1", "-w"])
        .arg(format!("-I{}", ours.join("ap_types").display()))
        .arg(format!("-I{}", ours.display()))
        .arg(format!("-I{}", prj.display()))
        .arg(format!(
            "-DWEIGHTS_DIR=\"{}\"",
            ours.join("weights").display()
        ))
        .arg("-DPROJECT_HEADER=\"firmware/myproject.h\"")
        .arg("-DPROJECT=myproject")
        .arg(format!("-DNIN={}", meta["n_in"]))
        .arg(format!("-DNOUT={}", meta["n_out"]))
        // hls4ml's bit-exact flow names the input type after the input layer
        .arg(format!("-Dinput_t={}_t", net.layer(net.inputs[0]).name))
        .arg("-Dresult_t=result_t")
        .arg(ours.join("myproject.cpp"))
        .arg(&tb)
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(status.success(), "{case}: g++ failed");
    let run = Command::new(&exe)
        .arg(dir.join("inputs.txt"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{case}: the driver failed");
    let got = String::from_utf8(run.stdout).unwrap();
    let want = read(&dir.join("hls4ml.out.txt"));
    assert_eq!(
        got.lines().count(),
        meta["n_samples"].as_u64().unwrap() as usize
    );
    for (k, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(
            g, w,
            "{case}: sample {k} differs from hls4ml's C simulation"
        );
    }
    assert_eq!(got, want, "{case}: output differs from hls4ml's");
}

/// One QDense 6 -> 4 with a heterogeneous input quantizer.
#[test]
fn one_qdense_is_bit_exact_with_hls4mls_project() {
    check("qdense");
}

/// QDense 6 -> 8 relu -> QDense 8 -> 4, heterogeneous input quantizers on both.
#[test]
fn qdense_relu_qdense_is_bit_exact_with_hls4mls_project() {
    check("qdense2");
}

/// The same chain with homogeneous datalane quantizers: hls4ml folds each into the type before
/// it (`ap_fixed<9,5,AP_RND,AP_WRAP,0> x_t`, `ap_fixed<6,5,AP_RND,AP_WRAP,0> d1_relu_t`) and
/// generates no function.
#[test]
fn homogeneous_quantizers_fold_into_types_as_hls4ml_does() {
    check("qdense_homog");
}

/// An output quantizer (`enable_oq`) on the first QDense: hls4ml's `d1_oq` node after the relu
/// split off it (index 5), then `d2_iq` reading it (two quantizers in a row).
#[test]
fn an_output_quantizer_follows_the_split_activation_as_in_hls4ml() {
    check("qdense_oq");
}

/// The encoder block (QDense over positions -> QMultiHeadAttention -> QAdd -> QEinsumDense FFN
/// -> QAdd -> QGlobalAveragePooling1D -> QDense -> QSoftmax): the attention as hls4ml's HGQ2
/// converter decomposes it (quantizer nodes per sub-layer, the scaling in the softmax's
/// `exp_scale`), the adds' per-input quantizers, the QDense over positions as one batched
/// Dense (`BatchedDenseForConv1D`, HGQ2's parallelization factor).
#[test]
fn encoder_block_is_bit_exact_with_hls4mls_project() {
    check("encoder_noln");
}
