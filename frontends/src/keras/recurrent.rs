//! Keras's recurrent classes to the IR's `Recurrent` kind: `SimpleRNN`, `LSTM`, `GRU` and
//! `Bidirectional` around one of them, with the config fields hls4ml 1.3.0's handler reads
//! (`converters/keras/recurrent.py`). Refused by name, as hls4ml refuses them or as they change
//! what inference computes: `return_state` (hls4ml: "not yet supported"), `stateful` (state
//! carried across calls), `time_major`, a `Bidirectional` whose backward layer differs from its
//! forward one (other cell, units or options) or whose `merge_mode` is `None`. Ignored as Keras
//! ignores them at inference: `dropout`, `recurrent_dropout`, `unroll`, initializers,
//! regularizers, constraints, `unit_forget_bias`, `zero_output_for_mask` (no masks in the IR),
//! `use_cudnn`.
//!
//! QKeras's `QSimpleRNN`/`QLSTM`/`QGRU` are read as hls4ml 1.3.0 reads them
//! (`converters/keras/qkeras.py`, `parse_qrnn_layer`): the Keras handler above, plus the
//! kernel/recurrent/bias/state quantizers, which hls4ml records but, on Vivado/Vitis, does not
//! apply to the weights (`LSTM`/`GRU.initialize` add them without a quantizer: the float values are
//! written, checked in its projects) and which only give the types of a `granularity='name'`
//! config (`weight`, `recurrent_weight`, `bias`, `accum`); and an activation given as a quantizer
//! becomes the activation hls4ml's `get_activation_quantizer` names (`quantized_relu` -> relu,
//! `quantized_bits` -> linear, `quantized_tanh`/`quantized_sigmoid` with `use_real_*` -> tanh/
//! sigmoid), its type again only in a name config (`result`). Refused by name as hls4ml refuses
//! them: the hard `quantized_tanh`/`quantized_sigmoid` ("Hard activation not supported"), classes
//! outside its list ("Unsupported QKeras activation"); refused by presynth: the leaky
//! `quantized_relu` and the binary/ternary activations (hls4ml names them `leaky_relu`,
//! `binary_tanh`, `ternary_tanh`, which its recurrent templates take without their parameters).
//! A `Bidirectional` around a Q-layer is read as hls4ml's Bidirectional handler reads it: the
//! activations as names (a quantizer object there is refused), no quantizers.

use super::layers::{describe, keras_activation, Attrs, KerasLayer};
use super::qkeras::Quantizer;
use crate::error::FrontendError;
use ir::layer::{Activation, LayerKind};
use ir::ops::{BidiMerge, Cell, Recurrent};
use serde_json::{Map, Value};

/// The cell of a recurrent Keras or QKeras class (`None` for other classes).
pub fn cell_of(class: &str) -> Option<Cell> {
    match class.strip_prefix('Q').unwrap_or(class) {
        "SimpleRNN" => Some(Cell::SimpleRnn),
        "LSTM" => Some(Cell::Lstm),
        "GRU" => Some(Cell::Gru),
        _ => None,
    }
}

fn act(a: &Attrs, key: &str, default: &str) -> Result<Activation, FrontendError> {
    let quantized = a.layer.class_name.starts_with('Q');
    if quantized && a.get(key).is_some_and(Value::is_object) {
        let q = a
            .quantizer(key)?
            .ok_or_else(|| a.missing(key, "an activation"))?;
        return quantized_activation(&q).map_err(|m| a.unsupported(key, m));
    }
    let name = a.str_or(key, default)?;
    keras_activation(name).ok_or_else(|| {
        a.unsupported(
            key,
            format!("'{name}' (expected tanh, sigmoid, relu, linear, softsign, softplus or selu)"),
        )
    })
}

/// The activation hls4ml 1.3.0's `get_activation_quantizer` names for a QKeras recurrent
/// layer's activation quantizer (see the module comment).
fn quantized_activation(q: &Quantizer) -> Result<Activation, String> {
    let flag = |key: &str| q.params.get(key).and_then(Value::as_bool).unwrap_or(false);
    let hard = |real: &str| {
        format!(
            "{} with {real}=False: hls4ml 1.3.0 makes it a HardActivation, which it refuses in a \
             recurrent layer (\"Hard activation not supported\")",
            q.class
        )
    };
    match q.class.as_str() {
        "quantized_relu" => {
            let slope = q.params.get("negative_slope").and_then(Value::as_f64);
            if slope.is_some_and(|s| s != 0.0) {
                return Err(
                    "quantized_relu with a negative_slope (hls4ml 1.3.0 names it leaky_relu \
                     without its slope in the recurrent templates)"
                        .into(),
                );
            }
            Ok(Activation::Relu)
        }
        "quantized_bits" => Ok(Activation::Linear),
        "quantized_tanh" if flag("use_real_tanh") => Ok(Activation::Tanh),
        "quantized_tanh" => Err(hard("use_real_tanh")),
        "quantized_sigmoid" if flag("use_real_sigmoid") => Ok(Activation::Sigmoid),
        "quantized_sigmoid" => Err(hard("use_real_sigmoid")),
        c @ ("binary" | "ternary" | "binary_tanh" | "ternary_tanh") => Err(format!(
            "{c} (hls4ml 1.3.0 names it {}_tanh, which presynth does not model in a recurrent \
             layer)",
            c.trim_end_matches("_tanh")
        )),
        c => Err(format!(
            "{c}: hls4ml 1.3.0 refuses it (\"Unsupported QKeras activation: {c}\"; expected \
             quantized_relu, quantized_bits, quantized_tanh or quantized_sigmoid)"
        )),
    }
}

/// The weight and state quantizers of a QKeras recurrent layer: parsed, and typed as hls4ml's
/// `QKerasQuantizer` types them (their types reach a `granularity='name'` config; the weights
/// are written unquantized). `alpha` is not looked at: hls4ml's `qkeras_factorize_alpha` matches
/// Dense and Conv layers only, and the quantizer is never applied.
fn check_quantizers(a: &Attrs) -> Result<(), FrontendError> {
    if !a.layer.class_name.starts_with('Q') {
        return Ok(());
    }
    for (key, is_kernel) in [
        ("kernel_quantizer", true),
        ("recurrent_quantizer", false),
        ("bias_quantizer", false),
        ("state_quantizer", false),
    ] {
        if let Some(mut q) = a.quantizer(key)? {
            q.params.remove("alpha");
            q.weight_type(is_kernel)
                .map_err(|m| a.unsupported(key, m))?;
        }
    }
    Ok(())
}

fn refuse_true(a: &Attrs, key: &str, why: &str) -> Result<(), FrontendError> {
    if a.bool_or(key, false)? {
        return Err(a.unsupported(key, format!("true ({why})")));
    }
    Ok(())
}

/// One `SimpleRNN`/`LSTM`/`GRU` config (alone, or the forward layer of a `Bidirectional`).
pub(super) fn recurrent(a: &Attrs, cell: Cell) -> Result<Recurrent, FrontendError> {
    refuse_true(
        a,
        "return_state",
        "hls4ml 1.3.0 does not support returning the states",
    )?;
    refuse_true(
        a,
        "stateful",
        "a state carried from one call to the next is not modelled",
    )?;
    refuse_true(a, "time_major", "hls4ml 1.3.0 refuses time-major inputs")?;
    check_quantizers(a)?;
    let recurrent_activation = match cell {
        Cell::SimpleRnn => Activation::Linear,
        Cell::Lstm | Cell::Gru => act(a, "recurrent_activation", "sigmoid")?,
    };
    Ok(Recurrent {
        cell,
        units: a.usize_req("units")?,
        activation: act(a, "activation", "tanh")?,
        recurrent_activation,
        use_bias: a.bool_or("use_bias", true)?,
        return_sequences: a.bool_or("return_sequences", false)?,
        go_backwards: a.bool_or("go_backwards", false)?,
        reset_after: cell == Cell::Gru && a.bool_or("reset_after", true)?,
        bidirectional: None,
    })
}

/// A `SimpleRNN`, `LSTM` or `GRU` layer.
pub(super) fn layer(a: &Attrs) -> Result<LayerKind, FrontendError> {
    let class = a.layer.class_name.as_str();
    let cell = cell_of(class).ok_or_else(|| FrontendError::UnsupportedLayer {
        file: a.file.to_string(),
        layer: a.layer.name.clone(),
        kind: class.to_string(),
    })?;
    Ok(LayerKind::Recurrent(recurrent(a, cell)?))
}

/// A nested layer config (`config.layer`, `config.backward_layer`) as a Keras layer of its own.
fn nested(a: &Attrs, key: &str) -> Result<Option<KerasLayer>, FrontendError> {
    let Some(v) = a.get(key) else {
        return Ok(None);
    };
    let class = v.get("class_name").and_then(Value::as_str);
    let config = v.get("config").and_then(Value::as_object);
    match (class, config) {
        (Some(c), Some(cfg)) => Ok(Some(KerasLayer {
            name: format!("{}/{}", a.layer.name, key),
            class_name: c.to_string(),
            config: cfg.clone(),
            inbound: Vec::new(),
            call: Map::new(),
            hgq2: v.as_object().is_some_and(super::hgq2::is_hgq2),
        })),
        _ => Err(a.field_err(key, "a layer object with class_name and config", v)),
    }
}

/// A `Bidirectional` wrapper: the forward layer's cell and options, run both ways.
pub(super) fn bidirectional(a: &Attrs) -> Result<LayerKind, FrontendError> {
    let merge = match a.get("merge_mode") {
        None => {
            return Err(a.unsupported(
                "merge_mode",
                "None (the two directions as two outputs) is not supported",
            ))
        }
        Some(Value::String(s)) => BidiMerge::from_keras(s).ok_or_else(|| {
            a.field_err(
                "merge_mode",
                "one of concat, sum, mul, ave",
                &Value::from(s.as_str()),
            )
        })?,
        Some(v) => return Err(a.field_err("merge_mode", "a string", v)),
    };
    let fwd = nested(a, "layer")?.ok_or_else(|| a.missing("layer", "the wrapped layer"))?;
    let fa = Attrs {
        file: a.file,
        layer: &fwd,
    };
    let cell = cell_of(&fwd.class_name).ok_or_else(|| {
        a.unsupported(
            "layer",
            format!(
                "wraps a {} (hls4ml 1.3.0 wraps SimpleRNN, LSTM or GRU only)",
                fwd.class_name
            ),
        )
    })?;
    if fwd.class_name.starts_with('Q') {
        // hls4ml 1.3.0's parse_bidirectional_layer copies the wrapped layer's activations as
        // they are (no get_activation_quantizer): a quantizer object is no activation name
        for key in ["activation", "recurrent_activation"] {
            if fa.get(key).is_some_and(Value::is_object) {
                return Err(a.unsupported(
                    "layer",
                    format!(
                        "wraps a {} whose {key} is a quantizer (hls4ml 1.3.0's Bidirectional \
                         handler takes it as an activation name)",
                        fwd.class_name
                    ),
                ));
            }
        }
    }
    let mut r = recurrent(&fa, cell)?;
    if let Some(bwd) = nested(a, "backward_layer")? {
        let ba = Attrs {
            file: a.file,
            layer: &bwd,
        };
        let b = cell_of(&bwd.class_name)
            .map(|c| recurrent(&ba, c))
            .transpose()?;
        let same = b.is_some_and(|b| {
            Recurrent {
                go_backwards: r.go_backwards,
                ..b
            } == r
                && b.go_backwards != r.go_backwards
        });
        if !same {
            return Err(a.unsupported(
                "backward_layer",
                format!(
                    "{} differs from the forward layer (only a backward copy of the forward \
                     layer is supported)",
                    describe(a.get("backward_layer").unwrap_or(&Value::Null))
                ),
            ));
        }
    }
    if r.go_backwards {
        return Err(a.unsupported(
            "layer",
            "a forward layer with go_backwards=true (hls4ml 1.3.0 swaps the two directions)",
        ));
    }
    r.bidirectional = Some(merge);
    Ok(LayerKind::Recurrent(r))
}
