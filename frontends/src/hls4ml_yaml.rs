//! hls4ml config YAML (`hls4ml_config.yml` as hls4ml 1.3.0 writes it, and the dictionaries of
//! `config_from_keras_model` / `config_from_onnx_model` at granularity model, type and name):
//! the project fields `Backend`, `Part`, `ClockPeriod`, `IOType`, the model file it names
//! (`KerasModel`, `KerasJson`/`KerasH5`, `OnnxModel`: [`ModelRef`]) and the `HLSConfig` section
//! with `Model` (Precision as a string or a dict with `default`/`weight`/`bias`/`result`/`accum`,
//! ReuseFactor, Strategy), `LayerType` and `LayerName` entries. A file that *is* an HLSConfig
//! (top-level `Model` or `LayerName`) is read the same way. Every other key hls4ml knows is
//! accepted and listed in the [`ConfigReport`] (see [`crate::hls4ml_keys`]); a key one
//! or two edits from a known one is refused with "did you mean".
//!
//! Resolution follows hls4ml's `HLSConfig`: layer name over layer type over model-level
//! per-variable precision over the model default. The IR has one model default
//! ([`HlsConfig::precision`]), so model-level `weight`/`bias`/`result`/`accum` precisions are
//! applied to every layer first, then `LayerType`, then `LayerName` entries override them.
//! `auto` marks the variable in [`ir::AutoPrecision`]: the lowering infers it as hls4ml's
//! `infer_precision_types` does (a weight/bias keeps a quantizer-given type); a Dense/Conv whose
//! `auto` result feeds a BatchNormalization gets a note (`AutoResult`: hls4ml folds it, presynth
//! does not yet). [`write_config`] writes the
//! network's settings back in hls4ml's form.

use crate::error::{display, FrontendError};
use crate::hls4ml_keys::{self as keys, classify, KeyClass};
use crate::hls4ml_onnx_names::OnnxAlias;
use ir::graph::Network;
use ir::layer::{Activation, LayerKind};
use ir::settings::{HlsConfig, IoType, LayerSettings, Strategy};
use ir::types::FixedType;
use serde_yaml::{Mapping, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What reading a config found besides the settings it applied: keys presynth accepted without
/// using them, settings mapped onto the nearest thing presynth models, and the model file named.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigReport {
    /// Field paths of keys hls4ml knows that presynth does not use (`ClockUncertainty`,
    /// `HLSConfig.LayerName.fc1.TableSize`, ...).
    pub unused: Vec<String>,
    /// Field paths of keys neither hls4ml 1.3.0 nor presynth knows (accepted, ignored).
    pub unknown: Vec<String>,
    /// Settings presynth maps or cannot model (`Strategy: resource_unrolled` read as Resource, ...).
    pub notes: Vec<String>,
    /// The model file the config names, as written.
    pub model: Option<ModelRef>,
}

impl ConfigReport {
    /// Append another report's lists (a project's loader adds its own notes).
    pub fn extend(&mut self, other: ConfigReport) {
        self.unused.extend(other.unused);
        self.unknown.extend(other.unknown);
        self.notes.extend(other.notes);
        if self.model.is_none() {
            self.model = other.model;
        }
    }
}

/// A model file named by a project config, as written there (hls4ml writes absolute paths of
/// the machine that made the project; [`crate::hls4ml_project`] resolves them).
#[derive(Debug, Clone, PartialEq)]
pub enum ModelRef {
    /// `KerasModel: !keras_model '/path/keras_model.keras'`.
    Keras(PathBuf),
    /// Older configs: `KerasJson: model.json` with `KerasH5: weights.h5`.
    KerasJson { json: PathBuf, h5: Option<PathBuf> },
    /// `OnnxModel: model.onnx`.
    Onnx(PathBuf),
}

/// Read and apply an hls4ml config file to a network.
pub fn apply_config(network: &mut Network, yaml_path: &Path) -> Result<(), FrontendError> {
    apply_config_report(network, yaml_path).map(|_| ())
}

/// [`apply_config`], returning what it accepted without using.
pub fn apply_config_report(
    network: &mut Network,
    yaml_path: &Path,
) -> Result<ConfigReport, FrontendError> {
    let text = ir::limits::read_text(yaml_path).map_err(|e| FrontendError::io(yaml_path, e))?;
    apply_config_str_report(network, &text, &display(yaml_path))
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

/// Sort a key into the report, or refuse it as a typo of a known key.
fn check_key(
    file: &str,
    field: &str,
    key: &str,
    used: &[&'static str],
    unused: &[&'static str],
    report: &mut ConfigReport,
) -> Result<bool, FrontendError> {
    match classify(key, used, unused) {
        KeyClass::Used => Ok(true),
        KeyClass::Unused => {
            report.unused.push(field.to_string());
            Ok(false)
        }
        KeyClass::Unknown => {
            report.unknown.push(field.to_string());
            Ok(false)
        }
        // A key that differs only in case is what hls4ml silently ignores (its lookups are
        // case-sensitive): a project synthesised with it was built without it, so presynth
        // ignores it too, and says so.
        KeyClass::Typo(k) if key.eq_ignore_ascii_case(k) => {
            report.notes.push(format!(
                "{file}: {field}: '{key}' is not hls4ml's '{k}' (keys are case-sensitive): \
                 hls4ml 1.3.0 ignores it, and so does presynth"
            ));
            Ok(false)
        }
        KeyClass::Typo(k) => Err(FrontendError::config(
            file,
            field,
            format!("unknown key '{key}'; did you mean '{k}'?"),
        )),
    }
}

fn precision_value(file: &str, field: &str, v: &Value) -> Result<Option<FixedType>, FrontendError> {
    let s = v.as_str().ok_or_else(|| {
        FrontendError::field(
            file,
            field,
            "a type such as ap_fixed<16,6> or auto",
            yaml_type(v),
        )
    })?;
    if s.trim().eq_ignore_ascii_case("auto") {
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
    /// A recurrent layer's `Static`.
    recurrent_static: Option<bool>,
}

/// Softmax implementations hls4ml selects with a softmax layer's `Strategy`; the IR does not keep
/// them.
const SOFTMAX_STRATEGIES: &[&str] = &["stable", "argmax", "legacy"];

/// hls4ml's `Strategy` values as presynth models them: Latency and Resource exactly;
/// `resource_unrolled` (hls4ml 1.x: the Resource dataflow with its inner loop unrolled, same
/// multiplier count) as Resource; `distributed_arithmetic` (da4ml: constant multiplications
/// as adder trees, no DSPs) is not modelled and is estimated as Latency, with a note.
fn strategy_value(
    file: &str,
    field: &str,
    v: &Value,
    report: &mut ConfigReport,
) -> Result<Option<Strategy>, FrontendError> {
    let s = v.as_str().ok_or_else(|| {
        FrontendError::field(
            file,
            field,
            "Latency, Resource, resource_unrolled or distributed_arithmetic",
            value_text(v),
        )
    })?;
    let lower = s.trim().to_ascii_lowercase();
    if SOFTMAX_STRATEGIES.contains(&lower.as_str()) {
        report.unused.push(format!("{field} ({s})"));
        return Ok(None);
    }
    match lower.as_str() {
        "resource_unrolled" | "unrolled" => {
            report.notes.push(format!(
                "{field}: '{s}' is estimated as Resource (same reuse dataflow, inner loop unrolled)"
            ));
            Ok(Some(Strategy::Resource))
        }
        "distributed_arithmetic" | "da" => {
            report.notes.push(format!(
                "{field}: '{s}' (da4ml) is not modelled; estimated as Latency, which overstates DSPs"
            ));
            Ok(Some(Strategy::Latency))
        }
        _ => s.parse::<Strategy>().map(Some).map_err(|_| {
            FrontendError::config(
                file,
                field,
                format!("unknown strategy '{s}' (expected Latency, Resource, resource_unrolled or distributed_arithmetic)"),
            )
        }),
    }
}

fn parse_entry(
    file: &str,
    field: &str,
    v: &Value,
    report: &mut ConfigReport,
) -> Result<Entry, FrontendError> {
    let mut e = Entry::default();
    // `fc1: {}` and `fc1:` (null) set nothing.
    if v.is_null() {
        return Ok(e);
    }
    let m = mapping(file, field, v)?;
    for (k, val) in m {
        let key = key_str(file, field, k)?;
        let f = format!("{field}.{key}");
        if !check_key(file, &f, &key, keys::ENTRY_USED, keys::ENTRY_UNUSED, report)? {
            continue;
        }
        match key.as_str() {
            "Precision" => match val {
                Value::String(_) => e
                    .precision
                    .push(("default".into(), precision_value(file, &f, val)?)),
                Value::Mapping(pm) => {
                    for (pk, pv) in pm {
                        let var = key_str(file, &f, pk)?;
                        let vf = format!("{f}.{var}");
                        let t = precision_value(file, &vf, pv)?;
                        if check_key(
                            file,
                            &vf,
                            &var,
                            keys::PRECISION_USED,
                            keys::PRECISION_UNUSED,
                            report,
                        )? {
                            e.precision.push((var, t));
                        } else if t.is_none()
                            && matches!(var.as_str(), "depthwise_accum" | "pointwise_accum")
                        {
                            // hls4ml (separable_to_depthwise_and_conv) makes a SeparableConv's
                            // `auto` depthwise/pointwise accum the accum of the half it splits
                            // off; the two halves share the IR layer's settings, so an `auto`
                            // one marks the accum `auto` (each half infers its own). An explicit
                            // type stays unused: the IR keeps one accum per layer.
                            e.precision.push(("accum".into(), None));
                        }
                    }
                }
                other => {
                    return Err(FrontendError::field(
                        file,
                        f,
                        "a type string or a mapping of types",
                        yaml_type(other),
                    ))
                }
            },
            "ReuseFactor" => e.reuse_factor = Some(positive_u32(file, &f, val)?),
            "Strategy" => e.strategy = strategy_value(file, &f, val, report)?,
            "Static" => {
                e.recurrent_static = Some(val.as_bool().ok_or_else(|| {
                    FrontendError::field(file, f.clone(), "true or false", yaml_type(val))
                })?)
            }
            // ENTRY_USED holds exactly the four keys above.
            _ => report.unknown.push(f),
        }
    }
    Ok(e)
}

/// Put an entry's per-variable precision into a layer's settings (`var` is one of
/// [`keys::PRECISION_USED`]). `None` is `auto`: the variable is marked to be inferred by the
/// lowering (hls4ml's `infer_precision_types`) and an inherited result/accum/scale type is
/// dropped; a weight/bias type is kept, since the frontend put a QKeras quantizer's type there
/// and hls4ml's inference uses that quantizer type.
fn apply_precision(s: &mut LayerSettings, var: &str, t: &Option<FixedType>) {
    if ir::settings::RECURRENT_PRECISION_VARS.contains(&var)
        || ir::settings::SEPARABLE_PRECISION_VARS.contains(&var)
        || ir::settings::GARNET_PRECISION_VARS.contains(&var)
    {
        // an `auto` separable kernel keeps a QKeras quantizer's type (the frontend's), as
        // hls4ml's quantizer type wins over the configured one
        let quantizer_kept = t.is_none()
            && ir::settings::SEPARABLE_PRECISION_VARS.contains(&var)
            && s.quantized.weight
            && matches!(s.precision.named.get(var), Some(Some(_)));
        if !quantizer_kept {
            s.precision.named.insert(var.to_string(), t.clone());
        }
        return;
    }
    let p = &mut s.precision;
    let a = &mut s.auto;
    let slots: Vec<(&mut Option<FixedType>, &mut bool, bool)> = match var {
        "weight" => vec![(&mut p.weight, &mut a.weight, true)],
        "bias" => vec![(&mut p.bias, &mut a.bias, true)],
        "result" => vec![(&mut p.result, &mut a.result, false)],
        "accum" => vec![(&mut p.accum, &mut a.accum, false)],
        "scale" => vec![(&mut p.scale, &mut a.scale, false)],
        // A layer-level default sets every variable of the layer.
        _ => vec![
            (&mut p.weight, &mut a.weight, true),
            (&mut p.bias, &mut a.bias, true),
            (&mut p.result, &mut a.result, false),
            (&mut p.accum, &mut a.accum, false),
            (&mut p.scale, &mut a.scale, false),
        ],
    };
    for (slot, auto, keeps_quantizer) in slots {
        match t {
            Some(t) => {
                *slot = Some(t.clone());
                *auto = false;
            }
            None => {
                *auto = true;
                if !keeps_quantizer {
                    *slot = None;
                }
            }
        }
    }
}

fn apply_entry(s: &mut LayerSettings, e: &Entry) {
    for (var, t) in &e.precision {
        apply_precision(s, var, t);
    }
    if let Some(r) = e.reuse_factor {
        s.reuse_factor = Some(r);
    }
    if let Some(st) = e.strategy {
        s.strategy = Some(st);
    }
    if let Some(b) = e.recurrent_static {
        s.recurrent_static = Some(b);
    }
}

/// The layer whose non-linear fused activation hls4ml splits off as the layer `name`
/// (`{layer}_{activation}`, e.g. `fc1_relu`): a `LayerName` entry for it sets that split
/// layer's Precision and ReuseFactor (checked on the QKeras harness, cases `split_override*`).
fn split_activation_owner(net: &Network, name: &str) -> Option<ir::NodeId> {
    net.graph.node_indices().find(|&id| {
        let l = &net.graph[id];
        l.kind.takes_activation()
            && !l.activation.is_linear()
            && name == format!("{}_{}", l.name, l.activation.name())
    })
}

/// Whether `name` is the name hls4ml gives the activation it splits off a Dense/Conv layer
/// with a fused activation (`{layer}_{activation}`), or the `{layer}_linear` activation hls4ml
/// 0.x adds after a layer without one (its configs name it, e.g. QKeras `fc1_linear`); such
/// entries have no separate IR layer.
fn is_split_activation(net: &Network, name: &str) -> bool {
    net.layers().iter().any(|l| {
        l.kind.takes_activation()
            && if l.activation.is_linear() {
                name == format!("{}_linear", l.name)
            } else {
                name == format!("{}_{}", l.name, l.activation.name())
            }
    })
}

/// Whether `name` is one of the two nodes hls4ml's `separable_to_depthwise_and_conv` makes of a
/// SeparableConv1D/2D (`{layer}_depthwise`, `{layer}_pointwise`): the project's config that
/// hls4ml writes names them with copies of the layer's own entry (its `depthwise`/`pointwise`
/// keys renamed `weight`), which presynth reads from the layer itself; the entries are noted,
/// not applied.
fn is_separable_half(net: &Network, name: &str) -> bool {
    net.layers().iter().any(|l| {
        matches!(
            l.kind,
            LayerKind::SeparableConv1D(_) | LayerKind::SeparableConv2D(_)
        ) && (name == format!("{}_depthwise", l.name) || name == format!("{}_pointwise", l.name))
    })
}

/// Layers hls4ml's Keras converter drops or folds into the next layer, so a name-granularity
/// config has entries for them that match no IR layer: the input layer (`input_1`, whose
/// result type presynth takes from the model default) and Flatten/Reshape in io_parallel.
fn is_input_name(net: &Network, name: &str) -> bool {
    net.inputs.iter().any(|&id| net.graph[id].name == name)
}

/// A path-like scalar, tagged (`!keras_model '/p'`) or plain.
fn path_value(file: &str, field: &str, v: &Value) -> Result<PathBuf, FrontendError> {
    let inner = match v {
        Value::Tagged(t) => &t.value,
        other => other,
    };
    inner
        .as_str()
        .filter(|s| !s.trim().is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| FrontendError::field(file, field, "a file path", value_text(inner)))
}

/// Read the model file a project config names, if any.
fn model_ref(file: &str, top: &Mapping) -> Result<Option<ModelRef>, FrontendError> {
    let get = |k: &str| {
        top.get(Value::String(k.to_string()))
            .filter(|v| !v.is_null())
    };
    if let Some(v) = get("KerasModel") {
        return Ok(Some(ModelRef::Keras(path_value(file, "KerasModel", v)?)));
    }
    if let Some(v) = get("KerasJson") {
        let h5 = get("KerasH5")
            .map(|h| path_value(file, "KerasH5", h))
            .transpose()?;
        return Ok(Some(ModelRef::KerasJson {
            json: path_value(file, "KerasJson", v)?,
            h5,
        }));
    }
    if let Some(v) = get("OnnxModel") {
        return Ok(Some(ModelRef::Onnx(path_value(file, "OnnxModel", v)?)));
    }
    Ok(None)
}

/// Parse config text into YAML, with the line and column of a syntax error.
pub(crate) fn parse_yaml(text: &str, file: &str) -> Result<Value, FrontendError> {
    serde_yaml::from_str(text).map_err(|e| {
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
    })
}

/// The model file a config names (`KerasModel`, `KerasJson`, `OnnxModel`), without applying
/// anything.
pub fn config_model_ref(text: &str, file: &str) -> Result<Option<ModelRef>, FrontendError> {
    let doc = parse_yaml(text, file)?;
    model_ref(file, mapping(file, "the document", &doc)?)
}

/// [`apply_config_report`] for a network read from ONNX: `LayerName` entries may also name its
/// layers as hls4ml's ONNX flow does (`MatMul_0`, `Relu_1`, `global_in`, constants
/// `Conv_0_param0`; see `hls4ml_onnx_names`).
pub fn apply_config_report_onnx(
    network: &mut Network,
    yaml_path: &Path,
) -> Result<ConfigReport, FrontendError> {
    let text = ir::limits::read_text(yaml_path).map_err(|e| FrontendError::io(yaml_path, e))?;
    let names = crate::hls4ml_onnx_names::hls4ml_onnx_names(network);
    apply(network, &text, &display(yaml_path), false, &names)
}

/// Apply config text (`file` names it in errors).
pub fn apply_config_str(
    network: &mut Network,
    text: &str,
    file: &str,
) -> Result<(), FrontendError> {
    apply_config_str_report(network, text, file).map(|_| ())
}

/// [`apply_config_str`], returning what it accepted without using.
pub fn apply_config_str_report(
    network: &mut Network,
    text: &str,
    file: &str,
) -> Result<ConfigReport, FrontendError> {
    apply(network, text, file, false, &HashMap::new())
}

/// [`apply_config_str_report`] for a network rebuilt from a project's C++, which lacks the
/// layers hls4ml removed (Dropout, ...): `LayerName` entries without a layer become notes.
pub fn apply_config_str_lenient(
    network: &mut Network,
    text: &str,
    file: &str,
) -> Result<ConfigReport, FrontendError> {
    apply(network, text, file, true, &HashMap::new())
}

fn apply(
    network: &mut Network,
    text: &str,
    file: &str,
    lenient: bool,
    onnx_names: &HashMap<String, OnnxAlias>,
) -> Result<ConfigReport, FrontendError> {
    let doc = parse_yaml(text, file)?;
    let mut report = ConfigReport::default();
    let top = mapping(file, "the document", &doc)?;
    let get = |m: &Mapping, k: &str| m.get(Value::String(k.to_string())).cloned();
    let is_hls_config = get(top, "HLSConfig").is_none()
        && (get(top, "Model").is_some()
            || get(top, "LayerName").is_some()
            || get(top, "LayerType").is_some());
    for k in top.keys() {
        let key = key_str(file, "the document", k)?;
        if is_hls_config {
            check_key(
                file,
                &key,
                &key,
                keys::HLS_USED,
                keys::HLS_UNUSED,
                &mut report,
            )?;
        } else {
            check_key(
                file,
                &key,
                &key,
                keys::TOP_USED,
                keys::TOP_UNUSED,
                &mut report,
            )?;
        }
    }
    report.model = model_ref(file, top)?;
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
    for key in ["XilinxPart", "Part"] {
        if let Some(v) = get(top, key).filter(|v| !v.is_null()) {
            let part = v.as_str().ok_or_else(|| {
                FrontendError::field(file, key, "an FPGA part name", value_text(&v))
            })?;
            ir::names::check_part(part).map_err(|m| FrontendError::config(file, key, m))?;
            cfg.part = part.to_string();
        }
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
        None if is_hls_config => (doc.clone(), ""),
        None => return Ok(report),
    };
    let hls = mapping(file, "HLSConfig", &hls)?.clone();
    if !prefix.is_empty() {
        for k in hls.keys() {
            let key = key_str(file, "HLSConfig", k)?;
            check_key(
                file,
                &format!("HLSConfig.{key}"),
                &key,
                keys::HLS_USED,
                keys::HLS_UNUSED,
                &mut report,
            )?;
        }
    }

    let mut per_layer_vars: Vec<(String, Option<FixedType>)> = Vec::new();
    if let Some(m) = get(&hls, "Model") {
        let field = format!("{prefix}Model");
        let e = parse_entry(file, &field, &m, &mut report)?;
        // `Precision: {maximum: ...}`: the limit of hls4ml's precision inference (a model-level
        // key only; a layer's is unused, as in hls4ml)
        let maximum = get(mapping(file, &field, &m)?, "Precision")
            .and_then(|p| get(p.as_mapping()?, "maximum"));
        if let Some(v) = maximum {
            let f = format!("{field}.Precision.maximum");
            network.max_precision = precision_value(file, &f, &v)?;
            report.unknown.retain(|k| *k != f);
            report.unused.retain(|k| *k != f);
        }
        for (var, t) in e.precision {
            match (var.as_str(), t) {
                ("default", Some(t)) => network.config.precision = t,
                ("default", None) => {
                    return Err(FrontendError::config(
                        file,
                        format!("{field}.Precision"),
                        "the model default cannot be 'auto' (expected a type such as fixed<16,6>)",
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
    // Which level set each layer's result type and whether to `auto` (hls4ml's lookup order).
    let mut auto_result = AutoResult::default();
    for &id in &ids {
        let l = network.layer_mut(id);
        for (var, t) in &per_layer_vars {
            apply_precision(&mut l.settings, var, t);
        }
        auto_result.see(id, 0, &per_layer_vars);
    }
    if let Some(lt) = get(&hls, "LayerType") {
        let field = format!("{prefix}LayerType");
        for (k, v) in mapping(file, &field, &lt)? {
            let ty = key_str(file, &field, k)?;
            let f = format!("{field}.{ty}");
            let e = parse_entry(file, &f, v, &mut report)?;
            for &id in &ids {
                let l = network.layer_mut(id);
                if hls4ml_class_matches(&ty, &l.kind) {
                    apply_entry(&mut l.settings, &e);
                    auto_result.see(id, 2, &e.precision);
                }
            }
        }
    }
    if let Some(ln) = get(&hls, "LayerName") {
        let field = format!("{prefix}LayerName");
        for (k, v) in mapping(file, &field, &ln)? {
            let name = key_str(file, &field, k)?;
            let f = format!("{field}.{name}");
            let e = parse_entry(file, &f, v, &mut report)?;
            match network.find(&name) {
                Some(id) => {
                    apply_entry(&mut network.layer_mut(id).settings, &e);
                    auto_result.see(id, 4, &e.precision);
                }
                None => match split_activation_owner(network, &name) {
                    Some(id) => apply_entry(&mut network.layer_mut(id).activation_settings, &e),
                    None if onnx_names.contains_key(&name) => {
                        let alias = onnx_names[&name];
                        let settings = &mut network.layer_mut(alias.id).settings;
                        if alias.result_only {
                            let result = e.precision.iter().filter(|(v, _)| v == "result");
                            let e = Entry {
                                precision: result.cloned().collect(),
                                reuse_factor: None,
                                strategy: None,
                                recurrent_static: None,
                            };
                            apply_entry(settings, &e)
                        } else {
                            apply_entry(settings, &e)
                        }
                    }
                    None if network.nested_models.contains(&name) => report.notes.push(format!(
                        "{f}: a nested model, whose layers hls4ml's tf.keras converter puts in \
                         its place (expand_layer_group) with settings of their own names; hls4ml \
                         applies this entry to none of them: ignored"
                    )),
                    None if is_separable_half(network, &name) => report.notes.push(format!(
                        "{f}: a half hls4ml splits off a separable layer; presynth uses that \
                         layer's own entry (one precision set per layer)"
                    )),
                    None if is_split_activation(network, &name)
                        || is_input_name(network, &name)
                        || crate::hls4ml_onnx_names::is_constant_name(onnx_names, &name) => {}
                    None if lenient => report.notes.push(format!(
                        "{f}: no such layer in the C++ (hls4ml removed it); ignored"
                    )),
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
                },
            }
        }
    }
    auto_result.notes(network, &mut report);
    Ok(report)
}

/// The layers whose result type the config leaves to hls4ml (`auto`), found in hls4ml's lookup
/// order (`HLSConfig.get_precision`: LayerName result, LayerName default, LayerType result,
/// LayerType default, Model result, Model default). presynth keeps the inherited type for them;
/// hls4ml 1.3.0 makes their output `UnspecifiedPrecisionType`, infers it
/// (`infer_precision_types`) and, for a Dense/Conv1D/Conv2D whose only reader is a
/// BatchNormalization, first folds that BatchNormalization into it (`fuse_batch_normalization`,
/// `model/optimizer/passes/bn_fuse.py`), which presynth does not model: [`AutoResult::notes`]
/// says so in the report for those (an `auto` result elsewhere only changes the inferred width,
/// which the module comment states).
#[derive(Default)]
struct AutoResult {
    /// Per layer: (rank of the level that set its result type, whether it is `auto`).
    by_layer: std::collections::HashMap<ir::NodeId, (u8, bool)>,
}

impl AutoResult {
    /// An entry of level `base` (0 Model, 2 LayerType, 4 LayerName) applied to layer `id`:
    /// its `result` outranks its `default`.
    fn see(&mut self, id: ir::NodeId, base: u8, precision: &[(String, Option<FixedType>)]) {
        for (var, t) in precision {
            let rank = match var.as_str() {
                "result" => base + 1,
                "default" => base,
                _ => continue,
            };
            let slot = self.by_layer.entry(id).or_insert((0, false));
            if rank >= slot.0 {
                *slot = (rank, t.is_none());
            }
        }
    }

    fn notes(&self, network: &Network, report: &mut ConfigReport) {
        let mut ids: Vec<_> = self
            .by_layer
            .iter()
            .filter(|(_, &(_, auto))| auto)
            .map(|(&id, _)| id)
            .collect();
        ids.sort();
        for id in ids {
            let l = network.layer(id);
            // bn_fuse.py's match: the hls4ml classes Dense, Conv1D and Conv2D
            let product = matches!(
                l.kind.tag(),
                ir::KindTag::Dense | ir::KindTag::Conv1D | ir::KindTag::Conv2D
            );
            let readers = network.consumers_of(id);
            let bn = match readers.as_slice() {
                [r] if matches!(network.layer(*r).kind, LayerKind::BatchNorm(_)) => {
                    Some(network.layer(*r).name.as_str())
                }
                _ => None,
            };
            if let (true, Some(bn)) = (product, bn) {
                report.notes.push(format!(
                    "layer '{}': result type 'auto': hls4ml 1.3.0 folds the BatchNormalization \
                     '{bn}' into it (fuse_batch_normalization); presynth does not fold yet: \
                     codegen refuses this network and the estimate prices '{bn}' on its own at \
                     the default types (give the result a type to match)",
                    l.name
                ));
            }
        }
    }
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
            // hls4ml's class of a Keras ELU layer or Activation('elu')
            Activation::Elu { .. } => ty == "elu" || ty == "activation",
            Activation::ThresholdedRelu { .. } => ty == "thresholdedrelu" || ty == "activation",
            Activation::HardSigmoid
            | Activation::QKerasHardSigmoid
            | Activation::QKerasHardTanh => ty == "hardactivation" || ty == "activation",
            Activation::BinaryTanh => ty == "activation",
            Activation::HardTanh
            | Activation::Linear
            | Activation::Relu
            | Activation::Sigmoid
            | Activation::Tanh
            | Activation::Softplus
            | Activation::Softsign
            | Activation::Selu => ty == "activation",
        },
        LayerKind::Pool1D(_) => ty == "pooling1d" || ty == name,
        LayerKind::Pool2D(_) => ty == "pooling2d" || ty == name,
        LayerKind::GlobalPool1D(_) => ty == "globalpooling1d" || ty == name,
        LayerKind::GlobalPool2D(_) => ty == "globalpooling2d" || ty == name,
        LayerKind::Merge(_) | LayerKind::Concatenate(_) => ty == "merge" || ty == name,
        LayerKind::Input(_) => ty == "input" || ty == "inputlayer",
        // hls4ml converts Keras's UpSampling1D/2D to its Resize layer
        LayerKind::UpSampling1D(_) | LayerKind::UpSampling2D(_) => ty == "resize" || ty == name,
        // hls4ml has no attention class: it builds attention from EinsumDense (the
        // projections) and Einsum (the two products) layers
        LayerKind::MultiHeadAttention(_) => ty == "einsumdense" || ty == "einsum" || ty == name,
        // hls4ml's ApplyAlpha is a BatchNormalization subclass; its class name is `ApplyAlpha`
        LayerKind::ApplyAlpha => ty == "applyalpha",
        // hls4ml makes an ApplyAlpha of an Add with a constant (MergeToApplyAlpha)
        LayerKind::PositionalAdd => ty == "applyalpha" || ty == "merge" || ty == "add",
        LayerKind::PReLU => ty == "prelu" || ty == "activation",
        // hls4ml converts Keras's Permute to its Transpose
        LayerKind::Permute(_) => ty == "transpose" || ty == name,
        LayerKind::Dot => ty == "dot" || ty == "merge",
        // hls4ml's contrib GarNet / GarNetStack classes
        LayerKind::GarNet(_) => ty == name,
        // HGQ1's proxy layer, hls4ml's class of the same name
        LayerKind::FixedPointQuantizer(_) => ty == "fixedpointquantizer",
        // hls4ml's TimeDistributed class (its wrapped layer is a node of its own class)
        LayerKind::TimeDistributed(_) => ty == "timedistributed",
        LayerKind::DepthwiseConv2D(_)
        | LayerKind::SeparableConv2D(_)
        | LayerKind::DepthwiseConv1D(_)
        | LayerKind::SeparableConv1D(_) => ty == name,
        LayerKind::Dense(_)
        | LayerKind::LayerNorm(_)
        | LayerKind::EinsumDense(_)
        | LayerKind::Embedding(_)
        | LayerKind::Recurrent(_)
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
    match &network.max_precision {
        None => {
            model.insert(s("Precision"), s(cfg.precision.to_string()));
        }
        Some(max) => {
            let mut p = Mapping::new();
            p.insert(s("default"), s(cfg.precision.to_string()));
            p.insert(s("maximum"), s(max.to_string()));
            model.insert(s("Precision"), Value::Mapping(p));
        }
    }
    model.insert(s("ReuseFactor"), Value::from(cfg.reuse_factor));
    model.insert(s("Strategy"), s(cfg.strategy.to_string()));
    let mut names = Mapping::new();
    for l in network.layers() {
        let st = &l.settings;
        let mut e = Mapping::new();
        let mut p = Mapping::new();
        let p_src = &st.precision;
        let a = &st.auto;
        for (k, v, auto) in [
            ("weight", &p_src.weight, a.weight),
            ("bias", &p_src.bias, a.bias),
            ("result", &p_src.result, a.result),
            ("accum", &p_src.accum, a.accum),
            ("scale", &p_src.scale, a.scale),
        ] {
            match v {
                Some(t) => {
                    p.insert(s(k), s(t.to_string()));
                }
                // still to be inferred (hls4ml infers it the same way)
                None if auto => {
                    p.insert(s(k), s("auto"));
                }
                None => {}
            }
        }
        for (k, v) in &p_src.named {
            p.insert(
                s(k),
                s(v.as_ref()
                    .map_or_else(|| "auto".to_string(), |t| t.to_string())),
            );
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
        if let Some(b) = st.recurrent_static {
            e.insert(s("Static"), Value::from(b));
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

/// The model-level settings of a config file read without a network (an hls4ml project's
/// `hls4ml_config.yml`, for ingestion): backend, part, clock, io_type, strategy, reuse factor and
/// default precision. Per-layer entries need the network ([`apply_config_str`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigSettings {
    pub model: HlsConfig,
}

/// Read a config file's model-level settings without a network (see [`ConfigSettings`]).
pub fn read_settings(yaml_path: &Path) -> Result<ConfigSettings, FrontendError> {
    let text = ir::limits::read_text(yaml_path).map_err(|e| FrontendError::io(yaml_path, e))?;
    read_settings_str(&text, &display(yaml_path))
}

/// Read config text's model-level settings without a network (`file` names it in errors):
/// applied to an empty network, whose `LayerName` entries then match nothing and are kept as
/// notes (lenient), as for a project rebuilt from its C++.
pub fn read_settings_str(text: &str, file: &str) -> Result<ConfigSettings, FrontendError> {
    let mut net = Network::new("config");
    apply_config_str_lenient(&mut net, text, file)?;
    Ok(ConfigSettings { model: net.config })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir::Layer;

    /// in(8) → fc1 Dense(4) → bn BatchNorm → fc2 Dense(2).
    fn dense_bn_dense() -> Network {
        let mut net = Network::new("t");
        let dense = |units| {
            LayerKind::Dense(ir::ops::Dense {
                units,
                use_bias: true,
            })
        };
        let bn = LayerKind::BatchNorm(ir::ops::BatchNorm {
            epsilon: 1e-3,
            center: true,
            scale: true,
        });
        let input = LayerKind::Input(ir::ops::Input { shape: vec![8] });
        net.add_layer(Layer::new("in", input), &[]).unwrap();
        net.add_layer(Layer::new("fc1", dense(4)), &["in"]).unwrap();
        net.add_layer(Layer::new("bn", bn), &["fc1"]).unwrap();
        net.add_layer(Layer::new("fc2", dense(2)), &["bn"]).unwrap();
        net.infer_shapes().unwrap();
        net
    }

    /// `config_from_keras_model(granularity='name')` writes `result: auto` for every layer;
    /// hls4ml 1.3.0 then folds a BatchNormalization into the Dense before it (bn_fuse.py:
    /// the Dense's output precision is UnspecifiedPrecisionType and the BN is its only
    /// reader). presynth does not model that, and says so instead of differing silently.
    #[test]
    fn an_auto_result_before_a_batchnorm_is_reported() {
        let mut net = dense_bn_dense();
        let yaml = "HLSConfig:\n  Model:\n    Precision: fixed<16,6>\n  LayerName:\n    fc1:\n      Precision:\n        result: auto\n    fc2:\n      Precision:\n        default: auto\n        result: fixed<12,4>\n";
        let report = apply_config_str_report(&mut net, yaml, "c.yml").unwrap();
        assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
        let note = &report.notes[0];
        assert!(
            note.contains("'fc1'") && note.contains("'bn'") && note.contains("fuse_batch"),
            "{note}"
        );
        // a LayerType `auto` on the model's Dense layers: fc1 is folded into (fc2 only has its
        // type inferred: no note)
        let mut net = dense_bn_dense();
        let yaml = "HLSConfig:\n  Model:\n    Precision: fixed<16,6>\n  LayerType:\n    Dense:\n      Precision:\n        result: auto\n";
        let report = apply_config_str_report(&mut net, yaml, "c.yml").unwrap();
        assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
        assert!(report.notes[0].contains("'fc1'") && report.notes[0].contains("'bn'"));
        // a type given at the layer's own level outranks the type-level auto: no note
        let mut net = dense_bn_dense();
        let yaml = "HLSConfig:\n  Model:\n    Precision: fixed<16,6>\n  LayerType:\n    Dense:\n      Precision:\n        result: auto\n  LayerName:\n    fc1:\n      Precision:\n        default: fixed<18,8>\n    fc2:\n      Precision: fixed<18,8>\n";
        let report = apply_config_str_report(&mut net, yaml, "c.yml").unwrap();
        assert!(report.notes.is_empty(), "{:?}", report.notes);
    }
}
