//! The check shared by the bit-exact project tests (hgq2_projects.rs, hgq1_projects.rs): a
//! golden hls4ml 1.3.0 project under tests/fixtures/<family>/<case> (firmware/ as hls4ml wrote
//! it, inputs.txt, hls4ml.out.txt from scripts/hls4ml_reference.py's driver `HARNESS_TB`,
//! meta.json with n_in, n_out, n_samples) against presynth's project of its model.keras:
//! firmware text file by file, then g++ C simulation compared with hls4ml.out.txt as text.

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

/// The input and output types of `myproject()` in the project's myproject.h (hls4ml names them
/// after the tensors: `x_t`, `input_1_t`, `result_t`), as scripts/hgq1_hls4ml_reference.py reads
/// them for its driver.
fn io_types(prj: &Path) -> (String, String) {
    let text = read(&prj.join("firmware/myproject.h"));
    let sig = &text[text
        .find("void myproject(")
        .expect("myproject() in myproject.h")..];
    let params = &sig[sig.find('(').unwrap() + 1..sig.find(')').unwrap()];
    let mut types = params
        .split(',')
        .map(|p| p.split_whitespace().next().unwrap_or_default().to_string());
    (types.next().unwrap(), types.next().unwrap())
}

/// Write the project of tests/fixtures/`family`/`case`, compare its firmware with hls4ml's and
/// its C simulation with hls4ml's output.
pub fn check(family: &str, case: &str) {
    let test = format!("{family} {case}");
    let Some(templates) = templates_and_gxx(&test) else {
        return;
    };
    let dir = root().join("tests/fixtures").join(family).join(case);
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
    let (input_t, result_t) = io_types(&prj);
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
        .arg(format!("-Dinput_t={input_t}"))
        .arg(format!("-Dresult_t={result_t}"))
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
