//! HGQ1's FixedPointQuantizer as hls4ml's parser makes it: its `FixedPointQuantizer` node,
//! which the `fuse_fixed_point_quantizer` pass folds into the preceding layer's result type
//! (one format for every element) or the backend writes as a generated per-element cast
//! function (io_parallel only; io_stream is refused by hls4ml's
//! `ProcessFixedPointQuantizerLayer`). Both need hls4ml's bit-exact pass in the pipeline
//! (`passes::bit_exact` holds its arithmetic), which is not there yet: the kind is not
//! lowered, so codegen refuses it naming the layer and the estimator prices it from the IR.

use super::{Parse, ParseCx, Parsed};
use crate::error::Result;
use ir::IoType;

impl Parse for ir::ops::FixedPointQuantizer {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        if cx.io_type == IoType::Stream && !self.fusible {
            return Err(cx.not_in_hls4ml(
                "io_stream: hls4ml 1.3.0 writes heterogeneous quantizers only with \
                 IOType=io_parallel (ProcessFixedPointQuantizerLayer raises NotImplementedError)",
            ));
        }
        Err(cx.not_lowered("FixedPointQuantizer (bit-exact flow)"))
    }
}
