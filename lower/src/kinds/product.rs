//! Dense, Conv1D and Conv2D: hls4ml's parser keeps the sizes, strides and `same` paddings
//! (`converters/keras_v3/core.py`, `conv.py`); the fused activation is split off later by
//! `split_activation`, a Dense over positions becomes a conv in
//! `replace_multidimensional_dense_with_conv`. A QKeras QConv2DBatchnorm (folded) is hls4ml's
//! `Conv2DBatchnorm` (refused with `use_bias=False`, whose folded bias hls4ml types
//! `ap_uint<1>`); a QDenseBatchnorm is refused, as hls4ml 1.3.0 has no converter for it.

use super::{dim, pads, Parse, ParseCx, Parsed};
use crate::error::Result;
use crate::op::Op;

impl Parse for ir::ops::Dense {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        if cx.layer.batchnorm_folded.is_some() {
            // seen with hls4ml 1.3.0 on a QDenseBatchnorm model (qkeras branch b601b54): both
            // config_from_keras_model and convert_from_keras_model raise this
            return Err(cx.not_in_hls4ml(
                "QDenseBatchnorm has no converter in hls4ml 1.3.0 (keras_v2_to_hls.parse_keras_model: \
                 'ERROR: Unsupported layer type: QDenseBatchnorm'); a QDense followed by a \
                 (Q)BatchNormalization converts",
            ));
        }
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
        Ok(Parsed::new(
            "Conv1D",
            conv1d_op(cx, self.kernel, self.stride, self.padding, self.filters)?,
        ))
    }
}

/// hls4ml's Conv1D attributes of a `kernel`/`stride`/`padding` window over the layer's
/// (width, channels) input to `n_filt` channels (the Conv1D classes: Conv1D and its subclass
/// DepthwiseConv1D).
pub(crate) fn conv1d_op(
    cx: &ParseCx,
    kernel: usize,
    stride: usize,
    padding: ir::Padding,
    n_filt: usize,
) -> Result<Op> {
    let input = cx.input(0)?;
    let (in_width, n_chan) = (dim(input, 0), dim(input, 1));
    let out_width = dim(cx.output(), 0);
    let (pad_left, pad_right) = pads(padding, in_width, kernel, stride);
    Ok(Op::Conv1D {
        in_width,
        n_chan,
        filt_width: kernel,
        n_filt,
        stride,
        pad_left,
        pad_right,
        out_width,
        n_partitions: out_width,
        pointwise: false,
        depthwise: false,
    })
}

/// [`conv1d_op`] or [`conv2d_op`] by the number of spatial axes `R` (1 or 2).
pub(crate) fn conv_op<const R: usize>(
    cx: &ParseCx,
    kernel: [usize; R],
    stride: [usize; R],
    padding: ir::Padding,
    n_filt: usize,
) -> Result<Op> {
    match (kernel.as_slice(), stride.as_slice()) {
        ([k], [s]) => conv1d_op(cx, *k, *s, padding, n_filt),
        ([kh, kw], [sh, sw]) => conv2d_op(cx, [*kh, *kw], [*sh, *sw], padding, n_filt),
        _ => Err(crate::error::LowerError::NotInHls4ml {
            layer: cx.layer.name.clone(),
            kind: cx.layer.kind.name().to_string(),
            message: format!("a convolution over {R} spatial axes (hls4ml has 1-D and 2-D ones)"),
        }),
    }
}

impl Parse for ir::ops::Conv2D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        if cx
            .layer
            .batchnorm_folded
            .as_ref()
            .is_some_and(|f| f.without_bias)
        {
            // checked with hls4ml 1.3.0 + QKeras 0.9.0 (scripts/qkeras_hls4ml_faults.py): with
            // no stored bias, Conv2D.initialize gives the bias hls4ml's zero-bias type
            // `ap_uint<1>`, and Conv2DBatchnorm.initialize then leaves it zero (no bias
            // quantizer) or writes the quantised folded bias into that 1-bit unsigned type:
            // its C simulation differs from QKeras by up to 2.4
            return Err(cx.not_in_hls4ml(
                "a QConv2DBatchnorm with use_bias=False: hls4ml 1.3.0 types its folded bias \
                 (beta - moving_mean * gamma / sqrt(variance + epsilon)) as the zero-bias \
                 ap_uint<1>, which drops it (0 or the quantised value wrapped to one bit), so \
                 its project computes a different layer; give the layer use_bias=True",
            ));
        }
        Ok(Parsed::new(
            // QKeras's QConv2DBatchnorm is hls4ml's Conv2DBatchnorm, a Conv2D subclass whose
            // class name optimize_pointwise_conv does not match
            if cx.layer.batchnorm_folded.is_some() {
                "Conv2DBatchnorm"
            } else {
                "Conv2D"
            },
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
