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
pub mod einsum;
pub mod einsum_dense;
pub mod embedding;
pub mod emit;
pub mod im2col;
pub mod layernorm;
pub mod merge;
pub mod pooling;
pub mod product;
pub mod quantizer;
pub mod recurrent;
pub mod reshape;
pub mod spatial;
pub mod transpose;

use crate::model::{HlsLayer, HlsModel, Variable};
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
    /// The number of zeros hls4ml counts in weight `k` (its config's `n_zeros`): those of the
    /// values, or those it took before replacing them (`HlsModel::header_stats`).
    pub fn weight_zeros(&self, k: usize) -> usize {
        let w = self.weight(k);
        self.m
            .header_stats
            .get(&w.name)
            .map_or_else(|| w.zeros(), |s| s.2)
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
    emit::emitter(&l.op).config(&Ctx { m, l })
}

/// The `nnet::` call of a layer for myproject.cpp, if any.
pub fn function_cpp(m: &HlsModel, l: &HlsLayer) -> Option<String> {
    emit::emitter(&l.op).call(&Ctx { m, l })
}

/// The nnet_utils headers a layer includes (hls4ml's `include_header` lists).
pub fn includes(l: &HlsLayer) -> &'static [&'static str] {
    emit::emitter(&l.op).includes(l)
}

/// Code hls4ml generates into nnet_code_gen.h for a layer (im2col fill_buffer classes).
pub fn generated_code(m: &HlsModel, l: &HlsLayer) -> Option<String> {
    if m.is_stream() {
        return None;
    }
    emit::emitter(&l.op).generated_code(&Ctx { m, l })
}

/// Whether a layer makes hls4ml's `SetPipelineStyle` choose DATAFLOW (a conv of more than one
/// partition).
pub fn forces_dataflow(l: &HlsLayer) -> bool {
    emit::emitter(&l.op).forces_dataflow(l)
}
