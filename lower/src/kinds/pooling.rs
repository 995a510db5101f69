//! Pooling kinds: hls4ml's `Pooling1D/2D` and `GlobalPooling1D/2D` (`converters/keras_v3/pooling.py`),
//! with Keras `same` paddings.

use super::{dim, pads, Parse, ParseCx, Parsed};
use crate::error::Result;
use crate::op::Op;
use ir::PoolOp;

impl Parse for ir::ops::Pool1D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let input = cx.input(0)?;
        let (n_in, n_filt) = (dim(input, 0), dim(input, 1));
        let (pad_left, pad_right) = pads(self.padding, n_in, self.pool, self.stride);
        Ok(Parsed::new(
            cx.layer.kind.name(),
            Op::Pool1D {
                max: self.op == PoolOp::Max,
                n_in,
                n_out: dim(cx.output(), 0),
                n_filt,
                pool_width: self.pool,
                stride: self.stride,
                pad_left,
                pad_right,
            },
        ))
    }
}

impl Parse for ir::ops::Pool2D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let input = cx.input(0)?;
        let (in_height, in_width, n_filt) = (dim(input, 0), dim(input, 1), dim(input, 2));
        let (pad_top, pad_bottom) = pads(self.padding, in_height, self.pool[0], self.stride[0]);
        let (pad_left, pad_right) = pads(self.padding, in_width, self.pool[1], self.stride[1]);
        Ok(Parsed::new(
            cx.layer.kind.name(),
            Op::Pool2D {
                max: self.op == PoolOp::Max,
                in_height,
                in_width,
                n_filt,
                pool_height: self.pool[0],
                pool_width: self.pool[1],
                stride_height: self.stride[0],
                stride_width: self.stride[1],
                out_height: dim(cx.output(), 0),
                out_width: dim(cx.output(), 1),
                pad_top,
                pad_bottom,
                pad_left,
                pad_right,
            },
        ))
    }
}

impl Parse for ir::ops::GlobalPool1D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let input = cx.input(0)?;
        Ok(Parsed::new(
            cx.layer.kind.name(),
            Op::GlobalPool1D {
                max: self.op == PoolOp::Max,
                n_in: dim(input, 0),
                n_filt: dim(input, 1),
            },
        ))
    }
}

impl Parse for ir::ops::GlobalPool2D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let input = cx.input(0)?;
        Ok(Parsed::new(
            cx.layer.kind.name(),
            Op::GlobalPool2D {
                max: self.op == PoolOp::Max,
                in_height: dim(input, 0),
                in_width: dim(input, 1),
                n_filt: dim(input, 2),
            },
        ))
    }
}
