//! presynth's projects of HGQ1 (pip `HGQ` 0.2.6) proxy models against hls4ml 1.3.0's own: the
//! golden project tests/fixtures/hgq1/hdense2 (written by scripts/hgq1_hls4ml_reference.py with
//! hls4ml 1.3.0 and tensorflow 2.14.1, as its meta.json records; Vitis, io_parallel,
//! `fixed<16,6>`, RF 1, BitExact at its default: on, which hls4ml's `BitExact` pass takes as on
//! since the proxy has FixedPointQuantizer layers). The proxy's quantizers become hls4ml's
//! FixedPointQuantizer nodes, the same class its HGQ2 converter makes, and go through the same
//! bit-exact flow: the one fusible quantizer (`d1_quantizer`, one format) folds into d1's type,
//! the three heterogeneous ones are written as per-element cast functions; the weight and bias
//! types are `minimal_kif` of the (already quantized) weights, e.g. `ap_ufixed<3,-1>` for d2's
//! bias. Required: firmware text equal to hls4ml's and the C simulation's outputs equal to
//! hls4ml.out.txt (see `common::check`).

mod common;

/// Input quantizer (RND, heterogeneous) -> Dense -> fusible quantizer -> ReLU -> quantizer
/// (heterogeneous, TRN) -> Dense -> quantizer (heterogeneous).
#[test]
fn hdense_relu_hdense_proxy_is_bit_exact_with_hls4mls_project() {
    common::check("hgq1", "hdense2");
}
