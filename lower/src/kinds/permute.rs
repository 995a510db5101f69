//! Permute as hls4ml's parser makes it: its `Transpose` (`converters/keras_v3/core.py`
//! `PermuteHandler`: `perm = dims - 1`), whose output keeps the input's precision
//! (`model/layers.py`: `add_output_variable(shape, precision=inp.type.precision)`).

use super::{Parse, ParseCx, Parsed};
use crate::error::Result;
use crate::op::Op;

impl Parse for ir::ops::Permute {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        Ok(Parsed {
            keeps_input_precision: true,
            ..Parsed::new(
                "Transpose",
                Op::Transpose {
                    from_shape: cx.input(0)?.to_vec(),
                    perm: self.perm(),
                },
            )
        })
    }
}
