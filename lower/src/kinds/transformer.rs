//! The transformer kinds (MultiHeadAttention, LayerNormalization, EinsumDense, Embedding): hls4ml
//! 1.3.0 converts them for Vivado/Vitis (HGQ2's attention as EinsumDense projections, two Einsum
//! layers and a Softmax over the keys; nnet_layernorm.h, nnet_einsum_dense.h, nnet_embed.h), but
//! presynth does not lower them yet: codegen refuses a network holding one, naming the layer,
//! and the estimator prices them from the IR (estimator/src/layers/transformer.rs).

use super::{Parse, ParseCx, Parsed};
use crate::error::Result;

impl Parse for ir::ops::MultiHeadAttention {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        Err(cx.not_lowered(
            "EinsumDense/Einsum/Softmax decomposition of attention (converted for HGQ2's \
             QMultiHeadAttention; a plain Keras MultiHeadAttention hls4ml refuses)",
        ))
    }
}

impl Parse for ir::ops::LayerNorm {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        Err(cx.not_lowered("LayerNormalization (nnet_layernorm.h, io_parallel)"))
    }
}

impl Parse for ir::ops::EinsumDense {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        Err(cx.not_lowered("EinsumDense (nnet_einsum_dense.h, io_parallel)"))
    }
}

impl Parse for ir::ops::Embedding {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        Err(cx.not_lowered("Embedding (nnet_embed.h)"))
    }
}
