//! Fixed-point types as hls4ml 1.3.0 prints them, and the derived types hls4ml's passes
//! create (activation tables, softmax tables and accumulators, the index type of Dense).

use ir::types::{Overflow, Quantization};
use ir::FixedType;

/// hls4ml's `definition_cpp` of a precision: `ap_fixed<W,I>` when rounding, saturation and
/// saturation bits are the defaults (TRN, WRAP, 0), else all five arguments.
pub fn cpp(t: &FixedType) -> String {
    match t {
        FixedType::Int { width, signed } => {
            format!("ap_{}int<{}>", if *signed { "" } else { "u" }, width)
        }
        FixedType::Fixed {
            width,
            integer,
            signed,
            quantization,
            overflow,
            saturation_bits,
        } => {
            let q = quantization.unwrap_or(Quantization::Trn);
            let o = overflow.unwrap_or(Overflow::Wrap);
            let n = saturation_bits.unwrap_or(0);
            let u = if *signed { "" } else { "u" };
            if q == Quantization::Trn && o == Overflow::Wrap && n == 0 {
                format!("ap_{u}fixed<{width},{integer}>")
            } else {
                format!(
                    "ap_{u}fixed<{width},{integer},{},{},{n}>",
                    q.as_str(),
                    o.as_str()
                )
            }
        }
    }
}

/// The `table_t` of activations: `ap_fixed<18,8>`.
pub fn table_t() -> FixedType {
    FixedType::fixed(18, 8)
}

/// The softmax exp/inv table types: `ap_fixed<18,8,AP_RND,AP_SAT,0>`.
pub fn softmax_table_t() -> FixedType {
    FixedType::Fixed {
        width: 18,
        integer: 8,
        signed: true,
        quantization: Some(Quantization::Rnd),
        overflow: Some(Overflow::Sat),
        saturation_bits: Some(0),
    }
}

/// The softmax `inp_norm_t` of the stable implementation: the input type made unsigned with
/// one bit fewer (`ap_fixed<16,6>` → `ap_ufixed<15, 5>`; note hls4ml's space after the comma).
pub fn softmax_inp_norm(input: &FixedType) -> String {
    let signed = input.signed() as i64;
    let width = input.width() as i64 - signed;
    let iwidth = input.integer() as i64 - signed;
    format!("ap_ufixed<{width}, {iwidth}>")
}

/// The softmax exp table size after hls4ml's clamp to `2**(width-1)` for signed inputs.
pub fn softmax_exp_table_size(input: &FixedType, table_size: u64) -> u64 {
    if input.signed() {
        let width = input.width() - 1;
        if width < 63 {
            return table_size.min(1u64 << width);
        }
    }
    table_size
}

/// Dense `index_t` (`ap_uint<1>` without compression).
pub fn index_t() -> FixedType {
    FixedType::int(1, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_hls4ml() {
        // strings from hls4ml 1.3.0 defines.h / parameters.h (target/hls4ml-ref MLP references)
        assert_eq!(cpp(&FixedType::fixed(16, 6)), "ap_fixed<16,6>");
        assert_eq!(cpp(&softmax_table_t()), "ap_fixed<18,8,AP_RND,AP_SAT,0>");
        assert_eq!(cpp(&index_t()), "ap_uint<1>");
        assert_eq!(
            softmax_inp_norm(&FixedType::fixed(16, 6)),
            "ap_ufixed<15, 5>"
        );
        let t: FixedType = "ap_fixed<8,3,AP_RND,AP_SAT>".parse().unwrap();
        assert_eq!(cpp(&t), "ap_fixed<8,3,AP_RND,AP_SAT,0>");
        let t: FixedType = "ap_fixed<8,3,AP_TRN,AP_WRAP,0>".parse().unwrap();
        assert_eq!(cpp(&t), "ap_fixed<8,3>");
        assert_eq!(softmax_exp_table_size(&FixedType::fixed(8, 3), 1024), 128);
        assert_eq!(softmax_exp_table_size(&FixedType::fixed(16, 6), 1024), 1024);
    }
}
