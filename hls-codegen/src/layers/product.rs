//! hls4ml's `product_type` (`backends/fpga/fpga_backend.py`): the `nnet::product` class a
//! Dense or convolution config names for its multiplications (`nnet_mult.h`), chosen from the
//! weight type. presynth's inputs are never xnor-typed (the IR has no xnor activation output),
//! so `both_binary` and `data_binary` do not arise.

use crate::model::WeightVar;
use ir::FixedType;

/// The product class for a kernel `w` (`xnor`: its type is hls4ml's `XnorPrecisionType`):
/// - `weight_exponential` for a power-of-two (`ExponentPrecisionType`) weight;
/// - `weight_binary` for an xnor kernel (`w == 0` gives −x, else x);
/// - `weight_ternary` for any signed 2-bit integer weight type (`w == 0` gives 0, `w == -1`
///   gives −x, anything else x; hls4ml picks it by the type alone, a `quantized_bits(2,2)`
///   kernel's −2 included);
/// - `mult` otherwise.
pub fn product_type(w: &WeightVar, xnor: bool) -> &'static str {
    if crate::weights::is_exponent(w) {
        "weight_exponential"
    } else if xnor {
        "weight_binary"
    } else if w.precision
        == (FixedType::Int {
            width: 2,
            signed: true,
        })
    {
        "weight_ternary"
    } else {
        "mult"
    }
}
