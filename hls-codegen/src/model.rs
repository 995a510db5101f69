//! The lowered model: hls4ml's view of a network after its conversion passes — an ordered
//! list of layers with hls4ml indices and names, the variables (arrays or streams) that connect
//! them, their named types, and the weight arrays in the order the HLS kernels read them.

use ir::{FixedType, IoType, Strategy};
pub use lower::{ActKind, Op};
use std::collections::HashMap;

/// Index of a variable in [`HlsModel::vars`].
pub type VarId = usize;

/// The FPGA toolchain flavour of the project (changes scripts and a few headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Vivado,
    Vitis,
}

impl Backend {
    pub fn parse(s: &str) -> Option<Backend> {
        match s.to_ascii_lowercase().as_str() {
            "vivado" => Some(Backend::Vivado),
            "vitis" => Some(Backend::Vitis),
            _ => None,
        }
    }
    /// The name hls4ml writes in hls4ml_config.yml.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Vivado => "Vivado",
            Backend::Vitis => "Vitis",
        }
    }
    /// The clock uncertainty hls4ml defaults to for this backend.
    pub fn default_clock_uncertainty(self) -> &'static str {
        match self {
            Backend::Vivado => "12.5%",
            Backend::Vitis => "27%",
        }
    }
}

/// A C++ type name with its definition, e.g. `layer2_t` = `ap_fixed<16,6>` or
/// `nnet::array<ap_fixed<16,6>, 8*1>`.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedType {
    pub name: String,
    pub cpp: String,
}

impl NamedType {
    pub fn new(name: impl Into<String>, cpp: impl Into<String>) -> Self {
        NamedType {
            name: name.into(),
            cpp: cpp.into(),
        }
    }
}

/// How an intermediate variable is declared.
#[derive(Debug, Clone, PartialEq)]
pub enum VarKind {
    /// A real array (io_parallel) or stream (io_stream).
    Owned,
    /// hls4ml's in-place variable (Flatten/Reshape): `auto& name = source;`.
    Alias(VarId),
}

/// A tensor flowing between layers.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    /// The typedef name used in declarations (`input_t`, `layer2_t`, `result_t`).
    pub type_name: String,
    /// The element precision.
    pub precision: FixedType,
    /// Shape without the batch dimension.
    pub shape: Vec<usize>,
    pub kind: VarKind,
    /// Stream depth (io_stream intermediates).
    pub depth: usize,
    /// Elements per stream word (io_stream): the last dimension.
    pub pack: usize,
}

impl Variable {
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }
    /// The size as hls4ml prints it: the dimensions joined with `*`.
    pub fn size_cpp(&self) -> String {
        self.shape
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("*")
    }
}

/// A weight array (kernel, bias, BN scale/bias) in the element order the kernel reads.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightVar {
    /// C++ name: `w2`, `b2`, `s3`.
    pub name: String,
    pub type_name: String,
    pub precision: FixedType,
    /// Keras shape printed in the header comment (before any transposition, as hls4ml).
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl WeightVar {
    pub fn zeros(&self) -> usize {
        self.data.iter().filter(|v| **v == 0.0).count()
    }
}

/// One layer as hls4ml lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct HlsLayer {
    /// hls4ml's layer index (input = 1, Keras order, fused activations take the next one).
    pub index: usize,
    pub name: String,
    /// The Keras/hls4ml class name (for messages and the YAML).
    pub class_name: String,
    pub op: Op,
    pub inputs: Vec<VarId>,
    pub outputs: Vec<VarId>,
    pub weights: Vec<WeightVar>,
    pub reuse_factor: u32,
    pub strategy: Strategy,
    /// Types this layer declares in defines.h, in hls4ml's order (output type first).
    pub types: Vec<NamedType>,
    pub accum_t: NamedType,
    pub weight_t: NamedType,
    pub bias_t: NamedType,
    /// Extra named types (`table_t`, `exp_table_t`, `param_t`, ...).
    pub extra_t: Vec<(&'static str, NamedType)>,
    /// The kernel is hls4ml's 1-bit `XnorPrecisionType` (a QKeras binary or `quantized_bits(1,
    /// 1)` kernel quantizer; [`ir::LayerSettings::xnor_weight`]): its product is `weight_binary`.
    pub xnor_weight: bool,
    /// An activation's table size as hls4ml's bit-exact pass sets it (HGQ2 models; else the
    /// backend's 1024).
    pub table_size: Option<u64>,
    /// A softmax typed by hls4ml's bit-exact pass (HGQ2): its config's numbers.
    pub bit_exact_softmax: Option<BitExactSoftmax>,
}

impl HlsLayer {
    pub fn extra(&self, key: &str) -> Option<&NamedType> {
        self.extra_t.iter().find(|(k, _)| *k == key).map(|(_, t)| t)
    }
}

/// Per-layer settings given by the user: (layer name, reuse factor, strategy, result precision).
/// The numbers of an HGQ2 softmax's config as hls4ml's HGQ2 converter sets them
/// (`converters/keras_v3/hgq2/softmax.py`).
#[derive(Debug, Clone, PartialEq)]
pub struct BitExactSoftmax {
    pub exp_table_size: u64,
    pub inv_table_size: u64,
    /// HGQ2's default `parallelization_factor` (-1): n_outer × n_inner.
    pub parallelization_factor: usize,
    /// HGQ2's `input_scaler` (the attention's 1/sqrt(key_dim), 1 for a QSoftmax).
    pub exp_scale: f64,
}

pub type LayerOverride = (String, Option<u32>, Option<Strategy>, Option<FixedType>);

/// A network lowered to hls4ml's layer list, with project settings.
#[derive(Debug, Clone, PartialEq)]
pub struct HlsModel {
    pub project_name: String,
    pub backend: Backend,
    pub part: String,
    pub clock_period: f64,
    pub clock_uncertainty: String,
    pub io_type: IoType,
    pub default_precision: FixedType,
    pub model_strategy: Strategy,
    pub model_reuse_factor: u32,
    pub layers: Vec<HlsLayer>,
    pub vars: Vec<Variable>,
    pub inputs: Vec<VarId>,
    pub outputs: Vec<VarId>,
    /// Human-readable notes about what was changed (reuse factors requested → used, ...).
    pub warnings: Vec<String>,
    /// Per-layer settings as written to hls4ml_config.yml (name → (rf, strategy, precision)).
    pub layer_overrides: Vec<LayerOverride>,
    /// The `//Min`, `//Max` and `//Number of zeros` hls4ml writes in a weight header when they
    /// are not those of the values it writes, by weight name: hls4ml computes them when it
    /// makes the weight and `qkeras_factorize_alpha` replaces the values later (the kernel
    /// divided by its alpha scale, the bias moved to the ApplyAlpha).
    pub header_stats: HashMap<String, HeaderStats>,
    /// Arrays hls4ml partitions cyclically, with the factor (`#pragma HLS ARRAY_PARTITION
    /// variable=x cyclic factor=48 dim=0`, top-level port or intermediate): a layer's backend
    /// initialiser sets them (the Vivado backend's `init_garnet` on GarNet's data input, and on
    /// its output when it keeps the vertices).
    pub cyclic_partition: HashMap<VarId, usize>,
}

/// A weight header's `(min, max, number of zeros)`.
pub type HeaderStats = (f32, f32, usize);

impl HlsModel {
    pub fn var(&self, id: VarId) -> &Variable {
        &self.vars[id]
    }
    /// The variable a name refers to after resolving in-place aliases.
    pub fn resolve(&self, mut id: VarId) -> VarId {
        while let VarKind::Alias(src) = self.vars[id].kind {
            id = src;
        }
        id
    }
    pub fn is_stream(&self) -> bool {
        self.io_type == IoType::Stream
    }
    pub fn io_type_name(&self) -> &'static str {
        match self.io_type {
            IoType::Parallel => "io_parallel",
            IoType::Stream => "io_stream",
        }
    }
    /// `ap_fixed<16,6>` or, in io_stream, `nnet::array<ap_fixed<16,6>, N*1>`.
    pub fn var_type_cpp(&self, v: &Variable) -> String {
        let p = crate::precision::cpp(&v.precision);
        if self.is_stream() {
            format!("nnet::array<{p}, {}*1>", v.pack)
        } else {
            p
        }
    }
    /// Declaration of an intermediate (`layer2_t layer2_out[16]`, `hls::stream<..> x("x")`,
    /// `auto& a = b`).
    pub fn definition_cpp(&self, v: &Variable) -> String {
        match v.kind {
            VarKind::Alias(src) => format!("auto& {} = {}", v.name, self.vars[src].name),
            VarKind::Owned if self.is_stream() => {
                format!("hls::stream<{}> {}(\"{}\")", v.type_name, v.name, v.name)
            }
            VarKind::Owned => format!("{} {}[{}]", v.type_name, v.name, v.size_cpp()),
        }
    }
    /// The `#pragma HLS ARRAY_<mode> ...` of an io_parallel array: cyclic where a layer asked
    /// for it ([`HlsModel::cyclic_partition`]), else complete in `mode` (`RESHAPE` for inputs,
    /// `PARTITION` otherwise).
    pub fn array_pragma(&self, id: VarId, mode: &str) -> String {
        let name = &self.vars[id].name;
        match self.cyclic_partition.get(&id) {
            Some(f) => {
                format!("#pragma HLS ARRAY_PARTITION variable={name} cyclic factor={f} dim=0")
            }
            None => format!("#pragma HLS ARRAY_{mode} variable={name} complete dim=0"),
        }
    }
    /// Declaration as a top-function parameter.
    pub fn reference_cpp(&self, v: &Variable) -> String {
        if self.is_stream() {
            format!("hls::stream<{}> &{}", v.type_name, v.name)
        } else {
            format!("{} {}[{}]", v.type_name, v.name, v.size_cpp())
        }
    }
    /// Declaration with a `_ap` suffix (bridge).
    pub fn suffixed_cpp(&self, v: &Variable, suffix: &str) -> String {
        if self.is_stream() {
            format!(
                "hls::stream<{}> {}{}(\"{}\")",
                v.type_name, v.name, suffix, v.name
            )
        } else {
            format!("{} {}{}[{}]", v.type_name, v.name, suffix, v.size_cpp())
        }
    }
}
