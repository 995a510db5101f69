//! Fixed-point and integer types as hls4ml writes them: `ap_fixed<W,I>`, `ap_ufixed<W,I>`,
//! `ap_fixed<W,I,Q,O,N>`, `ap_int<W>`, `ap_uint<W>`. hls4ml config files also accept the short
//! forms `fixed<W,I>`, `ufixed<W,I>`, `int<W>` and `uint<W>`, and write the modes without their
//! `AP_` prefix (`fixed<18,8,TRN,WRAP,0>`, as `config_from_keras_model` does for tables); like
//! hls4ml's `RoundingMode.from_string`, modes are read case-insensitively with or without an
//! `AP_`/`AC_` prefix. Every form parses to the same value and prints in the `ap_` form.
//! Printing then parsing gives the same value. (`auto`, hls4ml's "infer this type", is not a
//! type: the config reader handles it.)

use crate::IrError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Quantisation (rounding) mode of an `ap_fixed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Quantization {
    Trn,
    TrnZero,
    Rnd,
    RndZero,
    RndInf,
    RndMinInf,
    RndConv,
}

/// Overflow mode of an `ap_fixed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Overflow {
    Wrap,
    Sat,
    SatZero,
    SatSym,
    WrapSm,
}

const QUANT_NAMES: &[(Quantization, &str)] = &[
    (Quantization::TrnZero, "AP_TRN_ZERO"),
    (Quantization::Trn, "AP_TRN"),
    (Quantization::RndZero, "AP_RND_ZERO"),
    (Quantization::RndInf, "AP_RND_INF"),
    (Quantization::RndMinInf, "AP_RND_MIN_INF"),
    (Quantization::RndConv, "AP_RND_CONV"),
    (Quantization::Rnd, "AP_RND"),
];
const OVERFLOW_NAMES: &[(Overflow, &str)] = &[
    (Overflow::SatZero, "AP_SAT_ZERO"),
    (Overflow::SatSym, "AP_SAT_SYM"),
    (Overflow::Sat, "AP_SAT"),
    (Overflow::WrapSm, "AP_WRAP_SM"),
    (Overflow::Wrap, "AP_WRAP"),
];

/// A mode name as hls4ml reads it: trimmed, upper-cased, `AP_`/`AC_` prefix optional.
fn mode_key(text: &str) -> String {
    let up = text.trim().to_ascii_uppercase();
    let bare = up
        .strip_prefix("AP_")
        .or_else(|| up.strip_prefix("AC_"))
        .unwrap_or(&up);
    format!("AP_{bare}")
}

impl Quantization {
    /// Parse `TRN`, `AP_TRN`, `rnd_conv`, ... (hls4ml's `RoundingMode.from_string`).
    pub fn parse(text: &str) -> Option<Self> {
        let key = mode_key(text);
        QUANT_NAMES.iter().find(|(_, n)| *n == key).map(|(q, _)| *q)
    }
    pub fn as_str(self) -> &'static str {
        QUANT_NAMES.iter().find(|(q, _)| *q == self).unwrap().1
    }
}
impl Overflow {
    /// Parse `WRAP`, `AP_SAT`, `sat_sym`, ... (hls4ml's `SaturationMode.from_string`).
    pub fn parse(text: &str) -> Option<Self> {
        let key = mode_key(text);
        OVERFLOW_NAMES
            .iter()
            .find(|(_, n)| *n == key)
            .map(|(o, _)| *o)
    }
    pub fn as_str(self) -> &'static str {
        OVERFLOW_NAMES.iter().find(|(o, _)| *o == self).unwrap().1
    }
}

/// A fixed-point or integer type. `Int` is `ap_int<W>`/`ap_uint<W>`; `Fixed` is
/// `ap_fixed<W,I,...>`/`ap_ufixed<W,I,...>`. The optional quantisation, overflow and saturation
/// bits are kept only when written, so the text round-trips exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FixedType {
    Fixed {
        width: u32,
        integer: i32,
        signed: bool,
        quantization: Option<Quantization>,
        overflow: Option<Overflow>,
        saturation_bits: Option<u32>,
    },
    Int {
        width: u32,
        signed: bool,
    },
}

impl FixedType {
    /// `ap_fixed<width,integer>`.
    pub fn fixed(width: u32, integer: i32) -> Self {
        FixedType::Fixed {
            width,
            integer,
            signed: true,
            quantization: None,
            overflow: None,
            saturation_bits: None,
        }
    }
    /// `ap_ufixed<width,integer>`.
    pub fn ufixed(width: u32, integer: i32) -> Self {
        FixedType::Fixed {
            width,
            integer,
            signed: false,
            quantization: None,
            overflow: None,
            saturation_bits: None,
        }
    }
    /// `ap_int<width>` / `ap_uint<width>`.
    pub fn int(width: u32, signed: bool) -> Self {
        FixedType::Int { width, signed }
    }
    /// Total bit width.
    pub fn width(&self) -> u32 {
        match self {
            FixedType::Fixed { width, .. } | FixedType::Int { width, .. } => *width,
        }
    }
    /// Integer bits (including the sign bit for signed types), as in `ap_fixed<W,I>`.
    pub fn integer(&self) -> i32 {
        match self {
            FixedType::Fixed { integer, .. } => *integer,
            FixedType::Int { width, .. } => *width as i32,
        }
    }
    /// Fractional bits, `W - I`.
    pub fn fractional(&self) -> i32 {
        self.width() as i32 - self.integer()
    }
    pub fn signed(&self) -> bool {
        match self {
            FixedType::Fixed { signed, .. } | FixedType::Int { signed, .. } => *signed,
        }
    }
    /// The default precision hls4ml uses: `ap_fixed<16,6>`.
    pub fn hls4ml_default() -> Self {
        FixedType::fixed(16, 6)
    }
}

impl Default for FixedType {
    fn default() -> Self {
        FixedType::hls4ml_default()
    }
}

impl fmt::Display for FixedType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixedType::Int { width, signed } => {
                write!(f, "ap_{}int<{}>", if *signed { "" } else { "u" }, width)
            }
            FixedType::Fixed {
                width,
                integer,
                signed,
                quantization,
                overflow,
                saturation_bits,
            } => {
                write!(
                    f,
                    "ap_{}fixed<{},{}",
                    if *signed { "" } else { "u" },
                    width,
                    integer
                )?;
                if quantization.is_some() || overflow.is_some() || saturation_bits.is_some() {
                    let q = quantization.unwrap_or(Quantization::Trn);
                    write!(f, ",{}", q.as_str())?;
                    if overflow.is_some() || saturation_bits.is_some() {
                        write!(f, ",{}", overflow.unwrap_or(Overflow::Wrap).as_str())?;
                        if let Some(n) = saturation_bits {
                            write!(f, ",{n}")?;
                        }
                    }
                }
                write!(f, ">")
            }
        }
    }
}

fn type_err(text: &str, message: impl Into<String>) -> IrError {
    IrError::Type {
        text: text.to_string(),
        message: message.into(),
    }
}

/// Largest width `ap_fixed`/`ap_int` accept (AP_INT_MAX_W default).
pub const MAX_WIDTH: u32 = 1024;

impl FromStr for FixedType {
    type Err = IrError;

    fn from_str(text: &str) -> Result<Self, IrError> {
        let s = text.trim();
        let open = s.find('<').ok_or_else(|| {
            type_err(
                text,
                "expected '<' after the type name, e.g. ap_fixed<16,6>",
            )
        })?;
        if !s.ends_with('>') {
            return Err(type_err(text, "expected '>' at the end"));
        }
        let name = s[..open].trim();
        let args: Vec<&str> = s[open + 1..s.len() - 1].split(',').map(str::trim).collect();
        let base = name.strip_prefix("ap_").unwrap_or(name);
        let parse_uint = |a: &str, what: &str| -> Result<u32, IrError> {
            a.parse::<u32>()
                .map_err(|_| type_err(text, format!("{what} '{a}' is not a non-negative integer")))
        };
        let check_width = |w: u32| -> Result<u32, IrError> {
            if w == 0 || w > MAX_WIDTH {
                Err(type_err(
                    text,
                    format!("width {w} is outside 1..={MAX_WIDTH}"),
                ))
            } else {
                Ok(w)
            }
        };
        match base {
            "int" | "uint" => {
                if args.len() != 1 {
                    return Err(type_err(text, "expected exactly one argument, the width"));
                }
                let width = check_width(parse_uint(args[0], "width")?)?;
                Ok(FixedType::Int {
                    width,
                    signed: base == "int",
                })
            }
            "fixed" | "ufixed" => {
                if args.len() < 2 || args.len() > 5 {
                    return Err(type_err(
                        text,
                        "expected 2 to 5 arguments: width, integer bits[, quantisation, overflow, saturation bits]",
                    ));
                }
                let width = check_width(parse_uint(args[0], "width")?)?;
                let integer = args[1].parse::<i32>().map_err(|_| {
                    type_err(
                        text,
                        format!("integer bits '{}' is not an integer", args[1]),
                    )
                })?;
                if integer.unsigned_abs() > 4 * MAX_WIDTH {
                    return Err(type_err(
                        text,
                        format!("integer bits {integer} out of range"),
                    ));
                }
                let quantization = match args.get(2) {
                    None => None,
                    Some(q) => Some(Quantization::parse(q).ok_or_else(|| {
                        type_err(text, format!("unknown quantisation mode '{q}' (expected TRN, TRN_ZERO, RND, RND_ZERO, RND_INF, RND_MIN_INF or RND_CONV, with or without AP_)"))
                    })?),
                };
                let overflow = match args.get(3) {
                    None => None,
                    Some(o) => Some(Overflow::parse(o).ok_or_else(|| {
                        type_err(text, format!("unknown overflow mode '{o}' (expected WRAP, SAT, SAT_ZERO or SAT_SYM, with or without AP_)"))
                    })?),
                };
                let saturation_bits = match args.get(4) {
                    None => None,
                    Some(n) => Some(parse_uint(n, "saturation bits")?),
                };
                Ok(FixedType::Fixed {
                    width,
                    integer,
                    signed: base == "fixed",
                    quantization,
                    overflow,
                    saturation_bits,
                })
            }
            _ => Err(type_err(
                text,
                format!("unknown type '{name}' (expected ap_fixed, ap_ufixed, ap_int or ap_uint)"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hls4ml_forms() {
        for t in [
            "ap_fixed<16,6>",
            "ap_ufixed<15,5>",
            "ap_fixed<18,8,AP_RND,AP_SAT,0>",
            "ap_fixed<8,3,AP_RND_CONV,AP_SAT>",
            "ap_int<8>",
            "ap_uint<1>",
            "ap_fixed<4,-2>",
        ] {
            let v: FixedType = t.parse().unwrap();
            assert_eq!(v.to_string(), t);
        }
        assert_eq!(
            "fixed<16,6>".parse::<FixedType>().unwrap(),
            FixedType::fixed(16, 6)
        );
        assert_eq!(
            " ap_fixed< 16 , 6 > ".parse::<FixedType>().unwrap(),
            FixedType::fixed(16, 6)
        );
        let t: FixedType = "ap_fixed<18,8,AP_RND,AP_SAT,0>".parse().unwrap();
        assert_eq!((t.width(), t.integer(), t.fractional()), (18, 8, 10));
        // hls4ml 0.x writes the modes without the `AP_` prefix in its configs (QKeras
        // projects: `ufixed<6,0,RND_CONV,SAT>`); they name the same modes.
        assert_eq!(
            "ufixed<6,0,RND_CONV,SAT>".parse::<FixedType>().unwrap(),
            "ap_ufixed<6,0,AP_RND_CONV,AP_SAT>"
                .parse::<FixedType>()
                .unwrap()
        );
        assert!("ap_fixed<8,3,RND_BOGUS,SAT>".parse::<FixedType>().is_err());
    }

    #[test]
    fn parses_hls4ml_config_spellings() {
        // As config_from_keras_model writes table types (hls4ml 1.3.0, see
        // tests/fixtures/hls4ml-configs/configs/*_name.yml).
        let t: FixedType = "fixed<18,8,TRN,WRAP,0>".parse().unwrap();
        assert_eq!(t.to_string(), "ap_fixed<18,8,AP_TRN,AP_WRAP,0>");
        let t: FixedType = "fixed<18,8,RND,SAT,0>".parse().unwrap();
        assert_eq!(t.to_string(), "ap_fixed<18,8,AP_RND,AP_SAT,0>");
        // Every mode hls4ml's RoundingMode / SaturationMode knows, bare, prefixed and lower case.
        for (q, want) in [
            ("TRN", Quantization::Trn),
            ("TRN_ZERO", Quantization::TrnZero),
            ("RND", Quantization::Rnd),
            ("RND_ZERO", Quantization::RndZero),
            ("RND_INF", Quantization::RndInf),
            ("RND_MIN_INF", Quantization::RndMinInf),
            ("RND_CONV", Quantization::RndConv),
        ] {
            assert_eq!(Quantization::parse(q), Some(want), "{q}");
            assert_eq!(Quantization::parse(&format!("AP_{q}")), Some(want), "{q}");
            assert_eq!(Quantization::parse(&q.to_lowercase()), Some(want), "{q}");
        }
        for (o, want) in [
            ("WRAP", Overflow::Wrap),
            ("SAT", Overflow::Sat),
            ("SAT_ZERO", Overflow::SatZero),
            ("SAT_SYM", Overflow::SatSym),
        ] {
            assert_eq!(Overflow::parse(o), Some(want), "{o}");
            assert_eq!(Overflow::parse(&format!("ap_{o}")), Some(want), "{o}");
        }
        let t: FixedType = "ufixed<8,0,RND_CONV,SAT_SYM>".parse().unwrap();
        assert_eq!(t.to_string(), "ap_ufixed<8,0,AP_RND_CONV,AP_SAT_SYM>");
        assert_eq!(
            "uint<4>".parse::<FixedType>().unwrap(),
            FixedType::int(4, false)
        );
        assert_eq!(
            "int<12>".parse::<FixedType>().unwrap(),
            FixedType::int(12, true)
        );
        // The trailing N (saturation bits) of ap_fixed<W,I,Q,O,N>.
        let t: FixedType = "ap_fixed<10,4,AP_RND,AP_SAT,2>".parse().unwrap();
        assert!(matches!(
            t,
            FixedType::Fixed {
                saturation_bits: Some(2),
                ..
            }
        ));
        for bad in ["fixed<18,8,TRUNC>", "fixed<18,8,TRN,WRAPS>", "auto"] {
            let e = bad.parse::<FixedType>().unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn rejects_bad_text() {
        for t in [
            "ap_fixed<16>",
            "ap_fixed<0,1>",
            "ap_fixed<16,6",
            "ap_float<8,3>",
            "ap_fixed<16,6,AP_FOO>",
            "ap_int<x>",
            "",
        ] {
            assert!(t.parse::<FixedType>().is_err(), "{t}");
        }
    }
}
