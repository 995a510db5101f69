//! Per-layer C++ text: the config struct (parameters.h), the `nnet::` call (myproject.cpp), the
//! headers a layer needs and any generated code (nnet_code_gen.h), one file per layer kind,
//! following hls4ml 1.3.0's Vivado templates (`backends/vivado/passes/*_templates.py`).

pub mod activation;
pub mod batchnorm;
pub mod conv;
pub mod conv1d;
pub mod conv2d;
pub mod dense;
pub mod depthwise;
pub mod im2col;
pub mod merge;
pub mod pooling;
pub mod reshape;
pub mod spatial;

use crate::model::{HlsLayer, HlsModel, Op, Variable};
use ir::Strategy;

/// A layer with its model, and the template parameters hls4ml's `_default_*_params` provide.
pub struct Ctx<'a> {
    pub m: &'a HlsModel,
    pub l: &'a HlsLayer,
}

impl<'a> Ctx<'a> {
    pub fn input(&self, k: usize) -> &'a Variable {
        self.m.var(self.l.inputs[k])
    }
    pub fn output(&self) -> &'a Variable {
        self.m.var(self.l.outputs[0])
    }
    pub fn index(&self) -> usize {
        self.l.index
    }
    pub fn iotype(&self) -> &'static str {
        self.m.io_type_name()
    }
    pub fn reuse(&self) -> u32 {
        self.l.reuse_factor
    }
    /// `latency` or `resource`, as in `nnet::{strategy}`.
    pub fn strategy(&self) -> &'static str {
        match self.l.strategy {
            Strategy::Latency => "latency",
            Strategy::Resource => "resource",
        }
    }
    /// hls4ml's default call: `<in_t, out_t, config>(in, out`.
    pub fn io_args(&self) -> (String, String) {
        let (i, o) = (self.input(0), self.output());
        (
            format!("{}, {}", i.type_name, o.type_name),
            format!("{}, {}", i.name, o.name),
        )
    }
    /// The weight array named `prefix{index}` (w, b, s).
    pub fn weight(&self, k: usize) -> &'a crate::model::WeightVar {
        &self.l.weights[k]
    }
    /// The `accum_t`, `bias_t` and `weight_t` typedef lines of a config with weights.
    pub fn weight_typedefs(&self) -> String {
        format!(
            "    typedef {} accum_t;\n    typedef {} bias_t;\n    typedef {} weight_t;\n",
            self.l.accum_t.name, self.l.bias_t.name, self.l.weight_t.name
        )
    }
    /// The call of a layer with weights `w{N}`, `b{N}`:
    /// `nnet::{func}<in_t, out_t, config{N}>(in, out, w{N}, b{N});`.
    pub fn weighted_call(&self, func: &str) -> String {
        let (types, args) = self.io_args();
        format!(
            "nnet::{func}<{types}, config{}>({args}, {}, {});",
            self.index(),
            self.weight(0).name,
            self.weight(1).name
        )
    }
}

/// The config struct of a layer for parameters.h (without the `// name` line), if any.
pub fn config_cpp(m: &HlsModel, l: &HlsLayer) -> Option<String> {
    let c = Ctx { m, l };
    match &l.op {
        // a SeparableConv2D is split by the lowering (separable_to_depthwise_and_conv)
        Op::Input | Op::Reshape | Op::Clone | Op::Dropout | Op::SeparableConv2D { .. } => None,
        Op::Dense { .. } => Some(dense::config(&c)),
        Op::Conv1D { .. } => Some(conv1d::config(&c)),
        Op::Conv2D { .. } => Some(conv2d::config(&c)),
        Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. } => Some(pooling::config(&c)),
        Op::BatchNorm { .. } => Some(batchnorm::config(&c)),
        Op::Activation { .. } => Some(activation::config(&c)),
        Op::Merge { .. } | Op::Concatenate { .. } => Some(merge::config(&c)),
        Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. } => Some(spatial::config(&c)),
    }
}

/// The `nnet::` call of a layer for myproject.cpp, if any.
pub fn function_cpp(m: &HlsModel, l: &HlsLayer) -> Option<String> {
    let c = Ctx { m, l };
    match &l.op {
        Op::Input | Op::Reshape | Op::Dropout | Op::SeparableConv2D { .. } => None,
        Op::Clone => Some(reshape::clone_call(&c)),
        Op::Dense { .. } => Some(dense::call(&c)),
        Op::Conv1D { .. } => Some(conv1d::call(&c)),
        Op::Conv2D {
            depthwise: true, ..
        } => Some(depthwise::call(&c)),
        Op::Conv2D { .. } => Some(conv2d::call(&c)),
        Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. } => Some(pooling::call(&c)),
        Op::BatchNorm { .. } => Some(batchnorm::call(&c)),
        Op::Activation { .. } => Some(activation::call(&c)),
        Op::Merge { .. } | Op::Concatenate { .. } => Some(merge::call(&c)),
        Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. } => Some(spatial::call(&c)),
    }
}

/// The nnet_utils headers a layer includes (hls4ml's `include_header` lists).
pub fn includes(l: &HlsLayer) -> &'static [&'static str] {
    match &l.op {
        Op::Input | Op::Reshape | Op::Dropout | Op::SeparableConv2D { .. } => &[],
        Op::Clone => &["nnet_utils/nnet_stream.h"],
        Op::Dense { .. } => dense::INCLUDES,
        Op::Conv1D {
            pointwise: true, ..
        } => conv1d::POINTWISE_INCLUDES,
        Op::Conv1D {
            pointwise: false, ..
        } => conv1d::INCLUDES,
        Op::Conv2D {
            depthwise: true, ..
        } => depthwise::INCLUDES,
        Op::Conv2D {
            pointwise: true, ..
        } => conv2d::POINTWISE_INCLUDES,
        Op::Conv2D {
            pointwise: false, ..
        } => conv2d::INCLUDES,
        Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. } => pooling::INCLUDES,
        Op::BatchNorm { .. } => batchnorm::INCLUDES,
        Op::Activation { .. } => activation::INCLUDES,
        Op::Merge { .. } | Op::Concatenate { .. } => merge::INCLUDES,
        Op::ZeroPadding1D { .. } | Op::ZeroPadding2D { .. } => spatial::PADDING_INCLUDES,
        Op::Cropping1D { .. } | Op::Cropping2D { .. } => spatial::CROPPING_INCLUDES,
        Op::Resize { .. } => spatial::RESIZE_INCLUDES,
    }
}

/// Code hls4ml generates into nnet_code_gen.h for a layer (im2col fill_buffer classes).
pub fn generated_code(m: &HlsModel, l: &HlsLayer) -> Option<String> {
    if m.is_stream() {
        return None;
    }
    match &l.op {
        Op::Conv1D { .. } => Some(conv1d::fill_buffer(&Ctx { m, l })),
        Op::Conv2D { .. } => Some(conv2d::fill_buffer(&Ctx { m, l })),
        Op::Input
        | Op::Dense { .. }
        | Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. }
        | Op::BatchNorm { .. }
        | Op::Activation { .. }
        | Op::Merge { .. }
        | Op::Concatenate { .. }
        | Op::Reshape
        | Op::Clone
        | Op::Dropout
        | Op::SeparableConv2D { .. }
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. } => None,
    }
}
