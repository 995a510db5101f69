//! Lowering: an IR [`Network`] to hls4ml's layer list ([`HlsModel`]), as hls4ml 1.3.0's Keras
//! converter and Vivado/Vitis passes would build it: layer indices in Keras order (the input
//! is 1, a fused activation takes the next index, Dropout and linear activations use an index
//! and vanish), `layerN_out`/`layerN_t` names with `result_t` for the output, named types,
//! reuse factors validated per layer, Resource-strategy weight transposition, io_stream packing
//! and stream clones for fan-out. BatchNormalization is not fused into a preceding Dense/Conv:
//! hls4ml 1.3.0 only fuses when the producer's result type is unspecified, and with a model
//! precision it is always specified (checked on the harness references).

use crate::error::{CodegenError, Result};
use crate::model::*;
use crate::precision;
use crate::reuse;
use ir::{Activation, FixedType, LayerKind, Network, NodeId, Padding, PoolOp, Strategy};
use std::collections::HashMap;

mod spatial;
mod transformer;

/// Project-level choices that are not part of the network's [`ir::HlsConfig`].
#[derive(Debug, Clone)]
pub struct ProjectOptions {
    pub project_name: String,
    pub backend: Backend,
    /// `None`: the backend's default (27% Vitis, 12.5% Vivado).
    pub clock_uncertainty: Option<String>,
}

impl Default for ProjectOptions {
    fn default() -> Self {
        ProjectOptions {
            project_name: "myproject".into(),
            backend: Backend::Vitis,
            clock_uncertainty: None,
        }
    }
}

const MODEL_DEFAULT_T: &str = "model_default_t";

struct Lowerer<'a> {
    net: &'a Network,
    m: HlsModel,
    index: usize,
    out_of: HashMap<NodeId, VarId>,
}

/// Lower `net` (shapes inferred, weights present) to hls4ml's layer list.
pub fn lower(net: &Network, opts: &ProjectOptions) -> Result<HlsModel> {
    let cfg = &net.config;
    if !ir::names::is_c_identifier(&opts.project_name) {
        return Err(CodegenError::Network {
            network: net.name.clone(),
            message: format!(
                "project name '{}' is not a C identifier (letters, digits, '_', not starting with a digit)",
                opts.project_name
            ),
        });
    }
    check_names(net, opts)?;
    let m = HlsModel {
        project_name: opts.project_name.clone(),
        backend: opts.backend,
        part: cfg.part.clone(),
        clock_period: cfg.clock_period_ns,
        clock_uncertainty: opts
            .clock_uncertainty
            .clone()
            .unwrap_or_else(|| opts.backend.default_clock_uncertainty().to_string()),
        io_type: cfg.io_type,
        default_precision: cfg.precision.clone(),
        model_strategy: cfg.strategy,
        model_reuse_factor: cfg.reuse_factor,
        layers: Vec::new(),
        vars: Vec::new(),
        inputs: Vec::new(),
        outputs: Vec::new(),
        warnings: Vec::new(),
        layer_overrides: Vec::new(),
    };
    let mut l = Lowerer {
        net,
        m,
        index: 0,
        out_of: HashMap::new(),
    };
    let order = net.topo_order()?;
    if net.inputs.is_empty() || net.outputs.is_empty() {
        return Err(l.net_err("the network has no inputs or no outputs"));
    }
    for id in order {
        l.layer(id)?;
    }
    // network outputs: result_t
    let mut outs = Vec::new();
    for (k, &o) in net.outputs.iter().enumerate() {
        let v = *l
            .out_of
            .get(&o)
            .ok_or_else(|| l.net_err("an output layer produced nothing"))?;
        let v = l.m.resolve(v);
        let name = if k == 0 {
            "result_t".to_string()
        } else {
            format!("result{}_t", k + 1)
        };
        l.rename_type(v, &name);
        outs.push(v);
    }
    l.m.outputs = outs;
    if l.m.is_stream() {
        l.insert_clones();
    }
    Ok(l.m)
}

/// Refuse a part or a layer name that would not be valid where the project writes it; the
/// last defence after the frontends' own checks (a network can be built in code).
fn check_names(net: &Network, opts: &ProjectOptions) -> Result<()> {
    ir::names::check_part(&net.config.part).map_err(|message| CodegenError::BadPart { message })?;
    for id in net.graph.node_indices() {
        let l = net.layer(id);
        if !ir::names::is_c_identifier(&l.name) {
            return Err(CodegenError::BadLayerName {
                layer: ir::names::quoted(&l.name),
                kind: l.kind.name().to_string(),
                project: opts.project_name.clone(),
            });
        }
    }
    Ok(())
}

impl<'a> Lowerer<'a> {
    fn net_err(&self, message: impl Into<String>) -> CodegenError {
        CodegenError::Network {
            network: self.net.name.clone(),
            message: message.into(),
        }
    }

    /// hls4ml converts this layer but presynth does not emit it yet.
    fn unsupported(layer: &ir::Layer, message: impl Into<String>) -> CodegenError {
        CodegenError::NotImplemented {
            layer: layer.name.clone(),
            kind: layer.kind.name().to_string(),
            message: message.into(),
        }
    }

    /// hls4ml 1.3.0 itself cannot convert this layer.
    fn not_in_hls4ml(layer: &ir::Layer, message: impl Into<String>) -> CodegenError {
        CodegenError::NotInHls4ml {
            layer: layer.name.clone(),
            kind: layer.kind.name().to_string(),
            message: message.into(),
        }
    }

    /// A precision setting of a layer: (type name, precision) as hls4ml's `get_precision`.
    fn prec(&self, layer_name: &str, set: &Option<FixedType>, var: &str) -> NamedType {
        match set {
            Some(t) => NamedType::new(
                format!("{}_{var}_t", layer_name.to_lowercase()),
                precision::cpp(t),
            ),
            None => NamedType::new(MODEL_DEFAULT_T, precision::cpp(&self.m.default_precision)),
        }
    }

    fn new_var(
        &mut self,
        name: String,
        type_name: String,
        precision: FixedType,
        shape: Vec<usize>,
    ) -> VarId {
        let pack = *shape.last().unwrap_or(&1);
        let depth = if shape.is_empty() {
            1
        } else {
            shape.iter().product::<usize>() / pack.max(1)
        };
        self.m.vars.push(Variable {
            name,
            type_name,
            precision,
            shape,
            kind: VarKind::Owned,
            depth: depth.max(1),
            pack,
        });
        self.m.vars.len() - 1
    }

    fn rename_type(&mut self, v: VarId, name: &str) {
        let old = self.m.vars[v].type_name.clone();
        self.m.vars[v].type_name = name.to_string();
        for layer in &mut self.m.layers {
            for t in &mut layer.types {
                if t.name == old {
                    t.name = name.to_string();
                }
            }
        }
    }

    fn var_type(&self, v: VarId) -> NamedType {
        let var = &self.m.vars[v];
        NamedType::new(var.type_name.clone(), self.m.var_type_cpp(var))
    }

    fn input_var(&self, id: NodeId, port: usize) -> Result<VarId> {
        let src = self.net.inputs_of(id).get(port).copied().ok_or_else(|| {
            self.net_err(format!(
                "layer '{}' has no input {port}",
                self.net.layer(id).name
            ))
        })?;
        self.out_of.get(&src).copied().ok_or_else(|| {
            self.net_err(format!(
                "layer '{}' is used before it is computed",
                self.net.layer(src).name
            ))
        })
    }

    /// Push a lowered layer whose single output is a new `layer{index}_out` of `shape`.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        name: String,
        class_name: &str,
        op: Op,
        inputs: Vec<VarId>,
        shape: Vec<usize>,
        settings: &ir::LayerSettings,
        strategy: Strategy,
        reuse_factor: u32,
        weights: Vec<WeightVar>,
        extra_types: Vec<(&'static str, NamedType)>,
    ) -> VarId {
        let index = self.index;
        let result = settings
            .precision
            .result
            .clone()
            .unwrap_or_else(|| self.m.default_precision.clone());
        let out = self.new_var(
            format!("layer{index}_out"),
            format!("layer{index}_t"),
            result,
            shape,
        );
        let accum_t = self.prec(&name, &settings.precision.accum, "accum");
        let weight_t = self.prec(&name, &settings.precision.weight, "weight");
        let bias_t = self.prec(&name, &settings.precision.bias, "bias");
        // defines.h order is hls4ml's attribute order: accum_t (set at construction for the
        // classes that have one), the result type, then weights, index and table types
        let mut types = Vec::new();
        let has_accum = matches!(
            op,
            Op::Dense { .. }
                | Op::Conv1D { .. }
                | Op::Conv2D { .. }
                | Op::Pool1D { .. }
                | Op::Pool2D { .. }
                | Op::GlobalPool1D { .. }
                | Op::GlobalPool2D { .. }
                | Op::Activation {
                    act: ActKind::Softmax,
                    ..
                }
        );
        if has_accum {
            types.push(accum_t.clone());
        }
        types.push(self.var_type(out));
        for w in &weights {
            types.push(NamedType::new(
                w.type_name.clone(),
                precision::cpp(&w.precision),
            ));
        }
        if matches!(op, Op::Dense { .. }) {
            types.push(NamedType::new(
                format!("layer{index}_index"),
                precision::cpp(&precision::index_t()),
            ));
        }
        if matches!(
            op,
            Op::Activation {
                act: ActKind::LeakyRelu(_),
                ..
            }
        ) {
            types.extend(extra_types.iter().rev().map(|(_, t)| t.clone()));
        } else {
            types.extend(extra_types.iter().map(|(_, t)| t.clone()));
        }
        self.m.layers.push(HlsLayer {
            index,
            name,
            class_name: class_name.to_string(),
            op,
            inputs,
            outputs: vec![out],
            weights,
            reuse_factor,
            strategy,
            types,
            accum_t,
            weight_t,
            bias_t,
            extra_t: extra_types,
        });
        out
    }

    /// Push a layer without weights or extra types (its class is the kind's name) and record
    /// it as the output of node `id`.
    fn push_plain(
        &mut self,
        id: NodeId,
        layer: &ir::Layer,
        op: Op,
        inputs: Vec<VarId>,
        shape: Vec<usize>,
        rs: &ir::settings::ResolvedSettings,
    ) {
        let v = self.push(
            layer.name.clone(),
            layer.kind.name(),
            op,
            inputs,
            shape,
            &layer.settings,
            rs.strategy,
            rs.reuse_factor,
            vec![],
            vec![],
        );
        self.out_of.insert(id, v);
    }

    /// Push a Dense/Conv product: weight `w<index>` (the kernel of dimensions `dims`, permuted
    /// by `perm` for the Resource strategy as hls4ml does) and bias `b<index>`, then its fused
    /// activation.
    #[allow(clippy::too_many_arguments)]
    fn push_product(
        &mut self,
        id: NodeId,
        layer: &ir::Layer,
        class_name: &str,
        op: Op,
        shape: Vec<usize>,
        (strategy, reuse_factor): (Strategy, u32),
        kernel: Vec<f32>,
        (dims, perm): (&[usize], &[usize]),
        bias: Vec<f32>,
    ) -> Result<()> {
        let wdata = if strategy == Strategy::Resource {
            transpose(&kernel, dims, perm)
        } else {
            kernel
        };
        let idx = self.index;
        let n_bias = bias.len();
        let weights = vec![
            self.weight(
                layer,
                "w",
                idx,
                &layer.settings.precision.weight,
                "weight",
                dims.to_vec(),
                wdata,
            ),
            self.weight(
                layer,
                "b",
                idx,
                &layer.settings.precision.bias,
                "bias",
                vec![n_bias],
                bias,
            ),
        ];
        let input = self.input_var(id, 0)?;
        let out = self.push(
            layer.name.clone(),
            class_name,
            op,
            vec![input],
            shape,
            &layer.settings,
            strategy,
            reuse_factor,
            weights,
            vec![],
        );
        self.fused_activation(id, layer, out)
    }

    /// A layer with no typedefs of its own (Input, Reshape, Clone): every attribute type is
    /// the model default.
    #[allow(clippy::too_many_arguments)]
    fn bare_layer(
        &self,
        index: usize,
        name: String,
        class_name: &str,
        op: Op,
        inputs: Vec<VarId>,
        outputs: Vec<VarId>,
        reuse_factor: u32,
        strategy: Strategy,
        types: Vec<NamedType>,
    ) -> HlsLayer {
        let d = NamedType::new(MODEL_DEFAULT_T, precision::cpp(&self.m.default_precision));
        HlsLayer {
            index,
            name,
            class_name: class_name.to_string(),
            op,
            inputs,
            outputs,
            weights: vec![],
            reuse_factor,
            strategy,
            types,
            accum_t: d.clone(),
            weight_t: d.clone(),
            bias_t: d,
            extra_t: vec![],
        }
    }

    fn layer(&mut self, id: NodeId) -> Result<()> {
        let layer = self.net.layer(id).clone();
        let cfg = &self.net.config;
        let rs = cfg.resolve(&layer.settings);
        self.index += 1;
        let in_shape = |l: &Self, port: usize| -> Result<Vec<usize>> {
            let v = l.input_var(id, port)?;
            Ok(l.m.vars[v].shape.clone())
        };
        if layer.settings != ir::LayerSettings::default() {
            self.m.layer_overrides.push((
                layer.name.clone(),
                layer.settings.reuse_factor,
                layer.settings.strategy,
                layer.settings.precision.result.clone(),
            ));
        }
        let rf = rs.reuse_factor;
        match &layer.kind {
            LayerKind::Input(ir::ops::Input { shape }) => {
                let k = self.m.inputs.len();
                let tname = if k == 0 {
                    "input_t".to_string()
                } else {
                    format!("input{}_t", k + 1)
                };
                let prec = layer
                    .settings
                    .precision
                    .result
                    .clone()
                    .unwrap_or_else(|| self.m.default_precision.clone());
                let v = self.new_var(layer.name.clone(), tname, prec, shape.clone());
                let types = vec![self.var_type(v)];
                let l = self.bare_layer(
                    self.index,
                    layer.name.clone(),
                    "InputLayer",
                    Op::Input,
                    vec![],
                    vec![v],
                    rf,
                    rs.strategy,
                    types,
                );
                self.m.layers.push(l);
                self.m.inputs.push(v);
                self.out_of.insert(id, v);
            }
            LayerKind::Dropout(_) => {
                // hls4ml parses these (using an index) and then removes them
                let v = self.input_var(id, 0)?;
                self.out_of.insert(id, v);
            }
            LayerKind::Activation(Activation::Linear) if !self.is_cast(id, &layer)? => {
                // removed like Dropout, unless it changes the type (then the arm below)
                let v = self.input_var(id, 0)?;
                self.out_of.insert(id, v);
            }
            LayerKind::Dense(ir::ops::Dense { units, use_bias }) => {
                let shape = in_shape(self, 0)?;
                let n_in: usize = shape.iter().product();
                if shape.len() != 1 {
                    return Err(Self::unsupported(
                        &layer,
                        format!("a Dense on a rank-{} input {:?} (hls4ml converts it to a pointwise Conv; presynth emits Dense on flat inputs only: add a Flatten)", shape.len(), shape),
                    ));
                }
                let n_out = *units;
                let (strategy, rf) =
                    self.choose_rf(&layer.name, rs.strategy, n_in, n_out, rf as usize);
                let kernel = layer_weight(&layer, "kernel", n_in * n_out)?;
                let bias = optional_bias(&layer, *use_bias, n_out)?;
                self.push_product(
                    id,
                    &layer,
                    "Dense",
                    Op::Dense { n_in, n_out },
                    vec![n_out],
                    (strategy, rf),
                    kernel,
                    (&[n_in, n_out], &[1, 0]),
                    bias,
                )?;
            }
            LayerKind::Conv1D(ir::ops::Conv1D {
                filters,
                kernel,
                stride,
                padding,
                use_bias,
            }) => {
                let shape = in_shape(self, 0)?;
                let (in_width, n_chan) = (shape[0], shape[1]);
                let out_width = layer.output_shape[0];
                let (pad_left, pad_right) = pads(*padding, in_width, *kernel, *stride);
                if self.m.is_stream() && (pad_left + pad_right) > 0 {
                    return Err(Self::unsupported(&layer, "'same' padding in io_stream: hls4ml inserts a ZeroPadding1D layer, which presynth does not emit yet; use padding='valid' or io_parallel"));
                }
                if *kernel == 1 {
                    return Err(Self::unsupported(&layer, "a pointwise (kernel 1) Conv1D: hls4ml rewrites it to PointwiseConv1D with its own templates, which presynth does not emit yet"));
                }
                let n_in = n_chan * kernel;
                let (strategy, rf) =
                    self.choose_rf(&layer.name, rs.strategy, n_in, *filters, rf as usize);
                let w = layer_weight(&layer, "kernel", kernel * n_chan * filters)?;
                let b = optional_bias(&layer, *use_bias, *filters)?;
                let op = Op::Conv1D {
                    in_width,
                    n_chan,
                    filt_width: *kernel,
                    n_filt: *filters,
                    stride: *stride,
                    pad_left,
                    pad_right,
                    out_width,
                    n_partitions: out_width,
                };
                self.push_product(
                    id,
                    &layer,
                    "Conv1D",
                    op,
                    vec![out_width, *filters],
                    (strategy, rf),
                    w,
                    (&[*kernel, n_chan, *filters], &[2, 0, 1]),
                    b,
                )?;
            }
            LayerKind::Conv2D(ir::ops::Conv2D {
                filters,
                kernel,
                stride,
                padding,
                use_bias,
            }) => {
                let shape = in_shape(self, 0)?;
                let (in_height, in_width, n_chan) = (shape[0], shape[1], shape[2]);
                let (out_height, out_width) = (layer.output_shape[0], layer.output_shape[1]);
                let (pad_top, pad_bottom, pad_left, pad_right) =
                    pads2d(*padding, [in_height, in_width], kernel, stride);
                if self.m.is_stream() && (pad_top + pad_bottom + pad_left + pad_right) > 0 {
                    return Err(Self::unsupported(&layer, "'same' padding in io_stream: hls4ml inserts a ZeroPadding2D layer, which presynth does not emit yet; use padding='valid' or io_parallel"));
                }
                if kernel == &[1, 1] {
                    return Err(Self::unsupported(&layer, "a pointwise (1x1) Conv2D: hls4ml rewrites it to PointwiseConv2D with its own templates, which presynth does not emit yet"));
                }
                let n_in = n_chan * kernel[0] * kernel[1];
                let (strategy, rf) =
                    self.choose_rf(&layer.name, rs.strategy, n_in, *filters, rf as usize);
                let w = layer_weight(&layer, "kernel", kernel[0] * kernel[1] * n_chan * filters)?;
                let b = optional_bias(&layer, *use_bias, *filters)?;
                let dims = [kernel[0], kernel[1], n_chan, *filters];
                let op = Op::Conv2D {
                    in_height,
                    in_width,
                    n_chan,
                    filt_height: kernel[0],
                    filt_width: kernel[1],
                    n_filt: *filters,
                    stride_height: stride[0],
                    stride_width: stride[1],
                    pad_top,
                    pad_bottom,
                    pad_left,
                    pad_right,
                    out_height,
                    out_width,
                    n_partitions: out_height * out_width,
                };
                self.push_product(
                    id,
                    &layer,
                    "Conv2D",
                    op,
                    vec![out_height, out_width, *filters],
                    (strategy, rf),
                    w,
                    (&dims, &[3, 0, 1, 2]),
                    b,
                )?;
            }
            LayerKind::Pool1D(ir::ops::Pool1D {
                op,
                pool,
                stride,
                padding,
            }) => {
                let shape = in_shape(self, 0)?;
                let (n_in, n_filt) = (shape[0], shape[1]);
                let n_out = layer.output_shape[0];
                let (pad_left, pad_right) = pads(*padding, n_in, *pool, *stride);
                let input = self.input_var(id, 0)?;
                let o = Op::Pool1D {
                    max: *op == PoolOp::Max,
                    n_in,
                    n_out,
                    n_filt,
                    pool_width: *pool,
                    stride: *stride,
                    pad_left,
                    pad_right,
                };
                self.push_plain(id, &layer, o, vec![input], vec![n_out, n_filt], &rs);
            }
            LayerKind::Pool2D(ir::ops::Pool2D {
                op,
                pool,
                stride,
                padding,
            }) => {
                let shape = in_shape(self, 0)?;
                let (in_height, in_width, n_filt) = (shape[0], shape[1], shape[2]);
                let (out_height, out_width) = (layer.output_shape[0], layer.output_shape[1]);
                let (pad_top, pad_bottom, pad_left, pad_right) =
                    pads2d(*padding, [in_height, in_width], pool, stride);
                let input = self.input_var(id, 0)?;
                let o = Op::Pool2D {
                    max: *op == PoolOp::Max,
                    in_height,
                    in_width,
                    n_filt,
                    pool_height: pool[0],
                    pool_width: pool[1],
                    stride_height: stride[0],
                    stride_width: stride[1],
                    out_height,
                    out_width,
                    pad_top,
                    pad_bottom,
                    pad_left,
                    pad_right,
                };
                self.push_plain(
                    id,
                    &layer,
                    o,
                    vec![input],
                    vec![out_height, out_width, n_filt],
                    &rs,
                );
            }
            LayerKind::GlobalPool1D(ir::ops::GlobalPool1D { op }) => {
                let shape = in_shape(self, 0)?;
                let input = self.input_var(id, 0)?;
                let o = Op::GlobalPool1D {
                    max: *op == PoolOp::Max,
                    n_in: shape[0],
                    n_filt: shape[1],
                };
                self.push_plain(id, &layer, o, vec![input], vec![shape[1]], &rs);
            }
            LayerKind::GlobalPool2D(ir::ops::GlobalPool2D { op }) => {
                let shape = in_shape(self, 0)?;
                let input = self.input_var(id, 0)?;
                let o = Op::GlobalPool2D {
                    max: *op == PoolOp::Max,
                    in_height: shape[0],
                    in_width: shape[1],
                    n_filt: shape[2],
                };
                self.push_plain(id, &layer, o, vec![input], vec![shape[2]], &rs);
            }
            LayerKind::BatchNorm(ir::ops::BatchNorm {
                epsilon,
                center,
                scale,
            }) => {
                let shape = in_shape(self, 0)?;
                let n_ch = *shape.last().unwrap_or(&1);
                let ones = vec![1.0f32; n_ch];
                let zeros = vec![0.0f32; n_ch];
                let gamma = if *scale {
                    layer_weight(&layer, "gamma", n_ch)?
                } else {
                    ones.clone()
                };
                let beta = if *center {
                    layer_weight(&layer, "beta", n_ch)?
                } else {
                    zeros
                };
                let mean = layer_weight(&layer, "moving_mean", n_ch)?;
                let var = layer_weight(&layer, "moving_variance", n_ch)?;
                // hls4ml (numpy float32): scale = gamma / sqrt(var + eps); bias = beta - scale * mean
                let eps = *epsilon as f32;
                let s: Vec<f32> = gamma
                    .iter()
                    .zip(&var)
                    .map(|(g, v)| g / (v + eps).sqrt())
                    .collect();
                let b: Vec<f32> = beta
                    .iter()
                    .zip(&s)
                    .zip(&mean)
                    .map(|((be, sc), mu)| be - sc * mu)
                    .collect();
                let idx = self.index;
                let weights = vec![
                    self.weight(
                        &layer,
                        "s",
                        idx,
                        &layer.settings.precision.scale,
                        "scale",
                        vec![n_ch],
                        s,
                    ),
                    self.weight(
                        &layer,
                        "b",
                        idx,
                        &layer.settings.precision.bias,
                        "bias",
                        vec![n_ch],
                        b,
                    ),
                ];
                let n_filt = if shape.len() == 1 { -1 } else { n_ch as i64 };
                let input = self.input_var(id, 0)?;
                let v = self.push(
                    layer.name.clone(),
                    "BatchNormalization",
                    Op::BatchNorm { n_filt },
                    vec![input],
                    shape,
                    &layer.settings,
                    rs.strategy,
                    rf,
                    weights,
                    vec![],
                );
                // hls4ml's scale type is named <layer>_scale_t only when set per layer
                let last = self.m.layers.last_mut().expect("just pushed");
                if layer.settings.precision.scale.is_none() {
                    last.weight_t =
                        NamedType::new(MODEL_DEFAULT_T, precision::cpp(&self.m.default_precision));
                }
                self.out_of.insert(id, v);
            }
            LayerKind::ZeroPadding1D(_)
            | LayerKind::ZeroPadding2D(_)
            | LayerKind::Cropping1D(_)
            | LayerKind::Cropping2D(_)
            | LayerKind::UpSampling1D(_)
            | LayerKind::UpSampling2D(_) => self.spatial(id, &layer, &rs)?,
            LayerKind::MultiHeadAttention(_)
            | LayerKind::LayerNorm(_)
            | LayerKind::EinsumDense(_)
            | LayerKind::Embedding(_) => {
                if let Some(e) = transformer::not_yet(&layer) {
                    return Err(e);
                }
            }
            LayerKind::Activation(act) => {
                let input = self.input_var(id, 0)?;
                let v = self.activation(layer.name.clone(), *act, input, &layer.settings, rf)?;
                self.out_of.insert(id, v);
            }
            LayerKind::Flatten | LayerKind::Reshape(_) => {
                let input = self.input_var(id, 0)?;
                let in_shape = self.m.vars[input].shape.clone();
                let out_shape = layer.output_shape.clone();
                if self.m.is_stream()
                    && !matches!(layer.kind, LayerKind::Flatten)
                    && in_shape.last() != out_shape.last()
                {
                    return Err(Self::unsupported(&layer, "a Reshape that changes the last dimension in io_stream (hls4ml inserts a Repack layer, which presynth does not emit yet)"));
                }
                // hls4ml's in-place variable: same type as its source, no call, no typedef
                let src = &self.m.vars[input];
                let var = Variable {
                    name: format!("layer{}_out", self.index),
                    type_name: src.type_name.clone(),
                    precision: src.precision.clone(),
                    shape: out_shape,
                    kind: VarKind::Alias(input),
                    depth: src.depth,
                    pack: src.pack,
                };
                self.m.vars.push(var);
                let v = self.m.vars.len() - 1;
                let l = self.bare_layer(
                    self.index,
                    layer.name.clone(),
                    layer.kind.name(),
                    Op::Reshape,
                    vec![input],
                    vec![v],
                    rf,
                    rs.strategy,
                    vec![],
                );
                self.m.layers.push(l);
                self.out_of.insert(id, v);
            }
            LayerKind::Add | LayerKind::Concatenate(_) => {
                let n = self.net.inputs_of(id).len();
                if n != 2 {
                    return Err(Self::not_in_hls4ml(
                        &layer,
                        format!("{n} inputs: hls4ml's merge layers take exactly 2"),
                    ));
                }
                let a = self.input_var(id, 0)?;
                let b = self.input_var(id, 1)?;
                let (sa, sb) = (self.m.vars[a].shape.clone(), self.m.vars[b].shape.clone());
                let (op, shape) = match layer.kind {
                    LayerKind::Add => {
                        if sa != sb {
                            return Err(Self::not_in_hls4ml(
                                &layer,
                                format!("inputs of different shapes {sa:?} and {sb:?}"),
                            ));
                        }
                        (Op::Add, sa)
                    }
                    LayerKind::Concatenate(ir::ops::Concatenate { axis }) => {
                        if sa.len() > 3 {
                            return Err(Self::not_in_hls4ml(&layer, "inputs of rank > 3"));
                        }
                        (Op::Concatenate { axis }, layer.output_shape.clone())
                    }
                    LayerKind::Input(_)
                    | LayerKind::Dense(_)
                    | LayerKind::Conv1D(_)
                    | LayerKind::Conv2D(_)
                    | LayerKind::Pool1D(_)
                    | LayerKind::Pool2D(_)
                    | LayerKind::GlobalPool1D(_)
                    | LayerKind::GlobalPool2D(_)
                    | LayerKind::BatchNorm(_)
                    | LayerKind::Activation(_)
                    | LayerKind::Reshape(_)
                    | LayerKind::Dropout(_)
                    | LayerKind::Flatten
                    | LayerKind::ZeroPadding1D(_)
                    | LayerKind::ZeroPadding2D(_)
                    | LayerKind::Cropping1D(_)
                    | LayerKind::Cropping2D(_)
                    | LayerKind::UpSampling1D(_)
                    | LayerKind::UpSampling2D(_)
                    | LayerKind::MultiHeadAttention(_)
                    | LayerKind::LayerNorm(_)
                    | LayerKind::EinsumDense(_)
                    | LayerKind::Embedding(_) => unreachable!("only merges reach this match"),
                };
                self.push_plain(id, &layer, op, vec![a, b], shape, &rs);
            }
        }
        Ok(())
    }

    /// Whether a linear activation changes the type of its input (a QONNX Quant's `_act`
    /// layer): hls4ml's EliminateLinearActivation keeps those and removes the others.
    fn is_cast(&self, id: NodeId, layer: &ir::Layer) -> Result<bool> {
        let result = layer
            .settings
            .precision
            .result
            .as_ref()
            .unwrap_or(&self.m.default_precision);
        let input = self.input_var(id, 0)?;
        Ok(self.m.vars[input].precision != *result)
    }

    /// The fused activation of a Dense/Conv: a separate layer `<name>_<act>` at the next index.
    fn fused_activation(&mut self, id: NodeId, layer: &ir::Layer, out: VarId) -> Result<()> {
        if layer.activation.is_linear() {
            self.out_of.insert(id, out);
            return Ok(());
        }
        self.index += 1;
        let name = format!("{}_{}", layer.name, layer.activation.name());
        // the split activation has a new name, so the layer's own settings do not reach it:
        // hls4ml gives it the model's (checked with a LayerName config on the harness)
        let settings = ir::LayerSettings::default();
        let v = self.activation(
            name,
            layer.activation,
            out,
            &settings,
            self.net.config.reuse_factor,
        )?;
        self.out_of.insert(id, v);
        Ok(())
    }

    fn activation(
        &mut self,
        name: String,
        act: Activation,
        input: VarId,
        settings: &ir::LayerSettings,
        rf: u32,
    ) -> Result<VarId> {
        let shape = self.m.vars[input].shape.clone();
        let table = NamedType::new(
            format!("{name}_table_t"),
            precision::cpp(&precision::table_t()),
        );
        let (act_kind, config_name, class, mut extra) = match act {
            Activation::Relu | Activation::Sigmoid | Activation::Tanh | Activation::Linear => (
                ActKind::Plain(act.name()),
                act.name().to_string(),
                "Activation",
                vec![("table_t", table)],
            ),
            Activation::LeakyRelu { alpha } => (
                ActKind::LeakyRelu(alpha),
                "leakyrelu".to_string(),
                "LeakyReLU",
                vec![("table_t", table)],
            ),
            Activation::Softmax => {
                if shape.len() > 1 {
                    return Err(CodegenError::NotImplemented {
                        layer: name,
                        kind: "Softmax".into(),
                        message: format!("a softmax over a rank-{} input {shape:?} (hls4ml's multi-dimensional softmax is not emitted yet; flatten first)", shape.len()),
                    });
                }
                let st = precision::cpp(&precision::softmax_table_t());
                (
                    ActKind::Softmax,
                    "softmax".to_string(),
                    "Softmax",
                    vec![
                        ("table_t", table),
                        (
                            "exp_table_t",
                            NamedType::new(format!("{name}_exp_table_t"), st.clone()),
                        ),
                        (
                            "inv_table_t",
                            NamedType::new(format!("{name}_inv_table_t"), st.clone()),
                        ),
                        ("inv_inp_t", NamedType::new(format!("{name}_inv_inp_t"), st)),
                    ],
                )
            }
        };
        if matches!(act_kind, ActKind::LeakyRelu(_)) {
            // param_t is the model default unless set per layer (not in the typedef list then)
            extra.push((
                "param_t",
                NamedType::new(MODEL_DEFAULT_T, precision::cpp(&self.m.default_precision)),
            ));
        }
        let strategy = settings.strategy.unwrap_or(self.m.model_strategy);
        let op = Op::Activation {
            act: act_kind,
            config_name,
        };
        let v = self.push(
            name,
            class,
            op,
            vec![input],
            shape,
            settings,
            strategy,
            rf,
            vec![],
            extra,
        );
        Ok(v)
    }

    /// Strategy and reuse factor of a Dense/Conv product, validated like hls4ml.
    fn choose_rf(
        &mut self,
        layer: &str,
        strategy: Strategy,
        n_in: usize,
        n_out: usize,
        rf: usize,
    ) -> (Strategy, u32) {
        if strategy == Strategy::Resource {
            let c = reuse::choose(layer, n_in, n_out, rf);
            if let Some(w) = c.warning {
                self.m.warnings.push(w);
            }
            (strategy, c.used as u32)
        } else {
            (strategy, rf as u32)
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn weight(
        &self,
        layer: &ir::Layer,
        prefix: &str,
        index: usize,
        set: &Option<FixedType>,
        var: &str,
        shape: Vec<usize>,
        data: Vec<f32>,
    ) -> WeightVar {
        let t = self.prec(&layer.name, set, var);
        let precision = set
            .clone()
            .unwrap_or_else(|| self.m.default_precision.clone());
        WeightVar {
            name: format!("{prefix}{index}"),
            type_name: t.name,
            precision,
            shape,
            data,
        }
    }

    /// io_stream: a stream read by several layers is copied by a Clone layer placed right after
    /// its producer; clone indices continue after the last layer (hls4ml's clone_output pass).
    fn insert_clones(&mut self) {
        let mut next_index = self.m.layers.iter().map(|l| l.index).max().unwrap_or(0);
        let mut pos = 0;
        while pos < self.m.layers.len() {
            let produced: Vec<VarId> = self.m.layers[pos].outputs.clone();
            for v in produced {
                let readers: Vec<usize> = (0..self.m.layers.len())
                    .filter(|&i| self.m.layers[i].inputs.contains(&v) && i != pos)
                    .collect();
                if readers.len() < 2 {
                    continue;
                }
                next_index += 1;
                let src = self.m.vars[v].clone();
                let mut outs = Vec::new();
                for k in 1..=readers.len() {
                    let mut c = src.clone();
                    c.name = format!("layer{next_index}_cpy{k}");
                    c.kind = VarKind::Owned;
                    self.m.vars.push(c);
                    outs.push(self.m.vars.len() - 1);
                }
                for (k, &r) in readers.iter().enumerate() {
                    for x in self.m.layers[r].inputs.iter_mut() {
                        if *x == v {
                            *x = outs[k];
                        }
                    }
                }
                let producer = self.m.layers[pos].name.clone();
                let clone = self.bare_layer(
                    next_index,
                    format!("clone_{producer}"),
                    "Clone",
                    Op::Clone,
                    vec![v],
                    outs,
                    self.m.model_reuse_factor,
                    self.m.model_strategy,
                    vec![],
                );
                self.m.layers.insert(pos + 1, clone);
            }
            pos += 1;
        }
    }
}

fn pads(padding: Padding, len: usize, window: usize, stride: usize) -> (usize, usize) {
    match padding {
        Padding::Valid => (0, 0),
        Padding::Same => ir::shape::same_padding(len, window, stride),
    }
}

/// (top, bottom, left, right) padding of a 2-D `window` moved by `stride` over `input` (h, w).
fn pads2d(
    padding: Padding,
    input: [usize; 2],
    window: &[usize; 2],
    stride: &[usize; 2],
) -> (usize, usize, usize, usize) {
    let (top, bottom) = pads(padding, input[0], window[0], stride[0]);
    let (left, right) = pads(padding, input[1], window[1], stride[1]);
    (top, bottom, left, right)
}

fn layer_weight(layer: &ir::Layer, name: &str, expected: usize) -> Result<Vec<f32>> {
    let t = layer
        .weight(name)
        .ok_or_else(|| CodegenError::MissingWeight {
            layer: layer.name.clone(),
            kind: layer.kind.name().to_string(),
            weight: name.to_string(),
        })?;
    if t.data.len() != expected {
        return Err(CodegenError::Internal(format!(
            "layer '{}': weight '{name}' has {} values where shape inference checked {expected}",
            layer.name,
            t.data.len()
        )));
    }
    Ok(t.data.clone())
}

fn optional_bias(layer: &ir::Layer, use_bias: bool, n: usize) -> Result<Vec<f32>> {
    if use_bias {
        layer_weight(layer, "bias", n)
    } else {
        Ok(vec![0.0; n])
    }
}

/// Row-major transpose of `data` with dimensions `dims` by the axis permutation `perm`
/// (numpy's `np.transpose(data, axes=perm)`).
pub fn transpose(data: &[f32], dims: &[usize], perm: &[usize]) -> Vec<f32> {
    let rank = dims.len();
    let new_dims: Vec<usize> = perm.iter().map(|&p| dims[p]).collect();
    let mut strides = vec![1usize; rank];
    for i in (0..rank.saturating_sub(1)).rev() {
        strides[i] = strides[i + 1] * dims[i + 1];
    }
    let mut out = Vec::with_capacity(data.len());
    let mut idx = vec![0usize; rank];
    for _ in 0..data.len() {
        let src: usize = (0..rank).map(|k| idx[k] * strides[perm[k]]).sum();
        out.push(data[src]);
        for k in (0..rank).rev() {
            idx[k] += 1;
            if idx[k] < new_dims[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir::{Layer, Tensor};

    fn dense(name: &str, n_in: usize, units: usize, act: Activation) -> Layer {
        let mut l = Layer::new(
            name,
            LayerKind::Dense(ir::ops::Dense {
                units,
                use_bias: true,
            }),
        )
        .with_activation(act);
        l.weights = vec![
            (
                "kernel".into(),
                Tensor::new(
                    vec![n_in, units],
                    (0..n_in * units).map(|i| i as f32 / 100.0).collect(),
                ),
            ),
            ("bias".into(), Tensor::new(vec![units], vec![0.5; units])),
        ];
        l
    }

    /// A network "m" with one flat input `input_layer` of `n` values.
    fn with_input(n: usize) -> Network {
        let mut net = Network::new("m");
        net.add_layer(
            Layer::new(
                "input_layer",
                LayerKind::Input(ir::ops::Input { shape: vec![n] }),
            ),
            &[],
        )
        .unwrap();
        net
    }

    fn finish(mut net: Network) -> Network {
        net.default_outputs();
        net.infer_shapes().unwrap();
        net
    }

    #[test]
    fn indices_and_names_follow_hls4ml() {
        // hls4ml 1.3.0 on the harness model mlp_sep_act (target/hls4ml-ref/mlp_sep_act__lat):
        // fc1 = 2, act1 = 3, the Dropout takes 4 and vanishes, fc2 = 5, fc2's softmax = 6
        // (there: a LeakyReLU), and the last output is result_t.
        let mut net = with_input(12);
        net.add_layer(dense("fc1", 12, 16, Activation::Linear), &["input_layer"])
            .unwrap();
        net.add_layer(
            Layer::new("act1", LayerKind::Activation(Activation::Relu)),
            &["fc1"],
        )
        .unwrap();
        net.add_layer(
            Layer::new("drop1", LayerKind::Dropout(ir::ops::Dropout { rate: 0.2 })),
            &["act1"],
        )
        .unwrap();
        net.add_layer(dense("fc2", 16, 8, Activation::Softmax), &["drop1"])
            .unwrap();
        let m = lower(&finish(net), &ProjectOptions::default()).unwrap();
        let got: Vec<(usize, &str)> = m
            .layers
            .iter()
            .map(|l| (l.index, l.name.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "input_layer"),
                (2, "fc1"),
                (3, "act1"),
                (5, "fc2"),
                (6, "fc2_softmax")
            ]
        );
        let out = m.var(m.outputs[0]);
        assert_eq!(
            (out.name.as_str(), out.type_name.as_str()),
            ("layer6_out", "result_t")
        );
        // fc2 reads act1's output: the Dropout is gone
        assert_eq!(m.var(m.layers[3].inputs[0]).name, "layer3_out");
    }

    #[test]
    fn stream_fan_out_gets_a_clone_after_its_producer() {
        // hls4ml 1.3.0 on branch_concat io_stream: `clone_input_layer`, index 9 (after the last
        // layer, 8), placed right after the input, outputs layer9_cpy1/2.
        let mut net = with_input(8);
        net.add_layer(dense("a", 8, 6, Activation::Relu), &["input_layer"])
            .unwrap();
        net.add_layer(dense("b", 8, 5, Activation::Sigmoid), &["input_layer"])
            .unwrap();
        net.add_layer(
            Layer::new(
                "cat",
                LayerKind::Concatenate(ir::ops::Concatenate { axis: -1 }),
            ),
            &["a", "b"],
        )
        .unwrap();
        net.add_layer(dense("out", 11, 3, Activation::Softmax), &["cat"])
            .unwrap();
        let mut net = finish(net);
        net.config.io_type = ir::IoType::Stream;
        let m = lower(&net, &ProjectOptions::default()).unwrap();
        let clone = &m.layers[1];
        assert_eq!((clone.index, clone.name.as_str()), (9, "clone_input_layer"));
        let outs: Vec<&str> = clone
            .outputs
            .iter()
            .map(|&v| m.var(v).name.as_str())
            .collect();
        assert_eq!(outs, ["layer9_cpy1", "layer9_cpy2"]);
        assert_eq!(m.var(m.layers[2].inputs[0]).name, "layer9_cpy1");
        assert_eq!(m.var(m.layers[4].inputs[0]).name, "layer9_cpy2");
        // io_parallel: no clone
        net.config.io_type = ir::IoType::Parallel;
        let m = lower(&net, &ProjectOptions::default()).unwrap();
        assert!(m.layers.iter().all(|l| l.op != Op::Clone));
    }

    #[test]
    fn resource_transposes_and_corrects_reuse() {
        let mut net = with_input(10);
        net.add_layer(dense("fc1", 10, 12, Activation::Relu), &["input_layer"])
            .unwrap();
        let mut net = finish(net);
        net.config.strategy = Strategy::Resource;
        net.config.reuse_factor = 4;
        let m = lower(&net, &ProjectOptions::default()).unwrap();
        // hls4ml: "Invalid ReuseFactor=4 in layer "fc1". Using ReuseFactor=5 instead." (mlp3 harness run)
        assert_eq!(m.layers[1].reuse_factor, 5);
        assert!(m.warnings[0].contains("ReuseFactor 4 -> 5"));
        // the activation keeps the requested value, like hls4ml's relu_config3
        assert_eq!(m.layers[2].reuse_factor, 4);
        // np.transpose of the [10, 12] kernel: element [o][i] = kernel[i][o] = (i*12+o)/100
        let w = &m.layers[1].weights[0].data;
        assert_eq!(w[1], 12.0 / 100.0);
        assert_eq!(m.layers[1].weights[0].shape, vec![10, 12]);
    }

    #[test]
    fn project_name_must_be_an_identifier() {
        let mut net = with_input(4);
        net.add_layer(dense("fc1", 4, 2, Activation::Linear), &["input_layer"])
            .unwrap();
        let opts = ProjectOptions {
            project_name: "my-project".into(),
            ..Default::default()
        };
        let e = lower(&finish(net), &opts).unwrap_err().to_string();
        assert!(e.contains("not a C identifier"), "{e}");
    }

    #[test]
    fn transpose_matches_numpy() {
        // np.arange(6).reshape(2,3).T.flatten() == [0,3,1,4,2,5]
        let d: Vec<f32> = (0..6).map(|x| x as f32).collect();
        assert_eq!(
            transpose(&d, &[2, 3], &[1, 0]),
            vec![0., 3., 1., 4., 2., 5.]
        );
        // np.transpose(np.arange(24).reshape(2,3,2,2), [3,0,1,2]).flatten()[:6] == [0,2,4,6,8,10]
        let d: Vec<f32> = (0..24).map(|x| x as f32).collect();
        let t = transpose(&d, &[2, 3, 2, 2], &[3, 0, 1, 2]);
        assert_eq!(&t[..6], &[0., 2., 4., 6., 8., 10.]);
        assert_eq!(t[12], 1.);
    }
}
