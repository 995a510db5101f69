//! DepthwiseConv2D, SeparableConv2D and hls4ml's ApplyAlpha: hls4ml 1.3.0 converts them for
//! Vivado/Vitis (`nnet_sepconv2d_latency.h` / `nnet_sepconv2d_stream.h`; ApplyAlpha is its
//! `nnet::normalize` with a power-of-two `quantized_po2` scale type inserted by the
//! `qkeras_factorize_alpha` pass), but presynth does not lower them yet: codegen refuses a
//! network holding one, naming the layer, and the estimator prices them from the IR
//! (estimator/src/layers/depthwise.rs, batchnorm.rs).

use super::{Parse, ParseCx, Parsed};
use crate::error::Result;

impl Parse for ir::ops::DepthwiseConv2D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        Err(cx.not_lowered("DepthwiseConv2D (nnet_sepconv2d_latency.h)"))
    }
}

impl Parse for ir::ops::SeparableConv2D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        Err(cx.not_lowered("SeparableConv2D (depthwise then pointwise, nnet_sepconv2d.h)"))
    }
}

impl Parse for ir::ops::ApplyAlpha {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        Err(cx.not_lowered(
            "ApplyAlpha (the QKeras alpha scale with its quantized_po2 exponent type)",
        ))
    }
}
