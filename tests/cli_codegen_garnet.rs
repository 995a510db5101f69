//! `presynth codegen` of hls4ml's contrib GarNet and GarNetStack layers against the projects
//! hls4ml 1.3.0 itself wrote for the same models (tests/fixtures/garnet-hls4ml/, see its
//! README): every firmware text file and weight file identical. The C-simulation comparison
//! of these and more GarNet cases (name-granularity configs, ReuseFactor 2, ternary
//! `quantize_transforms`, no collapse) is the QKeras harness's (tests/cli_codegen_qkeras.rs).

mod common;

use common::{have_hls4ml, root, BIN};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(rel: &str) -> PathBuf {
    root().join(rel)
}

/// The files under `dir` (relative paths, sorted).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn same_as_hls4ml(name: &str, model_file: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("prj");
    let model = repo(&format!("frontends/tests/fixtures/garnet/{model_file}"));
    let r = Command::new(BIN)
        .args([
            "codegen",
            model.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .args([
            "--backend",
            "Vitis",
            "--io-type",
            "io_parallel",
            "--strategy",
            "Latency",
        ])
        .args(["--reuse-factor", "1", "--precision", "ap_fixed<16,6>"])
        .output()
        .expect("run presynth");
    assert!(
        r.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    let want_dir = repo(&format!("tests/fixtures/garnet-hls4ml/{name}"));
    let want = files(&want_dir);
    let weights: Vec<PathBuf> = files(&out.join("firmware/weights"))
        .into_iter()
        .map(|p| Path::new("weights").join(p))
        .collect();
    let have_weights: Vec<&PathBuf> = want.iter().filter(|p| p.starts_with("weights")).collect();
    assert_eq!(
        weights.iter().collect::<Vec<_>>(),
        have_weights,
        "{name}: weight files"
    );
    for rel in &want {
        let a = std::fs::read_to_string(want_dir.join(rel)).unwrap();
        let b = std::fs::read_to_string(out.join("firmware").join(rel))
            .unwrap_or_else(|e| panic!("{name}: {}: {e}", rel.display()));
        if a != b {
            let (i, (x, y)) = a
                .lines()
                .zip(b.lines())
                .enumerate()
                .find(|(_, (x, y))| x != y)
                .unwrap_or((a.lines().count().min(b.lines().count()), ("<end>", "<end>")));
            panic!(
                "{name}: {} differs from hls4ml's at line {}:\n  hls4ml:   {x}\n  presynth: {y}",
                rel.display(),
                i + 1
            );
        }
    }
}

#[test]
fn garnet_mean_is_hls4mls_project() {
    if have_hls4ml("garnet_mean_is_hls4mls_project") {
        // JSON + weights: the vertex count's uint16 InputLayer is `integer_input_t` with its
        // dtype declared as `n_precision`
        same_as_hls4ml("garnet_mean", "garnet_mean.json");
    }
}

#[test]
fn garnet_stack_is_hls4mls_project() {
    if have_hls4ml("garnet_stack_is_hls4mls_project") {
        same_as_hls4ml("garnet_stack", "garnet_stack.h5");
    }
}

#[test]
fn what_hls4ml_cannot_build_is_refused_naming_the_reason() {
    if !have_hls4ml("what_hls4ml_cannot_build_is_refused_naming_the_reason") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let model = repo("frontends/tests/fixtures/garnet/garnet_mean.h5");
    let run = |extra: &[&str]| {
        Command::new(BIN)
            .args(["codegen", model.to_str().unwrap(), "-o"])
            .arg(tmp.path().join("p"))
            .args(extra)
            .output()
            .expect("run presynth")
    };
    // io_stream: nnet_garnet.h has no stream version
    let r = run(&["--io-type", "io_stream"]);
    let e = String::from_utf8_lossy(&r.stderr);
    assert!(
        !r.status.success() && e.contains("gar_1") && e.contains("io_stream"),
        "{e}"
    );
    // ReuseFactor 3 does not divide the 16 vertices: hls4ml's GarNet.initialize raises
    let r = run(&["--reuse-factor", "3"]);
    let e = String::from_utf8_lossy(&r.stderr);
    assert!(
        !r.status.success() && e.contains("gar_1") && e.contains("does not divide the 16 vertices"),
        "{e}"
    );
}
