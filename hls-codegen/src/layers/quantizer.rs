//! hls4ml's `FixedPointQuantizer` (an HGQ2 quantizer the bit-exact flow did not fold into a
//! type): no config; the call `nnet::<name><in_t, out_t>(in, out);`
//! (`ProcessFixedPointQuantizerCall`) and the function generated into nnet_code_gen.h
//! (`generate_mask_fn`, io_parallel only): one cast per element,
//! `out[j] = ap_[u]fixed<B,I,AP_<round>,AP_<overflow>>(inp[j]);`, or `out[j] = 0;` where the
//! element keeps no bits.

use super::Ctx;
use crate::model::Op;

pub const INCLUDES: &[&str] = &[];

pub fn call(c: &Ctx) -> String {
    let (types, args) = c.io_args();
    format!("nnet::{}<{types}>({args});", c.l.name)
}

/// The generated function (with hls4ml's blank lines around it).
pub fn generated_code(c: &Ctx) -> Option<String> {
    let Op::FixedPointQuantizer { quantizer, .. } = &c.l.op else {
        return None;
    };
    let body: Vec<String> = quantizer
        .element_types(&quantizer.mask)
        .into_iter()
        .enumerate()
        .map(|(j, t)| match t {
            Some(t) => format!("    out[{j}] = {t}(inp[{j}]);"),
            None => format!("    out[{j}] = 0;"),
        })
        .collect();
    Some(format!(
        "\ntemplate<typename input_t, typename output_t>\nvoid {}(input_t *inp, output_t *out) {{\n    #pragma HLS INLINE\n\n{}\n}}\n",
        c.l.name,
        body.join("\n")
    ))
}
