//! Weight files as hls4ml's `print_array_to_cpp` writes them: `weights/<name>.h` (shape,
//! min, max and zero-count comments, the array declared for C simulation and initialised for
//! synthesis) and `weights/<name>.txt` (the same values on one line) read by
//! `nnet::load_weights_from_txt`. Values use Python's `'{:.Nf}'` with N the type's fractional
//! bits, which Rust's exact `{:.N}` float formatting reproduces digit for digit.

use crate::model::WeightVar;
use ir::FixedType;
use std::fmt::Write;

/// Decimal places hls4ml prints for a weight type.
pub fn decimals(t: &FixedType) -> usize {
    match t {
        FixedType::Int { .. } => 0,
        FixedType::Fixed { .. } => t.fractional().max(0) as usize,
    }
}

/// Whether the weight is hls4ml's `ExponentWeightVariable` (a QKeras `quantized_po2` array:
/// ApplyAlpha's scale), whose type hls4ml always names `exponent_<name>`.
pub fn is_exponent(w: &WeightVar) -> bool {
    w.type_name.starts_with("exponent_")
}

/// The C++ definition of the weight's type: its precision, or for an exponent array hls4ml's
/// `ExponentType` struct (an `ap_uint<1>` sign, 1 for positive, and the exponent).
pub fn type_cpp(w: &WeightVar) -> String {
    if is_exponent(w) {
        format!(
            "struct {} {{ap_uint<1> sign;ap_int<{}> weight; }}",
            w.type_name,
            w.precision.width()
        )
    } else {
        crate::precision::cpp(&w.precision)
    }
}

/// The values joined by `", "` (the .txt file and the header initialiser); an exponent array's
/// as `{sign, log2|v|}` pairs (`ExponentWeightVariable._format`: sign 0 for negative values).
pub fn values_text(w: &WeightVar) -> String {
    if is_exponent(w) {
        return w
            .data
            .iter()
            .map(|v| {
                // numpy: a float sign (np.where(y < 0, 0, 1) of float data), the exponent
                // through astype('int') (toward zero) and '{:.0f}'
                let sign = if *v < 0.0 { "0.0" } else { "1.0" };
                let e = (v.abs() as f64).log2().trunc() as i64;
                format!("{{{sign}, {e}}}")
            })
            .collect::<Vec<_>>()
            .join(", ");
    }
    let d = decimals(&w.precision);
    let mut s = String::with_capacity(w.data.len() * (d + 4));
    for (i, v) in w.data.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{:.*}", d, *v as f64);
    }
    s
}

/// The `.h` file, given the values text.
pub fn header_text(w: &WeightVar, values: &str) -> String {
    header_text_with(w, values, None)
}

/// The `.h` file, given the values text and, where hls4ml's comments are not those of the
/// values, the `(min, max, zeros)` it writes instead ([`crate::model::HlsModel::header_stats`]).
pub fn header_text_with(
    w: &WeightVar,
    values: &str,
    stats: Option<crate::model::HeaderStats>,
) -> String {
    let (mut min, mut max) = (f32::INFINITY, f32::NEG_INFINITY);
    for &v in &w.data {
        min = min.min(v);
        max = max.max(v);
    }
    let mut zeros = w.zeros();
    if let Some((lo, hi, z)) = stats {
        (min, max, zeros) = (lo, hi, z);
    }
    let shape = w
        .shape
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let upper = w.name.to_uppercase();
    let decl = format!("{} {}[{}]", w.type_name, w.name, w.data.len());
    format!(
        "//Numpy array shape [{shape}]\n//Min {:.12}\n//Max {:.12}\n//Number of zeros {}\n\n#ifndef {upper}_H_\n#define {upper}_H_\n\n#ifndef __SYNTHESIS__\n{decl};\n#else\n{decl} = {{{values}}};\n\n#endif\n\n#endif\n",
        min as f64,
        max as f64,
        zeros
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_hls4ml() {
        // target/hls4ml-ref/mlp2_relu_softmax__lat/hls4ml/firmware/weights/b4.{h,txt}, written by
        // hls4ml 1.3.0 for the float32 biases below
        let w = WeightVar {
            name: "b4".into(),
            type_name: "model_default_t".into(),
            precision: FixedType::fixed(16, 6),
            shape: vec![4],
            data: vec![0.141_223_79, 0.721_346_5, 0.691_676_4, 0.052_202_307],
        };
        let v = values_text(&w);
        assert_eq!(v, "0.1412237883, 0.7213464975, 0.6916763783, 0.0522023067");
        let h = header_text(&w, &v);
        assert!(h.starts_with("//Numpy array shape [4]\n//Min 0.052202306688\n//Max 0.721346497536\n//Number of zeros 0\n"));
        assert!(h.contains("#ifndef __SYNTHESIS__\nmodel_default_t b4[4];\n#else\nmodel_default_t b4[4] = {0.1412237883, "));
        assert!(h.ends_with("0.0522023067};\n\n#endif\n\n#endif\n"));
    }
}
