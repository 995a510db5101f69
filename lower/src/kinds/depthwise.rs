//! DepthwiseConv1D/2D, SeparableConv1D/2D and hls4ml's ApplyAlpha: hls4ml 1.3.0 converts them
//! for Vivado/Vitis (`nnet_sepconv{1,2}d.h` / `nnet_sepconv{1,2}d_stream.h`; ApplyAlpha is its
//! `nnet::normalize` with a power-of-two `quantized_po2` scale type inserted by the
//! `qkeras_factorize_alpha` pass).
//!
//! hls4ml's DepthwiseConv1D/2D is a subclass of its Conv1D/Conv2D (`model/layers.py`): the
//! same attributes and config struct, `n_filt` = channels × depth_multiplier, so it lowers to
//! [`Op::Conv1D`]/[`Op::Conv2D`] marked `depthwise` (the `insert_zero_padding_before_conv*`
//! passes match it through `isinstance`, `optimize_pointwise_conv` does not: it compares class
//! names). hls4ml's kernels (`depthwise_conv_{1,2}d_cl`) take one kernel and one bias per
//! channel: a depth multiplier other than 1 is refused, as is the Resource strategy (hls4ml's
//! io_parallel functions assert false on it). One generic implementation over the rank `R`.

use super::product::conv_op;
use super::{Parse, ParseCx, Parsed};
use crate::error::{LowerError, Result};
use crate::op::Op;
use ir::ops::depthwise::Rank;
use ir::ops::LayerOp;

impl<const R: usize> Parse for ir::ops::DepthwiseConv<R>
where
    [usize; R]: Rank,
{
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        if self.depth_multiplier != 1 {
            return Err(LowerError::NotImplemented {
                layer: cx.layer.name.clone(),
                kind: cx.layer.kind.name().to_string(),
                message: format!(
                    "depth_multiplier {} (hls4ml 1.3.0's depthwise_conv_{R}d_cl takes one kernel per channel: depth_multiplier 1)",
                    self.depth_multiplier
                ),
            });
        }
        // the channels of the input (depth_multiplier 1)
        let n_filt = super::dim(cx.input(0)?, R);
        let mut op = conv_op(cx, self.kernel, self.stride, self.padding, n_filt)?;
        if let Op::Conv1D { depthwise, .. } | Op::Conv2D { depthwise, .. } = &mut op {
            *depthwise = true;
        }
        // hls4ml's class names are the Keras ones (`DepthwiseConv1D`, `DepthwiseConv2D`)
        Ok(Parsed::new(LayerOp::name(self), op))
    }
}

impl<const R: usize> Parse for ir::ops::SeparableConv<R>
where
    [usize; R]: Rank,
{
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let depthwise = ir::ops::DepthwiseConv::<R> {
            kernel: self.kernel,
            stride: self.stride,
            padding: self.padding,
            depth_multiplier: self.depth_multiplier,
            use_bias: false,
        }
        .parse(cx)?
        .op;
        Ok(Parsed::new(
            LayerOp::name(self),
            Op::SeparableConv {
                depthwise: Box::new(depthwise),
                n_filt: self.filters,
            },
        ))
    }
}

impl Parse for ir::ops::ApplyAlpha {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        // hls4ml's ApplyAlpha is a BatchNormalization (`nnet::normalize`); n_filt as there:
        // -1 after a Dense, the filters after a Conv (`node.get_attr('n_filt', -1)`)
        let shape = cx.input(0)?;
        let n_filt = if shape.len() == 1 {
            -1
        } else {
            *shape.last().unwrap_or(&1) as i64
        };
        Ok(Parsed::new("ApplyAlpha", Op::BatchNorm { n_filt }))
    }
}
