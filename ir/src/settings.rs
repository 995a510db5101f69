//! HLS settings, the fields of an hls4ml config: model-level defaults ([`HlsConfig`]) and
//! per-layer overrides ([`LayerSettings`]). A layer's effective value is its own override if set,
//! else the model-level value ([`HlsConfig::resolve`]).

use crate::types::FixedType;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// hls4ml `Strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Strategy {
    #[default]
    Latency,
    Resource,
}

/// hls4ml `IOType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum IoType {
    #[default]
    #[serde(rename = "io_parallel")]
    Parallel,
    #[serde(rename = "io_stream")]
    Stream,
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Strategy::Latency => "Latency",
            Strategy::Resource => "Resource",
        })
    }
}
impl FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "latency" => Ok(Strategy::Latency),
            "resource" => Ok(Strategy::Resource),
            _ => Err(format!(
                "unknown strategy '{s}' (expected Latency or Resource)"
            )),
        }
    }
}
impl fmt::Display for IoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IoType::Parallel => "io_parallel",
            IoType::Stream => "io_stream",
        })
    }
}
impl FromStr for IoType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "io_parallel" | "parallel" => Ok(IoType::Parallel),
            "io_stream" | "stream" => Ok(IoType::Stream),
            _ => Err(format!(
                "unknown io_type '{s}' (expected io_parallel or io_stream)"
            )),
        }
    }
}

/// Precision overrides of one layer (hls4ml `Precision` with `weight`, `bias`, `result`,
/// `accum`, and for BatchNorm `scale`). `None` means "inherit the model default".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Precision {
    pub weight: Option<FixedType>,
    pub bias: Option<FixedType>,
    pub result: Option<FixedType>,
    pub accum: Option<FixedType>,
    pub scale: Option<FixedType>,
    /// The recurrent layers' other weight variables, by hls4ml's name
    /// ([`RECURRENT_PRECISION_VARS`]: an LSTM/GRU's `recurrent_weight`, `recurrent_bias`, a
    /// Bidirectional's `forward_weight` ... `backward_recurrent_bias`); `None`: given as
    /// `auto` (hls4ml's `_infer_rnn_precision` gives it the default under the variable's own
    /// type name, `<layer>_<var>_t`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub named: std::collections::BTreeMap<String, Option<FixedType>>,
}

/// The precision variables hls4ml's recurrent layers have besides `weight` and `bias`
/// (`model/layers.py` LSTM, GRU, Bidirectional), kept in [`Precision::named`].
pub const RECURRENT_PRECISION_VARS: &[&str] = &[
    "recurrent_weight",
    "recurrent_bias",
    "forward_weight",
    "forward_bias",
    "forward_recurrent_weight",
    "forward_recurrent_bias",
    "backward_weight",
    "backward_bias",
    "backward_recurrent_weight",
    "backward_recurrent_bias",
];

/// A SeparableConv1D/2D's kernel types (hls4ml's `depthwise`, `pointwise`), kept in
/// [`Precision::named`]: hls4ml's `separable_to_depthwise_and_conv` makes each the `weight` of
/// the half it splits off (`<layer>_depthwise`, `<layer>_pointwise`), under that half's name
/// (`<layer>_depthwise_weight_t`); `None`: `auto`.
pub const SEPARABLE_PRECISION_VARS: &[&str] = &["depthwise", "pointwise"];

/// A GarNet/GarNetStack's internal array types (hls4ml's `edge_weight`, `edge_weight_aggr`,
/// `aggr`, `norm`: `garnet_templates.py` reads them from the layer's `Precision`, else uses its
/// own defaults), kept in [`Precision::named`].
pub const GARNET_PRECISION_VARS: &[&str] = &["edge_weight", "edge_weight_aggr", "aggr", "norm"];

/// Which precision variables of a layer a config gives as `auto`: hls4ml infers them
/// (`infer_precision_types`, presynth's `lower` pass `infer_precision`) instead of taking the
/// model default. A set flag wins over the matching [`Precision`] field, except that `weight`
/// and `bias` keep a quantizer-given type (hls4ml's pass uses the quantizer's type there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AutoPrecision {
    pub weight: bool,
    pub bias: bool,
    pub result: bool,
    pub accum: bool,
    pub scale: bool,
}

impl AutoPrecision {
    /// Whether no variable is `auto`.
    pub fn is_none(&self) -> bool {
        *self == AutoPrecision::default()
    }
}

/// Which of a layer's weight/bias types a QKeras quantizer gave (kept in
/// [`Precision::weight`]/[`Precision::bias`]): hls4ml's `add_weights_variable` with a quantizer
/// names such a type `weight<index>_t` / `bias<index>_t`, not `<layer>_weight_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Quantized {
    pub weight: bool,
    pub bias: bool,
}

impl Quantized {
    /// Whether no type is a quantizer's.
    pub fn is_none(&self) -> bool {
        *self == Quantized::default()
    }
}

/// Per-layer HLS settings; every field overrides the model-level one when set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LayerSettings {
    pub precision: Precision,
    /// The precision variables given as `auto` (to be inferred by the lowering).
    #[serde(default, skip_serializing_if = "AutoPrecision::is_none")]
    pub auto: AutoPrecision,
    /// The weight/bias types that are a QKeras quantizer's (their hls4ml type names).
    #[serde(default, skip_serializing_if = "Quantized::is_none")]
    pub quantized: Quantized,
    pub reuse_factor: Option<u32>,
    pub strategy: Option<Strategy>,
    /// Expected fraction of zero kernel weights when the model comes without its weights (a
    /// pruned model whose weights were not published): hls4ml's `n_zeros` is this fraction of
    /// the kernel. Ignored where the weights are there (they give the count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sparsity: Option<f64>,
    /// hls4ml's `Static` of a recurrent layer: `None`/`Some(true)` its default, one cell whose
    /// state lives in static registers (`lstm_static`, `use_static = true`); `Some(false)` the
    /// non-static cell (`nnet::lstm`, `lstm_class`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrent_static: Option<bool>,
}

impl LayerSettings {
    /// Whether the kernel type is hls4ml's 1-bit `XnorPrecisionType`: a QKeras quantizer's
    /// `ap_uint<1>` (binary kernels, whose values are the xnor encoding 0 = −1, 1 = +1, and
    /// `quantized_bits(1,1)`). A config's `ap_uint<1>` is a plain integer type to hls4ml.
    /// hls4ml multiplies by such a kernel with `weight_binary` (x if w else −x) and infers no
    /// accum/result type from it (`_all_supported_types`).
    pub fn xnor_weight(&self) -> bool {
        self.quantized.weight && self.precision.weight == Some(crate::FixedType::int(1, false))
    }

    /// Whether nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == LayerSettings::default()
    }
}

/// Model-level HLS settings: the `Model` section of an hls4ml config plus the project-level
/// fields (IOType, Part, ClockPeriod, Backend).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HlsConfig {
    pub precision: FixedType,
    pub reuse_factor: u32,
    pub strategy: Strategy,
    pub io_type: IoType,
    pub part: String,
    pub clock_period_ns: f64,
    pub backend: String,
}

impl Default for HlsConfig {
    /// hls4ml 1.3.0's defaults for the Vitis backend.
    fn default() -> Self {
        HlsConfig {
            precision: FixedType::hls4ml_default(),
            reuse_factor: 1,
            strategy: Strategy::Latency,
            io_type: IoType::Parallel,
            part: "xcvu13p-flga2577-2-e".to_string(),
            clock_period_ns: 5.0,
            backend: "Vitis".to_string(),
        }
    }
}

/// The effective settings of one layer after applying overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSettings {
    pub weight: FixedType,
    pub bias: FixedType,
    pub result: FixedType,
    pub accum: FixedType,
    pub scale: FixedType,
    pub reuse_factor: u32,
    pub strategy: Strategy,
    pub io_type: IoType,
}

impl HlsConfig {
    /// Apply a layer's overrides on top of the model-level settings.
    pub fn resolve(&self, layer: &LayerSettings) -> ResolvedSettings {
        let p = &layer.precision;
        let d = || self.precision.clone();
        ResolvedSettings {
            weight: p.weight.clone().unwrap_or_else(d),
            bias: p.bias.clone().unwrap_or_else(d),
            result: p.result.clone().unwrap_or_else(d),
            accum: p.accum.clone().unwrap_or_else(d),
            scale: p.scale.clone().unwrap_or_else(d),
            reuse_factor: layer.reuse_factor.unwrap_or(self.reuse_factor),
            strategy: layer.strategy.unwrap_or(self.strategy),
            io_type: self.io_type,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_overrides_model() {
        let cfg = HlsConfig::default();
        let mut ls = LayerSettings::default();
        let r = cfg.resolve(&ls);
        assert_eq!(r.weight, FixedType::fixed(16, 6));
        assert_eq!(r.reuse_factor, 1);
        ls.reuse_factor = Some(4);
        ls.precision.weight = Some(FixedType::fixed(8, 3));
        ls.strategy = Some(Strategy::Resource);
        let r = cfg.resolve(&ls);
        assert_eq!(r.weight, FixedType::fixed(8, 3));
        assert_eq!(r.bias, FixedType::fixed(16, 6));
        assert_eq!((r.reuse_factor, r.strategy), (4, Strategy::Resource));
    }
}
