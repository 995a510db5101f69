//! Project scripts and configuration: project.tcl (as `write_build_script` plus the Vitis
//! override), build_lib.sh (the template with the project name and library stamp), and
//! hls4ml_config.yml (the configuration hls4ml dumps, with presynth's values).

use crate::model::{Backend, HlsModel};
use crate::templates::Templates;
use ir::Strategy;
use std::path::Path;

/// Python's printing of the clock period (`5` for an integral value, else `4.5`).
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

pub fn project_tcl(m: &HlsModel) -> String {
    let backend = match m.backend {
        Backend::Vivado => "vivado",
        Backend::Vitis => "vitis",
    };
    format!(
        "variable project_name\nset project_name \"{}\"\nvariable backend\nset backend \"{backend}\"\nvariable part\nset part \"{}\"\nvariable clock_period\nset clock_period {}\nvariable clock_uncertainty\nset clock_uncertainty {}\nvariable version\nset version \"1.0.0\"\nvariable maximum_size\nset maximum_size 4096\n",
        m.project_name,
        m.part,
        number(m.clock_period),
        m.clock_uncertainty
    )
}

pub fn build_lib_sh(m: &HlsModel, t: &Templates, stamp: &str) -> String {
    t.build_lib_sh
        .split_inclusive('\n')
        .map(|l| {
            l.replace("myproject", &m.project_name)
                .replace("mystamp", stamp)
        })
        .collect()
}

fn yaml_str(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./<>,%".contains(c))
        && !s.starts_with(['-', '.', '<', '%'])
        && s.parse::<f64>().is_err()
        && !matches!(s, "null" | "true" | "false" | "yes" | "no");
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

fn strategy(s: Strategy) -> &'static str {
    match s {
        Strategy::Latency => "Latency",
        Strategy::Resource => "Resource",
    }
}

/// The hls4ml_config.yml hls4ml would dump for this conversion (keys sorted like PyYAML).
pub fn hls4ml_config_yml(
    m: &HlsModel,
    out_dir: &Path,
    keras_model: Option<&str>,
    stamp: &str,
) -> String {
    let prec = crate::precision::cpp(&m.default_precision);
    let prec = prec.strip_prefix("ap_").unwrap_or(&prec).to_string();
    let mut s = String::new();
    s.push_str(&format!("Backend: {}\n", m.backend.name()));
    s.push_str(&format!("ClockPeriod: {}\n", number(m.clock_period)));
    s.push_str(&format!(
        "ClockUncertainty: {}\n",
        yaml_str(&m.clock_uncertainty)
    ));
    s.push_str("HLSConfig:\n");
    if !m.layer_overrides.is_empty() {
        s.push_str("  LayerName:\n");
        for (name, rf, st, p) in &m.layer_overrides {
            s.push_str(&format!("    {}:\n", yaml_str(name)));
            if let Some(p) = p {
                let c = crate::precision::cpp(p);
                s.push_str(&format!(
                    "      Precision:\n        result: {}\n",
                    yaml_str(c.strip_prefix("ap_").unwrap_or(&c))
                ));
            }
            if let Some(rf) = rf {
                s.push_str(&format!("      ReuseFactor: {rf}\n"));
            }
            if let Some(st) = st {
                s.push_str(&format!("      Strategy: {}\n", strategy(*st)));
            }
        }
    }
    s.push_str("  Model:\n    BitExact: null\n    BramFactor: 1000000000\n    Precision:\n");
    s.push_str(&format!("      default: {}\n", yaml_str(&prec)));
    s.push_str(&format!("    ReuseFactor: {}\n", m.model_reuse_factor));
    s.push_str(&format!("    Strategy: {}\n", strategy(m.model_strategy)));
    s.push_str("    TraceOutput: false\n");
    s.push_str(&format!("IOType: {}\n", m.io_type_name()));
    s.push_str("InputData: null\nInputShapes:\n");
    for &v in &m.inputs {
        let var = m.var(v);
        s.push_str(&format!("  {}:\n", yaml_str(&var.name)));
        for d in &var.shape {
            s.push_str(&format!("  - {d}\n"));
        }
    }
    match keras_model {
        Some(p) => s.push_str(&format!("KerasModel: !keras_model {}\n", yaml_str(p))),
        None => s.push_str("KerasModel: null\n"),
    }
    s.push_str(&format!(
        "OutputDir: {}\n",
        yaml_str(&out_dir.to_string_lossy())
    ));
    s.push_str("OutputPredictions: null\nOutputShapes:\n");
    for &v in &m.outputs {
        let var = m.var(v);
        s.push_str(&format!("  {}:\n", yaml_str(&var.name)));
        for d in &var.shape {
            s.push_str(&format!("  - {d}\n"));
        }
    }
    s.push_str(&format!("Part: {}\n", yaml_str(&m.part)));
    s.push_str(&format!("ProjectName: {}\n", yaml_str(&m.project_name)));
    s.push_str(&format!("Stamp: {}\n", yaml_str(stamp)));
    s.push_str("Version: 1.0.0\n");
    s.push_str("WriterConfig:\n  Namespace: null\n  TBOutputStream: both\n  WriteEmulationConstants: false\n  WriteTar: false\n  WriteWeightsTxt: true\n");
    s
}
