//! GarNet / GarNetStack as hls4ml's parser makes them (`converters/keras/graph.py`): its
//! `GarNet` / `GarNetStack` classes (`nnet::garnet`, `nnet::garnet_stack` in `nnet_garnet.h`),
//! io_parallel only, with `collapse='mean'` or no collapse. What hls4ml 1.3.0 cannot build is
//! refused as not in hls4ml:
//!
//! - io_stream: `nnet_garnet.h` has array functions only. Seen failing:
//!   `convert_from_keras_model(..., io_type='io_stream', backend='Vitis').compile()` of
//!   GarNet(4, 5, 3), collapse mean, on 16 vertices of 3 features does not compile;
//! - `collapse='max'` (read from the template and header, not compiled): the config names
//!   `collapse_max`, for which `nnet_garnet.h` has no `garnet`/`garnet_stack` overload;
//! - `collapse='sum'` (read from the template, not compiled): the config template writes
//!   `no_collapse` (it knows only mean and max), so `nnet::garnet` writes V × N outputs into
//!   hls4ml's N-element output array.
//!
//! (hls4ml's `GarNet.initialize` also raises on a vertex count not divisible by the reuse
//! factor: codegen refuses that, where the layer's reuse factor is known.) The weights, the
//! types hls4ml derives from them and the config are codegen's (`hls-codegen/src/lower/garnet.rs`,
//! `hls-codegen/src/layers/garnet.rs`).

use super::{dim, Parse, ParseCx, Parsed};
use crate::error::Result;
use crate::op::Op;
use ir::ops::{GarNet, GarNetCollapse};
use ir::IoType;

impl Parse for GarNet {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        let class = if self.stack { "GarNetStack" } else { "GarNet" };
        if cx.io_type == IoType::Stream {
            return Err(cx.not_in_hls4ml(format!(
                "io_stream: nnet_garnet.h has no stream version of nnet::{}; hls4ml 1.3.0's project does not compile",
                if self.stack { "garnet_stack" } else { "garnet" }
            )));
        }
        let collapse_mean = match self.collapse {
            Some(GarNetCollapse::Max) => {
                return Err(cx.not_in_hls4ml(
                    "collapse='max': hls4ml 1.3.0 writes output_collapse = collapse_max, which nnet_garnet.h has no garnet overload for; its project does not compile",
                ))
            }
            Some(GarNetCollapse::Sum) => {
                return Err(cx.not_in_hls4ml(
                    "collapse='sum': hls4ml 1.3.0's config template writes no_collapse for it, so nnet::garnet writes V x N outputs into the N-element output array",
                ))
            }
            Some(GarNetCollapse::Mean) => true,
            None => false,
        };
        let data = cx.input(0)?;
        let op = Op::GarNet {
            stack: self.stack,
            n_vertices: dim(data, 0),
            n_in_features: self.in_features(dim(data, 1)),
            transforms: self.transforms.clone(),
            collapse_mean,
            mean_by_nvert: self.mean_by_nvert,
            quantize: self.quantize_transforms,
        };
        Ok(Parsed::new(class, op))
    }
}
