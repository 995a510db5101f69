//! The estimator's per-kind hook: one file per IR registry module (`ir/src/ops/<module>.rs` ↔
//! `kinds/<module>.rs`) implementing [`LayerModel`] (the FPGA model: which grouped module of
//! [`crate::layers`] prices the kind, and what the kind is in io_stream) and
//! [`GpuModel`] (what kernel the kind launches on a GPU) for each kind of that module.
//! [`model_of`] and [`gpu_model_of`] dispatch through [`ir::for_each_layer_kind!`], so a kind
//! added to the registry without these implementations is a compile error, never a silent
//! default.
//!
//! The trait belongs to the IR kind (not to the lowered graph's node class, as codegen's does):
//! the estimator prices IR layers, each row of its tables is one IR layer, and it must price
//! networks hls4ml cannot convert (no lowered graph). The formulas stay in the grouped modules
//! (`dense.rs`, `pooling.rs`, `spatial.rs`, ...), shared by kinds with the same hardware; the
//! files here only say which one applies.

mod activation;
mod apply_alpha;
mod attention;
mod batchnorm;
mod concatenate;
mod conv1d;
mod conv2d;
mod cropping;
mod dense;
mod depthwise;
mod dot;
mod dropout;
mod einsum_dense;
mod embedding;
mod fixed_point_quantizer;
mod flatten;
mod garnet;
mod global_pool;
mod input;
mod layernorm;
mod merge;
mod permute;
mod pool1d;
mod pool2d;
mod positional_add;
mod prelu;
mod recurrent;
mod reshape;
mod time_distributed;
mod upsampling;
mod zeropad;

use super::{Analysis, LayerCtx};
use crate::gpu_view::GpuModel;
use ir::LayerKind;

/// What a layer's output is in an io_stream project hls4ml writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamRole {
    /// The top-level input: a port of the top function, not a FIFO.
    Port,
    /// A rename of its input's stream (Flatten, Reshape) or removed (Dropout): no FIFO and no
    /// logic of its own; its consumers read its producer's stream.
    Alias,
    /// A layer that writes its own stream (`#pragma HLS STREAM variable=layerN_out`).
    Owned,
}

/// The FPGA model of one IR kind.
pub trait LayerModel {
    /// The calibration-independent description of one layer of this kind (`ctx.layer.kind` is
    /// `self`).
    fn analyse(&self, ctx: &LayerCtx) -> Analysis;
    /// What its output is in io_stream.
    fn stream(&self) -> StreamRole;
}

macro_rules! model_dispatch {
    (
        data { $( $V:ident ( $T:ident ) $m:ident ),* $(,)? }
        unit { $( $U:ident $um:ident ),* $(,)? }
    ) => {
        /// The [`LayerModel`] of a kind.
        pub fn model_of(kind: &LayerKind) -> &dyn LayerModel {
            match kind {
                $( LayerKind::$V(op) => op, )*
                $( LayerKind::$U => &ir::ops::$um::$U, )*
            }
        }

        /// The [`GpuModel`] of a kind.
        pub fn gpu_model_of(kind: &LayerKind) -> &dyn GpuModel {
            match kind {
                $( LayerKind::$V(op) => op, )*
                $( LayerKind::$U => &ir::ops::$um::$U, )*
            }
        }
    };
}

ir::for_each_layer_kind!(model_dispatch);
