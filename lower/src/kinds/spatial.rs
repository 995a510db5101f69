//! The spatial copy layers: hls4ml's `ZeroPadding*`, `Cropping*` and `Resize` (Keras
//! UpSampling1D is a Resize of height 1, `converters/keras_v3/reshape.py`). Their output keeps
//! the input's precision whatever the configured result type (`model/layers.py`:
//! `add_output_variable(shape, precision=inp.type.precision)`).

use super::{dim, Parse, ParseCx, Parsed};
use crate::error::Result;
use crate::op::Op;

fn copy(class: &'static str, op: Op) -> Result<Parsed> {
    Ok(Parsed {
        keeps_input_precision: true,
        ..Parsed::new(class, op)
    })
}

impl Parse for ir::ops::ZeroPadding1D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let i = cx.input(0)?;
        copy(
            "ZeroPadding1D",
            Op::ZeroPadding1D {
                in_width: dim(i, 0),
                n_chan: dim(i, 1),
                out_width: dim(cx.output(), 0),
                before: self.pad[0],
                after: self.pad[1],
            },
        )
    }
}

impl Parse for ir::ops::ZeroPadding2D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let i = cx.input(0)?;
        copy(
            "ZeroPadding2D",
            Op::ZeroPadding2D {
                in_height: dim(i, 0),
                in_width: dim(i, 1),
                n_chan: dim(i, 2),
                out_height: dim(cx.output(), 0),
                out_width: dim(cx.output(), 1),
                sides: self.pad,
            },
        )
    }
}

impl Parse for ir::ops::Cropping1D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let i = cx.input(0)?;
        copy(
            "Cropping1D",
            Op::Cropping1D {
                in_width: dim(i, 0),
                n_chan: dim(i, 1),
                out_width: dim(cx.output(), 0),
                before: self.crop[0],
                after: self.crop[1],
            },
        )
    }
}

impl Parse for ir::ops::Cropping2D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let i = cx.input(0)?;
        copy(
            "Cropping2D",
            Op::Cropping2D {
                in_height: dim(i, 0),
                in_width: dim(i, 1),
                n_chan: dim(i, 2),
                out_height: dim(cx.output(), 0),
                out_width: dim(cx.output(), 1),
                sides: self.crop,
            },
        )
    }
}

impl Parse for ir::ops::UpSampling1D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let i = cx.input(0)?;
        copy(
            "Resize",
            Op::Resize {
                in_height: 1,
                in_width: dim(i, 0),
                n_chan: dim(i, 1),
                out_height: 1,
                out_width: dim(cx.output(), 0),
            },
        )
    }
}

impl Parse for ir::ops::UpSampling2D {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let i = cx.input(0)?;
        copy(
            "Resize",
            Op::Resize {
                in_height: dim(i, 0),
                in_width: dim(i, 1),
                n_chan: dim(i, 2),
                out_height: dim(cx.output(), 0),
                out_width: dim(cx.output(), 1),
            },
        )
    }
}
