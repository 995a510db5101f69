//! ONNX graph to IR network: walks the nodes in order, tracks for every tensor the IR layer that
//! holds it and how its elements are laid out (ONNX channels-first vs the IR's channels-last),
//! maps each operator onto IR layers, and collects every node it cannot map before failing with
//! one error that lists them all.

use super::proto::{GraphProto, NodeProto};
use super::quant::{bipolar, bipolar_type, xnor, QuantSpec};
use super::tensor::{attr_float, attr_int, attr_ints, attr_str, attr_tensor, decode, Constant};
use crate::error::FrontendError;
use ir::graph::Network;
use ir::layer::{Activation, Layer, LayerKind, Padding, PoolOp, Tensor};
use ir::shape::same_padding;
use ir::types::FixedType;
use std::collections::{HashMap, HashSet};

mod attention;
mod decomposed;
mod positional;
mod resample;

/// How an IR tensor's elements relate to the ONNX tensor it stands for.
#[derive(Debug, Clone, PartialEq)]
enum Layout {
    /// Same element order; the IR shape is the ONNX shape without the batch dimension (or, after
    /// a global pooling, that shape with its unit dimensions dropped).
    Same,
    /// ONNX `[C, s1, s2..]` is held as IR `[s1, s2.., C]` (hls4ml's channels-last conversion).
    ChannelsLast,
    /// A flat IR vector whose element `i` is the ONNX flat element `perm[i]`: a channels-last
    /// tensor flattened, where ONNX flattens channels-first. A Dense that reads it gets its
    /// kernel rows permuted, the same function as hls4ml's Transpose + Dense.
    Permuted(Vec<usize>),
}

/// A non-constant tensor: the IR layer whose output holds it, and its layout.
#[derive(Debug, Clone)]
struct Value {
    layer: String,
    layout: Layout,
}

/// One ONNX node the IR cannot represent.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsupported {
    pub node: String,
    pub op_type: String,
    pub reason: String,
}

/// ONNX operators that hls4ml 1.3.0 converts but the IR has no layer kind for.
const HLS4ML_ONLY: &[&str] = &["Selu", "PRelu", "Div", "Mean"];

struct Converter<'a> {
    file: &'a str,
    graph: &'a GraphProto,
    net: Network,
    consts: HashMap<String, Constant>,
    values: HashMap<String, Value>,
    /// Tensors downstream of an unsupported node: their consumers are skipped silently.
    poisoned: HashSet<String>,
    /// Node indices already folded into an earlier layer (a bias Add after MatMul).
    folded: HashSet<usize>,
    consumers: HashMap<String, Vec<usize>>,
    unsupported: Vec<Unsupported>,
    names: HashSet<String>,
    op_counts: HashMap<String, usize>,
    /// Decomposed attention and LayerNorm blocks ([`decomposed`]), by node.
    patterns: Vec<decomposed::Pattern>,
    pattern_of: HashMap<usize, usize>,
    /// Softmax/ReduceMean nodes that start a block the rest of which is missing, and why.
    pattern_errors: HashMap<usize, String>,
}

type NodeResult = Result<(), String>;

/// A Dense layer's `[k, n]` kernel (rows in ONNX input order), its type, and its bias.
/// Bias values and their QONNX type.
type Bias = (Vec<f64>, Option<FixedType>);

struct DenseWeights {
    kernel: Vec<f64>,
    k: usize,
    n: usize,
    weight_type: Option<FixedType>,
    bias: Option<(Vec<f64>, Option<FixedType>)>,
}

/// Convert a decoded ONNX graph into a network named `name`.
pub fn convert(file: &str, graph: &GraphProto, name: &str) -> Result<Network, FrontendError> {
    let mut c = Converter {
        file,
        graph,
        net: Network::new(name),
        consts: HashMap::new(),
        values: HashMap::new(),
        poisoned: HashSet::new(),
        folded: HashSet::new(),
        consumers: HashMap::new(),
        unsupported: Vec::new(),
        names: HashSet::new(),
        op_counts: HashMap::new(),
        patterns: Vec::new(),
        pattern_of: HashMap::new(),
        pattern_errors: HashMap::new(),
    };
    for (i, n) in graph.node.iter().enumerate() {
        for inp in &n.input {
            c.consumers.entry(inp.clone()).or_default().push(i);
        }
    }
    for t in &graph.initializer {
        let k = decode(t).map_err(|m| {
            FrontendError::field(
                file,
                format!("initializer '{}'", t.name),
                "a readable tensor",
                m,
            )
        })?;
        c.consts.insert(t.name.clone(), k);
    }
    c.fold_constants();
    c.match_patterns();
    c.inputs()?;
    for (i, node) in graph.node.iter().enumerate() {
        if c.folded.contains(&i) {
            continue;
        }
        let pattern = c.pattern_of.get(&i).copied();
        if let Some(k) = pattern {
            // a block's nodes are emitted as one layer at its last node
            if c.patterns[k].anchor != i {
                continue;
            }
        }
        // a block whose rest is missing is reported at its Softmax even when an earlier node
        // of it failed (that node's own error says less)
        if node.input.iter().any(|t| c.poisoned.contains(t)) && !c.pattern_errors.contains_key(&i) {
            c.poison(node);
            continue;
        }
        let result = match (pattern, c.pattern_errors.get(&i)) {
            (Some(k), _) => c.emit_pattern(k),
            (None, Some(reason)) => Err(reason.clone()),
            (None, None) => c.node(node),
        };
        if let Err(reason) = result {
            c.unsupported.push(Unsupported {
                node: display_name(node, i),
                op_type: node.op_type.clone(),
                reason,
            });
            c.poison(node);
        }
    }
    if !c.unsupported.is_empty() {
        return Err(FrontendError::UnsupportedNodes {
            file: file.to_string(),
            nodes: c
                .unsupported
                .iter()
                .map(|u| format!("'{}' ({}): {}", u.node, u.op_type, u.reason))
                .collect(),
        });
    }
    c.outputs()?;
    Ok(c.net)
}

fn display_name(node: &NodeProto, index: usize) -> String {
    if node.name.is_empty() {
        format!("#{index}")
    } else {
        node.name.clone()
    }
}

/// The non-batch dimensions of a graph input or output, from its declared type.
fn declared_shape(
    file: &str,
    vi: &super::proto::ValueInfoProto,
) -> Result<Vec<usize>, FrontendError> {
    use super::proto::DimValue;
    let field = format!("graph input '{}'", vi.name);
    let dims = vi
        .r#type
        .as_ref()
        .and_then(|t| t.tensor_type.as_ref())
        .and_then(|t| t.shape.as_ref())
        .map(|s| &s.dim)
        .ok_or_else(|| FrontendError::field(file, &field, "a tensor type with a shape", "none"))?;
    if dims.len() < 2 {
        return Err(FrontendError::field(
            file,
            &field,
            "a shape with a batch dimension first and at least one more",
            format!("{} dimension(s)", dims.len()),
        ));
    }
    dims[1..]
        .iter()
        .map(|d| match &d.value {
            Some(DimValue::DimValue(v))
                if *v > 0 && (*v as u64) <= crate::keras::layers::MAX_DIM =>
            {
                Ok(*v as usize)
            }
            other => Err(FrontendError::field(
                file,
                &field,
                "fixed positive dimensions after the batch dimension",
                format!("{other:?}"),
            )),
        })
        .collect::<Result<Vec<usize>, _>>()
        .and_then(|s| {
            let n = s.iter().try_fold(1u64, |a, &d| a.checked_mul(d as u64));
            match n {
                Some(n) if n <= crate::keras::layers::MAX_INPUT_ELEMENTS => Ok(s),
                _ => Err(FrontendError::field(
                    file,
                    &field,
                    "at most 2^32 values per sample",
                    format!("{s:?}"),
                )),
            }
        })
}

/// hls4ml's layer-name cleaning (`replace_char_inconsitency`, `sanitize_layer_name`) made safe
/// for C++ identifiers: characters other than letters, digits and `_` become `_`, and a name
/// starting with a digit gets the lower-cased kind in front.
fn sanitize(name: &str, kind: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{}{s}", kind.to_ascii_lowercase())
    } else {
        s
    }
}

/// A convolution's or pooling's padding: Keras's "valid"/"same", or explicit ONNX pads
/// `[b1, b2.., e1, e2..]` that are neither.
#[derive(Debug, Clone, PartialEq)]
enum Pads {
    Keras(Padding),
    Explicit(Vec<usize>),
}

fn padding_of(
    node: &NodeProto,
    input: &[usize],
    kernel: &[usize],
    strides: &[usize],
) -> Result<Pads, String> {
    let n = kernel.len();
    let auto = attr_str(node, "auto_pad", "NOTSET")?;
    let pads: Vec<usize> = match auto.as_str() {
        "VALID" => vec![0; 2 * n],
        "SAME_UPPER" => {
            let mut v = vec![0; 2 * n];
            for i in 0..n {
                let (b, a) = same_padding(input[i], kernel[i], strides[i]);
                v[i] = b;
                v[n + i] = a;
            }
            v
        }
        "NOTSET" => match attr_ints(node, "pads")? {
            None => vec![0; 2 * n],
            Some(p) if p.len() == 2 * n && p.iter().all(|&x| x >= 0) => {
                p.iter().map(|&x| x as usize).collect()
            }
            Some(p) => {
                return Err(format!(
                    "pads {p:?}: expected {} non-negative values",
                    2 * n
                ))
            }
        },
        other => {
            return Err(format!(
                "auto_pad '{other}' is not supported (expected NOTSET, VALID or SAME_UPPER)"
            ))
        }
    };
    if pads.iter().all(|&p| p == 0) {
        return Ok(Pads::Keras(Padding::Valid));
    }
    let same = (0..n).all(|i| {
        let (b, a) = same_padding(input[i], kernel[i], strides[i]);
        pads[i] == b && pads[n + i] == a
    });
    if same {
        Ok(Pads::Keras(Padding::Same))
    } else {
        Ok(Pads::Explicit(pads))
    }
}

fn positive_list(
    v: Option<Vec<i64>>,
    n: usize,
    what: &str,
    default: usize,
) -> Result<Vec<usize>, String> {
    match v {
        None => Ok(vec![default; n]),
        Some(v)
            if v.len() == n
                && v.iter()
                    .all(|&x| x >= 1 && (x as u64) <= crate::keras::layers::MAX_DIM) =>
        {
            Ok(v.iter().map(|&x| x as usize).collect())
        }
        Some(v) => Err(format!("{what} {v:?}: expected {n} positive values")),
    }
}

fn f32_tensor(shape: Vec<usize>, data: impl IntoIterator<Item = f64>) -> Tensor {
    Tensor::new(shape, data.into_iter().map(|v| v as f32).collect())
}

impl<'a> Converter<'a> {
    /// Evaluate the nodes that compute constants (Constant, and Quant/BipolarQuant/Identity of
    /// constants: quantised weights) before the walk, so that a layer finds its weights even
    /// when the exporter put their Quant node after the layer's node.
    fn fold_constants(&mut self) {
        loop {
            let mut progress = false;
            let graph = self.graph;
            for (i, node) in graph.node.iter().enumerate() {
                let foldable = match node.op_type.as_str() {
                    "Constant" => true,
                    "Quant" | "IntQuant" | "BipolarQuant" | "Identity" | "Dropout" => node
                        .input
                        .first()
                        .is_some_and(|x| self.consts.contains_key(x)),
                    _ => false,
                };
                if !foldable || self.folded.contains(&i) {
                    continue;
                }
                // errors are reported when the walk reaches the node
                if self.node(node).is_ok() {
                    self.folded.insert(i);
                    progress = true;
                }
            }
            if !progress {
                break;
            }
        }
    }

    fn poison(&mut self, node: &NodeProto) {
        for o in &node.output {
            self.poisoned.insert(o.clone());
        }
    }

    /// A unique IR layer name for a node, following hls4ml's cleaning; unnamed nodes are named
    /// `{op_type}_{k}` as QONNX's GiveUniqueNodeNames names them.
    fn layer_name(&mut self, node: &NodeProto, prefix: &str) -> String {
        let base = if node.name.is_empty() {
            let k = self.op_counts.entry(node.op_type.clone()).or_insert(0);
            let n = format!("{}_{k}", node.op_type);
            *k += 1;
            n
        } else {
            sanitize(&node.name, &node.op_type)
        };
        self.unique(format!("{prefix}{base}"))
    }

    fn unique(&mut self, base: String) -> String {
        let mut name = base.clone();
        let mut k = 1;
        while self.names.contains(&name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        self.names.insert(name.clone());
        name
    }

    /// Add a layer fed by the given IR layers and infer its output shape now (later layouts
    /// depend on it).
    fn add(&mut self, mut layer: Layer, inputs: &[&str]) -> Result<String, String> {
        let ins: Vec<Vec<usize>> = inputs
            .iter()
            .map(|n| {
                self.net
                    .find(n)
                    .map(|id| self.net.layer(id).output_shape.clone())
                    .unwrap_or_default()
            })
            .collect();
        layer.output_shape = ir::shape::infer_layer(&layer, &ins).map_err(|e| e.to_string())?;
        let name = layer.name.clone();
        self.net
            .add_layer(layer, inputs)
            .map_err(|e| e.to_string())?;
        Ok(name)
    }

    fn ir_shape(&self, v: &Value) -> Vec<usize> {
        self.net
            .find(&v.layer)
            .map(|id| self.net.layer(id).output_shape.clone())
            .unwrap_or_default()
    }

    /// The ONNX shape (without batch) of a value, from its IR shape and layout.
    fn onnx_shape(&self, v: &Value) -> Vec<usize> {
        let s = self.ir_shape(v);
        match &v.layout {
            Layout::ChannelsLast if s.len() >= 2 => {
                let mut o = vec![s[s.len() - 1]];
                o.extend_from_slice(&s[..s.len() - 1]);
                o
            }
            _ => s,
        }
    }

    fn value(&self, name: &str) -> Result<Value, String> {
        self.values.get(name).cloned().ok_or_else(|| {
            if self.consts.contains_key(name) {
                format!("input '{name}' is a constant where a computed tensor is expected")
            } else {
                format!("input '{name}' is not produced by any earlier node or graph input")
            }
        })
    }

    fn constant(&self, name: &str, what: &str) -> Result<&Constant, String> {
        self.consts.get(name).ok_or_else(|| {
            format!("{what} '{name}' must be a constant (an initializer or a Constant node)")
        })
    }

    fn set(&mut self, node: &NodeProto, layer: String, layout: Layout) {
        if let Some(o) = node.output.first() {
            self.values.insert(o.clone(), Value { layer, layout });
        }
    }

    /// Graph inputs that are not initializers become Input layers. A rank-3+ input (with
    /// batch) read by a convolution or pooling is taken channels-last, as hls4ml's flow (QONNX
    /// `ConvertToChannelsLastAndClean`) expects, unless it is transposed first (a Keras export
    /// that is already channels-last).
    fn inputs(&mut self) -> Result<(), FrontendError> {
        let spatial = self.graph.node.iter().any(|n| {
            matches!(
                n.op_type.as_str(),
                "Conv"
                    | "MaxPool"
                    | "AveragePool"
                    | "GlobalAveragePool"
                    | "GlobalMaxPool"
                    | "Pad"
                    | "Resize"
                    | "Upsample"
            )
        });
        for vi in &self.graph.input {
            if self.consts.contains_key(&vi.name) {
                continue;
            }
            let onnx = declared_shape(self.file, vi)?;
            let transposed = self
                .consumers
                .get(&vi.name)
                .is_some_and(|c| c.iter().any(|&i| self.graph.node[i].op_type == "Transpose"));
            let cl = spatial && onnx.len() >= 2 && !transposed;
            let shape = if cl {
                let mut s = onnx[1..].to_vec();
                s.push(onnx[0]);
                s
            } else {
                onnx
            };
            let name = self.unique(sanitize(&vi.name, "InputLayer"));
            let layer = Layer::new(name.clone(), LayerKind::Input(ir::ops::Input { shape }));
            self.add(layer, &[]).map_err(|m| {
                FrontendError::field(
                    self.file,
                    format!("graph input '{}'", vi.name),
                    "a valid input",
                    m,
                )
            })?;
            self.values.insert(
                vi.name.clone(),
                Value {
                    layer: name,
                    layout: if cl {
                        Layout::ChannelsLast
                    } else {
                        Layout::Same
                    },
                },
            );
        }
        Ok(())
    }

    fn outputs(&mut self) -> Result<(), FrontendError> {
        let mut outs = Vec::new();
        for vi in &self.graph.output {
            let v = self.values.get(&vi.name).ok_or_else(|| {
                FrontendError::field(
                    self.file,
                    format!("graph output '{}'", vi.name),
                    "a tensor computed by the graph",
                    "a constant or unknown tensor",
                )
            })?;
            if let Layout::Permuted(_) = v.layout {
                return Err(FrontendError::UnsupportedNodes {
                    file: self.file.to_string(),
                    nodes: vec![format!(
                        "graph output '{}': a channels-first flattened tensor needs a Transpose layer, which the IR has no kind for",
                        vi.name
                    )],
                });
            }
            outs.push(v.layer.clone());
        }
        let refs: Vec<&str> = outs.iter().map(String::as_str).collect();
        self.net
            .set_outputs(&refs)
            .map_err(|e| FrontendError::ir(self.file, e))
    }

    fn node(&mut self, node: &NodeProto) -> NodeResult {
        // Every converter names its result after the first output (found by fuzzing: a
        // Transpose without outputs indexed an empty list).
        if node.output.first().is_none_or(|o| o.is_empty()) {
            return Err("no output: the node must name its first output".into());
        }
        let op = node.op_type.as_str();
        match op {
            "Identity" | "Dropout" => {
                let first = node.input.first().ok_or("no input")?;
                if let Some(k) = self.consts.get(first).cloned() {
                    self.consts.insert(node.output[0].clone(), k);
                } else {
                    let v = self.value(first)?;
                    self.values.insert(node.output[0].clone(), v);
                }
                Ok(())
            }
            "Constant" => {
                let t = attr_tensor(node, "value")
                    .ok_or("only the tensor form ('value') of Constant is supported")?;
                let k = decode(t)?;
                self.consts.insert(node.output[0].clone(), k);
                Ok(())
            }
            "Quant" | "IntQuant" => self.quant(node),
            "BipolarQuant" => self.bipolar_quant(node),
            "MatMul" => self.matmul(node),
            "Gemm" => self.gemm(node),
            "Conv" => self.conv(node),
            "BatchNormalization" => self.batchnorm(node),
            "LayerNormalization" => self.layernorm(node),
            "Attention" => self.attention(node),
            "Relu" | "Sigmoid" | "Tanh" | "LeakyRelu" | "ThresholdedRelu" | "Softmax" => {
                self.activation(node)
            }
            "MaxPool" | "AveragePool" => self.pool(node),
            "GlobalAveragePool" | "GlobalMaxPool" => self.global_pool(node),
            "Flatten" => self.flatten(node),
            "Reshape" => self.reshape(node),
            "Transpose" => self.transpose(node),
            "Add" if self.adds_a_constant(node) => self.positional_add(node),
            "Add" | "Sum" => self.add_merge(node, ir::ops::MergeOp::Add),
            // hls4ml's op_map (converters/onnx/merge.py)
            "Sub" => self.add_merge(node, ir::ops::MergeOp::Subtract),
            "Mul" => self.add_merge(node, ir::ops::MergeOp::Multiply),
            "Max" => self.add_merge(node, ir::ops::MergeOp::Maximum),
            "Min" => self.add_merge(node, ir::ops::MergeOp::Minimum),
            "Concat" => self.concat(node),
            "Pad" => self.pad(node),
            "Resize" | "Upsample" => self.resize(node),
            "Trunc" => Err("QONNX Trunc is not converted by hls4ml 1.3.0 (its ONNX frontend has no handler for it)".into()),
            other if HLS4ML_ONLY.contains(&other) => Err(format!(
                "hls4ml converts {other}, but the IR has no layer kind for it"
            )),
            other => Err(format!("operator {other} is not converted by hls4ml 1.3.0")),
        }
    }

    fn quant_spec(&self, node: &NodeProto) -> Result<QuantSpec, String> {
        if node.input.len() != 4 {
            return Err(format!(
                "expected 4 inputs (x, scale, zeropt, bitwidth), found {}",
                node.input.len()
            ));
        }
        let scale = &self.constant(&node.input[1], "scale")?.data;
        let zeropt = &self.constant(&node.input[2], "zero-point")?.data;
        let bits = &self.constant(&node.input[3], "bit width")?.data;
        QuantSpec::new(
            scale,
            zeropt,
            bits,
            attr_int(node, "signed", 1)? != 0,
            attr_int(node, "narrow", 0)? != 0,
            &attr_str(node, "rounding_mode", "ROUND")?,
        )
    }

    /// QONNX `Quant`: of a constant, the quantised constant with its type (it becomes a
    /// layer's weight type); of a computed tensor, a linear activation `{name}_act` whose
    /// result type is the quantiser's (hls4ml's QuantToActivation).
    fn quant(&mut self, node: &NodeProto) -> NodeResult {
        let spec = self.quant_spec(node)?;
        let ty = spec.fixed_type();
        if let Some(k) = self.consts.get(&node.input[0]) {
            let q = Constant {
                shape: k.shape.clone(),
                data: k.data.iter().map(|&x| spec.apply(x)).collect(),
                quant: Some(ty),
            };
            self.consts.insert(node.output[0].clone(), q);
            return Ok(());
        }
        let v = self.value(&node.input[0])?;
        let name = self.layer_name(node, "");
        let name = self.unique_suffix(name, "_act");
        let mut layer = Layer::new(name, LayerKind::Activation(Activation::Linear));
        layer.settings.precision.result = Some(ty);
        let l = self.add(layer, &[&v.layer])?;
        self.set(node, l, v.layout);
        Ok(())
    }

    fn unique_suffix(&mut self, name: String, suffix: &str) -> String {
        self.names.remove(&name);
        self.unique(format!("{name}{suffix}"))
    }

    fn bipolar_quant(&mut self, node: &NodeProto) -> NodeResult {
        let first = node.input.first().ok_or("no input")?;
        let Some(k) = self.consts.get(first) else {
            return Err("BipolarQuant of a computed tensor is hls4ml's binary_tanh activation, which the IR has no kind for".into());
        };
        let scale = node
            .input
            .get(1)
            .map(|s| self.constant(s, "scale"))
            .transpose()?
            .and_then(|s| s.scalar())
            .unwrap_or(1.0);
        if scale != 1.0 {
            // hls4ml 1.3.0 (ConstBipolarQuantToConstAlpha) keeps the xnor weights and puts an
            // ApplyAlpha `<node>_rescale` with the scale between them and their consumer
            // (checked: a MatMul becomes the Dense, then the rescale, then the Add's ApplyAlpha)
            return Err(format!(
                "scale {scale}: hls4ml 1.3.0 writes a BipolarQuant weight with a scale other \
                 than 1 as xnor weights followed by an ApplyAlpha rescale layer, which presynth \
                 does not derive (scale 1 is supported)"
            ));
        }
        let q = Constant {
            shape: k.shape.clone(),
            data: k.data.iter().map(|&x| xnor(bipolar(x, scale))).collect(),
            quant: Some(bipolar_type()),
        };
        self.consts.insert(node.output[0].clone(), q);
        Ok(())
    }

    /// A Dense layer from a `[K, N]` constant kernel (rows in ONNX input order) and an optional
    /// bias; the input's layout decides whether the kernel rows are permuted.
    fn dense(
        &mut self,
        node: &NodeProto,
        input: &Value,
        w: DenseWeights,
    ) -> Result<String, String> {
        let DenseWeights {
            kernel,
            k,
            n,
            weight_type,
            bias,
        } = w;
        let shape = self.ir_shape(input);
        let kernel = match &input.layout {
            Layout::Permuted(perm) => {
                if perm.len() != k {
                    return Err(format!("kernel has {k} rows, the input {} values", perm.len()));
                }
                let mut out = Vec::with_capacity(k * n);
                for &src in perm {
                    out.extend_from_slice(&kernel[src * n..(src + 1) * n]);
                }
                out
            }
            Layout::ChannelsLast if shape.len() >= 2 => {
                return Err("a MatMul over the last ONNX axis of a channels-first tensor is not the IR's Dense over channels".into())
            }
            _ => kernel,
        };
        if shape.last() != Some(&k) {
            return Err(format!("kernel has {k} rows, but the input is {shape:?}"));
        }
        let use_bias = bias.is_some();
        let name = self.layer_name(node, "Dense_");
        let mut layer = Layer::new(
            name,
            LayerKind::Dense(ir::ops::Dense { units: n, use_bias }),
        );
        // an xnor kernel (BipolarQuant) is a quantizer's type: hls4ml multiplies with
        // weight_binary
        layer.settings.quantized.weight = weight_type == Some(bipolar_type());
        layer.settings.precision.weight = weight_type;
        layer
            .weights
            .push(("kernel".into(), f32_tensor(vec![k, n], kernel)));
        if let Some((b, ty)) = bias {
            layer.settings.precision.bias = ty;
            layer.weights.push(("bias".into(), f32_tensor(vec![n], b)));
        }
        self.add(layer, &[&input.layer])
    }

    /// A bias of `n` values: `[n]`, `[1, n]`, or a single value broadcast.
    fn bias_values(&self, name: &str, n: usize) -> Result<(Vec<f64>, Option<FixedType>), String> {
        let c = self.constant(name, "bias")?;
        if c.len() == n && c.shape.iter().filter(|&&d| d != 1).count() <= 1 {
            Ok((c.data.clone(), c.quant.clone()))
        } else if c.len() == 1 {
            Ok((vec![c.data[0]; n], c.quant.clone()))
        } else {
            Err(format!(
                "bias '{name}' has shape {:?}, expected [{n}]",
                c.shape
            ))
        }
    }

    /// `MatMul(x, W)` with a constant `[K, N]` W is a Dense; a following `Add` of a constant
    /// `[N]` that is the MatMul's only consumer becomes its bias. (hls4ml 1.3.0 writes that
    /// bias as a separate ApplyAlpha layer after a bias-free Dense; the outputs are the same
    /// values, see the module note.)
    fn matmul(&mut self, node: &NodeProto) -> NodeResult {
        if node.input.len() != 2 {
            return Err("expected 2 inputs".into());
        }
        let x = self.value(&node.input[0])?;
        let w = self
            .constant(&node.input[1], "the second MatMul operand")?
            .clone();
        let [k, n] = w.shape[..] else {
            return Err(format!(
                "weight '{}' has shape {:?}, expected [K, N]",
                node.input[1], w.shape
            ));
        };
        let (bias, final_out) = self.following_bias(&node.output[0], n);
        let dw = DenseWeights {
            kernel: w.data,
            k,
            n,
            weight_type: w.quant.clone(),
            bias,
        };
        let l = self.dense(node, &x, dw)?;
        self.values.insert(
            final_out,
            Value {
                layer: l,
                layout: Layout::Same,
            },
        );
        Ok(())
    }

    /// The bias of `n` values of the `Add` that is the only reader of `out`, when its other
    /// operand is a constant: that Add is folded (skipped later) and its output is where the
    /// biased result lives. Else no bias and `out` itself.
    fn following_bias(&mut self, out: &str, n: usize) -> (Option<Bias>, String) {
        if let Some(&[j]) = self.consumers.get(out).map(Vec::as_slice) {
            let add = &self.graph.node[j];
            // An Add without outputs is not folded: its own conversion then names the error
            // (found by fuzzing: indexing its empty output list panicked).
            if add.op_type == "Add" && add.input.len() == 2 && !add.output.is_empty() {
                let other = if add.input[0] == out {
                    &add.input[1]
                } else {
                    &add.input[0]
                };
                if self.consts.contains_key(other) {
                    if let Ok(b) = self.bias_values(other, n) {
                        self.folded.insert(j);
                        return (Some(b), add.output[0].clone());
                    }
                }
            }
        }
        (None, out.to_string())
    }

    /// `Gemm(A, B, C)` = `alpha * A' * B' + beta * C`: a Dense with kernel `B` (or `B^T` when
    /// `transB`), bias `C`. Only `alpha = beta = 1` and `transA = 0` (what exporters write for
    /// linear layers).
    fn gemm(&mut self, node: &NodeProto) -> NodeResult {
        if !(2..=3).contains(&node.input.len()) {
            return Err("expected 2 or 3 inputs".into());
        }
        if attr_int(node, "transA", 0)? != 0 {
            return Err("transA=1 is not supported".into());
        }
        let (alpha, beta) = (
            attr_float(node, "alpha", 1.0)?,
            attr_float(node, "beta", 1.0)?,
        );
        if alpha != 1.0 || beta != 1.0 {
            return Err(format!("alpha={alpha}, beta={beta}: only 1 is supported"));
        }
        let x = self.value(&node.input[0])?;
        let w = self.constant(&node.input[1], "B")?.clone();
        let [r, c] = w.shape[..] else {
            return Err(format!("B has shape {:?}, expected 2 dimensions", w.shape));
        };
        let (k, n, kernel) = if attr_int(node, "transB", 0)? != 0 {
            let mut t = vec![0.0; r * c];
            for i in 0..r {
                for j in 0..c {
                    t[j * r + i] = w.data[i * c + j];
                }
            }
            (c, r, t)
        } else {
            (r, c, w.data.clone())
        };
        let bias = match node.input.get(2).filter(|s| !s.is_empty()) {
            None => None,
            Some(b) => Some(self.bias_values(b, n)?),
        };
        let dw = DenseWeights {
            kernel,
            k,
            n,
            weight_type: w.quant.clone(),
            bias,
        };
        let l = self.dense(node, &x, dw)?;
        self.set(node, l, Layout::Same);
        Ok(())
    }

    fn spatial_input(&self, v: &Value, what: &str) -> Result<Vec<usize>, String> {
        let s = self.ir_shape(v);
        if v.layout != Layout::ChannelsLast || !(2..=3).contains(&s.len()) {
            return Err(format!(
                "{what} needs a channels-first [C, W] or [C, H, W] input in channels-last form; this input has no such layout (a Transpose the IR cannot represent is missing)"
            ));
        }
        Ok(s)
    }

    fn conv(&mut self, node: &NodeProto) -> NodeResult {
        let x = self.value(node.input.first().ok_or("no input")?)?;
        let s = self.spatial_input(&x, "Conv")?;
        let nd = s.len() - 1;
        let w = self
            .constant(node.input.get(1).ok_or("no weight input")?, "weight")?
            .clone();
        if w.shape.len() != nd + 2 {
            return Err(format!(
                "weight shape {:?} does not fit a {nd}D input",
                w.shape
            ));
        }
        let (filters, c_in) = (w.shape[0], w.shape[1]);
        let group = attr_int(node, "group", 1)?;
        if group != 1 {
            return Err(format!("group={group}: grouped and depthwise convolutions need a layer kind the IR does not have"));
        }
        if c_in != s[nd] {
            return Err(format!(
                "weight has {c_in} input channels, the input {}",
                s[nd]
            ));
        }
        let kernel: Vec<usize> = w.shape[2..].to_vec();
        if let Some(ks) = attr_ints(node, "kernel_shape")? {
            if ks.iter().map(|&v| v as usize).collect::<Vec<_>>() != kernel {
                return Err(format!(
                    "kernel_shape {ks:?} differs from the weight's {kernel:?}"
                ));
            }
        }
        let strides = positive_list(attr_ints(node, "strides")?, nd, "strides", 1)?;
        let dil = positive_list(attr_ints(node, "dilations")?, nd, "dilations", 1)?;
        if dil.iter().any(|&d| d != 1) {
            return Err(format!("dilations {dil:?}: only 1 is supported"));
        }
        let name = self.layer_name(node, "");
        let (padding, conv_input) = match padding_of(node, &s[..nd], &kernel, &strides)? {
            Pads::Keras(p) => (p, x.layer.clone()),
            Pads::Explicit(pads) => (
                Padding::Valid,
                self.conv_zero_padding(&name, &x.layer, &pads)?,
            ),
        };
        // ONNX [F, C, k...] -> IR [k..., C, F]
        let kvol: usize = kernel.iter().product();
        let mut kdata = vec![0.0; w.data.len()];
        for f in 0..filters {
            for c in 0..c_in {
                for p in 0..kvol {
                    kdata[(p * c_in + c) * filters + f] = w.data[(f * c_in + c) * kvol + p];
                }
            }
        }
        let mut kshape = kernel.clone();
        kshape.extend([c_in, filters]);
        let bias = match node.input.get(2).filter(|b| !b.is_empty()) {
            None => None,
            Some(b) => Some(self.bias_values(b, filters)?),
        };
        let use_bias = bias.is_some();
        let kind = if nd == 1 {
            LayerKind::Conv1D(ir::ops::Conv1D {
                filters,
                kernel: kernel[0],
                stride: strides[0],
                padding,
                use_bias,
            })
        } else {
            LayerKind::Conv2D(ir::ops::Conv2D {
                filters,
                kernel: [kernel[0], kernel[1]],
                stride: [strides[0], strides[1]],
                padding,
                use_bias,
            })
        };
        let mut layer = Layer::new(name, kind);
        layer.settings.quantized.weight = w.quant == Some(bipolar_type());
        layer.settings.precision.weight = w.quant.clone();
        layer
            .weights
            .push(("kernel".into(), f32_tensor(kshape, kdata)));
        if let Some((b, ty)) = bias {
            layer.settings.precision.bias = ty;
            layer
                .weights
                .push(("bias".into(), f32_tensor(vec![filters], b)));
        }
        let l = self.add(layer, &[&conv_input])?;
        self.set(node, l, Layout::ChannelsLast);
        Ok(())
    }

    fn batchnorm(&mut self, node: &NodeProto) -> NodeResult {
        if node.input.len() != 5 {
            return Err(format!(
                "expected 5 inputs (X, scale, B, mean, var), found {}",
                node.input.len()
            ));
        }
        let x = self.value(&node.input[0])?;
        let s = self.ir_shape(&x);
        if s.len() >= 2 && x.layout != Layout::ChannelsLast {
            return Err(
                "normalises ONNX axis 1, which is not the IR's channel axis for this input".into(),
            );
        }
        let c = *s.last().ok_or("input has no dimensions")?;
        let mut weights = Vec::new();
        for (i, name) in ["gamma", "beta", "moving_mean", "moving_variance"]
            .iter()
            .enumerate()
        {
            let k = self.constant(&node.input[i + 1], name)?;
            if k.len() != c {
                return Err(format!("{name} has {} values, expected {c}", k.len()));
            }
            weights.push((
                name.to_string(),
                f32_tensor(vec![c], k.data.iter().copied()),
            ));
        }
        let epsilon = attr_float(node, "epsilon", 1e-5)?;
        let name = self.layer_name(node, "");
        let mut layer = Layer::new(
            name,
            LayerKind::BatchNorm(ir::ops::BatchNorm {
                epsilon,
                center: true,
                scale: true,
            }),
        );
        layer.weights = weights;
        let l = self.add(layer, &[&x.layer])?;
        self.set(node, l, x.layout);
        Ok(())
    }

    /// ONNX `LayerNormalization` (opset 17): normalises the axes from `axis` (default −1) to
    /// the last, with `Scale` (gamma) and an optional `B` (beta) of those axes' shape. hls4ml
    /// 1.3.0's ONNX converter has no handler for it; presynth reads it for `inspect` and
    /// `estimate` (codegen refuses LayerNormalization in any case).
    fn layernorm(&mut self, node: &NodeProto) -> NodeResult {
        if !(2..=3).contains(&node.input.len()) || node.output.len() > 1 {
            return Err(format!(
                "expected inputs (X, Scale[, B]) and one output (Mean and InvStdDev outputs are not supported), found {} input(s) and {} output(s)",
                node.input.len(),
                node.output.len()
            ));
        }
        let x = self.value(&node.input[0])?;
        let s = self.ir_shape(&x);
        if s.len() >= 2 && x.layout != Layout::Same {
            return Err("normalises a channels-first tensor held channels-last".into());
        }
        // ONNX counts the batch axis: axis a normalises ONNX axes a..=rank, IR axes a-1..
        let rank = s.len() as i64 + 1;
        let axis = attr_int(node, "axis", -1)?;
        let axis = if axis < 0 { axis + rank } else { axis };
        if axis < 1 || axis >= rank {
            return Err(format!(
                "axis {axis} is not a non-batch axis of a rank-{rank} tensor"
            ));
        }
        let axes: Vec<isize> = (axis..rank).map(|a| a as isize).collect();
        let norm_shape: Vec<usize> = s[(axis - 1) as usize..].to_vec();
        let n: usize = norm_shape.iter().product();
        let mut weights = Vec::new();
        for (i, name) in [(1, "gamma"), (2, "beta")] {
            let Some(input) = node.input.get(i).filter(|n| !n.is_empty()) else {
                continue;
            };
            let k = self.constant(input, name)?;
            if k.len() != n {
                return Err(format!("{name} has {} values, expected {n}", k.len()));
            }
            weights.push((
                name.to_string(),
                f32_tensor(norm_shape.clone(), k.data.iter().copied()),
            ));
        }
        let center = weights.iter().any(|(n, _)| n == "beta");
        let name = self.layer_name(node, "");
        let mut layer = Layer::new(
            name,
            LayerKind::LayerNorm(ir::ops::LayerNorm {
                axes,
                epsilon: attr_float(node, "epsilon", 1e-5)?,
                center,
                scale: true,
            }),
        );
        layer.weights = weights;
        let l = self.add(layer, &[&x.layer])?;
        self.set(node, l, x.layout);
        Ok(())
    }

    fn activation(&mut self, node: &NodeProto) -> NodeResult {
        let x = self.value(node.input.first().ok_or("no input")?)?;
        let act = match node.op_type.as_str() {
            "Relu" => Activation::Relu,
            "Sigmoid" => Activation::Sigmoid,
            "Tanh" => Activation::Tanh,
            "Softplus" => Activation::Softplus,
            "Softsign" => Activation::Softsign,
            "LeakyRelu" => Activation::LeakyRelu {
                alpha: attr_float(node, "alpha", 0.01)?,
            },
            "Elu" => Activation::Elu {
                alpha: attr_float(node, "alpha", 1.0)?,
            },
            // hls4ml 1.3.0 converters/onnx/core.py: ThresholdedReLU with `alpha`, whose default
            // there is 0.01 (ONNX's own is 1.0): presynth follows hls4ml, whose network it prices
            "ThresholdedRelu" => Activation::ThresholdedRelu {
                theta: attr_float(node, "alpha", 0.01)?,
            },
            _ => {
                let s = self.onnx_shape(&x);
                let rank = s.len() as i64 + 1;
                let axis = attr_int(node, "axis", -1)?;
                let axis = if axis < 0 { axis + rank } else { axis };
                if axis != rank - 1 || (s.len() > 1 && x.layout != Layout::Same) {
                    return Err(format!("axis {axis}: only the last axis is supported"));
                }
                Activation::Softmax
            }
        };
        let name = self.layer_name(node, "");
        let l = self.add(Layer::new(name, LayerKind::Activation(act)), &[&x.layer])?;
        self.set(node, l, x.layout);
        Ok(())
    }

    fn pool(&mut self, node: &NodeProto) -> NodeResult {
        let x = self.value(node.input.first().ok_or("no input")?)?;
        let s = self.spatial_input(&x, &node.op_type)?;
        let nd = s.len() - 1;
        let kernel = positive_list(attr_ints(node, "kernel_shape")?, nd, "kernel_shape", 0)?;
        if kernel.contains(&0) {
            return Err("kernel_shape is missing".into());
        }
        let strides = positive_list(attr_ints(node, "strides")?, nd, "strides", 1)?;
        let dil = positive_list(attr_ints(node, "dilations")?, nd, "dilations", 1)?;
        if dil.iter().any(|&d| d != 1) {
            return Err(format!("dilations {dil:?}: only 1 is supported"));
        }
        if attr_int(node, "ceil_mode", 0)? != 0 {
            return Err("ceil_mode=1 is not supported".into());
        }
        let padding = match padding_of(node, &s[..nd], &kernel, &strides)? {
            Pads::Keras(p) => p,
            Pads::Explicit(pads) => return Err(format!(
                "pads {pads:?} are neither zero nor Keras's 'same' split for this input (a pooling layer has no explicit padding in the IR)"
            )),
        };
        if node.op_type == "AveragePool"
            && padding == Padding::Same
            && attr_int(node, "count_include_pad", 0)? != 0
        {
            return Err("count_include_pad=1 with padding is not supported".into());
        }
        let op = if node.op_type == "MaxPool" {
            PoolOp::Max
        } else {
            PoolOp::Average
        };
        let kind = if nd == 1 {
            LayerKind::Pool1D(ir::ops::Pool1D {
                op,
                pool: kernel[0],
                stride: strides[0],
                padding,
            })
        } else {
            LayerKind::Pool2D(ir::ops::Pool2D {
                op,
                pool: [kernel[0], kernel[1]],
                stride: [strides[0], strides[1]],
                padding,
            })
        };
        let name = self.layer_name(node, "");
        let l = self.add(Layer::new(name, kind), &[&x.layer])?;
        self.set(node, l, Layout::ChannelsLast);
        Ok(())
    }

    /// ONNX global pooling keeps unit spatial dimensions (`[C, 1, 1]`); the IR's drops them
    /// (`[C]`), which holds the same elements in the same order.
    fn global_pool(&mut self, node: &NodeProto) -> NodeResult {
        let x = self.value(node.input.first().ok_or("no input")?)?;
        let s = self.spatial_input(&x, &node.op_type)?;
        let op = if node.op_type == "GlobalMaxPool" {
            PoolOp::Max
        } else {
            PoolOp::Average
        };
        let kind = if s.len() == 2 {
            LayerKind::GlobalPool1D(ir::ops::GlobalPool1D { op })
        } else {
            LayerKind::GlobalPool2D(ir::ops::GlobalPool2D { op })
        };
        let name = self.layer_name(node, "");
        let l = self.add(Layer::new(name, kind), &[&x.layer])?;
        self.set(node, l, Layout::Same);
        Ok(())
    }

    /// Flatten to `[N, -1]`: an IR Flatten; a channels-first tensor flattened in ONNX's order
    /// is the channels-last one flattened and permuted (recorded in the layout).
    fn flatten_value(&mut self, node: &NodeProto, x: Value) -> NodeResult {
        let s = self.ir_shape(&x);
        if s.len() <= 1 {
            self.values.insert(node.output[0].clone(), x);
            return Ok(());
        }
        let layout = match &x.layout {
            Layout::Same => Layout::Same,
            Layout::Permuted(_) => return Err("input is already a permuted vector".into()),
            Layout::ChannelsLast => {
                let c = s[s.len() - 1];
                let sp: usize = s[..s.len() - 1].iter().product();
                if c == 1 || sp == 1 {
                    Layout::Same
                } else {
                    // IR element i = spatial p, channel ch (i = p * c + ch) is ONNX ch * sp + p
                    Layout::Permuted((0..sp * c).map(|i| (i % c) * sp + i / c).collect())
                }
            }
        };
        let name = self.layer_name(node, "");
        let l = self.add(Layer::new(name, LayerKind::Flatten), &[&x.layer])?;
        self.set(node, l, layout);
        Ok(())
    }

    fn flatten(&mut self, node: &NodeProto) -> NodeResult {
        let x = self.value(node.input.first().ok_or("no input")?)?;
        let axis = attr_int(node, "axis", 1)?;
        // hls4ml treats every Flatten as a reshape to [-1] without the batch dimension
        if axis != 1 && axis != 0 {
            return Err(format!(
                "axis {axis}: only 1 (keep the batch dimension) is supported"
            ));
        }
        self.flatten_value(node, x)
    }

    fn reshape(&mut self, node: &NodeProto) -> NodeResult {
        let x = self.value(node.input.first().ok_or("no input")?)?;
        let target = self
            .constant(node.input.get(1).ok_or("no shape input")?, "shape")?
            .clone();
        let onnx = self.onnx_shape(&x);
        let total: usize = onnx.iter().product();
        let t: Vec<i64> = target.data.iter().map(|&v| v as i64).collect();
        if t.is_empty() {
            return Err("empty target shape".into());
        }
        // the first entry is the batch dimension
        let mut dims = Vec::new();
        for (i, &d) in t[1..].iter().enumerate() {
            match d {
                0 => dims.push(*onnx.get(i).ok_or("0 refers to a missing dimension")? as i64),
                d if d > 0 || d == -1 => dims.push(d),
                _ => return Err(format!("shape {t:?}: bad dimension {d}")),
            }
        }
        let known: i64 = dims.iter().filter(|&&d| d > 0).product();
        let resolved: Vec<usize> = dims
            .iter()
            .map(|&d| {
                if d == -1 {
                    total / known.max(1) as usize
                } else {
                    d as usize
                }
            })
            .collect();
        if resolved.iter().product::<usize>() != total {
            return Err(format!("shape {t:?} does not hold {total} values"));
        }
        if resolved.len() == 1 {
            return self.flatten_value(node, x);
        }
        if x.layout != Layout::Same {
            return Err("reshaping a channels-first tensor to several dimensions needs a Transpose layer, which the IR has no kind for".into());
        }
        if resolved == self.ir_shape(&x) {
            self.values.insert(node.output[0].clone(), x);
            return Ok(());
        }
        let name = self.layer_name(node, "");
        let l = self.add(
            Layer::new(
                name,
                LayerKind::Reshape(ir::ops::Reshape { target: resolved }),
            ),
            &[&x.layer],
        )?;
        self.set(node, l, Layout::Same);
        Ok(())
    }

    /// A Transpose between channels-first and channels-last (batch first) changes only the
    /// layout bookkeeping: the IR holds the tensor channels-last either way.
    fn transpose(&mut self, node: &NodeProto) -> NodeResult {
        let x = self.value(node.input.first().ok_or("no input")?)?;
        let rank = self.ir_shape(&x).len() + 1;
        let perm = attr_ints(node, "perm")?.unwrap_or_else(|| (0..rank as i64).rev().collect());
        let identity: Vec<i64> = (0..rank as i64).collect();
        if perm == identity {
            self.values.insert(node.output[0].clone(), x);
            return Ok(());
        }
        let to_cf: Vec<i64> = match rank {
            3 => vec![0, 2, 1],
            4 => vec![0, 3, 1, 2],
            _ => vec![],
        };
        let to_cl: Vec<i64> = match rank {
            3 => vec![0, 2, 1],
            4 => vec![0, 2, 3, 1],
            _ => vec![],
        };
        let layout = match x.layout {
            Layout::Same if perm == to_cf => Layout::ChannelsLast,
            Layout::ChannelsLast if perm == to_cl => Layout::Same,
            _ => {
                return Err(format!(
                    "perm {perm:?} is not a change between channels-first and channels-last here; a general Transpose layer is not in the IR"
                ))
            }
        };
        self.values.insert(
            node.output[0].clone(),
            Value {
                layer: x.layer,
                layout,
            },
        );
        Ok(())
    }

    fn operands(&self, node: &NodeProto) -> Result<Vec<Value>, String> {
        if node.input.len() != 2 {
            return Err(format!(
                "{} operands: hls4ml merges exactly two tensors",
                node.input.len()
            ));
        }
        let vs = node.input.iter().map(|i| {
            if self.consts.contains_key(i) {
                Err(format!("operand '{i}' is a constant: hls4ml makes a bias or scale layer of it, which the IR has no kind for here"))
            } else {
                self.value(i)
            }
        }).collect::<Result<Vec<_>, _>>()?;
        if vs[0].layout != vs[1].layout || matches!(vs[0].layout, Layout::Permuted(_)) {
            return Err("operands have different layouts".into());
        }
        Ok(vs)
    }

    fn add_merge(&mut self, node: &NodeProto, op: ir::ops::MergeOp) -> NodeResult {
        let vs = self.operands(node)?;
        let name = self.layer_name(node, "");
        let l = self.add(
            Layer::new(name, LayerKind::Merge(ir::ops::Merge { op })),
            &[&vs[0].layer, &vs[1].layer],
        )?;
        self.set(node, l, vs[0].layout.clone());
        Ok(())
    }

    fn concat(&mut self, node: &NodeProto) -> NodeResult {
        let vs = self.operands(node)?;
        let ir = self.ir_shape(&vs[0]);
        let onnx = self.onnx_shape(&vs[0]);
        if ir.len() != onnx.len() {
            return Err("operands have dropped unit dimensions".into());
        }
        let rank = onnx.len() as i64 + 1;
        let axis = attr_int(node, "axis", 1)?;
        let axis = if axis < 0 { axis + rank } else { axis };
        if axis < 1 || axis >= rank {
            return Err(format!("axis {axis} is out of range or the batch axis"));
        }
        let p = (axis - 1) as usize;
        let ir_pos = match vs[0].layout {
            Layout::ChannelsLast if p == 0 => ir.len() - 1,
            Layout::ChannelsLast => p - 1,
            _ => p,
        };
        let name = self.layer_name(node, "");
        let kind = LayerKind::Concatenate(ir::ops::Concatenate {
            axis: ir_pos as isize + 1,
        });
        let l = self.add(Layer::new(name, kind), &[&vs[0].layer, &vs[1].layer])?;
        self.set(node, l, vs[0].layout.clone());
        Ok(())
    }
}
