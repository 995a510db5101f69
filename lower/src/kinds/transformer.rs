//! The transformer kinds. LayerNormalization, EinsumDense and Embedding become hls4ml 1.3.0's
//! nodes of the same names, with the attributes its parser (`converters/keras/core.py`,
//! `converters/keras_v3/einsum_dense.py`) and the Vivado backend's `init_einsum_dense` compute;
//! all three in io_parallel only (hls4ml asserts it for EinsumDense and has no stream
//! LayerNormalization; presynth does not emit a stream Embedding yet). MultiHeadAttention is
//! not lowered yet: hls4ml converts HGQ2's attention as EinsumDense projections, two Einsum
//! layers and a Softmax over the keys, and refuses a plain Keras MultiHeadAttention.

use super::{Parse, ParseCx, Parsed};
use crate::einsum::EinsumRecipe;
use crate::error::Result;
use crate::op::Op;
use ir::IoType;

impl Parse for ir::ops::MultiHeadAttention {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        Err(cx.not_lowered(
            "EinsumDense/Einsum/Softmax decomposition of attention (converted for HGQ2's \
             QMultiHeadAttention; a plain Keras MultiHeadAttention hls4ml refuses)",
        ))
    }
}

/// Refuse io_stream for a kind hls4ml 1.3.0 emits in io_parallel only.
fn parallel_only(cx: &ParseCx, what: &str) -> Result<()> {
    match cx.io_type {
        IoType::Parallel => Ok(()),
        IoType::Stream => Err(cx.not_in_hls4ml(format!(
            "{what} is emitted by hls4ml 1.3.0 for io_parallel only"
        ))),
    }
}

impl Parse for ir::ops::LayerNorm {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        parallel_only(cx, "LayerNormalization (nnet_layernorm.h)")?;
        let input = cx.input(0)?;
        // hls4ml: a (sequence, features) input normalised over its features (Keras axis 2;
        // presynth also takes -1, the same axis, which hls4ml's converter refuses by number)
        if input.len() != 2 || self.resolved_axes(input.len()) != Some(vec![1]) {
            return Err(cx.not_in_hls4ml(format!(
                "LayerNormalization over axis {:?} of a {}-D input {input:?}: hls4ml's \
                 nnet_layernorm.h normalises the last axis of a (sequence, features) input only",
                self.axes,
                input.len()
            )));
        }
        if !(self.epsilon > 0.0 && self.epsilon.is_finite()) {
            return Err(cx.not_in_hls4ml(format!("epsilon {} must be positive", self.epsilon)));
        }
        let p = -self.epsilon.log10().round();
        if p < 1.0 {
            return Err(cx.not_in_hls4ml(format!(
                "epsilon {} must be less than 1e-1 (hls4ml's table starts at 10^-round(-log10 eps))",
                self.epsilon
            )));
        }
        Ok(Parsed::new(
            "LayerNormalization",
            Op::LayerNorm {
                seq_len: input[0],
                dim: input[1],
                epsilon_power_of_10: p as u32,
            },
        ))
    }
}

impl Parse for ir::ops::EinsumDense {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        parallel_only(cx, "EinsumDense (nnet_einsum_dense.h)")?;
        let input = cx.input(0)?;
        let plan = self
            .plan(input)
            .map_err(|m| cx.not_in_hls4ml(format!("equation: {m}")))?;
        let recipe = EinsumRecipe::new(
            &plan.input,
            &plan.kernel,
            &plan.output,
            input,
            &plan.kernel_shape,
        )
        .map_err(|m| cx.not_in_hls4ml(m))?;
        Ok(Parsed::new(
            "EinsumDense",
            Op::EinsumDense {
                inp_shape: input.to_vec(),
                kernel_shape: plan.kernel_shape,
                out_shape: plan.output_shape,
                recipe,
            },
        ))
    }
}

impl Parse for ir::ops::Embedding {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        if cx.io_type == IoType::Stream {
            return Err(cx.not_lowered("Embedding in io_stream (nnet_embed_stream.h)"));
        }
        let input = cx.input(0)?;
        if input.len() != 1 {
            return Err(cx.not_in_hls4ml(format!(
                "Embedding of a {}-D input {input:?}: hls4ml takes a flat sequence of tokens",
                input.len()
            )));
        }
        Ok(Parsed::new(
            "Embedding",
            Op::Embedding {
                n_in: input[0],
                n_out: self.output_dim,
                vocab_size: self.input_dim,
            },
        ))
    }
}
