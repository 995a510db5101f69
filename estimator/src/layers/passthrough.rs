//! Layers that cost nothing in hardware: Input, Flatten and Reshape (hls4ml keeps arrays flat
//! in io_parallel, so these are renames) and Dropout (removed at conversion).

use super::{Analysis, LayerCtx};

pub const FORMULAS: &[&str] =
    &["no logic: Input/Flatten/Reshape are renames, Dropout is removed by hls4ml"];

pub fn analyse(_ctx: &LayerCtx) -> Analysis {
    Analysis::free(FORMULAS)
}
