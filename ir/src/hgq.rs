//! The state of an HGQ2 layer's fixed-point quantizers (hgq2 0.1.6): which tensor each
//! quantizes (`iq` the input, `kq` the kernel, `bq` the bias, `oq` the output), its round and
//! overflow modes, and per element its keep-negative bit `k`, integer bits `i` (without the
//! sign) and fractional bits `f`, after HGQ2's rounding of its trainable bit widths (`kif`).
//! hls4ml's bit-exact flow derives every type of an HGQ2 project from these (see
//! `lower::passes::bit_exact`).

use serde::{Deserialize, Serialize};

/// Which tensor of its layer a quantizer quantizes (the HGQ2 attribute `_iq`, `_kq`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuantizerRole {
    Input,
    Kernel,
    Bias,
    Output,
}

impl QuantizerRole {
    /// HGQ2's attribute (and weights-file group) name.
    pub fn attr(self) -> &'static str {
        match self {
            QuantizerRole::Input => "iq",
            QuantizerRole::Kernel => "kq",
            QuantizerRole::Bias => "bq",
            QuantizerRole::Output => "oq",
        }
    }
}

/// One HGQ2 fixed-point quantizer. `shape` is the stored shape of its bit widths: the
/// quantized tensor's with its homogeneous axes of size 1 (an input quantizer's leading batch
/// axis is 1); `k`, `i`, `f` are flattened in C order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HgqQuantizer {
    pub role: QuantizerRole,
    /// `RND`, `TRN`, ... (HGQ2's `round_mode`, a stochastic `S_` prefix kept).
    pub round_mode: String,
    /// `WRAP`, `SAT`, `SAT_SYM`, ... (HGQ2's `overflow_mode`).
    pub overflow_mode: String,
    pub shape: Vec<usize>,
    pub k: Vec<i32>,
    pub i: Vec<i32>,
    pub f: Vec<i32>,
}

/// A quantizer of an HGQ2 layer that is not one of its own four: a sub-layer's (the
/// projections and softmax of `QMultiHeadAttention`, a `QSoftmax`'s exp and inverse tables) or
/// one of a list (a `QAdd`'s input quantizer per input). `path` is its weights-file group under
/// the layer (`query_dense/iq`, `_softmax/exp_table/oq`, `iq/quantizers/quantizer_1`), `role`
/// within `quantizer` the attribute it ends in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HgqSubQuantizer {
    pub path: String,
    pub quantizer: HgqQuantizer,
}
