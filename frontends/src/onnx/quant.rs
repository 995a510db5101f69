//! QONNX quantisation nodes (`Quant`, `IntQuant`, `BipolarQuant`) to the fixed-point types
//! hls4ml 1.3.0 derives from them, and the quantised values of constant inputs.
//!
//! The rules are those of hls4ml's `model/optimizer/passes/quant_opt.py`
//! (`_calculate_precision_quantizer`, `QuantToActivation`, `FuseQuantWithConstant`) and
//! `bipolar_quant_opt.py`:
//! - only a zero zero-point and a scale that is one, or the same power of two everywhere, map
//!   to a plain type (other scales make hls4ml insert ApplyAlpha scale/rescale layers, which the
//!   IR has no kind for);
//! - the type is `ap_[u]fixed<b, I, Q, O>` with `b = ceil(bitwidth)`, `I = b + e - 1` where
//!   `scale = 0.5 * 2^e` (numpy's `frexp`, so `I = b` for scale 1), `Q` = `AP_RND_CONV` for
//!   `rounding_mode="ROUND"` and `AP_TRN` for `"FLOOR"` (others are refused, as hls4ml does),
//!   `O` = `AP_SAT_SYM` when `narrow` (signed only) else `AP_SAT`;
//! - a `BipolarQuant` of a constant gives hls4ml's 1-bit xnor type (`ap_uint<1>`, as presynth
//!   writes QKeras binary kernels) and its 0/1 encoding of the ±1 values ([`xnor`]); one of a non-constant is a `binary_tanh` activation, which
//!   the IR does not have.
//!
//! The values follow QONNX's definition of `Quant`: `q = clamp(round(x / scale + zeropt))`,
//! `y = (q - zeropt) * scale`, with numpy's round-half-to-even for ROUND.

use ir::types::{FixedType, Overflow, Quantization};

/// What a `Quant` node does, read from its attributes and constant parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantSpec {
    pub scale: f64,
    pub bitwidth: f64,
    pub signed: bool,
    pub narrow: bool,
    pub rounding_mode: String,
}

impl QuantSpec {
    /// Build from the node's parameters: `scale` and `zeropt` (all their elements), `bitwidth`
    /// (a scalar). Errors explain why hls4ml (and so presynth) cannot map the node to a type.
    pub fn new(
        scale: &[f64],
        zeropt: &[f64],
        bitwidth: &[f64],
        signed: bool,
        narrow: bool,
        rounding_mode: &str,
    ) -> Result<QuantSpec, String> {
        let bitwidth = match bitwidth {
            [b] if *b >= 1.0 && *b <= ir::types::MAX_WIDTH as f64 => *b,
            [b] => return Err(format!("bit width {b} is outside 1..=1024")),
            _ => return Err("bit width must be a single value".into()),
        };
        if zeropt.iter().any(|z| *z != 0.0) {
            return Err("a non-zero zero-point makes hls4ml insert ApplyAlpha layers, which the IR has no kind for".into());
        }
        let first = *scale.first().ok_or("empty scale")?;
        if scale.iter().any(|s| *s != first)
            || first.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
            || frexp(first).0 != 0.5
        {
            return Err(format!(
                "scale {} is not one power of two for every element: hls4ml then inserts ApplyAlpha scale/rescale layers, which the IR has no kind for",
                if scale.len() == 1 { first.to_string() } else { format!("{:?}", &scale[..scale.len().min(4)]) }
            ));
        }
        if rounding_mode != "ROUND" && rounding_mode != "FLOOR" {
            return Err(format!(
                "rounding_mode '{rounding_mode}' is not supported (hls4ml 1.3.0 supports ROUND and FLOOR)"
            ));
        }
        if narrow && !signed {
            return Err("narrow=1 with signed=0 is not supported (hls4ml supports narrow ranges for signed types only)".into());
        }
        Ok(QuantSpec {
            scale: first,
            bitwidth,
            signed,
            narrow,
            rounding_mode: rounding_mode.to_string(),
        })
    }

    /// The type hls4ml gives the quantised values.
    pub fn fixed_type(&self) -> FixedType {
        let width = self.bitwidth.ceil() as u32;
        let (_, exp) = frexp(self.scale);
        let integer = (self.bitwidth + exp as f64 - 1.0).ceil() as i32;
        FixedType::Fixed {
            width,
            integer,
            signed: self.signed,
            quantization: Some(if self.rounding_mode == "ROUND" {
                Quantization::RndConv
            } else {
                Quantization::Trn
            }),
            overflow: Some(if self.narrow {
                Overflow::SatSym
            } else {
                Overflow::Sat
            }),
            saturation_bits: None,
        }
    }

    /// QONNX's `Quant` applied to one value (zero-point 0).
    pub fn apply(&self, x: f64) -> f64 {
        let b = self.bitwidth;
        let (lo, hi) = if self.signed {
            let lo = -(2f64.powf(b - 1.0)) + if self.narrow { 1.0 } else { 0.0 };
            (lo, 2f64.powf(b - 1.0) - 1.0)
        } else {
            (
                0.0,
                2f64.powf(b) - 1.0 - if self.narrow { 1.0 } else { 0.0 },
            )
        };
        let v = x / self.scale;
        let q = if self.rounding_mode == "ROUND" {
            round_half_even(v)
        } else {
            v.floor()
        };
        q.clamp(lo, hi) * self.scale
    }
}

/// QONNX's `BipolarQuant` of one value: `+scale` for `x >= 0`, `-scale` otherwise.
pub fn bipolar(x: f64, scale: f64) -> f64 {
    if x >= 0.0 {
        scale
    } else {
        -scale
    }
}

/// hls4ml's encoding of a `BipolarQuant` constant (`FuseBipolarQuantWithConstant` gives it
/// `BinaryQuantizer(1)`): 1 for a value `>= 0` (+1), 0 for −1; a layer reading it multiplies
/// with `weight_binary` (0 gives −x).
pub fn xnor(v: f64) -> f64 {
    if v >= 0.0 {
        1.0
    } else {
        0.0
    }
}

/// The type hls4ml gives a constant quantised by `BipolarQuant` (its `XnorPrecisionType`).
pub fn bipolar_type() -> FixedType {
    FixedType::int(1, false)
}

/// numpy's `frexp` for positive finite values: `x = m * 2^e` with `m` in `[0.5, 1)`.
pub fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let mut e = x.abs().log2().floor() as i32 + 1;
    let mut m = x / 2f64.powi(e);
    // correct for log2 rounding at the edges
    if m.abs() >= 1.0 {
        m /= 2.0;
        e += 1;
    } else if m.abs() < 0.5 {
        m *= 2.0;
        e -= 1;
    }
    (m, e)
}

/// numpy's `round` (half to even).
pub fn round_half_even(v: f64) -> f64 {
    let r = v.round();
    if (v - v.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - v.signum()
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(scale: f64, bits: f64, signed: bool, narrow: bool, mode: &str) -> QuantSpec {
        QuantSpec::new(&[scale], &[0.0], &[bits], signed, narrow, mode).unwrap()
    }

    #[test]
    fn types_follow_hls4ml_quant_opt() {
        // scale 1: integer = bitwidth (QuantToActivation: integer = bitwidth)
        assert_eq!(
            spec(1.0, 8.0, true, false, "ROUND")
                .fixed_type()
                .to_string(),
            "ap_fixed<8,8,AP_RND_CONV,AP_SAT>"
        );
        // scale 2^-3: frexp(0.125) = (0.5, -2), integer = 8 - 2 - 1 = 5
        assert_eq!(
            spec(0.125, 8.0, true, true, "ROUND")
                .fixed_type()
                .to_string(),
            "ap_fixed<8,5,AP_RND_CONV,AP_SAT_SYM>"
        );
        assert_eq!(
            spec(0.25, 4.0, false, false, "FLOOR")
                .fixed_type()
                .to_string(),
            "ap_ufixed<4,2,AP_TRN,AP_SAT>"
        );
        assert!(QuantSpec::new(&[0.3], &[0.0], &[8.0], true, false, "ROUND").is_err());
        assert!(QuantSpec::new(&[0.5], &[1.0], &[8.0], true, false, "ROUND").is_err());
        assert!(QuantSpec::new(&[0.5], &[0.0], &[8.0], false, true, "ROUND").is_err());
        assert!(QuantSpec::new(&[0.5], &[0.0], &[8.0], true, false, "CEIL").is_err());
    }

    #[test]
    fn values_follow_qonnx_quant() {
        // 4-bit signed, scale 0.25: q in [-8, 7], y = q / 4
        let s = spec(0.25, 4.0, true, false, "ROUND");
        assert_eq!(s.apply(0.3), 0.25); // 1.2 -> 1
        assert_eq!(s.apply(0.375), 0.5); // 1.5 -> 2 (half to even)
        assert_eq!(s.apply(0.625), 0.5); // 2.5 -> 2 (half to even)
        assert_eq!(s.apply(5.0), 1.75); // clamp to 7
        assert_eq!(s.apply(-5.0), -2.0); // clamp to -8
        let n = spec(0.25, 4.0, true, true, "FLOOR");
        assert_eq!(n.apply(-5.0), -1.75); // narrow: -7
        assert_eq!(n.apply(0.3), 0.25); // floor(1.2)
        assert_eq!(bipolar(0.0, 1.0), 1.0);
        assert_eq!(bipolar(-0.1, 1.0), -1.0);
        assert_eq!(frexp(1.0), (0.5, 1));
        assert_eq!(frexp(0.125), (0.5, -2));
        assert_eq!(frexp(3.0), (0.75, 2));
    }
}
