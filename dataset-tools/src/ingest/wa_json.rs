//! Ingestion of wa-hls4ml dataset records (data/WA_HLS4ML_FORMAT.md): a JSON file
//! holding one array of records (or one record object). Per record:
//! - the network from `model_config` (flat list of Keras layer summaries; Dense models have no
//!   InputLayer entry, so the input is `model_config[0].input_shape[1]`; a separate
//!   `Activation` entry right after a Dense/Conv is fused into it, as hls4ml does), with each
//!   Dense/Conv layer's `reuse_factor` (hls4ml's closest valid RF) as its RF;
//! - settings from `hls_config.Model` (ReuseFactor = requested RF, Strategy in any case,
//!   Precision as a string or `{default: ...}`), the weight precision of the first LayerName
//!   entry with a `weight` precision, `io_type` if present (else io_stream when there is a conv),
//!   `target_part`; clock from `latency_report.target_clock`;
//! - labels: `latency_report` (cycles, II, clock) + `hls_resource_report` → csynth (BRAM in
//!   18K blocks); `resource_report` → post-synthesis, BRAM from 36K tiles → ×2. Values are
//!   numbers written as strings (or numbers). Empty `latency_report` and `hls_resource_report`
//!   mean HLS failed: a failure record with no labels. An empty `resource_report` only means
//!   logic synthesis failed: csynth labels are kept and a note says so.

use super::{bram36_tiles_to_18k, parse_count, parse_f64, Ingested, BRAM36_NOTE};
use crate::error::{DatasetError, Result};
use crate::netbuild::chain;
use crate::record::{architecture_key, CsynthLabels, Family, PostSynthLabels, Provenance, Record};
use ir::{Activation, FixedType, HlsConfig, IoType, LayerKind, Padding, PoolOp, Strategy};
use serde_json::{Map, Value};
use std::path::Path;

type Obj = Map<String, Value>;

struct Ctx<'a> {
    path: &'a Path,
    index: u64,
}

impl Ctx<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> DatasetError {
        DatasetError::Field {
            path: self.path.to_path_buf(),
            row: self.index,
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Read a wa-hls4ml JSON file (an array of records, or one record) into memory.
pub fn read_file(path: impl AsRef<Path>) -> Result<Ingested> {
    let mut out = Ingested::default();
    let mut records = Vec::new();
    out.skipped = stream_file(path.as_ref(), &mut |r| {
        records.push(r);
        Ok(())
    })?;
    out.records = records;
    Ok(out)
}

/// Stream a wa-hls4ml JSON file: the merged files are one JSON array of up to ~2 GB, so the
/// records are deserialised one array element at a time and handed to `sink`. Returns the
/// errors of the skipped records.
pub fn stream_file(
    path: &Path,
    sink: &mut dyn FnMut(Record) -> Result<()>,
) -> Result<Vec<DatasetError>> {
    let file = std::fs::File::open(path).map_err(|e| DatasetError::io(path, e))?;
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let mut visitor = Elements {
        path,
        index: 0,
        sink,
        skipped: Vec::new(),
        sink_error: None,
    };
    let parsed =
        serde::de::DeserializeSeed::deserialize(&mut visitor, &mut de).and_then(|()| de.end());
    if let Some(e) = visitor.sink_error.take() {
        return Err(e);
    }
    parsed.map_err(|e| DatasetError::Json {
        path: path.to_path_buf(),
        line: e.line() as u64,
        message: e.to_string(),
    })?;
    Ok(visitor.skipped)
}

/// Visits the top-level array (or single object) and handles each record as it is parsed.
struct Elements<'a, 's> {
    path: &'a Path,
    index: u64,
    sink: &'s mut dyn FnMut(Record) -> Result<()>,
    skipped: Vec<DatasetError>,
    sink_error: Option<DatasetError>,
}

impl Elements<'_, '_> {
    /// Handle one record; `false` when the sink failed (stop).
    fn handle(&mut self, item: Value) -> bool {
        self.index += 1;
        let ctx = Ctx {
            path: self.path,
            index: self.index,
        };
        // Some per-model files of the 2_20 subset hold a one-element list.
        let item = match item {
            Value::Array(mut v) if v.len() == 1 => v.remove(0),
            other => other,
        };
        let parsed = match item.as_object() {
            Some(obj) => record(obj, &ctx),
            None => Err(ctx.err("(record)", "not a JSON object")),
        };
        match parsed {
            Ok(r) => {
                if let Err(e) = (self.sink)(r) {
                    self.sink_error = Some(e);
                    return false;
                }
            }
            Err(e) => self.skipped.push(e),
        }
        true
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for &mut Elements<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for &mut Elements<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of wa-hls4ml records or one record object")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            if !self.handle(v) {
                return Err(serde::de::Error::custom(
                    "stopped: the output could not be written",
                ));
            }
        }
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<(), A::Error> {
        use serde::Deserialize;
        let v = Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        if !self.handle(v) {
            return Err(serde::de::Error::custom(
                "stopped: the output could not be written",
            ));
        }
        Ok(())
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn count(obj: &Obj, block: &str, key: &str, ctx: &Ctx) -> Result<u64> {
    let field = format!("{block}.{key}");
    let v = obj.get(key).ok_or_else(|| ctx.err(&field, "missing"))?;
    let t = text_of(v).ok_or_else(|| ctx.err(&field, "not a number or numeric string"))?;
    parse_count(&t).map_err(|m| ctx.err(&field, m))
}

fn opt_count(obj: &Obj, block: &str, key: &str, ctx: &Ctx) -> Result<Option<u64>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => count(obj, block, key, ctx).map(Some),
    }
}

fn float(obj: &Obj, block: &str, key: &str, ctx: &Ctx) -> Result<Option<f64>> {
    let field = format!("{block}.{key}");
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let t = text_of(v).ok_or_else(|| ctx.err(&field, "not a number or numeric string"))?;
            parse_f64(&t).map(Some).map_err(|m| ctx.err(&field, m))
        }
    }
}

fn block<'a>(rec: &'a Obj, key: &str) -> Option<&'a Obj> {
    rec.get(key)
        .and_then(Value::as_object)
        .filter(|o| !o.is_empty())
}

/// `fixed<8,1>` / `ap_fixed<8,1>` / `{"default": "fixed<16,6>"}` → a type; `auto` → None.
fn precision(v: &Value) -> Option<FixedType> {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("default").and_then(Value::as_str)?,
        _ => return None,
    };
    s.parse().ok()
}

fn dims(v: Option<&Value>) -> Vec<usize> {
    let v = match v {
        // InputLayer wraps its shape in a list: [[null, H, W, C]].
        Some(Value::Array(a)) if a.first().is_some_and(Value::is_array) => &a[0],
        Some(v) => v,
        None => return vec![],
    };
    v.as_array()
        .map(|a| {
            a.iter()
                .skip(1)
                .filter_map(Value::as_u64)
                .map(|d| d as usize)
                .collect()
        })
        .unwrap_or_default()
}

fn uint(layer: &Obj, key: &str, field: &str, ctx: &Ctx) -> Result<usize> {
    layer
        .get(key)
        .and_then(Value::as_u64)
        .map(|v| v as usize)
        .ok_or_else(|| ctx.err(&format!("{field}.{key}"), "missing or not a whole number"))
}

fn ints(layer: &Obj, key: &str, n: usize, field: &str, ctx: &Ctx) -> Result<Vec<usize>> {
    let err = || {
        ctx.err(
            &format!("{field}.{key}"),
            format!("expected {n} whole numbers"),
        )
    };
    match layer.get(key) {
        Some(Value::Array(a)) => {
            let v: Vec<usize> = a
                .iter()
                .filter_map(Value::as_u64)
                .map(|d| d as usize)
                .collect();
            (v.len() == n).then_some(v).ok_or_else(err)
        }
        Some(Value::Number(x)) => x.as_u64().map(|d| vec![d as usize; n]).ok_or_else(err),
        _ => Err(err()),
    }
}

fn pad(layer: &Obj) -> Padding {
    match layer.get("padding").and_then(Value::as_str) {
        Some("same") => Padding::Same,
        _ => Padding::Valid,
    }
}

/// The activation of an `Activation`/`QActivation` entry (`quantized_relu(8,0)` → relu).
fn activation(name: &str) -> Option<Activation> {
    let base = name.split('(').next().unwrap_or(name);
    let base = base.strip_prefix("quantized_").unwrap_or(base);
    Activation::from_name(base)
}

/// The layers of `model_config` as (kind, activation, RF) after the input, plus the input shape.
type Layers = (Vec<usize>, Vec<(LayerKind, Activation)>, Vec<Option<u32>>);

fn layers(config: &[Value], ctx: &Ctx) -> Result<Layers> {
    let mut input: Vec<usize> = Vec::new();
    let mut out: Vec<(LayerKind, Activation)> = Vec::new();
    let mut rfs: Vec<Option<u32>> = Vec::new();
    for (i, v) in config.iter().enumerate() {
        let field = format!("model_config[{i}]");
        let l = v
            .as_object()
            .ok_or_else(|| ctx.err(&field, "not an object"))?;
        let class = l
            .get("class_name")
            .and_then(Value::as_str)
            .ok_or_else(|| ctx.err(&format!("{field}.class_name"), "missing"))?;
        if input.is_empty() {
            input = dims(l.get("input_shape"));
            if input.is_empty() {
                return Err(ctx.err(&format!("{field}.input_shape"), "missing or empty"));
            }
        }
        let rf = l
            .get("reuse_factor")
            .and_then(Value::as_u64)
            .map(|r| r as u32);
        let kind = match class {
            "InputLayer" => continue,
            "Dense" | "QDense" => LayerKind::Dense(ir::ops::Dense {
                units: uint(l, "neurons", &field, ctx)
                    .or_else(|_| dims(l.get("output_shape")).last().copied().ok_or(()))
                    .map_err(|_| ctx.err(&format!("{field}.neurons"), "missing"))?,
                use_bias: l.get("use_bias").and_then(Value::as_bool).unwrap_or(true),
            }),
            "Conv1D" | "QConv1D" => LayerKind::Conv1D(ir::ops::Conv1D {
                filters: uint(l, "filters", &field, ctx)?,
                kernel: ints(l, "kernel_size", 1, &field, ctx)?[0],
                stride: ints(l, "strides", 1, &field, ctx)
                    .map(|v| v[0])
                    .unwrap_or(1),
                padding: pad(l),
                use_bias: l.get("use_bias").and_then(Value::as_bool).unwrap_or(true),
            }),
            "Conv2D" | "QConv2D" => {
                let k = ints(l, "kernel_size", 2, &field, ctx)?;
                let s = ints(l, "strides", 2, &field, ctx).unwrap_or(vec![1, 1]);
                LayerKind::Conv2D(ir::ops::Conv2D {
                    filters: uint(l, "filters", &field, ctx)?,
                    kernel: [k[0], k[1]],
                    stride: [s[0], s[1]],
                    padding: pad(l),
                    use_bias: l.get("use_bias").and_then(Value::as_bool).unwrap_or(true),
                })
            }
            "MaxPooling1D" | "AveragePooling1D" => {
                let k = ints(l, "pool_size", 1, &field, ctx).unwrap_or(vec![2]);
                let s = ints(l, "strides", 1, &field, ctx).unwrap_or(k.clone());
                LayerKind::Pool1D(ir::ops::Pool1D {
                    op: if class.starts_with("Max") {
                        PoolOp::Max
                    } else {
                        PoolOp::Average
                    },
                    pool: k[0],
                    stride: s[0],
                    padding: pad(l),
                })
            }
            "MaxPooling2D" | "AveragePooling2D" => {
                let k = ints(l, "pool_size", 2, &field, ctx).unwrap_or(vec![2, 2]);
                let s = ints(l, "strides", 2, &field, ctx).unwrap_or(k.clone());
                LayerKind::Pool2D(ir::ops::Pool2D {
                    op: if class.starts_with("Max") {
                        PoolOp::Max
                    } else {
                        PoolOp::Average
                    },
                    pool: [k[0], k[1]],
                    stride: [s[0], s[1]],
                    padding: pad(l),
                })
            }
            "Flatten" => LayerKind::Flatten,
            "Dropout" => LayerKind::Dropout(ir::ops::Dropout {
                rate: l.get("dropout_rate").and_then(Value::as_f64).unwrap_or(0.0),
            }),
            "BatchNormalization" | "QBatchNormalization" => {
                LayerKind::BatchNorm(ir::ops::BatchNorm {
                    epsilon: 1e-3,
                    center: true,
                    scale: true,
                })
            }
            "Activation" | "QActivation" => {
                let name = l
                    .get("activation")
                    .and_then(Value::as_str)
                    .unwrap_or("linear");
                let a = activation(name).ok_or_else(|| {
                    ctx.err(
                        &format!("{field}.activation"),
                        format!("unsupported activation '{name}'"),
                    )
                })?;
                // Fuse into the preceding Dense/Conv when it has none (hls4ml does the same).
                if let Some((k, prev)) = out.last_mut() {
                    if k.takes_activation() && prev.is_linear() {
                        *prev = a;
                        continue;
                    }
                }
                if a.is_linear() {
                    continue;
                }
                LayerKind::Activation(a)
            }
            other => {
                return Err(ctx.err(
                    &format!("{field}.class_name"),
                    format!("unsupported layer class '{other}'"),
                ))
            }
        };
        rfs.push(if kind.takes_activation() { rf } else { None });
        out.push((kind, Activation::Linear));
    }
    if out.is_empty() {
        return Err(ctx.err("model_config", "no layers"));
    }
    Ok((input, out, rfs))
}

fn record(rec: &Obj, ctx: &Ctx) -> Result<Record> {
    let meta = rec.get("meta_data").and_then(Value::as_object);
    let model_name = meta
        .and_then(|m| m.get("model_name"))
        .and_then(Value::as_str)
        .map(|n| n.rsplit('/').next().unwrap_or(n).to_string())
        .unwrap_or_else(|| format!("record{}", ctx.index));
    let uuid = meta.and_then(|m| m.get("uuid")).and_then(Value::as_str);
    let config = rec
        .get("model_config")
        .and_then(Value::as_array)
        .ok_or_else(|| ctx.err("model_config", "missing or not an array"))?;
    let hls_cfg = rec
        .get("hls_config")
        .and_then(Value::as_object)
        .ok_or_else(|| ctx.err("hls_config", "missing or not an object"))?;
    let model = hls_cfg
        .get("Model")
        .and_then(Value::as_object)
        .ok_or_else(|| ctx.err("hls_config.Model", "missing"))?;
    let rf = model
        .get("ReuseFactor")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            ctx.err(
                "hls_config.Model.ReuseFactor",
                "missing or not a whole number",
            )
        })?;
    let strategy: Strategy = model
        .get("Strategy")
        .and_then(Value::as_str)
        .unwrap_or("Latency")
        .parse()
        .map_err(|m: String| ctx.err("hls_config.Model.Strategy", m))?;
    let default_precision = model
        .get("Precision")
        .and_then(precision)
        .unwrap_or_else(FixedType::hls4ml_default);
    let weight = hls_cfg
        .get("LayerName")
        .and_then(Value::as_object)
        .and_then(|names| {
            names.values().find_map(|l| {
                l.get("Precision")
                    .and_then(|p| p.get("weight"))
                    .and_then(precision)
            })
        });
    let (input, layer_list, rfs) = layers(config, ctx)?;
    let has_conv = layer_list
        .iter()
        .any(|(k, _)| matches!(k, LayerKind::Conv1D(_) | LayerKind::Conv2D(_)));
    let io_type = match hls_cfg.get("io_type").and_then(Value::as_str) {
        Some(s) => s
            .parse()
            .map_err(|m: String| ctx.err("hls_config.io_type", m))?,
        None if has_conv => IoType::Stream,
        None => IoType::Parallel,
    };
    let part = rec
        .get("target_part")
        .and_then(Value::as_str)
        .map(str::to_string);
    let latency = block(rec, "latency_report");
    let hls_res = block(rec, "hls_resource_report");
    let post = block(rec, "resource_report");
    let target_clock = match latency {
        Some(l) => float(l, "latency_report", "target_clock", ctx)?,
        None => None,
    };
    let hls = HlsConfig {
        precision: default_precision,
        reuse_factor: rf as u32,
        strategy,
        io_type,
        part: part.clone().unwrap_or_else(|| HlsConfig::default().part),
        clock_period_ns: target_clock.unwrap_or(5.0),
        backend: "Vitis".into(),
    };
    let mut net = chain(&model_name, input, layer_list, hls.clone(), weight.as_ref())
        .map_err(|e| ctx.err("model_config", e.to_string()))?;
    // Per-layer RFs from model_config, in order over the Dense/Conv layers.
    let order = net
        .topo_order()
        .map_err(|e| ctx.err("model_config", e.to_string()))?;
    let mut rf_iter = rfs.into_iter();
    for id in order.into_iter().skip(1) {
        let r = rf_iter.next().flatten();
        if r.is_some() {
            net.layer_mut(id).settings.reuse_factor = r;
        }
    }
    let version = |k: &str| rec.get(k).and_then(Value::as_str).map(str::to_string);
    let mut provenance = Provenance {
        source: ctx.path.display().to_string(),
        row: Some(ctx.index),
        tool: Some("vitis_hls".into()),
        tool_version: version("vivado_version"),
        hls4ml_version: version("hls4ml_version"),
        part,
        clock_period_ns: target_clock,
        model_name: Some(model_name.clone()),
        ..Provenance::default()
    };
    let id = match uuid {
        Some(u) => format!("{model_name}_rf{rf}_{u}"),
        None => format!("{model_name}_rf{rf}_{}", ctx.index),
    };
    let mut out = Record {
        id,
        family: Family::of(&net),
        architecture: architecture_key(&net),
        network: Some(net),
        hls,
        weight_precision: weight,
        success: None,
        failure: None,
        csynth: None,
        post_synth: None,
        provenance: Provenance::default(),
    };
    let Some(lat) = latency else {
        out.provenance = provenance;
        out.set_failed("empty latency_report: HLS synthesis failed (no labels)");
        return Ok(out);
    };
    let mut cs = CsynthLabels {
        latency_best_cycles: count(lat, "latency_report", "cycles_min", ctx)?,
        latency_worst_cycles: count(lat, "latency_report", "cycles_max", ctx)?,
        ii_min: opt_count(lat, "latency_report", "interval_min", ctx)?,
        ii_max: opt_count(lat, "latency_report", "interval_max", ctx)?,
        estimated_clock_ns: float(lat, "latency_report", "estimated_clock", ctx)?,
        ..CsynthLabels::default()
    };
    if let Some(h) = hls_res {
        cs.lut = Some(count(h, "hls_resource_report", "lut", ctx)?);
        cs.ff = Some(count(h, "hls_resource_report", "ff", ctx)?);
        cs.dsp = Some(count(h, "hls_resource_report", "dsp", ctx)?);
        cs.bram_18k = Some(count(h, "hls_resource_report", "bram", ctx)?);
        cs.uram = opt_count(h, "hls_resource_report", "uram", ctx)?;
    }
    out.csynth = Some(cs);
    match post {
        Some(p) => {
            let bram = p
                .get("bram")
                .and_then(text_of)
                .ok_or_else(|| ctx.err("resource_report.bram", "missing"))?;
            out.post_synth = Some(PostSynthLabels {
                lut: count(p, "resource_report", "lut", ctx)?,
                ff: count(p, "resource_report", "ff", ctx)?,
                dsp: count(p, "resource_report", "dsp", ctx)?,
                bram_18k: bram36_tiles_to_18k(&bram)
                    .map_err(|m| ctx.err("resource_report.bram", m))?,
                uram: opt_count(p, "resource_report", "uram", ctx)?,
            });
            provenance.notes.push(BRAM36_NOTE.into());
        }
        None => provenance
            .notes
            .push("empty resource_report: Vivado logic synthesis failed or was not run".into()),
    }
    out.success = Some(true);
    out.provenance = provenance;
    Ok(out)
}
