//! Codegen's per-class hook: what the writers emit for one node of the lowered graph (hls4ml's
//! layer class, [`Op`]): its config struct (parameters.h), its `nnet::` call (myproject.cpp),
//! its headers, the code generated into nnet_code_gen.h and whether it makes the top function
//! DATAFLOW. One file per class (or pair of 1-D/2-D classes) implementing [`Emit`], each
//! delegating to the family's writer in [`crate::layers`] (`dense.rs`, `pooling.rs`,
//! `spatial.rs`, ...). [`emitter`] is the one exhaustive match over [`Op`], and [`Emit`] has no
//! default methods, so a class added to [`Op`] without its writer is a compile error.
//!
//! The trait belongs to the lowered node's class, not to the IR kind (as the estimator's and
//! the lowering's `Parse` do): codegen renders hls4ml's graph after its optimizer passes, whose
//! nodes have no IR kind of their own (the `Clone` of an io_stream fan-out, the `ZeroPadding`
//! inserted before a `same` conv), one IR layer may become several nodes (a Dense and the
//! activation split off it), and several IR kinds become one class (Flatten and Reshape are
//! both hls4ml's `Reshape`). The per-IR-kind decisions are made once, in the lowering.

/// A class whose config, call and headers are its family writer's `config`, `call` and
/// `INCLUDES`, with no generated code and no effect on the pipeline style: `$name` is the unit
/// struct implementing [`Emit`], `$module` the writer in [`crate::layers`].
macro_rules! delegating_emit {
    ($(#[$doc:meta])* $name:ident => $module:ident) => {
        $(#[$doc])*
        pub struct $name;

        impl super::Emit for $name {
            fn config(&self, c: &crate::layers::Ctx) -> Option<String> {
                Some($module::config(c))
            }
            fn call(&self, c: &crate::layers::Ctx) -> Option<String> {
                Some($module::call(c))
            }
            fn includes(&self, _l: &crate::model::HlsLayer) -> &'static [&'static str] {
                $module::INCLUDES
            }
            fn generated_code(&self, _c: &crate::layers::Ctx) -> Option<String> {
                None
            }
            fn forces_dataflow(&self, _l: &crate::model::HlsLayer) -> bool {
                false
            }
        }
    };
}

mod activation;
mod batchnorm;
mod bidirectional;
mod clone;
mod concatenate;
mod conv1d;
mod conv2d;
mod cropping;
mod dense;
mod depthwise_conv1d;
mod depthwise_conv2d;
mod dot;
mod dropout;
mod einsum;
mod einsum_dense;
mod embedding;
mod fixed_point_quantizer;
mod global_pool;
mod input;
mod layernorm;
mod merge;
mod pool1d;
mod pool2d;
mod recurrent;
mod reshape;
mod resize;
mod separable_conv2d;
mod transpose;
mod zeropad;

use super::Ctx;
use crate::model::{HlsLayer, Op};

/// What the writers emit for one class of node.
pub trait Emit {
    /// The config struct for parameters.h (without the `// name` line), if any.
    fn config(&self, c: &Ctx) -> Option<String>;
    /// The `nnet::` call for myproject.cpp, if any.
    fn call(&self, c: &Ctx) -> Option<String>;
    /// The nnet_utils headers it includes (hls4ml's `include_header` lists).
    fn includes(&self, l: &HlsLayer) -> &'static [&'static str];
    /// Code hls4ml generates into nnet_code_gen.h for it in io_parallel (im2col
    /// `fill_buffer` classes); asked only for io_parallel projects.
    fn generated_code(&self, c: &Ctx) -> Option<String>;
    /// Whether it alone makes hls4ml's `SetPipelineStyle` choose DATAFLOW for the top function.
    fn forces_dataflow(&self, l: &HlsLayer) -> bool;
}

/// The writer of a node's class.
pub fn emitter(op: &Op) -> &'static dyn Emit {
    match op {
        Op::Input => &input::Input,
        Op::Dense { .. } => &dense::Dense,
        Op::Conv1D {
            depthwise: true, ..
        } => &depthwise_conv1d::DepthwiseConv1D,
        Op::Conv1D { .. } => &conv1d::Conv1D,
        Op::Conv2D {
            depthwise: true, ..
        } => &depthwise_conv2d::DepthwiseConv2D,
        Op::Conv2D { .. } => &conv2d::Conv2D,
        Op::SeparableConv { .. } => &separable_conv2d::SeparableConv2D,
        Op::Pool1D { .. } => &pool1d::Pool1D,
        Op::Pool2D { .. } => &pool2d::Pool2D,
        Op::GlobalPool1D { .. } => &global_pool::GlobalPool1D,
        Op::GlobalPool2D { .. } => &global_pool::GlobalPool2D,
        Op::BatchNorm { .. } => &batchnorm::BatchNorm,
        Op::Activation { .. } => &activation::Activation,
        Op::Merge { .. } => &merge::Merge,
        Op::Concatenate { .. } => &concatenate::Concatenate,
        Op::Reshape => &reshape::Reshape,
        Op::Dropout => &dropout::Dropout,
        Op::Clone => &clone::Clone,
        Op::ZeroPadding1D { .. } => &zeropad::ZeroPadding1D,
        Op::ZeroPadding2D { .. } => &zeropad::ZeroPadding2D,
        Op::Cropping1D { .. } => &cropping::Cropping1D,
        Op::Cropping2D { .. } => &cropping::Cropping2D,
        Op::Resize { .. } => &resize::Resize,
        Op::LayerNorm { .. } => &layernorm::LayerNorm,
        Op::EinsumDense { .. } => &einsum_dense::EinsumDense,
        Op::Einsum { .. } => &einsum::Einsum,
        Op::Embedding { .. } => &embedding::Embedding,
        Op::Recurrent {
            bidirectional: false,
            ..
        } => &recurrent::Recurrent,
        Op::Recurrent {
            bidirectional: true,
            ..
        } => &bidirectional::Bidirectional,
        Op::Transpose { .. } => &transpose::Transpose,
        Op::Dot { .. } => &dot::Dot,
        Op::FixedPointQuantizer { .. } => &fixed_point_quantizer::FixedPointQuantizer,
    }
}
