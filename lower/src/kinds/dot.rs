//! Dot as hls4ml's parser makes it: its `Dot` (`nnet::dot1d`, a Merge subclass) over two 1-D
//! operands. hls4ml 1.3.0's io_stream project for it does not compile (`nnet::dot1d` has no
//! stream version, and its array version, called on the streams, reads `product` of the
//! stream's packed type: checked with g++ on a Dot of two Dense(6) outputs), so io_stream is
//! refused as not in hls4ml.

use super::{Parse, ParseCx, Parsed};
use crate::error::Result;
use crate::op::Op;
use ir::IoType;

impl Parse for ir::ops::Dot {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        if cx.io_type == IoType::Stream {
            return Err(cx.not_in_hls4ml(
                "io_stream: hls4ml 1.3.0 has no stream nnet::dot1d; its project does not compile",
            ));
        }
        let n_in = cx.input(0)?.first().copied().unwrap_or(0);
        Ok(Parsed::new("Dot", Op::Dot { n_in }))
    }
}
