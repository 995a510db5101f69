//! The passes, one file each, named after the hls4ml 1.3.0 optimizer (or parser step) they
//! mirror, and [`HLS4ML_PIPELINE`], their order in hls4ml's Vivado/Vitis flow:
//!
//! - the Keras parser (`converters/keras_v3_to_hls.py`): `parse`, `split_activation`,
//!   `remove_dropout`;
//! - the `convert` flow (`model/optimizer/__init__.py`): `separable_to_depthwise_and_conv`,
//!   `qkeras_factorize_alpha`,
//!   the transpose checks `remove_transpose_before_flatten`, `remove_nop_transpose`,
//!   `remove_single_channel_transpose` (they refuse what hls4ml rewrites),
//!   `fuse_batch_normalization`,
//!   `replace_multidimensional_dense_with_conv`, `bit_exact`, `fuse_fixed_point_quantizer`,
//!   `fix_input_precision` (HGQ2 models: `bit_exact`), `eliminate_linear_activation`,
//!   `infer_precision_types`;
//! - the backend's `streaming` flow (`backends/vivado/vivado_backend.py`):
//!   `inplace_stream_flatten`, `reshape_stream`, `clone_output`,
//!   `insert_zero_padding_before_conv1d`, `insert_zero_padding_before_conv2d`;
//! - the backend's `optimize` flow: `optimize_pointwise_conv`, `inplace_parallel_reshape`.
//!
//! hls4ml's passes that never change a network presynth can express (QKeras, QONNX constant
//! folding, transposes, distributed arithmetic) have no counterpart here. `bit_exact` holds
//! hls4ml's HGQ `BitExact` flow: the quantizer nodes `parse` makes of HGQ2 layers, the interval
//! arithmetic and the passes that type the graph with it (checked against hls4ml's projects of
//! HGQ2 Dense chains, tests/cli_codegen_hgq2.rs).

pub mod bit_exact;
mod clone_output;
mod conv_same_pad;
mod eliminate_linear_activation;
mod fuse_batch_normalization;
mod infer_precision;
mod inplace_reshape;
mod optimize_pointwise_conv;
mod parse;
mod qkeras_factorize_alpha;
mod remove_dropout;
mod replace_multidimensional_dense_with_conv;
mod reshape_stream;
mod separable_to_depthwise_and_conv;
mod split_activation;
mod transpose_opt;

pub use fuse_batch_normalization::{fold_weights, scale_and_shift};
pub use infer_precision::renames_result;

use crate::error::Result;
use crate::graph::Graph;
use ir::Network;

/// One named rewrite of the lowered graph. `parse` fills the empty graph from the network;
/// the others read the network only for weights-independent facts (names in messages).
pub trait Pass: Sync {
    /// hls4ml's name of the optimizer this pass mirrors.
    fn name(&self) -> &'static str;
    /// Rewrite `g`; returns whether anything changed.
    fn run(&self, net: &Network, g: &mut Graph) -> Result<bool>;
}

/// hls4ml 1.3.0's order of the passes, for the Vivado and Vitis backends.
pub static HLS4ML_PIPELINE: &[&dyn Pass] = &[
    &parse::Parse,
    &split_activation::SplitActivation,
    &remove_dropout::RemoveDropout,
    &separable_to_depthwise_and_conv::SeparableToDepthwiseAndConv,
    &qkeras_factorize_alpha::QKerasFactorizeAlpha,
    &transpose_opt::RemoveTransposeBeforeFlatten,
    &transpose_opt::RemoveNopTranspose,
    &transpose_opt::RemoveSingleChannelTranspose,
    &fuse_batch_normalization::FuseBatchNormalization,
    &replace_multidimensional_dense_with_conv::ReplaceMultidimensionalDenseWithConv,
    &bit_exact::BitExact,
    &bit_exact::FuseFixedPointQuantizer,
    &bit_exact::FixInputPrecision,
    &eliminate_linear_activation::EliminateLinearActivation,
    &infer_precision::InferPrecision,
    &inplace_reshape::InplaceStreamFlatten,
    &reshape_stream::ReshapeStream,
    &clone_output::CloneOutput,
    &conv_same_pad::InsertZeroPaddingBeforeConv1D,
    &conv_same_pad::InsertZeroPaddingBeforeConv2D,
    &optimize_pointwise_conv::OptimizePointwiseConv,
    &inplace_reshape::InplaceParallelReshape,
];
