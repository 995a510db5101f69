//! Dense, Conv1D and Conv2D: hls4ml's parser keeps the sizes, strides and `same` paddings
//! (`converters/keras_v3/core.py`, `conv.py`); the fused activation is split off later by
//! `split_activation`, a Dense over positions becomes a conv in
//! `replace_multidimensional_dense_with_conv`.

use super::{dim, pads, Parse, ParseCx, Parsed};
use crate::error::Result;
use crate::op::Op;

impl Parse for ir::ops::Dense {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let n_in = cx.input(0)?.iter().product();
        Ok(Parsed::new(
            "Dense",
            Op::Dense {
                n_in,
                n_out: self.units,
            },
        ))
    }
}

impl Parse for ir::ops::Conv1D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let input = cx.input(0)?;
        let (in_width, n_chan) = (dim(input, 0), dim(input, 1));
        let out_width = dim(cx.output(), 0);
        let (pad_left, pad_right) = pads(self.padding, in_width, self.kernel, self.stride);
        Ok(Parsed::new(
            "Conv1D",
            Op::Conv1D {
                in_width,
                n_chan,
                filt_width: self.kernel,
                n_filt: self.filters,
                stride: self.stride,
                pad_left,
                pad_right,
                out_width,
                n_partitions: out_width,
                pointwise: false,
            },
        ))
    }
}

impl Parse for ir::ops::Conv2D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        Ok(Parsed::new(
            "Conv2D",
            conv2d_op(cx, self.kernel, self.stride, self.padding, self.filters)?,
        ))
    }
}

/// hls4ml's Conv2D attributes of a `kernel`/`stride`/`padding` window over the layer's
/// (height, width, channels) input to `n_filt` channels (the Conv2D classes: Conv2D and its
/// subclass DepthwiseConv2D).
pub(crate) fn conv2d_op(
    cx: &ParseCx,
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: ir::Padding,
    n_filt: usize,
) -> Result<Op> {
    let input = cx.input(0)?;
    let (in_height, in_width, n_chan) = (dim(input, 0), dim(input, 1), dim(input, 2));
    let (out_height, out_width) = (dim(cx.output(), 0), dim(cx.output(), 1));
    let (pad_top, pad_bottom) = pads(padding, in_height, kernel[0], stride[0]);
    let (pad_left, pad_right) = pads(padding, in_width, kernel[1], stride[1]);
    Ok(Op::Conv2D {
        in_height,
        in_width,
        n_chan,
        filt_height: kernel[0],
        filt_width: kernel[1],
        n_filt,
        stride_height: stride[0],
        stride_width: stride[1],
        pad_top,
        pad_bottom,
        pad_left,
        pad_right,
        out_height,
        out_width,
        n_partitions: out_height * out_width,
        pointwise: false,
        depthwise: false,
    })
}
