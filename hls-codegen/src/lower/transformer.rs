//! The transformer kinds in codegen: none is emitted yet, each is refused with
//! [`CodegenError::NotImplemented`] saying what hls4ml 1.3.0 does with it, so that a network
//! holding one fails clearly instead of being written without it.

use crate::error::CodegenError;
use ir::LayerKind;

/// The error for a transformer layer, or `None` for the other kinds.
pub(super) fn not_yet(layer: &ir::Layer) -> Option<CodegenError> {
    let message = match &layer.kind {
        LayerKind::MultiHeadAttention(_) => {
            "attention is not emitted yet (hls4ml 1.3.0 converts HGQ2's QMultiHeadAttention into \
             EinsumDense projections, two Einsum layers and a Softmax over the keys, and refuses a \
             plain Keras MultiHeadAttention); `presynth estimate` prices that decomposition"
        }
        LayerKind::LayerNorm(_) => {
            "LayerNormalization is not emitted yet (hls4ml 1.3.0: nnet_layernorm.h, io_parallel, \
             (sequence, features) inputs over the last axis)"
        }
        LayerKind::EinsumDense(_) => {
            "EinsumDense is not emitted yet (hls4ml 1.3.0: nnet_einsum_dense.h, io_parallel, \
             Latency dense kernels)"
        }
        LayerKind::Embedding(_) => "Embedding is not emitted yet (hls4ml 1.3.0: nnet_embed.h)",
        LayerKind::Input(_)
        | LayerKind::Dense(_)
        | LayerKind::Conv1D(_)
        | LayerKind::Conv2D(_)
        | LayerKind::Pool1D(_)
        | LayerKind::Pool2D(_)
        | LayerKind::GlobalPool1D(_)
        | LayerKind::GlobalPool2D(_)
        | LayerKind::BatchNorm(_)
        | LayerKind::Activation(_)
        | LayerKind::Reshape(_)
        | LayerKind::Concatenate(_)
        | LayerKind::Dropout(_)
        | LayerKind::Flatten
        | LayerKind::Add
        | LayerKind::ZeroPadding1D(_)
        | LayerKind::ZeroPadding2D(_)
        | LayerKind::Cropping1D(_)
        | LayerKind::Cropping2D(_)
        | LayerKind::UpSampling1D(_)
        | LayerKind::UpSampling2D(_) => return None,
    };
    Some(CodegenError::NotImplemented {
        layer: layer.name.clone(),
        kind: layer.kind.name().to_string(),
        message: message.into(),
    })
}
