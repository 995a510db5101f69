//! HGQ1 proxy models (pip `HGQ` 0.2.x, tf.keras 2): plain Keras layers with HGQ's
//! `FixedPointQuantizer` layers between them, as `HGQ.to_proxy_model` writes them and hls4ml
//! 1.3.0 reads them (`converters/keras/hgq_proxy_model.py`).
//!
//! - [`quantizer`]: the layer's config (`RND`, `SAT`, `shape` of its bit widths, `fusible`)
//!   into an [`ir::ops::FixedPointQuantizer`];
//! - [`attach_state`]: its three int8 variables (`keep_negative`, `bits`, `integers`, in that
//!   order in the weights file) into per-element k/i/f; Keras's `count_params()` counts them,
//!   so their size is the layer's `quantizer_params`;
//! - [`apply_overrides`]: the types HGQ wrote into each quantizer's `overrides`
//!   (`{"layers": {name: {"result_t": "fixed<13,6,TRN,WRAP>", "weight_t": ...}}}`) become the
//!   named layers' precisions, and each quantizer's widest element format its result type (and,
//!   when fusible, the result type of the layer before it, which hls4ml folds it into). hls4ml
//!   up to 1.0 applied the `_t` overrides as they are (the HGQ1 rows of data/real-projects were
//!   made with it); hls4ml 1.3.0 ignores them and derives the types in its bit-exact pass from
//!   the same quantizers (HGQ's derivation agrees with it on the result and weight types of
//!   tests/fixtures/hgq1, not on accum and bias). A type the user's config gives for the layer
//!   wins over both, as in hls4ml.
//!
//! HGQ's `UnaryLUT` (an activation as a lookup table) has no IR kind yet: the Keras class table
//! refuses it by name.

use super::layers::{describe, Attrs, KerasLayer};
use super::weights::RawWeight;
use crate::error::FrontendError;
use ir::hgq::{HgqQuantizer, QuantizerRole};
use ir::layer::{Layer, LayerKind};
use ir::{FixedType, Network};
use serde_json::Value;

/// HGQ's rounding modes (`RND_MAP` of `fixed_point_quantizer.py`), each an `AP_<mode>` of
/// ap_fixed, which hls4ml writes into the cast.
const ROUND_MODES: &[&str] = &[
    "TRN",
    "RND",
    "RND_ZERO",
    "RND_MIN_INF",
    "RND_INF",
    "RND_CONV",
    "TRN_ZERO",
];
/// HGQ's overflow modes (`SAT_MAP`).
const OVERFLOW_MODES: &[&str] = &["WRAP", "SAT", "SAT_ZERO", "SAT_SYM", "WRAP_SM"];

/// Whether a model has an HGQ1 proxy layer (hls4ml converts such a tf.keras model with its
/// Keras 2 parser).
pub fn is_proxy_model(layers: &[KerasLayer]) -> bool {
    layers
        .iter()
        .any(|l| matches!(l.class_name.as_str(), "FixedPointQuantizer" | "UnaryLUT"))
}

/// A `FixedPointQuantizer`'s config as an IR kind, without its per-element state.
pub(super) fn quantizer(a: &Attrs) -> Result<LayerKind, FrontendError> {
    let mode =
        |key: &str, default: &'static str, known: &[&str]| -> Result<String, FrontendError> {
            let m = a.str_or(key, default)?;
            if known.contains(&m) {
                Ok(m.to_string())
            } else {
                Err(a.unsupported(key, format!("'{m}' (HGQ's modes are {})", known.join(", "))))
            }
        };
    let round_mode = mode("RND", "TRN", ROUND_MODES)?;
    let overflow_mode = mode("SAT", "WRAP", OVERFLOW_MODES)?;
    let expected = "the shape of the bit widths, a list of non-negative integers";
    let shape = match a.get("shape") {
        None => return Err(a.missing("shape", expected)),
        Some(Value::Array(dims)) => dims
            .iter()
            .map(|d| match d.as_u64() {
                Some(n) if n <= ir::limits::MAX_DIM => Ok(n as usize),
                _ => Err(a.field_err("shape", expected, &Value::Array(dims.clone()))),
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(v) => return Err(a.field_err("shape", expected, v)),
    };
    let fusible = a.bool_or("fusible", false)?;
    Ok(LayerKind::FixedPointQuantizer(
        ir::ops::FixedPointQuantizer {
            quantizer: Box::new(HgqQuantizer {
                role: QuantizerRole::Output,
                round_mode,
                overflow_mode,
                shape,
                k: Vec::new(),
                i: Vec::new(),
                f: Vec::new(),
            }),
            fusible,
        },
    ))
}

/// Read a quantizer's `keep_negative`, `bits` and `integers` (in the file's order) into its
/// per-element k/i/f and count them as Keras does (`quantizer_params`).
pub fn attach_state(
    wfile: &str,
    layer: &mut Layer,
    found: &[RawWeight],
) -> Result<(), FrontendError> {
    let name = layer.name.clone();
    let LayerKind::FixedPointQuantizer(fq) = &mut layer.kind else {
        return Ok(());
    };
    let err =
        |m: String| FrontendError::weights(wfile, format!("FixedPointQuantizer '{name}': {m}"));
    let [kn, bits, ints] = found else {
        return Err(err(format!(
            "expected 3 arrays (keep_negative, bits, integers), the file has {}",
            found.len()
        )));
    };
    let n: usize = fq.quantizer.shape.iter().product();
    for (what, w) in [("keep_negative", kn), ("bits", bits), ("integers", ints)] {
        if w.tensor.len() != n {
            return Err(err(format!(
                "{what} ({}) has {} values, its config's shape {:?} holds {n}",
                w.path,
                w.tensor.len(),
                fq.quantizer.shape
            )));
        }
        if let Some(v) = w
            .tensor
            .data
            .iter()
            .find(|v| v.fract() != 0.0 || v.abs() > 127.0)
        {
            return Err(err(format!(
                "{what} ({}) holds {v}, expected int8 values",
                w.path
            )));
        }
    }
    let q = &mut fq.quantizer;
    q.k.clear();
    q.i.clear();
    q.f.clear();
    for ((&k, &b), &i) in kn
        .tensor
        .data
        .iter()
        .zip(&bits.tensor.data)
        .zip(&ints.tensor.data)
    {
        let (k, b, i) = (k as i32, b as i32, i as i32);
        if !(k == 0 || k == 1) || b < 0 {
            return Err(err(format!(
                "an element has keep_negative {k} and bits {b} (HGQ's get_config asserts \
                 keep_negative 0 or 1 and bits >= 0)"
            )));
        }
        // HGQ's result_t_kif split; an element without bits is 0 (HGQ zeroes its k and i)
        let (k, i) = if b == 0 { (0, 0) } else { (k, i) };
        q.k.push(k);
        q.i.push(i - k);
        q.f.push(b - i);
    }
    layer.quantizer_params = 3 * n as u64;
    Ok(())
}

/// The type of a `<name>_t` override (`fixed<13,6,TRN,WRAP>`, `ufixed<8,4>`), or an error
/// naming the quantizer, the layer and the field.
fn override_type(
    file: &str,
    quantizer: &str,
    layer: &str,
    key: &str,
    v: &Value,
) -> Result<FixedType, FrontendError> {
    let field = || {
        format!("layer '{quantizer}' (FixedPointQuantizer) config.overrides.layers.{layer}.{key}")
    };
    let text = v.as_str().ok_or_else(|| {
        FrontendError::field(file, field(), "a fixed-point type string", describe(v))
    })?;
    text.parse::<FixedType>().map_err(|e| {
        FrontendError::field(
            file,
            field(),
            format!("a fixed-point type ({e})"),
            describe(v),
        )
    })
}

/// Give the network's layers the precisions a proxy model carries (see the module doc).
/// Runs after the layers are built; a precision already set (by the model) is kept.
pub fn apply_overrides(
    file: &str,
    layers: &[KerasLayer],
    net: &mut Network,
) -> Result<(), FrontendError> {
    for kl in layers
        .iter()
        .filter(|l| l.class_name == "FixedPointQuantizer")
    {
        let Some(over) = kl.config.get("overrides").filter(|v| !v.is_null()) else {
            continue;
        };
        let by_layer = match over.get("layers") {
            None | Some(Value::Null) => continue,
            Some(Value::Object(m)) => m,
            Some(v) => {
                return Err(FrontendError::field(
                    file,
                    format!(
                        "layer '{}' (FixedPointQuantizer) config.overrides.layers",
                        kl.name
                    ),
                    "an object of layer names",
                    describe(v),
                ))
            }
        };
        for (name, conf) in by_layer {
            // a layer hls4ml or presynth does not keep (a final Flatten): nothing to set
            let Some(id) = net.find(name) else { continue };
            let Some(conf) = conf.as_object() else {
                return Err(FrontendError::field(
                    file,
                    format!(
                        "layer '{}' (FixedPointQuantizer) config.overrides.layers.{name}",
                        kl.name
                    ),
                    "an object of settings",
                    describe(conf),
                ));
            };
            for (key, v) in conf {
                let t = match key.as_str() {
                    "result_t" | "weight_t" | "bias_t" | "accum_t" => {
                        override_type(file, &kl.name, name, key, v)?
                    }
                    // others (parallelization_factor, ...) do not change the estimate
                    _ => continue,
                };
                let p = &mut net.layer_mut(id).settings.precision;
                let slot = match key.as_str() {
                    "result_t" => &mut p.result,
                    "weight_t" => &mut p.weight,
                    "bias_t" => &mut p.bias,
                    _ => &mut p.accum,
                };
                slot.get_or_insert(t);
            }
        }
    }
    // each quantizer's widest format, and a fusible one's folded into the layer before it
    for id in net.topo_order().map_err(|e| FrontendError::ir(file, e))? {
        let LayerKind::FixedPointQuantizer(fq) = &net.layer(id).kind else {
            continue;
        };
        let Some((signed, integer, width)) = fq.widest().filter(|w| w.2 >= 1) else {
            continue;
        };
        let t = match signed {
            true => FixedType::fixed(width as u32, integer),
            false => FixedType::ufixed(width as u32, integer),
        };
        let fusible = fq.fusible;
        net.layer_mut(id)
            .settings
            .precision
            .result
            .get_or_insert(t.clone());
        // the layer before (hls4ml's Keras 2 parser puts `<layer>_linear` between a Dense and
        // its quantizer, and removes it: the Dense gets the type too)
        if !fusible {
            continue;
        }
        let mut at = id;
        while let [before] = net.inputs_of(at)[..] {
            if net.consumers_of(before).len() != 1 {
                break;
            }
            let layer = net.layer_mut(before);
            layer.settings.precision.result.get_or_insert(t.clone());
            if !matches!(
                layer.kind,
                LayerKind::Activation(ir::layer::Activation::Linear)
            ) {
                break;
            }
            at = before;
        }
    }
    Ok(())
}
