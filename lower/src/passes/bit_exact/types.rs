//! The hls4ml types the bit-exact flow writes beside a node's result type: the accumulator
//! (`accum_t`, the maxima of what the node produces), a type with explicit round and overflow
//! modes (`FixedPrecisionType` with its modes, as the softmax tables carry them), and the table
//! type the flow leaves at the backend's default.

use super::{FixedKif, Kif, Quantizer};

/// `accum_t` of a node that has one (`default_register_precision`): the maxima of the
/// produced `(k, i, f)` over the elements, independently.
pub fn accum(produced: &Kif) -> FixedKif {
    let (k, i, f) = produced.max_ints();
    FixedKif::from_kif(k, i, f)
}

/// The `table_t` of an activation or a softmax that the flow does not touch (no `table`
/// weight to size it from): the Vivado backend's default `FixedPrecisionType(18, 8)`
/// (`backends/vivado/vivado_backend.py`, `fpga_backend.py`).
pub const BACKEND_TABLE_T: FixedKif = FixedKif {
    signed: true,
    width: 18,
    integer: 8,
};

/// A fixed-point type with its round and overflow modes (hls4ml's `FixedPrecisionType`;
/// saturation bits 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModedFixed {
    pub signed: bool,
    pub width: i32,
    pub integer: i32,
    /// `TRN`, `RND`, `RND_CONV`, ... (without the `AP_` prefix).
    pub round: String,
    /// `WRAP`, `SAT`, `SAT_SYM`, ...
    pub overflow: String,
}

impl ModedFixed {
    /// hls4ml's `fixed_quantizer_to_hls4ml_t` of a homogeneous HGQ2 quantizer (one `(k, i, f)`
    /// for every element; `None` for a heterogeneous one, which hls4ml refuses): signed when
    /// k != 0, width k+i+f but at least 1, integer k+i, the quantizer's modes (a stochastic
    /// `S_` rounding as its plain mode).
    pub fn from_quantizer(q: &Quantizer) -> Option<ModedFixed> {
        let m = &q.mask;
        let same = |v: &[i32]| v.windows(2).all(|w| w[0] == w[1]);
        if m.is_empty() || !same(&m.k) || !same(&m.i) || !same(&m.f) {
            return None;
        }
        let (k, i, f) = (m.k[0], m.i[0], m.f[0]);
        let k = i32::from(k != 0);
        let round = q.modes.round.strip_prefix("S_").unwrap_or(&q.modes.round);
        Some(ModedFixed {
            signed: k != 0,
            width: (k + i + f).max(1),
            integer: k + i,
            round: round.to_string(),
            overflow: q.modes.overflow.clone(),
        })
    }

    /// Fractional bits (width less integer).
    pub fn fractional(&self) -> i32 {
        self.width - self.integer
    }

    /// The C++ type as hls4ml's `APFixedPrecisionDefinition` writes it: the short form for
    /// TRN/WRAP, else every mode and the saturation bits.
    pub fn cpp(&self) -> String {
        let u = if self.signed { "" } else { "u" };
        if self.round == "TRN" && self.overflow == "WRAP" {
            format!("ap_{u}fixed<{},{}>", self.width, self.integer)
        } else {
            format!(
                "ap_{u}fixed<{},{},AP_{},AP_{},0>",
                self.width, self.integer, self.round, self.overflow
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::QuantizerModes;
    use super::*;

    #[test]
    fn homogeneous_table_quantizer_as_hls4ml_writes_it() {
        // an HGQ2 softmax table quantizer (kbi b 4, i 2, k 0; RND_CONV, SAT) is hls4ml's
        // `ap_ufixed<4,2,AP_RND_CONV,AP_SAT,0>` (tests/fixtures/hgq2/encoder_noln defines.h)
        let q = Quantizer {
            mask: Kif {
                k: vec![0],
                i: vec![2],
                f: vec![2],
            },
            modes: QuantizerModes {
                round: "RND_CONV".into(),
                overflow: "SAT".into(),
            },
        };
        let t = ModedFixed::from_quantizer(&q).unwrap();
        assert_eq!(t.cpp(), "ap_ufixed<4,2,AP_RND_CONV,AP_SAT,0>");
        let mut het = q.clone();
        het.mask.i = vec![2, 3];
        het.mask.k = vec![0, 0];
        het.mask.f = vec![2, 2];
        assert!(ModedFixed::from_quantizer(&het).is_none());
    }
}
