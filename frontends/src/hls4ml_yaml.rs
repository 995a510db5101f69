//! hls4ml config YAML (`hls4ml_config.yml` as hls4ml writes it): the project fields `Backend`,
//! `Part`, `ClockPeriod`, `IOType` and the `HLSConfig` section with `Model` (Precision as a
//! string or a dict with `default`/`weight`/`bias`/`result`/`accum`, ReuseFactor, Strategy),
//! `LayerType` and `LayerName` entries. A file that *is* an HLSConfig (top-level `Model` or
//! `LayerName`) is read the same way.
//!
//! Resolution follows hls4ml's `HLSConfig`: layer name over layer type over model-level
//! per-variable precision over the model default. The IR has one model default
//! ([`HlsConfig::precision`]), so model-level `weight`/`bias`/`result`/`accum` precisions are
//! applied to every layer first, then `LayerType`, then `LayerName` entries override them.
//! [`write_config`] writes the network's settings back in hls4ml's form.

use crate::error::{display, FrontendError};
use ir::graph::Network;
use ir::layer::{Activation, LayerKind};
use ir::settings::{HlsConfig, IoType, LayerSettings, Precision, Strategy};
use ir::types::FixedType;
use serde_yaml::{Mapping, Value};
use std::path::Path;

/// Keys of a layer (or Model) entry that hls4ml reads and the IR does not keep; accepted and
/// ignored so that real hls4ml configs load.
const IGNORED_ENTRY_KEYS: &[&str] = &[
    "Trace",
    "exp_table_t",
    "inv_table_t",
    "table_size",
    "ConvImplementation",
    "TargetCycles",
    "Compression",
    "BramFactor",
    "TraceOutput",
    "PipelineStyle",
    "PipelineInterval",
    "ParallelizationFactor",
    "accum_t",
    "Implementation",
    "skip",
];

/// Read and apply an hls4ml config file to a network.
pub fn apply_config(network: &mut Network, yaml_path: &Path) -> Result<(), FrontendError> {
    let text = std::fs::read_to_string(yaml_path).map_err(|e| FrontendError::io(yaml_path, e))?;
    apply_config_str(network, &text, &display(yaml_path))
}

fn yaml_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

fn key_str(file: &str, field: &str, k: &Value) -> Result<String, FrontendError> {
    match k {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(FrontendError::config(
            file,
            field,
            format!("keys must be names, found {}", yaml_type(other)),
        )),
    }
}

fn mapping<'a>(file: &str, field: &str, v: &'a Value) -> Result<&'a Mapping, FrontendError> {
    v.as_mapping()
        .ok_or_else(|| FrontendError::field(file, field, "a mapping", yaml_type(v)))
}

fn precision_value(file: &str, field: &str, v: &Value) -> Result<Option<FixedType>, FrontendError> {
    let s = v.as_str().ok_or_else(|| {
        FrontendError::field(file, field, "a type such as ap_fixed<16,6>", yaml_type(v))
    })?;
    if s.trim() == "auto" {
        return Ok(None);
    }
    s.parse::<FixedType>()
        .map(Some)
        .map_err(|e| FrontendError::config(file, field, e.to_string()))
}

fn positive_u32(file: &str, field: &str, v: &Value) -> Result<u32, FrontendError> {
    match v.as_u64() {
        Some(n) if n >= 1 && n <= u32::MAX as u64 => Ok(n as u32),
        _ => Err(FrontendError::field(
            file,
            field,
            "a positive integer",
            value_text(v),
        )),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => yaml_type(other).to_string(),
    }
}

/// The settings one YAML entry (Model, a LayerType or a LayerName entry) gives.
#[derive(Debug, Default)]
struct Entry {
    /// (variable, type): `default` included; `None` type means `auto`.
    precision: Vec<(String, Option<FixedType>)>,
    reuse_factor: Option<u32>,
    strategy: Option<Strategy>,
}

/// Softmax implementations hls4ml selects with a softmax layer's `Strategy`; the IR does not keep
/// them.
const SOFTMAX_STRATEGIES: &[&str] = &["stable", "argmax", "legacy"];

fn parse_entry(file: &str, field: &str, v: &Value) -> Result<Entry, FrontendError> {
    let m = mapping(file, field, v)?;
    let mut e = Entry::default();
    for (k, val) in m {
        let key = key_str(file, field, k)?;
        let f = format!("{field}.{key}");
        match key.as_str() {
            "Precision" => match val {
                Value::String(_) => e.precision.push(("default".into(), precision_value(file, &f, val)?)),
                Value::Mapping(pm) => {
                    for (pk, pv) in pm {
                        let var = key_str(file, &f, pk)?;
                        e.precision.push((var.clone(), precision_value(file, &format!("{f}.{var}"), pv)?));
                    }
                }
                other => return Err(FrontendError::field(file, f, "a type string or a mapping of types", yaml_type(other))),
            },
            "ReuseFactor" => e.reuse_factor = Some(positive_u32(file, &f, val)?),
            "Strategy" => {
                let s = val
                    .as_str()
                    .ok_or_else(|| FrontendError::field(file, &f, "Latency or Resource", value_text(val)))?;
                if SOFTMAX_STRATEGIES.contains(&s.to_ascii_lowercase().as_str()) {
                    continue;
                }
                e.strategy = Some(s.parse::<Strategy>().map_err(|m| FrontendError::config(file, &f, m))?);
            }
            k if IGNORED_ENTRY_KEYS.contains(&k) => {}
            other => {
                return Err(FrontendError::config(
                    file,
                    f.clone(),
                    format!("unknown key '{other}' (expected Precision, ReuseFactor, Strategy or one of {})", IGNORED_ENTRY_KEYS.join(", ")),
                ))
            }
        }
    }
    Ok(e)
}

/// Put an entry's per-variable precision into a layer's overrides.
fn apply_precision(
    file: &str,
    field: &str,
    p: &mut Precision,
    var: &str,
    t: &Option<FixedType>,
) -> Result<(), FrontendError> {
    let slot = match var {
        "weight" => &mut p.weight,
        "bias" => &mut p.bias,
        "result" => &mut p.result,
        "accum" => &mut p.accum,
        "scale" => &mut p.scale,
        "default" => {
            // A layer-level default sets every variable of the layer.
            for s in [
                &mut p.weight,
                &mut p.bias,
                &mut p.result,
                &mut p.accum,
                &mut p.scale,
            ] {
                if t.is_some() {
                    *s = t.clone();
                }
            }
            return Ok(());
        }
        // Internal types of particular layers (softmax tables, ...) that the IR does not keep.
        "exp_table" | "inv_table" | "table" | "maximum" | "inv_inp" | "exp_inp" => return Ok(()),
        other => return Err(FrontendError::config(
            file,
            format!("{field}.Precision.{other}"),
            "unknown precision variable (expected default, weight, bias, result, accum or scale)",
        )),
    };
    if t.is_some() {
        *slot = t.clone();
    }
    Ok(())
}

fn apply_entry(
    file: &str,
    field: &str,
    s: &mut LayerSettings,
    e: &Entry,
) -> Result<(), FrontendError> {
    for (var, t) in &e.precision {
        apply_precision(file, field, &mut s.precision, var, t)?;
    }
    if let Some(r) = e.reuse_factor {
        s.reuse_factor = Some(r);
    }
    if let Some(st) = e.strategy {
        s.strategy = Some(st);
    }
    Ok(())
}

/// Whether `name` is the name hls4ml gives the activation it splits off a Dense/Conv layer
/// with a fused activation (`{layer}_{activation}`); such entries have no separate IR layer.
fn is_split_activation(net: &Network, name: &str) -> bool {
    net.layers().iter().any(|l| {
        l.kind.takes_activation()
            && !l.activation.is_linear()
            && name == format!("{}_{}", l.name, l.activation.name())
    })
}

/// Apply config text (`file` names it in errors).
pub fn apply_config_str(
    network: &mut Network,
    text: &str,
    file: &str,
) -> Result<(), FrontendError> {
    let doc: Value = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        FrontendError::Syntax {
            file: file.to_string(),
            line,
            column,
            message: format!("invalid YAML: {e}"),
        }
    })?;
    let top = mapping(file, "the document", &doc)?;
    let get = |m: &Mapping, k: &str| m.get(Value::String(k.to_string())).cloned();
    let cfg = &mut network.config;
    if let Some(v) = get(top, "Backend") {
        cfg.backend = v
            .as_str()
            .ok_or_else(|| {
                FrontendError::field(
                    file,
                    "Backend",
                    "a backend name such as Vitis",
                    value_text(&v),
                )
            })?
            .to_string();
    }
    if let Some(v) = get(top, "Part") {
        cfg.part = v
            .as_str()
            .ok_or_else(|| FrontendError::field(file, "Part", "an FPGA part name", value_text(&v)))?
            .to_string();
    }
    if let Some(v) = get(top, "ClockPeriod") {
        let p = v
            .as_f64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .filter(|p| *p > 0.0 && p.is_finite())
            .ok_or_else(|| {
                FrontendError::field(
                    file,
                    "ClockPeriod",
                    "a positive number of nanoseconds",
                    value_text(&v),
                )
            })?;
        cfg.clock_period_ns = p;
    }
    if let Some(v) = get(top, "IOType") {
        let s = v.as_str().ok_or_else(|| {
            FrontendError::field(file, "IOType", "io_parallel or io_stream", value_text(&v))
        })?;
        cfg.io_type = s
            .parse::<IoType>()
            .map_err(|m| FrontendError::config(file, "IOType", m))?;
    }
    let (hls, prefix) = match get(top, "HLSConfig") {
        Some(h) => (h, "HLSConfig."),
        None if get(top, "Model").is_some()
            || get(top, "LayerName").is_some()
            || get(top, "LayerType").is_some() =>
        {
            (doc.clone(), "")
        }
        None => return Ok(()),
    };
    let hls = mapping(file, "HLSConfig", &hls)?.clone();

    let mut per_layer_vars: Vec<(String, Option<FixedType>)> = Vec::new();
    if let Some(m) = get(&hls, "Model") {
        let field = format!("{prefix}Model");
        let e = parse_entry(file, &field, &m)?;
        for (var, t) in e.precision {
            match (var.as_str(), t) {
                ("default", Some(t)) => network.config.precision = t,
                ("default", None) => {
                    return Err(FrontendError::config(
                        file,
                        format!("{field}.Precision"),
                        "the model default cannot be 'auto'",
                    ))
                }
                (_, t) => per_layer_vars.push((var, t)),
            }
        }
        if let Some(r) = e.reuse_factor {
            network.config.reuse_factor = r;
        }
        if let Some(s) = e.strategy {
            network.config.strategy = s;
        }
    }
    let ids = network
        .topo_order()
        .map_err(|e| FrontendError::ir(file, e))?;
    for &id in &ids {
        let l = network.layer_mut(id);
        for (var, t) in &per_layer_vars {
            apply_precision(
                file,
                &format!("{prefix}Model"),
                &mut l.settings.precision,
                var,
                t,
            )?;
        }
    }
    if let Some(lt) = get(&hls, "LayerType") {
        let field = format!("{prefix}LayerType");
        for (k, v) in mapping(file, &field, &lt)? {
            let ty = key_str(file, &field, k)?;
            let f = format!("{field}.{ty}");
            let e = parse_entry(file, &f, v)?;
            for &id in &ids {
                let l = network.layer_mut(id);
                if hls4ml_class_matches(&ty, &l.kind) {
                    apply_entry(file, &f, &mut l.settings, &e)?;
                }
            }
        }
    }
    if let Some(ln) = get(&hls, "LayerName") {
        let field = format!("{prefix}LayerName");
        for (k, v) in mapping(file, &field, &ln)? {
            let name = key_str(file, &field, k)?;
            let f = format!("{field}.{name}");
            let e = parse_entry(file, &f, v)?;
            match network.find(&name) {
                Some(id) => apply_entry(file, &f, &mut network.layer_mut(id).settings, &e)?,
                None if is_split_activation(network, &name) => {}
                None => {
                    let known: Vec<String> =
                        network.layers().iter().map(|l| l.name.clone()).collect();
                    return Err(FrontendError::config(
                        file,
                        f,
                        format!(
                            "no layer named '{name}' in network '{}' (layers: {})",
                            network.name,
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Whether an hls4ml `LayerType` key names this layer's kind (hls4ml's class names: `Dense`,
/// `Conv2D`, `Pooling2D`, `Activation`, `Softmax`, `BatchNormalization`, ...; QKeras names such
/// as `QDense` too).
fn hls4ml_class_matches(ty: &str, kind: &LayerKind) -> bool {
    let ty = ty.to_ascii_lowercase();
    // QKeras class names (QDense, QConv2D, QActivation, ...) name the same IR kinds.
    let ty = match ty.strip_prefix('q') {
        Some(rest) if !rest.is_empty() && !ty.starts_with("qu") => rest.to_string(),
        _ => ty,
    };
    let name = kind.name().to_ascii_lowercase();
    match kind {
        LayerKind::Activation(a) => match a {
            Activation::Softmax => ty == "softmax" || ty == "activation",
            Activation::LeakyRelu { .. } => ty == "leakyrelu" || ty == "activation",
            Activation::Linear | Activation::Relu | Activation::Sigmoid | Activation::Tanh => {
                ty == "activation"
            }
        },
        LayerKind::Pool1D(_) => ty == "pooling1d" || ty == name,
        LayerKind::Pool2D(_) => ty == "pooling2d" || ty == name,
        LayerKind::GlobalPool1D(_) => ty == "globalpooling1d" || ty == name,
        LayerKind::GlobalPool2D(_) => ty == "globalpooling2d" || ty == name,
        LayerKind::Add | LayerKind::Concatenate(_) => ty == "merge" || ty == name,
        LayerKind::Input(_) => ty == "input" || ty == "inputlayer",
        // hls4ml converts Keras's UpSampling1D/2D to its Resize layer
        LayerKind::UpSampling1D(_) | LayerKind::UpSampling2D(_) => ty == "resize" || ty == name,
        LayerKind::Dense(_)
        | LayerKind::Conv1D(_)
        | LayerKind::Conv2D(_)
        | LayerKind::BatchNorm(_)
        | LayerKind::Reshape(_)
        | LayerKind::Dropout(_)
        | LayerKind::ZeroPadding1D(_)
        | LayerKind::ZeroPadding2D(_)
        | LayerKind::Cropping1D(_)
        | LayerKind::Cropping2D(_)
        | LayerKind::Flatten => ty == name,
    }
}

/// Write the network's settings as an hls4ml config YAML (project fields, `HLSConfig.Model`,
/// and a `LayerName` entry for every layer with overrides).
pub fn write_config(network: &Network) -> String {
    fn s(v: impl Into<String>) -> Value {
        Value::String(v.into())
    }
    let cfg: &HlsConfig = &network.config;
    let mut top = Mapping::new();
    top.insert(s("Backend"), s(cfg.backend.clone()));
    top.insert(s("Part"), s(cfg.part.clone()));
    top.insert(
        s("ClockPeriod"),
        serde_yaml::to_value(cfg.clock_period_ns).unwrap_or(Value::Null),
    );
    top.insert(s("IOType"), s(cfg.io_type.to_string()));
    let mut model = Mapping::new();
    model.insert(s("Precision"), s(cfg.precision.to_string()));
    model.insert(s("ReuseFactor"), Value::from(cfg.reuse_factor));
    model.insert(s("Strategy"), s(cfg.strategy.to_string()));
    let mut names = Mapping::new();
    for l in network.layers() {
        let st = &l.settings;
        let mut e = Mapping::new();
        let mut p = Mapping::new();
        let p_src = &st.precision;
        for (k, v) in [
            ("weight", &p_src.weight),
            ("bias", &p_src.bias),
            ("result", &p_src.result),
            ("accum", &p_src.accum),
            ("scale", &p_src.scale),
        ] {
            if let Some(t) = v {
                p.insert(s(k), s(t.to_string()));
            }
        }
        if !p.is_empty() {
            e.insert(s("Precision"), Value::Mapping(p));
        }
        if let Some(r) = st.reuse_factor {
            e.insert(s("ReuseFactor"), Value::from(r));
        }
        if let Some(x) = st.strategy {
            e.insert(s("Strategy"), s(x.to_string()));
        }
        if !e.is_empty() {
            names.insert(s(l.name.clone()), Value::Mapping(e));
        }
    }
    let mut hls = Mapping::new();
    hls.insert(s("Model"), Value::Mapping(model));
    if !names.is_empty() {
        hls.insert(s("LayerName"), Value::Mapping(names));
    }
    top.insert(s("HLSConfig"), Value::Mapping(hls));
    serde_yaml::to_string(&Value::Mapping(top)).unwrap_or_default()
}
