//! `auto` precisions inferred as hls4ml 1.3.0 infers them (lowering pass
//! `infer_precision_types`), against the types hls4ml itself wrote: the hls4ml projects in
//! tests/fixtures/hls4ml-configs/projects (made by scripts/make_hls4ml_configs.py with a
//! `granularity='name'` config, every Dense/Conv1D accum/result `auto`) carry hls4ml's inferred
//! types in firmware/defines.h (`typedef ap_fixed<37,17> fc1_relu_accum_t;`). The lowered graph
//! (used by codegen) and the estimate report (what the estimator priced) must give the same.

use estimator::report::EstimateReport;
use estimator::{Calibration, Device};
use ir::FixedType;
use std::collections::HashMap;
use std::path::PathBuf;

fn project(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/hls4ml-configs/projects/{name}"))
}

/// `typedef <type> <name>;` lines of a defines.h.
fn typedefs(dir: &std::path::Path) -> HashMap<String, FixedType> {
    let text = std::fs::read_to_string(dir.join("firmware/defines.h")).unwrap();
    text.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("typedef ")?.strip_suffix(';')?;
            let (ty, name) = rest.rsplit_once(' ')?;
            Some((name.to_string(), ty.parse().ok()?))
        })
        .collect()
}

#[test]
fn inferred_types_are_hls4mls() {
    for (model, layers) in [("KERAS_3layer", 4), ("KERAS_conv1d_small", 5)] {
        let dir = project(model);
        let hls = typedefs(&dir);
        let net = frontends::load_model(&dir, None, None).unwrap();
        let g = lower::lower(&net).unwrap();
        let device = Device::lookup(&net.config.part).unwrap();
        let report =
            EstimateReport::estimate_analytic(&net, &device, &Calibration::builtin()).unwrap();
        let mut checked = 0;
        for n in &g.nodes {
            let (Some(accum), Some(result)) = (
                hls.get(&format!("{}_accum_t", n.name)),
                hls.get(&format!("{}_result_t", n.name)),
            ) else {
                continue;
            };
            if matches!(n.op, lower::Op::Activation { .. }) {
                // a softmax's accum type is its table's, not inferred
                continue;
            }
            assert!(
                n.settings.auto.accum && n.settings.auto.result,
                "{model} {}",
                n.name
            );
            assert_eq!(
                n.settings.precision.accum.as_ref(),
                Some(accum),
                "{model} {} accum",
                n.name
            );
            assert_eq!(&n.precision, result, "{model} {} result", n.name);
            let row = report.layers.iter().find(|r| r.name == n.name).unwrap();
            assert_eq!(
                row.precision.accum,
                accum.to_string(),
                "{model} {} report accum",
                n.name
            );
            assert_eq!(
                row.precision.result,
                result.to_string(),
                "{model} {} report result",
                n.name
            );
            checked += 1;
        }
        assert_eq!(checked, layers, "{model}: every Dense/Conv compared");
    }
}

/// Codegen writes hls4ml's types under hls4ml's names: every `typedef` of defines.h is the one
/// hls4ml wrote for the same model and name-granularity config (the example model's JSON +
/// weights and the config of the fixture project).
#[test]
fn codegen_typedefs_are_hls4mls() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for model in ["KERAS_3layer", "KERAS_conv1d_small"] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("prj");
        let st = std::process::Command::new(env!("CARGO_BIN_EXE_presynth"))
            .arg("codegen")
            .arg(root.join(format!("examples/hls4ml-examples/keras/{model}.json")))
            .arg("--config")
            .arg(project(model).join("hls4ml_config.yml"))
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{model}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
        let lines = |dir: &std::path::Path| -> Vec<String> {
            std::fs::read_to_string(dir.join("firmware/defines.h"))
                .unwrap()
                .lines()
                .filter(|l| l.starts_with("typedef "))
                .map(str::to_string)
                .collect()
        };
        let hls = lines(&project(model));
        assert!(hls.iter().any(|l| l.contains("_accum_t")), "{model}");
        assert_eq!(lines(&out), hls, "{model}");
    }
}
