//! Lowering for codegen: the structural lowering is [`lower::lower`] (hls4ml 1.3.0's parser and
//! optimizer passes, shared with the estimator); this module walks its graph and attaches what
//! a project needs: variables (`layerN_out`, `layerN_t`, `result_t`, in-place aliases, clone
//! copies), named types in hls4ml's defines.h order, reuse factors validated per layer,
//! weights from the IR layers (Resource-strategy transposition, BatchNorm scale/bias) and the
//! per-layer settings written to the YAML. BatchNormalization is kept as its own layer, as
//! hls4ml 1.3.0 keeps it (`lower`'s `fuse_batch_normalization` says why).

use crate::error::{CodegenError, Result};
use crate::layers;
use crate::model::*;
use crate::precision;
use crate::reuse;
use crate::weights;
use ir::{FixedType, LayerKind, Network, Strategy};
use lower::{Graph, Node, Port};
use std::collections::HashMap;

mod garnet;
mod recurrent;
mod transformer;

/// HGQ2 layers (read with their quantizer state, `Layer::quantizer_params`) are written as
/// hls4ml 1.3.0 writes them when its bit-exact pass ran (the lowering's `bit_exact`: the
/// network has an HGQ2 input or output quantizer, which becomes a `FixedPointQuantizer` node).
/// Without one hls4ml keeps the configured types over HGQ2's quantized weights, which presynth
/// has not checked: refused.
fn refuse_hgq2(net: &Network, g: &Graph) -> Result<()> {
    if g.bit_exact.is_some() {
        return Ok(());
    }
    match net.layers().into_iter().find(|l| l.quantizer_params > 0) {
        None => Ok(()),
        Some(l) => Err(CodegenError::NotImplemented {
            layer: l.name.clone(),
            kind: l.kind.name().to_string(),
            message: format!(
                "an HGQ2 layer ({} values of quantizer state) in a network without HGQ2 input \
                 or output quantizers: hls4ml's bit-exact pass does not run there and keeps \
                 the configured types, which presynth does not reproduce for HGQ2 models",
                l.quantizer_params
            ),
        }),
    }
}

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
    /// The variable of each port of the lowered graph.
    var_of: HashMap<Port, VarId>,
    /// The index in the names of the node's output and weights (`layerN_out`, `wN`).
    index: usize,
    /// hls4ml's index of the node being rendered (its `configN`).
    config_index: usize,
    /// The layer each TimeDistributed wraps, carrying the wrapper's weights: what its wrapped
    /// node renders.
    unwrapped: &'a HashMap<ir::NodeId, ir::Layer>,
    /// What hls4ml's bit-exact pass set (HGQ2 models).
    bit_exact: Option<lower::passes::bit_exact::BitExactTypes>,
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
        header_stats: HashMap::new(),
        cyclic_partition: HashMap::new(),
    };
    let g = lower::lower(net)?;
    refuse_hgq2(net, &g)?;
    let unwrapped = unwrap_time_distributed(net);
    let mut l = Lowerer {
        net,
        m,
        var_of: HashMap::new(),
        index: 0,
        config_index: 0,
        unwrapped: &unwrapped,
        bit_exact: g.bit_exact.clone(),
    };
    // per-layer settings as written to hls4ml_config.yml, in Keras order (removed layers too)
    for id in net.topo_order()? {
        let layer = net.layer(id);
        if layer.settings != ir::LayerSettings::default() {
            l.m.layer_overrides.push((
                layer.name.clone(),
                layer.settings.reuse_factor,
                layer.settings.strategy,
                layer.settings.precision.result.clone(),
            ));
        }
    }
    for node in &g.nodes {
        l.node(&g, node)?;
        if let Some(be) = &g.bit_exact {
            l.bit_exact_names(node, be)?;
        }
        // a result type hls4ml's infer_precision inferred is `<layer>_result_t`
        if lower::passes::renames_result(node) {
            let v = l.port_var(&lower::Port::of(node.key))?;
            l.rename_type(v, &format!("{}_result_t", node.name.to_lowercase()));
        }
    }
    // network outputs: result_t
    let mut outs = Vec::new();
    for (k, o) in g.outputs.iter().enumerate() {
        let v = l.port_var(o)?;
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

    /// A precision setting of a layer: (type name, precision) as hls4ml's `get_precision`.
    fn prec(&self, layer_name: &str, set: &Option<FixedType>, var: &str) -> NamedType {
        match set {
            // the bit-exact pass names its types after the node as it is
            Some(t) if self.bit_exact.is_some() => {
                NamedType::new(format!("{layer_name}_{var}_t"), precision::cpp(t))
            }
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

    fn port_var(&self, p: &Port) -> Result<VarId> {
        self.var_of
            .get(p)
            .copied()
            .ok_or_else(|| self.net_err("a layer is used before it is computed"))
    }

    /// The IR layer a node renders (weights, use_bias): a TimeDistributed's wrapped node
    /// renders the wrapped layer (with the wrapper's weights).
    fn source(&self, n: &Node) -> Result<&'a ir::Layer> {
        let net = self.net;
        let id = n.origin.layer().ok_or_else(|| {
            CodegenError::Internal(format!("lowered node '{}' has no IR layer", n.name))
        })?;
        match self.unwrapped.get(&id) {
            Some(inner) if n.class != "TimeDistributed" => Ok(inner),
            _ => Ok(net.layer(id)),
        }
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
        let mut weight_t = self.prec(&name, &settings.precision.weight, "weight");
        let mut bias_t = self.prec(&name, &settings.precision.bias, "bias");
        // a QKeras quantizer's type: hls4ml's add_weights_variable names it `<var><index>_t`
        let q = settings.quantized;
        let xnor_weight = settings.xnor_weight();
        let mut weights = weights;
        for (quantized, set, t, var, prefix) in [
            (
                q.weight,
                &settings.precision.weight,
                &mut weight_t,
                "weight",
                "w",
            ),
            (q.bias, &settings.precision.bias, &mut bias_t, "bias", "b"),
        ] {
            if quantized && set.is_some() {
                t.name = format!("{var}{index}_t");
                let own = format!("{prefix}{index}");
                for w in weights.iter_mut().filter(|w| w.name == own) {
                    w.type_name = t.name.clone();
                }
            }
        }
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
                | Op::LayerNorm { .. }
                | Op::EinsumDense { .. }
                | Op::Einsum { .. }
                | Op::Recurrent { .. }
        );
        if has_accum {
            types.push(accum_t.clone());
        }
        types.push(self.var_type(out));
        for w in &weights {
            types.push(NamedType::new(w.type_name.clone(), weights::type_cpp(w)));
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
                act: ActKind::Param { .. } | ActKind::PReLU,
                ..
            }
        ) {
            types.extend(extra_types.iter().rev().map(|(_, t)| t.clone()));
        } else {
            types.extend(extra_types.iter().map(|(_, t)| t.clone()));
        }
        self.m.layers.push(HlsLayer {
            index: self.config_index,
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
            xnor_weight,
            table_size: None,
            bit_exact_softmax: None,
        });
        out
    }

    /// Push a node without weights or extra types and record its output.
    fn push_plain(&mut self, n: &Node, inputs: Vec<VarId>, rs: &ir::settings::ResolvedSettings) {
        self.push_node(n, inputs, rs, vec![], vec![]);
    }

    /// Push a node under its own name, op, shape and settings, with these weights and extra
    /// types, and record its output as the node's port.
    fn push_node(
        &mut self,
        n: &Node,
        inputs: Vec<VarId>,
        rs: &ir::settings::ResolvedSettings,
        weights: Vec<WeightVar>,
        extra_types: Vec<(&'static str, NamedType)>,
    ) {
        let v = self.push(
            n.name.clone(),
            &n.class,
            n.op.clone(),
            inputs,
            n.shape.clone(),
            &settings_of(n),
            rs.strategy,
            rs.reuse_factor,
            weights,
            extra_types,
        );
        self.var_of.insert(Port::of(n.key), v);
    }

    /// Push a Dense/Conv product: weight `w<index>` (the kernel of dimensions `dims`, permuted
    /// by `perm` for the Resource strategy as hls4ml does) and bias `b<index>` of `n_out`
    /// values; without a bias, hls4ml's `add_bias` writes zeros of type `ap_uint<1>` named
    /// `bias<index>_t`.
    fn push_product(
        &mut self,
        n: &Node,
        input: VarId,
        (strategy, reuse_factor): (Strategy, u32),
        (kernel, dims, perm): (Vec<f32>, &[usize], &[usize]),
        (bias, n_out): (Option<Vec<f32>>, usize),
    ) {
        self.alpha_header_stats(n, &kernel, n_out);
        self.batchnorm_header_stats(n);
        let wdata = if strategy == Strategy::Resource {
            transpose(&kernel, dims, perm)
        } else {
            kernel
        };
        let idx = self.index;
        let zero_bias = bias.is_none().then(|| {
            NamedType::new(
                format!("bias{idx}_t"),
                precision::cpp(&precision::index_t()),
            )
        });
        let bias_var = match bias {
            Some(b) => self.weight(
                &n.name,
                "b",
                idx,
                &n.settings.precision.bias,
                "bias",
                vec![n_out],
                b,
            ),
            None => WeightVar {
                name: format!("b{idx}"),
                type_name: format!("bias{idx}_t"),
                precision: precision::index_t(),
                shape: vec![n_out],
                data: vec![0.0; n_out],
            },
        };
        let weights = vec![
            self.weight(
                &n.name,
                "w",
                idx,
                &n.settings.precision.weight,
                "weight",
                dims.to_vec(),
                wdata,
            ),
            bias_var,
        ];
        let out = self.push(
            n.name.clone(),
            &n.class,
            n.op.clone(),
            vec![input],
            n.shape.clone(),
            &settings_of(n),
            strategy,
            reuse_factor,
            weights,
            vec![],
        );
        if let Some(t) = zero_bias {
            self.m.layers.last_mut().expect("just pushed").bias_t = t;
        }
        self.var_of.insert(Port::of(n.key), out);
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
            xnor_weight: false,
            table_size: None,
            bit_exact_softmax: None,
        }
    }

    /// The types of a node typed by hls4ml's bit-exact pass: its output's named after it
    /// (`<name>_t`, the input's included), an activation's table size the pass's.
    fn bit_exact_names(
        &mut self,
        n: &Node,
        be: &lower::passes::bit_exact::BitExactTypes,
    ) -> Result<()> {
        if n.inplace || n.op == Op::Clone {
            return Ok(());
        }
        let v = self.port_var(&Port::of(n.key))?;
        self.rename_type(v, &format!("{}_t", n.name));
        if let Some(&t) = be.table_size.get(&n.key) {
            if let Some(l) = self.m.layers.last_mut() {
                l.table_size = Some(t);
            }
        }
        Ok(())
    }

    /// A softmax typed by the bit-exact pass (the layer just pushed): its table types, accumulator
    /// and config numbers as hls4ml's HGQ2 converter and pass set them, in hls4ml's defines.h
    /// order (the tables, `inp_norm_t`, `accum_t`, the result, `table_t`).
    fn bit_exact_softmax(&mut self, n: &Node) -> Result<()> {
        let Some(s) = self
            .bit_exact
            .as_ref()
            .and_then(|b| b.softmax.get(&n.key))
            .cloned()
        else {
            return Ok(());
        };
        let exp_scale = if let ir::LayerKind::MultiHeadAttention(m) = &self.source(n)?.kind {
            1.0 / (m.key_dim as f64).sqrt()
        } else {
            1.0
        };
        let name = &n.name;
        let t = &s.tables;
        let mut tables = vec![
            ("exp_table_t", t.exp_table.cpp()),
            ("inv_table_t", t.inv_table.cpp()),
            ("inv_inp_t", t.inv_inp.cpp()),
        ];
        if let Some(norm) = &t.inp_norm {
            tables.push(("inp_norm_t", norm.cpp()));
        }
        let Some(l) = self.m.layers.last_mut() else {
            return Err(CodegenError::Internal(format!(
                "softmax '{name}' not pushed"
            )));
        };
        l.accum_t = NamedType::new(format!("{name}_accum_t"), t.accum(s.shape).cpp());
        l.extra_t.retain(|(k, _)| *k == "table_t");
        let table_t: Vec<NamedType> = l.extra_t.iter().map(|(_, t)| t.clone()).collect();
        // push() wrote the accumulator, then the result
        let result = l.types.get(1).cloned().ok_or_else(|| {
            CodegenError::Internal(format!("softmax '{name}' has no result type"))
        })?;
        let mut types = Vec::new();
        for (k, cpp) in tables {
            let nt = NamedType::new(format!("{name}_{k}"), cpp);
            l.extra_t.push((k, nt.clone()));
            types.push(nt);
        }
        types.push(l.accum_t.clone());
        types.push(result);
        types.extend(table_t);
        l.types = types;
        l.bit_exact_softmax = Some(crate::model::BitExactSoftmax {
            exp_table_size: s.exp_table_size,
            inv_table_size: s.inv_table_size,
            parallelization_factor: s.shape.n_outer * s.shape.n_inner,
            exp_scale,
        });
        Ok(())
    }

    /// Render one node of the lowered graph.
    fn node(&mut self, g: &Graph, n: &Node) -> Result<()> {
        self.index = n.var_index;
        self.config_index = n.index;
        let rs = self.net.config.resolve(&n.settings);
        let rf = rs.reuse_factor;
        let inputs = n
            .inputs
            .iter()
            .map(|p| self.port_var(p))
            .collect::<Result<Vec<_>>>()?;
        let first = inputs.first().copied();
        let input = || {
            first.ok_or_else(|| CodegenError::Internal(format!("node '{}' has no input", n.name)))
        };
        match &n.op {
            Op::Input => {
                let k = self.m.inputs.len();
                // an integer dtype (hls4ml's Keras 2 parser): `integer_input_t`, and the dtype
                // as the attribute type `<name>_precision` unless a config entry for the layer
                // gives a Precision, which replaces that attribute
                let int_dtype = self
                    .source(n)
                    .ok()
                    .and_then(|l| l.int_dtype.as_deref().cloned());
                let tname = if int_dtype.is_some() {
                    "integer_input_t".to_string()
                } else if k == 0 {
                    "input_t".to_string()
                } else {
                    format!("input{}_t", k + 1)
                };
                let v = self.new_var(n.name.clone(), tname, n.precision.clone(), n.shape.clone());
                let mut types = Vec::new();
                let configured = n.settings.precision != ir::settings::Precision::default()
                    || !n.settings.auto.is_none();
                if let (Some(t), false) = (&int_dtype, configured) {
                    types.push(NamedType::new(
                        format!("{}_precision", n.name),
                        precision::cpp(t),
                    ));
                }
                types.push(self.var_type(v));
                let l = self.bare_layer(
                    n.index,
                    n.name.clone(),
                    &n.class,
                    Op::Input,
                    vec![],
                    vec![v],
                    rf,
                    rs.strategy,
                    types,
                );
                self.m.layers.push(l);
                self.m.inputs.push(v);
                self.var_of.insert(Port::of(n.key), v);
            }
            Op::Dense { n_in, n_out } => {
                let layer = self.source(n)?;
                let (n_in, n_out) = (*n_in, *n_out);
                let choice = self.choose_rf(&n.name, rs.strategy, n_in, n_out, rf as usize);
                let kernel = layer_weight(layer, "kernel", n_in * n_out)?;
                let bias = optional_bias(layer, use_bias(layer)?, n_out)?;
                let (kernel, bias) = self.folded(g, n, kernel, bias, n_out)?;
                self.push_product(
                    n,
                    input()?,
                    choice,
                    (kernel, &[n_in, n_out], &[1, 0]),
                    (bias, n_out),
                );
            }
            Op::Conv1D {
                n_chan,
                filt_width,
                n_filt,
                depthwise,
                ..
            } => {
                let layer = self.source(n)?;
                let (k, c, f) = (*filt_width, *n_chan, *n_filt);
                if *depthwise && rs.strategy == Strategy::Resource {
                    return Err(resource_depthwise(n));
                }
                let choice = self.choose_rf(&n.name, rs.strategy, c * k, f, rf as usize);
                // Keras's kernel: (k, C, F), or (k, C, 1) for a depthwise one
                let dims = [k, c, if *depthwise { 1 } else { f }];
                let (w, b) = layers::depthwise::conv_weights(layer, &n.op, dims.iter().product())?;
                let (w, b) = self.folded(g, n, w, b, f)?;
                self.push_product(n, input()?, choice, (w, &dims, &[2, 0, 1]), (b, f));
            }
            Op::Conv2D {
                n_chan,
                filt_height,
                filt_width,
                n_filt,
                depthwise,
                ..
            } => {
                let layer = self.source(n)?;
                let (kh, kw, c, f) = (*filt_height, *filt_width, *n_chan, *n_filt);
                if *depthwise && rs.strategy == Strategy::Resource {
                    return Err(resource_depthwise(n));
                }
                let choice = self.choose_rf(&n.name, rs.strategy, c * kh * kw, f, rf as usize);
                // Keras's kernel: (kh, kw, C, F), or (kh, kw, C, 1) for a depthwise one
                let dims = [kh, kw, c, if *depthwise { 1 } else { f }];
                let (w, b) = layers::depthwise::conv_weights(layer, &n.op, dims.iter().product())?;
                let (w, b) = self.folded(g, n, w, b, f)?;
                self.push_product(n, input()?, choice, (w, &dims, &[3, 0, 1, 2]), (b, f));
            }
            Op::SeparableConv { .. } => {
                return Err(CodegenError::Internal(format!(
                    "SeparableConv2D '{}' left in the lowered graph of {}",
                    n.name, g.network
                )))
            }
            Op::Pool1D { .. }
            | Op::Pool2D { .. }
            | Op::GlobalPool1D { .. }
            | Op::GlobalPool2D { .. }
            | Op::Merge { .. }
            | Op::Concatenate { .. }
            | Op::ZeroPadding1D { .. }
            | Op::ZeroPadding2D { .. }
            | Op::Cropping1D { .. }
            | Op::Cropping2D { .. }
            | Op::Resize { .. }
            | Op::Transpose { .. }
            | Op::Dot { .. } => self.push_plain(n, inputs, &rs),
            Op::BatchNorm { .. } => self.batchnorm(n, input()?, &rs)?,
            Op::LayerNorm { .. } => self.layernorm(n, input()?, &rs)?,
            Op::EinsumDense { .. } => self.einsum_dense(n, input()?, &rs)?,
            Op::Einsum { .. } => self.einsum(n, inputs, &rs)?,
            Op::Embedding { .. } => self.embedding(n, input()?, &rs)?,
            Op::Recurrent { .. } => self.recurrent(n, input()?, &rs)?,
            Op::GarNet { .. } => self.garnet(n, inputs, &rs)?,
            Op::Activation { act, .. } => {
                // hls4ml's merge_batch_norm_quantized_tanh replaces a BatchNormalization (an
                // ApplyAlpha included) and the binary_tanh after it by one
                // BatchNormalizationQuantizedTanh layer (thresholds), which presynth does not write
                let producer = n.inputs.first().and_then(|p| g.find(p.node));
                if let (
                    ActKind::Plain("binary_tanh"),
                    Some(
                        bn @ Node {
                            op: Op::BatchNorm { .. },
                            ..
                        },
                    ),
                ) = (act, producer)
                {
                    return Err(CodegenError::NotImplemented {
                        layer: n.name.clone(),
                        kind: n.class.clone(),
                        message: format!(
                            "binary_tanh after the {} '{}': hls4ml merges the two into a \
                             BatchNormalizationQuantizedTanh layer (thresholds at which the sign \
                             flips), which presynth does not write",
                            bn.class, bn.name
                        ),
                    });
                }
                let v = self.activation(n, input()?, &rs)?;
                self.var_of.insert(Port::of(n.key), v);
            }
            Op::Reshape if n.class == "Repack" => {
                // hls4ml's Repack (`reshape_stream`): a new `layer<index>_out` stream of the
                // Reshape's type `layer<var_index>_t`
                let out = self.new_var(
                    format!("layer{}_out", n.index),
                    format!("layer{}_t", n.var_index),
                    n.precision.clone(),
                    n.shape.clone(),
                );
                let ty = self.var_type(out);
                let l = self.bare_layer(
                    n.index,
                    n.name.clone(),
                    &n.class,
                    Op::Reshape,
                    vec![input()?],
                    vec![out],
                    rf,
                    rs.strategy,
                    vec![ty],
                );
                self.m.layers.push(l);
                self.var_of.insert(Port::of(n.key), out);
            }
            Op::Reshape => {
                if !n.inplace {
                    return Err(CodegenError::Internal(format!(
                        "reshape '{}' is neither in place nor a Repack after lowering",
                        n.name
                    )));
                }
                // hls4ml's in-place variable: same type as its source, no call, no typedef
                let input = input()?;
                let src = &self.m.vars[input];
                let var = Variable {
                    name: format!("layer{}_out", n.index),
                    type_name: src.type_name.clone(),
                    precision: src.precision.clone(),
                    shape: n.shape.clone(),
                    kind: VarKind::Alias(input),
                    depth: src.depth,
                    pack: src.pack,
                };
                self.m.vars.push(var);
                let v = self.m.vars.len() - 1;
                let l = self.bare_layer(
                    n.index,
                    n.name.clone(),
                    &n.class,
                    Op::Reshape,
                    vec![input],
                    vec![v],
                    rf,
                    rs.strategy,
                    vec![],
                );
                self.m.layers.push(l);
                self.var_of.insert(Port::of(n.key), v);
            }
            Op::Clone => {
                // one stream copy per reader, `layer<index>_cpy<k>`
                let input = input()?;
                let mut outs = Vec::new();
                for k in 1..=n.outputs {
                    let mut c = self.m.vars[input].clone();
                    c.name = format!("layer{}_cpy{k}", n.index);
                    c.kind = VarKind::Owned;
                    self.m.vars.push(c);
                    let v = self.m.vars.len() - 1;
                    self.var_of.insert(
                        Port {
                            node: n.key,
                            output: k - 1,
                        },
                        v,
                    );
                    outs.push(v);
                }
                let clone = self.bare_layer(
                    n.index,
                    n.name.clone(),
                    &n.class,
                    Op::Clone,
                    vec![input],
                    outs,
                    rf,
                    rs.strategy,
                    vec![],
                );
                self.m.layers.push(clone);
            }
            Op::Dropout => {
                return Err(CodegenError::Internal(format!(
                    "Dropout '{}' left in the lowered graph of {}",
                    n.name, g.network
                )))
            }
            Op::FixedPointQuantizer { .. } => {
                if self.m.is_stream() {
                    return Err(CodegenError::NotInHls4ml {
                        layer: n.name.clone(),
                        kind: n.class.clone(),
                        message: "a heterogeneous HGQ2 quantizer in io_stream (hls4ml 1.3.0 \
                                  writes its per-element function only in io_parallel)"
                            .into(),
                    });
                }
                self.push_plain(n, inputs, &rs);
            }
            Op::TimeDistributed {
                wrapped: Some(_), ..
            } => {
                return Err(CodegenError::Internal(format!(
                    "TimeDistributed '{}' left unexpanded in the lowered graph of {}",
                    n.name, g.network
                )))
            }
            Op::TimeDistributed { .. } => {
                // read/write_time_step take one type for the copied array and the copy
                let from = &self.m.vars[input()?];
                if from.precision != n.precision {
                    return Err(CodegenError::NotInHls4ml {
                        layer: n.name.clone(),
                        kind: n.class.clone(),
                        message: format!(
                            "its input '{}' is {} and its output {}: hls4ml 1.3.0 calls \
                             nnet::read/write_time_step<data_T> with one type for both, so its \
                             project does not compile (give both the same precision)",
                            from.name,
                            precision::cpp(&from.precision),
                            precision::cpp(&n.precision)
                        ),
                    });
                }
                self.push_plain(n, inputs, &rs);
            }
        }
        Ok(())
    }

    /// BatchNormalization: hls4ml's scale and bias from the Keras statistics.
    fn batchnorm(
        &mut self,
        n: &Node,
        input: VarId,
        rs: &ir::settings::ResolvedSettings,
    ) -> Result<()> {
        let layer = self.source(n)?;
        let shape = self.m.vars[input].shape.clone();
        // a positional add is hls4ml's ApplyAlpha of an Add of a constant (MergeToApplyAlpha):
        // one scale and bias per element (n_filt = -1)
        let n_ch = if let LayerKind::PositionalAdd = layer.kind {
            shape.iter().product()
        } else {
            *shape.last().unwrap_or(&1)
        };
        let idx = self.index;
        let bias_var = |this: &Self, b: Vec<f32>| {
            this.weight(
                &n.name,
                "b",
                idx,
                &n.settings.precision.bias,
                "bias",
                vec![n_ch],
                b,
            )
        };
        let weights = if let LayerKind::BatchNorm(_) = &layer.kind {
            let (s, b) = bn_scale_and_shift(layer, n_ch)?;
            vec![
                self.weight(
                    &n.name,
                    "s",
                    idx,
                    &n.settings.precision.scale,
                    "scale",
                    vec![n_ch],
                    s,
                ),
                bias_var(self, b),
            ]
        } else if let LayerKind::PositionalAdd = layer.kind {
            // scale 1 and the constant as bias
            vec![
                self.weight(
                    &n.name,
                    "s",
                    idx,
                    &n.settings.precision.scale,
                    "scale",
                    vec![n_ch],
                    vec![1.0f32; n_ch],
                ),
                bias_var(self, layer_weight(layer, "embedding", n_ch)?),
            ]
        } else if let LayerKind::ApplyAlpha = &layer.kind {
            // hls4ml's ApplyAlpha: the QKeras scale through hls4ml's `quantized_po2(bits)`
            // quantizer, an ExponentWeightVariable (type `exponent_scale<index>_t`, printed as
            // {sign, log2|s|} pairs)
            let scale = n.settings.precision.scale.clone().ok_or_else(|| {
                CodegenError::Internal(format!("ApplyAlpha '{}' has no scale type", n.name))
            })?;
            let bits = scale.width();
            let data = layer_weight(layer, "scale", n_ch)?
                .into_iter()
                .map(|s| quantized_po2(s, bits))
                .collect();
            vec![
                WeightVar {
                    name: format!("s{idx}"),
                    type_name: format!("exponent_scale{idx}_t"),
                    precision: scale,
                    // QKeras's scale has the kernel's rank: (1, n) after a Dense, (1, 1,
                    // 1, n) after a Conv2D; hls4ml prints all but the last dimension
                    shape: vec![1; shape.len()],
                    data,
                },
                bias_var(self, layer_weight(layer, "bias", n_ch)?),
            ]
        } else {
            return Err(CodegenError::Internal(format!(
                "BatchNormalization node '{}' renders a {}",
                n.name,
                layer.kind.name()
            )));
        };
        let v = self.push(
            n.name.clone(),
            &n.class,
            n.op.clone(),
            vec![input],
            shape,
            &settings_of(n),
            rs.strategy,
            rs.reuse_factor,
            weights,
            vec![],
        );
        // hls4ml's scale type is named <layer>_scale_t only when set per layer
        let last = self.m.layers.last_mut().expect("just pushed");
        if n.settings.precision.scale.is_none() {
            last.weight_t =
                NamedType::new(MODEL_DEFAULT_T, precision::cpp(&self.m.default_precision));
        }
        self.var_of.insert(Port::of(n.key), v);
        Ok(())
    }

    /// An activation node with its table types (softmax: exp/inv tables; leaky relu: param_t).
    fn activation(
        &mut self,
        n: &Node,
        input: VarId,
        rs: &ir::settings::ResolvedSettings,
    ) -> Result<VarId> {
        let name = &n.name;
        let shape = self.m.vars[input].shape.clone();
        let Op::Activation { act, .. } = &n.op else {
            return Err(CodegenError::Internal(format!(
                "'{name}' is not an activation"
            )));
        };
        let table = NamedType::new(
            format!("{name}_table_t"),
            precision::cpp(&precision::table_t()),
        );
        let mut extra = vec![("table_t", table)];
        let mut weights = Vec::new();
        match act {
            ActKind::Plain("hard_tanh") => {
                return Err(CodegenError::NotInHls4ml {
                    layer: name.clone(),
                    kind: n.class.clone(),
                    message: "hard_tanh: hls4ml 1.3.0 writes its config as a plain activ_config, \
                              without the slope and shift its nnet::hard_tanh reads, so its \
                              project does not compile (checked with g++ on both io types)"
                        .into(),
                });
            }
            ActKind::Plain(_) => {}
            ActKind::HardSigmoid { .. } | ActKind::QKerasHard(_) => {
                // HardActivation.initialize: slope{index}_t and shift{index}_t, named by the
                // layer's index, before the table type in defines.h; the slope is
                // ap_ufixed<16,0> unless the converter gave `slope_prec` (QKeras: 2 bits)
                let idx = n.index;
                let slope_bits = match act {
                    ActKind::QKerasHard(_) => 2,
                    _ => 16,
                };
                extra.splice(
                    0..0,
                    [
                        (
                            "slope_t",
                            NamedType::new(
                                format!("slope{idx}_t"),
                                precision::cpp(&FixedType::ufixed(slope_bits, 0)),
                            ),
                        ),
                        (
                            "shift_t",
                            NamedType::new(
                                format!("shift{idx}_t"),
                                precision::cpp(&FixedType::ufixed(2, 0)),
                            ),
                        ),
                    ],
                );
            }
            ActKind::PReLU => {
                // hls4ml's PReLU: the weight `param` as the array a{index} of the model default
                // type (its param_t), one alpha per element
                let layer = self.source(n)?;
                let n_in: usize = shape.iter().product();
                let alpha = layer_weight(layer, "alpha", n_in)?;
                weights.push(self.weight(
                    name,
                    "a",
                    self.index,
                    &None,
                    "param",
                    shape.clone(),
                    alpha,
                ));
                extra.push((
                    "param_t",
                    NamedType::new(MODEL_DEFAULT_T, precision::cpp(&self.m.default_precision)),
                ));
            }
            ActKind::Param { .. } => {
                // param_t is the model default unless set per layer (not in the typedef list then)
                extra.push((
                    "param_t",
                    NamedType::new(MODEL_DEFAULT_T, precision::cpp(&self.m.default_precision)),
                ));
            }
            ActKind::Softmax => {
                // a Softmax layer over the last axis of a rank-2+ input is hls4ml's
                // softmax_multidim (io_parallel); a softmax split off a Dense over positions
                // hls4ml takes over the whole flattened tensor, unlike Keras: refused
                let split = matches!(n.origin, lower::Origin::SplitActivation(_));
                if shape.len() > 1 && (split || self.m.is_stream()) {
                    return Err(CodegenError::NotImplemented {
                        layer: name.clone(),
                        kind: "Softmax".into(),
                        message: format!(
                            "a softmax over a rank-{} input {shape:?} {} (presynth emits hls4ml's \
                             softmax_multidim for a Softmax layer over the last axis in \
                             io_parallel)",
                            shape.len(),
                            if split {
                                "fused into its layer"
                            } else {
                                "in io_stream"
                            }
                        ),
                    });
                }
                let st = precision::cpp(&precision::softmax_table_t());
                extra.extend([
                    (
                        "exp_table_t",
                        NamedType::new(format!("{name}_exp_table_t"), st.clone()),
                    ),
                    (
                        "inv_table_t",
                        NamedType::new(format!("{name}_inv_table_t"), st.clone()),
                    ),
                    ("inv_inp_t", NamedType::new(format!("{name}_inv_inp_t"), st)),
                ]);
            }
        }
        let v = self.push(
            name.clone(),
            &n.class,
            n.op.clone(),
            vec![input],
            shape,
            &settings_of(n),
            rs.strategy,
            rs.reuse_factor,
            weights,
            extra,
        );
        if *act == ActKind::Softmax {
            self.bit_exact_softmax(n)?;
        }
        if matches!(act, ActKind::QKerasHard(_)) {
            // hls4ml's QKeras converter passes `slope_prec`/`shift_prec` as precision
            // attributes, which the layer declares first as `<name>_slope_prec` /
            // `<name>_shift_prec` (ap_ufixed<2,0>, converters/keras/qkeras.py)
            let t = precision::cpp(&FixedType::ufixed(2, 0));
            let last = self.m.layers.last_mut().expect("just pushed");
            last.types.splice(
                0..0,
                [
                    NamedType::new(format!("{name}_slope_prec"), t.clone()),
                    NamedType::new(format!("{name}_shift_prec"), t),
                ],
            );
        }
        Ok(v)
    }

    /// hls4ml's header statistics of a Dense/Conv whose kernel `qkeras_factorize_alpha`
    /// factorised (an ApplyAlpha `<layer>_alpha` follows it): those of the QKeras-quantized
    /// kernel (the factorised kernel times its channel's scale; a binary kernel's xnor 0/1) and
    /// of the bias before it moved to the ApplyAlpha.
    fn alpha_header_stats(&mut self, n: &Node, kernel: &[f32], n_out: usize) {
        let Some(alpha) = self.net.find(&format!("{}_alpha", n.name)) else {
            return;
        };
        let alpha = self.net.layer(alpha);
        let (Some(scale), Some(bias)) = (alpha.weight("scale"), alpha.weight("bias")) else {
            return;
        };
        if !matches!(alpha.kind, LayerKind::ApplyAlpha) || scale.data.len() != n_out.max(1) {
            return;
        }
        let stats = |v: &mut dyn Iterator<Item = f32>| {
            v.fold(
                (f32::INFINITY, f32::NEG_INFINITY, 0usize),
                |(lo, hi, z), x| (lo.min(x), hi.max(x), z + usize::from(x == 0.0)),
            )
        };
        let idx = self.index;
        // a binary kernel's (xnor type, written 0/1): hls4ml's QKerasBinaryQuantizer encodes
        // the scaled values as 0/1 already when it makes the weight, so the statistics are
        // those of the written values (a quantized_bits(1,1) kernel, also xnor-typed, is
        // written as -1/1 and its statistics are of the scaled values)
        let encoded = n.settings.xnor_weight() && kernel.iter().all(|&w| w == 0.0 || w == 1.0);
        let q = stats(&mut kernel.iter().enumerate().map(|(i, w)| {
            if encoded {
                *w
            } else {
                w * scale.data[i % n_out]
            }
        }));
        self.m.header_stats.insert(format!("w{idx}"), q);
        let b = stats(&mut bias.data.iter().copied());
        self.m.header_stats.insert(format!("b{idx}"), b);
    }

    /// hls4ml's header statistics of a QKeras QConv2DBatchnorm (its `Conv2DBatchnorm`): those
    /// of the stored kernel and bias, quantised, which it takes before folding
    /// (`ir::layer::BatchnormFolded`).
    fn batchnorm_header_stats(&mut self, n: &Node) {
        let Some(folded) = n
            .origin
            .layer()
            .and_then(|id| self.net.layer(id).batchnorm_folded.as_deref().copied())
        else {
            return;
        };
        let idx = self.index;
        for (prefix, stats) in [("w", folded.kernel), ("b", folded.bias)] {
            if let Some(s) = stats {
                self.m
                    .header_stats
                    .insert(format!("{prefix}{idx}"), (s.min, s.max, s.zeros));
            }
        }
    }

    /// A Dense/Conv's kernel and bias with the BatchNormalizations the lowering folded into it
    /// (`fuse_batch_normalization`) multiplied in, in folding order.
    fn folded(
        &self,
        g: &Graph,
        n: &Node,
        mut kernel: Vec<f32>,
        mut bias: Option<Vec<f32>>,
        n_out: usize,
    ) -> Result<(Vec<f32>, Option<Vec<f32>>)> {
        for f in g.folded.get(&n.key).map(Vec::as_slice).unwrap_or_default() {
            let (scale, shift) = bn_scale_and_shift(self.net.layer(f.layer), n_out)?;
            bias = Some(lower::passes::fold_weights(
                &mut kernel,
                bias,
                &scale,
                &shift,
            ));
        }
        Ok((kernel, bias))
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
        layer: &str,
        prefix: &str,
        index: usize,
        set: &Option<FixedType>,
        var: &str,
        shape: Vec<usize>,
        data: Vec<f32>,
    ) -> WeightVar {
        let t = self.prec(layer, set, var);
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
}

/// The node's settings with its output precision as the result type (the lowering decided it:
/// the layer's own, the model's, or the input's for the copy layers).
/// The layer each TimeDistributed of `net` wraps, with the wrapper's weights and its one-step
/// output shape.
fn unwrap_time_distributed(net: &Network) -> HashMap<ir::NodeId, ir::Layer> {
    net.graph
        .node_indices()
        .filter_map(|id| {
            let layer = net.layer(id);
            let LayerKind::TimeDistributed(td) = &layer.kind else {
                return None;
            };
            let mut inner = (*td.layer).clone();
            inner.weights = layer.weights.clone();
            inner.output_shape = layer.output_shape.get(1..).unwrap_or_default().to_vec();
            Some((id, inner))
        })
        .collect()
}

fn settings_of(n: &Node) -> ir::LayerSettings {
    let mut s = n.settings.clone();
    s.precision.result = Some(n.precision.clone());
    s
}

/// hls4ml's BatchNormalization scale and shift over `n_ch` channels, or which statistic is
/// missing.
fn bn_scale_and_shift(layer: &ir::Layer, n_ch: usize) -> Result<(Vec<f32>, Vec<f32>)> {
    if let Some(ss) = lower::passes::scale_and_shift(layer, n_ch) {
        return Ok(ss);
    }
    // name the first statistic that is missing or of the wrong size
    let LayerKind::BatchNorm(bn) = &layer.kind else {
        return Err(CodegenError::Internal(format!(
            "layer '{}' ({}) folded as a BatchNormalization",
            layer.name,
            layer.kind.name()
        )));
    };
    let required = [
        ("gamma", bn.scale),
        ("beta", bn.center),
        ("moving_mean", true),
        ("moving_variance", true),
    ];
    for (name, _) in required.into_iter().filter(|(_, r)| *r) {
        layer_weight(layer, name, n_ch)?;
    }
    Err(CodegenError::Internal(format!(
        "layer '{}': BatchNormalization statistics unusable",
        layer.name
    )))
}

/// QKeras's `quantized_po2(bits)` (max_value None, log2 rounding "rnd") of one value, as
/// hls4ml's ApplyAlpha applies it to the scale: `sign · 2^clip(round(log2 |x|), -2^(bits-2),
/// 2^(bits-2) - 1)` (an exponent sign bit and bits-2 magnitude bits; `round` is TensorFlow's,
/// half to even; |x| below Keras's epsilon 1e-7 takes the smallest exponent).
fn quantized_po2(x: f32, bits: u32) -> f32 {
    let effect = bits.saturating_sub(2) as i32;
    let (min_exp, max_exp) = (-(2f32.powi(effect)), 2f32.powi(effect) - 1.0);
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let a = x.abs();
    let e = if a < 1e-7 {
        min_exp
    } else {
        // float32 log(x) / log(2), as TensorFlow computes it
        let l = a.ln() / std::f32::consts::LN_2;
        l.round_ties_even().clamp(min_exp, max_exp)
    };
    sign * 2f32.powf(e)
}

/// Whether a Dense/Conv layer has a bias.
/// The refusal of a depthwise node (hls4ml's DepthwiseConv1D/2D) under the Resource strategy:
/// hls4ml 1.3.0's `depthwise_conv_{1,2}d_cl` asserts 'Resource strategy for DepthwiseConv{1,2}D
/// is not supported'.
fn resource_depthwise(n: &Node) -> CodegenError {
    CodegenError::NotImplemented {
        layer: n.name.clone(),
        kind: n.class.clone(),
        message: format!(
            "the Resource strategy (hls4ml 1.3.0's {} asserts 'Resource strategy for {} is \
             not supported'); use Latency for this layer",
            layers::depthwise::function(&n.op),
            n.class
        ),
    }
}

fn use_bias(layer: &ir::Layer) -> Result<bool> {
    if let LayerKind::Dense(d) = &layer.kind {
        Ok(d.use_bias)
    } else if let LayerKind::Conv1D(c) = &layer.kind {
        Ok(c.use_bias)
    } else if let LayerKind::Conv2D(c) = &layer.kind {
        Ok(c.use_bias)
    } else {
        Err(CodegenError::Internal(format!(
            "layer '{}' ({}) rendered as a product",
            layer.name,
            layer.kind.name()
        )))
    }
}

pub(crate) fn layer_weight(layer: &ir::Layer, name: &str, expected: usize) -> Result<Vec<f32>> {
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
    // an HGQ2 kernel or bias as hls4ml loads it: HGQ2's quantized `qkernel`/`qbias`
    Ok(
        lower::passes::bit_exact::hgq2::quantized_product_weight(layer, name)?
            .unwrap_or_else(|| t.data.clone()),
    )
}

/// The bias of a product layer; `None` without one (hls4ml then writes a zero bias).
fn optional_bias(layer: &ir::Layer, use_bias: bool, n: usize) -> Result<Option<Vec<f32>>> {
    if use_bias {
        layer_weight(layer, "bias", n).map(Some)
    } else {
        Ok(None)
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
    use ir::{Activation, Layer, Tensor};

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
