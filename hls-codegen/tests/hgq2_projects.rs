//! presynth's projects of HGQ2 (hgq2 0.1.6) models against hls4ml 1.3.0's own: the golden
//! projects tests/fixtures/hgq2/{qdense,qdense2,qdense_homog,qdense_oq,encoder_noln} (written by
//! scripts/hgq2_hls4ml_reference.py with hls4ml 1.3.0 and Keras 3.12.0, the last two under
//! 3.15.1, as each meta.json records; Vitis, io_parallel, `fixed<16,6>`, RF 1, BitExact at its
//! default: on). Each model.keras is read and written as `presynth codegen` writes it; the
//! project is compiled with g++ against scripts/hls4ml_reference.py's driver (`HARNESS_TB`, the
//! one hls4ml.out.txt was made with: every output element printed as the exact double of its
//! ap_fixed value) and run on the fixture's inputs.txt. Required: the outputs equal
//! hls4ml.out.txt as text (bit-exact), and the firmware equals hls4ml's: defines.h,
//! parameters.h, myproject.cpp, every weights/ file and the generated part of
//! nnet_code_gen.h (the quantizers' per-element functions).

mod common;

use common::check;

/// One QDense 6 -> 4 with a heterogeneous input quantizer.
#[test]
fn one_qdense_is_bit_exact_with_hls4mls_project() {
    check("hgq2", "qdense");
}

/// QDense 6 -> 8 relu -> QDense 8 -> 4, heterogeneous input quantizers on both.
#[test]
fn qdense_relu_qdense_is_bit_exact_with_hls4mls_project() {
    check("hgq2", "qdense2");
}

/// The same chain with homogeneous datalane quantizers: hls4ml folds each into the type before
/// it (`ap_fixed<9,5,AP_RND,AP_WRAP,0> x_t`, `ap_fixed<6,5,AP_RND,AP_WRAP,0> d1_relu_t`) and
/// generates no function.
#[test]
fn homogeneous_quantizers_fold_into_types_as_hls4ml_does() {
    check("hgq2", "qdense_homog");
}

/// An output quantizer (`enable_oq`) on the first QDense: hls4ml's `d1_oq` node after the relu
/// split off it (index 5), then `d2_iq` reading it (two quantizers in a row).
#[test]
fn an_output_quantizer_follows_the_split_activation_as_in_hls4ml() {
    check("hgq2", "qdense_oq");
}

/// The encoder block (QDense over positions -> QMultiHeadAttention -> QAdd -> QEinsumDense FFN
/// -> QAdd -> QGlobalAveragePooling1D -> QDense -> QSoftmax): the attention as hls4ml's HGQ2
/// converter decomposes it (quantizer nodes per sub-layer, the scaling in the softmax's
/// `exp_scale`), the adds' per-input quantizers, the QDense over positions as one batched
/// Dense (`BatchedDenseForConv1D`, HGQ2's parallelization factor).
#[test]
fn encoder_block_is_bit_exact_with_hls4mls_project() {
    check("hgq2", "encoder_noln");
}
