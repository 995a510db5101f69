//! PReLU as hls4ml's parser makes it: its `PReLU` class, an Activation subclass whose config
//! is the parametrised activations' (`activ_config` with `param_t`) and whose call reads the
//! alpha array (`nnet::prelu`, `backends/vivado/passes/core_templates.py`).

use super::{Parse, ParseCx, Parsed};
use crate::error::Result;
use crate::op::{ActKind, Op};

impl Parse for ir::ops::PReLU {
    fn parse(&self, _cx: &ParseCx) -> Result<Parsed> {
        Ok(Parsed::new(
            "PReLU",
            Op::Activation {
                act: ActKind::PReLU,
                config_name: "prelu".to_string(),
            },
        ))
    }
}
