//! QKeras quantizers (`quantized_bits`, `quantized_relu`, `quantized_po2`, `binary`, `ternary`)
//! and the fixed-point types hls4ml 1.3.0 derives from them.
//!
//! Two rules, both from hls4ml 1.3.0:
//! - weight and bias quantizers of QDense/QConv (`hls4ml/model/quantizers.py`,
//!   `QKerasQuantizer._get_type`): `quantized_bits(b, i)` is `ap_fixed<b, i+1>` (signed, no
//!   rounding or saturation mode; `keep_negative` is not looked at), `ap_int<b>` when `b == i`,
//!   the 1-bit xnor type `ap_uint<1>` when `b == i == 1`; `quantized_po2(b)` is an exponent type
//!   that hls4ml prints as `ap_int<b>`; `binary` is `ap_uint<1>` for kernels and `ap_int<2>`
//!   for biases; `ternary` is `ap_int<2>`.
//! - activation quantizers of QActivation (`hls4ml/utils/config.py`,
//!   `_get_precision_from_quantizer`): `quantized_relu(b, i)` is `ap_ufixed<b, i, AP_RND_CONV,
//!   AP_SAT>` (signed `ap_fixed<b, i+1, ...>` with a leaky relu when `negative_slope != 0`),
//!   `quantized_bits(b, i)` is `ap_fixed<b, i+1, AP_RND_CONV, AP_SAT>` on a linear activation;
//!   when no fractional bits remain the type is `ap_int`/`ap_uint` of the integer width;
//!   `quantized_tanh(b)` is `ap_fixed<b, 1, AP_RND_CONV, AP_SAT>` (`AP_SAT_SYM` when symmetric).
//!   hls4ml's `get_activation_quantizer` makes `quantized_tanh` a `HardActivation` named
//!   `hard_tanh` (QKeras's slope 0.5 and shift 0.5, so `2·clip(x/2 + 1/2, 0, 1) − 1 =
//!   clip(x, −1, 1)`), or a plain `tanh` with `use_real_tanh=True`; `quantized_sigmoid(b)`
//!   (`ap_ufixed<b, 0, AP_RND_CONV, AP_SAT>`) likewise a `hard_sigmoid` (clip(x/2 + 1/2, 0, 1))
//!   or `sigmoid`; `binary` is `binary_tanh` (`ap_int<2>`); `ternary` is refused (hls4ml's
//!   TernaryTanh layer has no function template).
//! - binary/ternary weight values: see [`Quantizer::quantize`].
//!
//! A quantizer comes either as a dict (`{"class_name": ..., "config": {...}}`) or as a string
//! (`"quantized_relu(3,1)"`, `"quantized_bits(4,0,alpha=1)"`).

use ir::layer::Activation;
use ir::types::{FixedType, Overflow, Quantization};
use serde_json::{Map, Value};

/// A parsed quantizer: its QKeras class and its parameters by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantizer {
    pub class: String,
    pub params: Map<String, Value>,
}

/// Positional parameter names of the QKeras quantizers, in QKeras's order.
fn positional_names(class: &str) -> &'static [&'static str] {
    match class {
        "quantized_bits" => &["bits", "integer", "symmetric", "keep_negative", "alpha"],
        "quantized_relu" => &["bits", "integer", "use_sigmoid", "negative_slope"],
        "quantized_po2" => &["bits", "max_value"],
        "quantized_relu_po2" => &["bits", "max_value", "negative_slope"],
        "quantized_tanh" => &[
            "bits",
            "use_stochastic_rounding",
            "symmetric",
            "use_real_tanh",
        ],
        "quantized_sigmoid" => &["bits", "symmetric", "use_real_sigmoid"],
        "binary" => &["use_01", "alpha"],
        "stochastic_binary" => &["alpha", "temperature", "use_real_sigmoid"],
        "ternary" | "stochastic_ternary" => &["alpha", "threshold"],
        _ => &[],
    }
}

/// Parse one literal argument of a quantizer string (`6`, `0.5`, `True`, `None`, `'auto'`).
fn parse_literal(s: &str) -> Result<Value, String> {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        return Ok(Value::from(i));
    }
    if let Ok(f) = s.parse::<f64>() {
        return Ok(Value::from(f));
    }
    match s {
        "True" | "true" => return Ok(Value::Bool(true)),
        "False" | "false" => return Ok(Value::Bool(false)),
        "None" | "null" => return Ok(Value::Null),
        _ => {}
    }
    let quoted =
        (s.starts_with('\'') && s.ends_with('\'')) || (s.starts_with('"') && s.ends_with('"'));
    if quoted && s.len() >= 2 {
        return Ok(Value::String(s[1..s.len() - 1].to_string()));
    }
    Err(format!("cannot read argument '{s}'"))
}

impl Quantizer {
    /// Parse a quantizer string such as `quantized_relu(3,1)` or `quantized_bits(4, 0, alpha=1)`.
    /// A bare name (`relu`, `quantized_relu`) has no parameters.
    pub fn parse_str(text: &str) -> Result<Quantizer, String> {
        let t = text.trim();
        let (class, args) = match t.find('(') {
            None => (t, ""),
            Some(open) => {
                let rest = &t[open + 1..];
                let args = rest
                    .strip_suffix(')')
                    .ok_or_else(|| format!("'{text}': expected ')' at the end"))?;
                (t[..open].trim(), args)
            }
        };
        if class.is_empty() || !class.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "'{text}': expected a quantizer name such as quantized_bits"
            ));
        }
        let names = positional_names(class);
        let mut params = Map::new();
        let mut seen_keyword = false;
        for (i, arg) in args
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .enumerate()
        {
            if let Some((k, v)) = arg.split_once('=') {
                seen_keyword = true;
                params.insert(
                    k.trim().to_string(),
                    parse_literal(v).map_err(|e| format!("'{text}': {e}"))?,
                );
            } else {
                if seen_keyword {
                    return Err(format!(
                        "'{text}': positional argument after a keyword argument"
                    ));
                }
                let name = names.get(i).ok_or_else(|| {
                    format!("'{text}': too many positional arguments for {class}")
                })?;
                params.insert(
                    name.to_string(),
                    parse_literal(arg).map_err(|e| format!("'{text}': {e}"))?,
                );
            }
        }
        Ok(Quantizer {
            class: class.to_string(),
            params,
        })
    }

    /// Parse the JSON form: a string, or `{"class_name": ..., "config": {...}}`.
    pub fn from_value(v: &Value) -> Result<Quantizer, String> {
        match v {
            Value::String(s) => Quantizer::parse_str(s),
            Value::Object(o) => {
                let class = o
                    .get("class_name")
                    .and_then(Value::as_str)
                    .ok_or("expected a quantizer with a string 'class_name'")?;
                let params = match o.get("config") {
                    None | Some(Value::Null) => Map::new(),
                    Some(Value::Object(c)) => c.clone(),
                    Some(other) => {
                        return Err(format!(
                            "quantizer 'config' must be an object, found {other}"
                        ))
                    }
                };
                Ok(Quantizer {
                    class: class.to_string(),
                    params,
                })
            }
            other => Err(format!(
                "expected a quantizer string or object, found {other}"
            )),
        }
    }

    pub(super) fn int(&self, key: &str, default: i64) -> Result<i64, String> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => v
                .as_i64()
                .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .ok_or_else(|| format!("{}: '{key}' must be an integer, found {v}", self.class)),
        }
    }
    /// A boolean parameter (QKeras also writes them as 0/1), false when absent.
    pub(super) fn flag(&self, key: &str) -> Result<bool, String> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => v
                .as_f64()
                .map(|f| f != 0.0)
                .ok_or_else(|| format!("{}: '{key}' must be true or false, found {v}", self.class)),
        }
    }
    fn float(&self, key: &str, default: f64) -> Result<f64, String> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => v
                .as_f64()
                .ok_or_else(|| format!("{}: '{key}' must be a number, found {v}", self.class)),
        }
    }
    /// `integer` (integer bits), within ±`MAX_WIDTH` so that `integer + 1` and the type
    /// widths built from it cannot overflow (found by fuzzing: `"integer": 9223372036854775807`).
    fn integer(&self) -> Result<i64, String> {
        let i = self.int("integer", 0)?;
        let max = ir::types::MAX_WIDTH as i64;
        if !(-max..=max).contains(&i) {
            return Err(format!(
                "{}: integer must be between -{max} and {max}, found {i}",
                self.class
            ));
        }
        Ok(i)
    }
    fn bits(&self) -> Result<u32, String> {
        let b = self.int("bits", 8)?;
        if !(1..=ir::types::MAX_WIDTH as i64).contains(&b) {
            return Err(format!(
                "{}: bits must be between 1 and {}, found {b}",
                self.class,
                ir::types::MAX_WIDTH
            ));
        }
        Ok(b as u32)
    }
    /// `alpha` must be absent, None or 1: other values make hls4ml insert an ApplyAlpha layer,
    /// which the IR does not have.
    fn check_alpha(&self) -> Result<(), String> {
        match self.params.get("alpha") {
            None | Some(Value::Null) => Ok(()),
            Some(v) if v.as_f64() == Some(1.0) => Ok(()),
            Some(v) => Err(format!(
                "{}: alpha={v} is not supported (only 1, None and, on kernels, \"auto_po2\")",
                self.class
            )),
        }
    }

    /// `alpha` of a binary/ternary quantizer whose values are written as they are: hls4ml
    /// 1.3.0 writes the ±1 (ternary: −1/0/1) values for `alpha` None or 1. A QDense/QConv
    /// kernel with `"auto_po2"` (QKeras's default there: it turns None into it) is factorised
    /// before this is reached (keras/alpha.rs); any other alpha, and `"auto_po2"` where
    /// hls4ml's `qkeras_factorize_alpha` does not apply (biases, depthwise and pointwise
    /// kernels, whose scaled values hls4ml writes into the unscaled type), is refused.
    fn check_sign_alpha(&self) -> Result<(), String> {
        match self.params.get("alpha") {
            None | Some(Value::Null) => Ok(()),
            Some(v) if v.as_f64() == Some(1.0) => Ok(()),
            Some(v) => Err(format!(
                "{}: alpha={v} is not supported here (binary and ternary quantizers need \
                 alpha=1 or None, or \"auto_po2\" on a QDense/QConv kernel, which hls4ml 1.3.0 \
                 factorises into an ApplyAlpha layer)",
                self.class
            )),
        }
    }

    /// `bits` and `integer` of a `quantized_bits` quantizer.
    pub fn bits_integer(&self) -> Result<(u32, i64), String> {
        Ok((self.bits()?, self.int("integer", 0)?))
    }

    /// The hls4ml type of a weight (`is_kernel`) or bias quantized by this quantizer.
    pub fn weight_type(&self, is_kernel: bool) -> Result<FixedType, String> {
        match self.class.as_str() {
            "quantized_bits" => {
                // alpha="auto_po2" kernels keep their type: hls4ml rescales them into an
                // ApplyAlpha layer (keras/alpha.rs) and sets the alpha to 1.
                if !super::alpha::is_auto_po2(self) {
                    self.check_alpha()?;
                }
                let width = self.bits()?;
                let integer = self.integer()?;
                if integer == width as i64 {
                    Ok(if width == 1 {
                        FixedType::int(1, false)
                    } else {
                        FixedType::int(width, true)
                    })
                } else {
                    Ok(FixedType::fixed(width, (integer + 1) as i32))
                }
            }
            "quantized_po2" => Ok(FixedType::int(self.bits()?, true)),
            // (alpha is checked where the values are quantized, `quantize`: hls4ml never
            // applies a recurrent layer's quantizers)
            c if c.contains("binary") => Ok(if is_kernel {
                FixedType::int(1, false)
            } else {
                FixedType::int(2, true)
            }),
            c if c.contains("ternary") => Ok(FixedType::int(2, true)),
            c => Err(format!(
                "weight quantizer {c} is not supported (expected quantized_bits, quantized_po2, binary or ternary)"
            )),
        }
    }

    /// The values hls4ml writes for a weight or bias quantized by this quantizer: hls4ml 1.3.0
    /// (`Layer.add_weights_variable` with a `QKerasQuantizer`) replaces the float weights by
    /// `quantizer(weights)` before writing them. For `quantized_bits` (alpha None or 1, the only
    /// alphas accepted) QKeras computes, in float32, with `m = 2^(bits - keep_negative)` and
    /// `m_i = 2^integer`: `m_i * clip(round(x * m / m_i), keep_negative * (-m + symmetric), m - 1)
    /// / m`, where `round` is TensorFlow's round-half-to-even; with no bits left after the sign it
    /// is `sign(x)` with 0 mapped to 1 (to 0/1 when not keep_negative). Every step scales by a
    /// power of two, so the result is exact. `None` for the other quantizers (their values are
    /// written unchanged).
    ///
    /// Binary and ternary quantizers (alpha None or 1) are written as hls4ml's
    /// `QKerasBinaryQuantizer` / `QKerasQuantizer` write them, see [`Quantizer::quantize_sign`].
    pub fn quantize(&self, values: &[f32], is_kernel: bool) -> Result<Option<Vec<f32>>, String> {
        if self.class.contains("binary") || self.class.contains("ternary") {
            return self.quantize_sign(values, is_kernel).map(Some);
        }
        if self.class != "quantized_bits" {
            return Ok(None);
        }
        self.check_alpha()?;
        let bits = self.bits()? as i32;
        let integer = self.integer()?;
        let keep_negative = match self.params.get("keep_negative") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(v) => v.as_f64().map(|f| f != 0.0).ok_or_else(|| {
                format!(
                    "{}: 'keep_negative' must be true or false, found {v}",
                    self.class
                )
            })?,
        };
        let symmetric = match self.params.get("symmetric") {
            None | Some(Value::Null) => 0.0,
            Some(Value::Bool(b)) => f64::from(u8::from(*b)),
            Some(v) => v.as_f64().ok_or_else(|| {
                format!("{}: 'symmetric' must be a number, found {v}", self.class)
            })?,
        };
        if !(-64..=64).contains(&integer) {
            return Err(format!("{}: integer {integer} out of range", self.class));
        }
        let unsigned_bits = bits - i32::from(keep_negative);
        let m = 2f64.powi(unsigned_bits);
        let m_i = 2f64.powi(integer as i32);
        let lo = if keep_negative { -m + symmetric } else { 0.0 };
        Ok(Some(
            values
                .iter()
                .map(|&x| {
                    let x = x as f64;
                    let q = if unsigned_bits > 0 {
                        m_i * crate::onnx::quant::round_half_even(x * m / m_i).clamp(lo, m - 1.0)
                            / m
                    } else {
                        let s = if x > 0.0 {
                            1.0
                        } else if x < 0.0 {
                            -1.0
                        } else {
                            1.0
                        };
                        if keep_negative {
                            s
                        } else {
                            (s + 1.0) / 2.0
                        }
                    };
                    // + 0.0 turns a rounded -0.0 into 0.0: hls4ml writes such weights as
                    // `0.00000` (QKeras harness, qdense b2.txt), presynth wrote `-0.00000`
                    (q + 0.0) as f32
                })
                .collect(),
        ))
    }

    /// The values hls4ml 1.3.0 writes for a `binary`/`stochastic_binary` or
    /// `ternary`/`stochastic_ternary` weight (alpha None or 1; the stochastic classes compute
    /// as the plain ones at inference). QKeras, in float32: binary `k = sign(x)` with 0 → 1
    /// (`use_01`: `(k + 1) / 2`); ternary `q = sign(x)` where `|x| >= threshold` (default
    /// 0.33), else 0; both return `x' + (-x' + k)` with `x' = tanh(x)` when alpha is None,
    /// else `x`. hls4ml then writes a binary kernel through `BinaryQuantizer(1)` (the xnor
    /// encoding: 1 where the value is >= 0, else 0), a binary bias through `BinaryQuantizer(2)`
    /// (1 or −1) and a ternary weight as QKeras's value.
    fn quantize_sign(&self, values: &[f32], is_kernel: bool) -> Result<Vec<f32>, String> {
        self.check_sign_alpha()?;
        let tanh = matches!(self.params.get("alpha"), None | Some(Value::Null));
        let straight_through = |x: f32, k: f32| {
            let x = if tanh { x.tanh() } else { x };
            x + (-x + k)
        };
        if self.class.contains("binary") {
            let use_01 = self.flag("use_01")?;
            let negative = if is_kernel { 0.0 } else { -1.0 };
            return Ok(values
                .iter()
                .map(|&x| {
                    // tf.sign(0) = 0, then k += 1 - |k|: 0 maps to 1
                    let k = if x < 0.0 { -1.0 } else { 1.0 };
                    let k = if use_01 { (k + 1.0) / 2.0 } else { k };
                    if straight_through(x, k) >= 0.0 {
                        1.0
                    } else {
                        negative
                    }
                })
                .collect());
        }
        let threshold = self.float("threshold", 0.33)? as f32;
        Ok(values
            .iter()
            .map(|&x| {
                let q = if x.abs() >= threshold {
                    if x < 0.0 {
                        -1.0
                    } else if x > 0.0 {
                        1.0
                    } else {
                        0.0
                    }
                } else {
                    0.0
                };
                // + 0.0: a -0.0 sum is written as 0 by hls4ml (x + (-x) is +0 anyway)
                straight_through(x, q) + 0.0
            })
            .collect())
    }

    /// The activation and output type of a QActivation with this quantizer. Plain Keras
    /// activation names (`relu`, `softmax`, ...) give no type.
    pub fn activation(&self) -> Result<(Activation, Option<FixedType>), String> {
        let rounded = |width: u32, integer: i64, signed: bool| -> FixedType {
            if width as i64 - integer > 0 {
                FixedType::Fixed {
                    width,
                    integer: integer as i32,
                    signed,
                    quantization: Some(Quantization::RndConv),
                    overflow: Some(Overflow::Sat),
                    saturation_bits: None,
                }
            } else {
                FixedType::int(integer.max(1) as u32, signed)
            }
        };
        match self.class.as_str() {
            "quantized_relu" => {
                let bits = self.bits()?;
                let slope = self.float("negative_slope", 0.0)?;
                let integer = self.integer()? + 1;
                if slope != 0.0 {
                    Ok((Activation::LeakyRelu { alpha: slope }, Some(rounded(bits, integer, true))))
                } else {
                    Ok((Activation::Relu, Some(rounded(bits, integer - 1, false))))
                }
            }
            "quantized_bits" => {
                let bits = self.bits()?;
                let integer = self.integer()? + 1;
                Ok((Activation::Linear, Some(rounded(bits, integer, true))))
            }
            "quantized_tanh" => {
                let bits = self.bits()?;
                let flag = |key: &str| self.flag(key);
                let act = if flag("use_real_tanh")? {
                    Activation::Tanh
                } else {
                    Activation::QKerasHardTanh
                };
                let mut t = rounded(bits, 1, true);
                if let FixedType::Fixed { overflow, .. } = &mut t {
                    if flag("symmetric")? {
                        *overflow = Some(Overflow::SatSym);
                    }
                }
                Ok((act, Some(t)))
            }
            "quantized_sigmoid" => {
                // config.py: integer 0, unsigned; converters/keras/qkeras.py: a HardActivation
                // `hard_sigmoid` (slope and shift 0.5) unless use_real_sigmoid
                let bits = self.bits()?;
                let act = if self.flag("use_real_sigmoid")? {
                    Activation::Sigmoid
                } else {
                    Activation::QKerasHardSigmoid
                };
                Ok((act, Some(rounded(bits, 0, false))))
            }
            // get_activation_quantizer: `binary` (a class) and the `binary_tanh` function are
            // hls4ml's `binary_tanh` activation; config.py types them ap_int<2>
            "binary" | "stochastic_binary" | "binary_tanh" => {
                Ok((Activation::BinaryTanh, Some(FixedType::int(2, true))))
            }
            c @ ("ternary" | "stochastic_ternary" | "ternary_tanh") => Err(format!(
                "{c}: not in hls4ml 1.3.0: its converter makes a TernaryTanh layer, for which \
                 the Vivado/Vitis backends have no function template, so hls4ml's project never \
                 writes the layer's output (checked: QActivation(ternary(threshold=0.5)) after a \
                 QDense has no call in myproject.cpp, and its io_stream C simulation reads an \
                 empty stream); with QKeras's default threshold hls4ml first inserts a scale \
                 and merges it into a BatchNormalizationQuantizedTanh layer"
            )),
            name if self.params.is_empty() => match Activation::from_name(name) {
                Some(Activation::LeakyRelu { .. }) => Ok((Activation::LeakyRelu { alpha: 0.2 }, None)),
                Some(a) => Ok((a, None)),
                None => Err(format!(
                    "activation '{name}' is not supported (expected quantized_relu, quantized_bits or a Keras activation)"
                )),
            },
            c => Err(format!(
                "activation quantizer {c} is not supported (hls4ml maps it to a layer the IR does not have; expected quantized_relu, quantized_bits, quantized_tanh, quantized_sigmoid or binary)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantizer {
        Quantizer::parse_str(s).unwrap()
    }

    #[test]
    fn weight_types_follow_hls4ml_get_type() {
        // hls4ml QKerasQuantizer._get_type: FixedPrecisionType(width=b, integer=i+1, signed=True)
        assert_eq!(
            q("quantized_bits(6,0,alpha=1)")
                .weight_type(true)
                .unwrap()
                .to_string(),
            "ap_fixed<6,1>"
        );
        assert_eq!(
            q("quantized_bits(4,2)")
                .weight_type(true)
                .unwrap()
                .to_string(),
            "ap_fixed<4,3>"
        );
        assert_eq!(
            q("quantized_bits(8,8)")
                .weight_type(true)
                .unwrap()
                .to_string(),
            "ap_int<8>"
        );
        assert_eq!(
            q("quantized_bits(1,1)")
                .weight_type(true)
                .unwrap()
                .to_string(),
            "ap_uint<1>"
        );
        assert_eq!(
            q("quantized_po2(4, 1)")
                .weight_type(true)
                .unwrap()
                .to_string(),
            "ap_int<4>"
        );
        assert_eq!(
            q("binary()").weight_type(true).unwrap().to_string(),
            "ap_uint<1>"
        );
        assert_eq!(
            q("binary()").weight_type(false).unwrap().to_string(),
            "ap_int<2>"
        );
        // auto_po2 kernels keep the quantizer's type (hls4ml moves the scale to ApplyAlpha);
        // other alphas are refused
        assert_eq!(
            q("quantized_bits(4,0,alpha='auto_po2')")
                .weight_type(true)
                .unwrap()
                .to_string(),
            "ap_fixed<4,1>"
        );
        for other in ["'auto'", "0.5"] {
            assert!(q(&format!("quantized_bits(4,0,alpha={other})"))
                .weight_type(true)
                .unwrap_err()
                .contains("alpha"));
        }
    }

    #[test]
    fn activation_types_follow_hls4ml_config() {
        // hls4ml _get_precision_from_quantizer: relu is unsigned with integer bits i, RND_CONV, SAT
        let (a, t) = q("quantized_relu(6,0)").activation().unwrap();
        assert_eq!(
            (a, t.unwrap().to_string()),
            (Activation::Relu, "ap_ufixed<6,0,AP_RND_CONV,AP_SAT>".into())
        );
        let (_, t) = q("quantized_relu(3,1)").activation().unwrap();
        assert_eq!(t.unwrap().to_string(), "ap_ufixed<3,1,AP_RND_CONV,AP_SAT>");
        let (a, t) = q("quantized_relu(4,1,negative_slope=0.25)")
            .activation()
            .unwrap();
        assert_eq!(a, Activation::LeakyRelu { alpha: 0.25 });
        assert_eq!(t.unwrap().to_string(), "ap_fixed<4,2,AP_RND_CONV,AP_SAT>");
        let (a, t) = q("quantized_bits(8,3)").activation().unwrap();
        assert_eq!(
            (a, t.unwrap().to_string()),
            (
                Activation::Linear,
                "ap_fixed<8,4,AP_RND_CONV,AP_SAT>".into()
            )
        );
        // no fractional bits left: an integer type
        let (_, t) = q("quantized_relu(2,2)").activation().unwrap();
        assert_eq!(t.unwrap().to_string(), "ap_uint<2>");
        assert_eq!(
            q("softmax").activation().unwrap(),
            (Activation::Softmax, None)
        );
        // quantized_tanh: hls4ml's HardActivation hard_tanh, or tanh with use_real_tanh; the
        // type has 1 integer bit (config.py: integer = 1), AP_SAT_SYM when symmetric
        let (a, t) = q("quantized_tanh(8)").activation().unwrap();
        assert_eq!(
            (a, t.unwrap().to_string()),
            (
                Activation::QKerasHardTanh,
                "ap_fixed<8,1,AP_RND_CONV,AP_SAT>".into()
            )
        );
        let (a, t) = q("quantized_tanh(4, symmetric=True, use_real_tanh=True)")
            .activation()
            .unwrap();
        assert_eq!(
            (a, t.unwrap().to_string()),
            (
                Activation::Tanh,
                "ap_fixed<4,1,AP_RND_CONV,AP_SAT_SYM>".into()
            )
        );
        // quantized_sigmoid: unsigned, no integer bits (config.py), hls4ml's hard_sigmoid
        let (a, t) = q("quantized_sigmoid(5)").activation().unwrap();
        assert_eq!(
            (a, t.unwrap().to_string()),
            (
                Activation::QKerasHardSigmoid,
                "ap_ufixed<5,0,AP_RND_CONV,AP_SAT>".into()
            )
        );
        assert_eq!(
            q("quantized_sigmoid(5, use_real_sigmoid=True)")
                .activation()
                .unwrap()
                .0,
            Activation::Sigmoid
        );
        // binary: binary_tanh typed ap_int<2> (config.py: bits 2, integer 2)
        let (a, t) = q("binary(alpha=1)").activation().unwrap();
        assert_eq!(
            (a, t.unwrap().to_string()),
            (Activation::BinaryTanh, "ap_int<2>".into())
        );
        assert!(q("ternary(threshold=0.5)")
            .activation()
            .unwrap_err()
            .contains("TernaryTanh"));
    }

    #[test]
    fn quantized_bits_rounds_to_positive_zero() {
        let v = q("quantized_bits(6,0,alpha=1)")
            .quantize(&[-0.001, 0.001], true)
            .unwrap()
            .unwrap();
        assert!(v.iter().all(|x| *x == 0.0 && x.is_sign_positive()), "{v:?}");
    }

    #[test]
    fn quantized_bits_values_follow_qkeras() {
        // quantized_bits(6,0): m = 32, m_i = 1, LSB 1/32, q in [-32, 31]
        let v = q("quantized_bits(6,0,alpha=1)")
            .quantize(&[0.1, -0.1, 0.015625, 0.046875, 2.0, -2.0, 0.0], true)
            .unwrap()
            .unwrap();
        // 0.1*32 = 3.2 -> 3; 0.5 -> 0 and 1.5 -> 2 (half to even); clip to 31/32 and -1
        assert_eq!(v, vec![0.09375, -0.09375, 0.0, 0.0625, 0.96875, -1.0, 0.0]);
        // quantized_bits(4,2): m = 8, m_i = 4, LSB 0.5, range [-4, 3.5]
        let v = q("quantized_bits(4,2)")
            .quantize(&[1.3, -9.0, 9.0], true)
            .unwrap()
            .unwrap();
        assert_eq!(v, vec![1.5, -4.0, 3.5]);
        // symmetric: lower bound -m + 1
        let v = q("quantized_bits(4,0,1)")
            .quantize(&[-5.0], true)
            .unwrap()
            .unwrap();
        assert_eq!(v, vec![-0.875]);
        // keep_negative=False: m = 16, [0, 15/16]
        let v = q("quantized_bits(4,0,keep_negative=False)")
            .quantize(&[-0.3, 0.3], true)
            .unwrap()
            .unwrap();
        assert_eq!(v, vec![0.0, 0.3125]);
        assert_eq!(q("quantized_relu(4)").quantize(&[0.3], true).unwrap(), None);
    }

    #[test]
    fn binary_and_ternary_values_are_hls4mls() {
        // QKeras binary(alpha=1): sign with 0 (and -0.0) -> +1; hls4ml's BinaryQuantizer(1)
        // writes a kernel as the xnor encoding (+1 -> 1, -1 -> 0), BinaryQuantizer(2) a bias
        // as +-1
        let x = [0.3, -0.2, 0.0, -0.0, 1.4];
        let b = q("binary(alpha=1)");
        assert_eq!(
            b.quantize(&x, true).unwrap().unwrap(),
            vec![1.0, 0.0, 1.0, 1.0, 1.0]
        );
        assert_eq!(
            b.quantize(&x, false).unwrap().unwrap(),
            vec![1.0, -1.0, 1.0, 1.0, 1.0]
        );
        // use_01: QKeras gives 0/1, both >= 0: every weight is 1 to hls4ml
        let b01 = q("binary(1, alpha=1)");
        assert_eq!(b01.quantize(&x, true).unwrap().unwrap(), vec![1.0; 5]);
        // stochastic_binary at inference is binary; positional alpha first
        let sb = q("stochastic_binary(1)");
        assert_eq!(
            sb.quantize(&x, true).unwrap().unwrap(),
            vec![1.0, 0.0, 1.0, 1.0, 1.0]
        );
        // ternary(alpha=1): sign(x) where |x| >= 0.33 (float32), else 0
        let t = q("ternary(alpha=1)");
        assert_eq!(
            t.quantize(&[0.5, -0.4, 0.2, 0.33, -0.32, 0.0], true)
                .unwrap()
                .unwrap(),
            vec![1.0, -1.0, 0.0, 1.0, 0.0, 0.0]
        );
        let t = q("stochastic_ternary(1, 0.5)");
        assert_eq!(
            t.quantize(&[0.5, -0.45, 0.7], true).unwrap().unwrap(),
            vec![1.0, 0.0, 1.0]
        );
        // alpha="auto_po2" where hls4ml does not factorise it (a bias, a depthwise kernel:
        // the kernel case is keras/alpha.rs) and other alphas are refused with the reason
        for text in [
            "binary()",
            "ternary(alpha='auto_po2')",
            "binary(alpha='auto')",
        ] {
            let quantizer = q(text);
            let e = if text == "binary()" {
                // alpha None is QKeras's non-scaled form: accepted
                assert!(quantizer.quantize(&x, true).is_ok());
                continue;
            } else {
                quantizer.quantize(&x, true).unwrap_err()
            };
            assert!(e.contains("alpha=1"), "{text}: {e}");
        }
    }

    #[test]
    fn parses_dict_and_string_forms() {
        let v: Value = serde_json::from_str(
            r#"{"class_name": "quantized_bits", "config": {"bits": 6, "integer": 0, "alpha": 1}}"#,
        )
        .unwrap();
        assert_eq!(
            Quantizer::from_value(&v).unwrap(),
            q("quantized_bits(6, 0, alpha=1)")
        );
        for bad in [
            "quantized_bits(6",
            "quantized_bits(a=1, 2)",
            "quantized_bits(1,2,3,4,5,6)",
            "(6)",
            "quantized_bits(x)",
        ] {
            assert!(Quantizer::parse_str(bad).is_err(), "{bad}");
        }
        assert!(q("quantized_bits(0)").weight_type(true).is_err());
    }

    #[test]
    fn huge_integer_bits_are_an_error_not_an_overflow() {
        // Found by the keras_json fuzz target: quantized_relu(8, 9223372036854775807) panicked
        // with "attempt to add with overflow" at `integer + 1` (debug builds; release wrapped).
        for text in [
            "quantized_relu(8,9223372036854775807)",
            "quantized_bits(8,9223372036854775807)",
            "quantized_bits(8,-9223372036854775808)",
        ] {
            let e = q(text).activation().unwrap_err();
            assert!(
                e.contains("integer must be between -1024 and 1024"),
                "{text}: {e}"
            );
            if text.starts_with("quantized_bits") {
                let e = q(text).weight_type(true).unwrap_err();
                assert!(e.contains("integer must be between"), "{text}: {e}");
            }
        }
    }
}
