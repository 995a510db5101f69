//! Feature extraction: an `ir::Network` (with shapes inferred) plus the device context and,
//! optionally, the analytic model's estimates becomes a [`GraphFeatures`]: one node per layer
//! (kind, activation, log sizes, parameters, MACs, precisions, reuse factor, strategy, io_type,
//! the analytic per-layer estimate), the DAG's edges, each layer's depth, and graph-level
//! features (part resources, DSP width, clock, totals).
//!
//! Everything numeric that spans orders of magnitude goes in as `ln(1 + x)`; the normaliser
//! ([`crate::batch::Normalizer`]) standardises the columns afterwards.

use crate::error::SurrogateError;
use crate::targets::{Estimate, N_TARGETS};
use ir::{Activation, IoType, LayerKind, Network, NodeId, Strategy};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Names of the node feature columns, in order.
pub const NODE_FEATURES: &[&str] = &[
    "kind_input",
    "kind_dense",
    "kind_conv1d",
    "kind_conv2d",
    "kind_pool",
    "kind_global_pool",
    "kind_batchnorm",
    "kind_activation",
    "kind_reshape",
    "kind_merge",
    "kind_dropout",
    "act_linear",
    "act_relu",
    "act_sigmoid",
    "act_tanh",
    "act_softmax",
    "act_leaky_relu",
    "log_in_elements",
    "log_out_elements",
    "log_in_channels",
    "log_out_channels",
    "log_kernel_area",
    "log_stride_area",
    "log_positions",
    "log_params",
    "log_macs",
    "log2_reuse_factor",
    "log_parallel_mults",
    "weight_width",
    "weight_integer",
    "input_width",
    "result_width",
    "accum_width",
    "log_product_bits",
    "fits_one_dsp",
    "strategy_resource",
    "io_stream",
    "zero_weight_fraction",
    "has_analytic",
    "analytic_csynth_lut",
    "analytic_csynth_ff",
    "analytic_csynth_dsp",
    "analytic_csynth_bram_18k",
    "analytic_post_lut",
    "analytic_post_ff",
    "analytic_post_dsp",
    "analytic_post_bram_18k",
    "analytic_latency_best",
    "analytic_latency_worst",
    "analytic_ii",
];
/// Number of node features.
pub const NODE_DIM: usize = NODE_FEATURES.len();

/// Names of the graph-level feature columns, in order.
pub const GRAPH_FEATURES: &[&str] = &[
    "log_part_lut",
    "log_part_ff",
    "log_part_dsp",
    "log_part_bram_18k",
    "dsp_a_width",
    "dsp_b_width",
    "clock_period_ns",
    "log_layers",
    "log_total_params",
    "log_total_macs",
    "log2_model_reuse_factor",
    "model_precision_width",
    "strategy_resource",
    "io_stream",
    "has_analytic",
    "analytic_csynth_lut",
    "analytic_csynth_ff",
    "analytic_csynth_dsp",
    "analytic_csynth_bram_18k",
    "analytic_post_lut",
    "analytic_post_ff",
    "analytic_post_dsp",
    "analytic_post_bram_18k",
    "analytic_latency_best",
    "analytic_latency_worst",
    "analytic_ii",
];
/// Number of graph-level features.
pub const GRAPH_DIM: usize = GRAPH_FEATURES.len();

/// The target device as the features see it: whole-part resources, DSP multiplier width, clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub lut: f64,
    pub ff: f64,
    pub dsp: f64,
    pub bram_18k: f64,
    /// DSP multiplier input widths (A, B): 27×18 for DSP48E2, 25×18 for DSP48E1.
    pub dsp_width: (u32, u32),
    pub clock_period_ns: f64,
}

impl Default for DeviceInfo {
    /// hls4ml 1.3.0's default part xcvu13p-flga2577-2-e (domain notes §2.2: 1,728,000 LUT,
    /// 3,456,000 FF, 12,288 DSP48E2, 5,376 BRAM_18K) at its default 5 ns clock.
    fn default() -> Self {
        DeviceInfo {
            lut: 1_728_000.0,
            ff: 3_456_000.0,
            dsp: 12_288.0,
            bram_18k: 5_376.0,
            dsp_width: (27, 18),
            clock_period_ns: 5.0,
        }
    }
}

/// The analytic model's estimate of a network: the totals and, where it has them, per-layer
/// figures by layer name. Order of each array: [`crate::targets::Target::ALL`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalyticEstimate {
    pub total: Estimate,
    pub per_layer: HashMap<String, Estimate>,
}

/// The features of one network: node rows (row-major, [`NODE_DIM`] each) in topological order,
/// edges between those rows, each node's depth, and the graph-level row.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphFeatures {
    pub nodes: Vec<f32>,
    pub edges: Vec<(u32, u32)>,
    /// Longest path from an input layer, per node.
    pub depth: Vec<u32>,
    pub graph: Vec<f32>,
}

impl GraphFeatures {
    pub fn n_nodes(&self) -> usize {
        self.nodes.len() / NODE_DIM
    }
    pub fn node(&self, i: usize) -> &[f32] {
        &self.nodes[i * NODE_DIM..(i + 1) * NODE_DIM]
    }
}

fn ln1p(x: f64) -> f32 {
    x.max(0.0).ln_1p() as f32
}

fn kind_index(kind: &LayerKind) -> usize {
    match kind {
        // TimeDistributed takes its wrapped layer's slot (the hardware is that layer's)
        LayerKind::TimeDistributed(t) => kind_index(&t.layer.kind),
        LayerKind::Input(_) => 0,
        // The transformer kinds take the slot of their nearest kind, for the reason given for
        // the spatial layers below: matrix products (attention, EinsumDense) Dense's,
        // LayerNormalization BatchNorm's, the Embedding lookup the data-movement slot.
        // Recurrent layers too: their gate products are Dense kernels; and GarNet, whose
        // transforms are per-vertex matrix products.
        LayerKind::Dense(_)
        | LayerKind::MultiHeadAttention(_)
        | LayerKind::EinsumDense(_)
        | LayerKind::Recurrent(_)
        | LayerKind::GarNet(_) => 1,
        // 1-D depthwise/separable convolutions take Conv1D's slot
        LayerKind::Conv1D(_) | LayerKind::DepthwiseConv1D(_) | LayerKind::SeparableConv1D(_) => 2,
        // Depthwise/separable 2-D convolutions take Conv2D's slot, ApplyAlpha and PositionalAdd
        // (hls4ml's nnet::normalize both) BatchNorm's (the reason given for the spatial layers
        // below).
        LayerKind::Conv2D(_) | LayerKind::DepthwiseConv2D(_) | LayerKind::SeparableConv2D(_) => 3,
        LayerKind::Pool1D(_) | LayerKind::Pool2D(_) => 4,
        LayerKind::GlobalPool1D(_) | LayerKind::GlobalPool2D(_) => 5,
        LayerKind::BatchNorm(_)
        | LayerKind::LayerNorm(_)
        | LayerKind::ApplyAlpha
        | LayerKind::PositionalAdd => 6,
        // PReLU is hls4ml's Activation subclass: the activation slot
        // HGQ1's per-element cast: an elementwise op, the activation slot
        LayerKind::Activation(_) | LayerKind::PReLU | LayerKind::FixedPointQuantizer(_) => 7,
        // The spatial copy layers share the data-movement slot of Flatten/Reshape: no training
        // record has them, and a slot of their own would change NODE_DIM and so every trained
        // model (docs/adding-a-layer.md: give them one when data with them is trained on).
        LayerKind::Flatten
        | LayerKind::Reshape(_)
        | LayerKind::ZeroPadding1D(_)
        | LayerKind::ZeroPadding2D(_)
        | LayerKind::Cropping1D(_)
        | LayerKind::Cropping2D(_)
        | LayerKind::UpSampling1D(_)
        | LayerKind::UpSampling2D(_)
        | LayerKind::Permute(_)
        | LayerKind::Embedding(_) => 8,
        LayerKind::Merge(_) | LayerKind::Concatenate(_) | LayerKind::Dot => 9,
        LayerKind::Dropout(_) => 10,
    }
}

fn activation_index(a: &Activation) -> usize {
    match a {
        Activation::Linear => 0,
        // a compare and select as ReLU (nnet::thresholded_relu)
        Activation::Relu | Activation::ThresholdedRelu { .. } | Activation::BinaryTanh => 1,
        Activation::Sigmoid => 2,
        // the other table activations share tanh's slot: a slot of their own would change the
        // node-feature width of every trained model
        Activation::Tanh | Activation::Softplus | Activation::Softsign | Activation::Selu => 3,
        Activation::Softmax => 4,
        // a constant product per element (hard sigmoid/tanh: slope × x, then clipped)
        Activation::LeakyRelu { .. }
        | Activation::Elu { .. }
        | Activation::HardSigmoid
        | Activation::HardTanh
        | Activation::QKerasHardSigmoid
        | Activation::QKerasHardTanh => 5,
    }
}

/// Kernel area and stride area of a sliding-window layer (1 for the others).
fn window(kind: &LayerKind) -> (usize, usize) {
    kind.op().window()
}

fn estimate_row(e: Option<&Estimate>) -> [f32; N_TARGETS + 1] {
    let mut row = [0f32; N_TARGETS + 1];
    if let Some(e) = e {
        row[0] = 1.0;
        for (r, v) in row[1..].iter_mut().zip(e.iter()) {
            *r = ln1p(*v);
        }
    }
    row
}

/// Extract the features of `net`, whose shapes must have been inferred
/// ([`Network::infer_shapes`]). `analytic` adds the analytic model's figures when given.
pub fn extract(
    net: &Network,
    device: &DeviceInfo,
    analytic: Option<&AnalyticEstimate>,
) -> Result<GraphFeatures, SurrogateError> {
    let order = net.topo_order().map_err(|e| SurrogateError::Network {
        network: net.name.clone(),
        message: e.to_string(),
    })?;
    if order.is_empty() {
        return Err(SurrogateError::Network {
            network: net.name.clone(),
            message: "the network has no layers".into(),
        });
    }
    let row_of: HashMap<NodeId, usize> = order.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let cfg = &net.config;
    let mut nodes = Vec::with_capacity(order.len() * NODE_DIM);
    let mut edges = Vec::new();
    let mut depth = vec![0u32; order.len()];
    let (mut total_params, mut total_macs) = (0u64, 0u64);

    for (row, &id) in order.iter().enumerate() {
        let layer = net.layer(id);
        if layer.output_shape.is_empty() {
            return Err(SurrogateError::Network {
                network: net.name.clone(),
                message: format!(
                    "layer '{}' has no output shape: infer shapes first",
                    layer.name
                ),
            });
        }
        let preds = net.inputs_of(id);
        let in_shapes: Vec<Vec<usize>> = preds
            .iter()
            .map(|&p| net.layer(p).output_shape.clone())
            .collect();
        for &p in &preds {
            let src = row_of[&p];
            edges.push((src as u32, row as u32));
            depth[row] = depth[row].max(depth[src] + 1);
        }
        let (params, macs) = ir::shape::layer_cost(layer, &in_shapes, &layer.output_shape);
        total_params += params;
        total_macs += macs;

        let s = cfg.resolve(&layer.settings);
        // The width of the data coming in: the producer's result type (the model default for
        // inputs), as hls4ml types the connecting arrays.
        let input_width = preds
            .first()
            .map(|&p| cfg.resolve(&net.layer(p).settings).result.width())
            .unwrap_or(s.result.width());
        let in_shape: &[usize] = in_shapes
            .first()
            .map(|v| v.as_slice())
            .unwrap_or(&layer.output_shape);
        let in_elems: usize = in_shape.iter().product();
        let out_elems: usize = layer.output_shape.iter().product();
        let in_ch = *in_shape.last().unwrap_or(&1);
        let out_ch = *layer.output_shape.last().unwrap_or(&1);
        let positions = (out_elems / out_ch.max(1)).max(1);
        let (kernel_area, stride_area) = window(&layer.kind);
        // Kinds with a matrix product (the registry's `product_shape`: Dense, convolutions,
        // depthwise/separable, EinsumDense) have multipliers.
        let has_mults = layer.kind.op().product_shape(&in_shapes).is_some();
        // Multiplications per output position (the weights), spread over the reuse factor.
        let per_position = if has_mults {
            macs / positions as u64
        } else {
            0
        };
        let rf = s.reuse_factor.max(1) as f64;
        let parallel = (per_position as f64 / rf).ceil();
        let (ww, wi) = if has_mults {
            (s.weight.width(), s.weight.integer())
        } else {
            (0, 0)
        };
        let product_bits = if has_mults {
            (ww + input_width) as f64
        } else {
            0.0
        };
        let fits_dsp = has_mults
            && ww.max(input_width) <= device.dsp_width.0
            && ww.min(input_width) <= device.dsp_width.1;
        // the kind's first kernel (Dense/Conv `kernel`, SeparableConv2D `depthwise_kernel`, ...)
        let kernel = layer
            .kind
            .op()
            .weights(&in_shapes)
            .into_iter()
            .find(|w| w.role == ir::WeightRole::Kernel)
            .and_then(|w| layer.weight(w.name));
        let zero_frac = match kernel {
            Some(t) if !t.is_empty() => t.zeros() as f32 / t.len() as f32,
            _ => 0.0,
        };
        let act = if let LayerKind::Activation(a) = &layer.kind {
            *a
        } else {
            layer.activation
        };

        let mut f = [0f32; NODE_DIM];
        f[kind_index(&layer.kind)] = 1.0;
        f[11 + activation_index(&act)] = 1.0;
        let numeric = [
            ln1p(in_elems as f64),
            ln1p(out_elems as f64),
            ln1p(in_ch as f64),
            ln1p(out_ch as f64),
            ln1p(kernel_area as f64),
            ln1p(stride_area as f64),
            ln1p(positions as f64),
            ln1p(params as f64),
            ln1p(macs as f64),
            rf.log2() as f32,
            ln1p(parallel),
            ww as f32,
            wi as f32,
            input_width as f32,
            s.result.width() as f32,
            s.accum.width() as f32,
            ln1p(product_bits),
            fits_dsp as u8 as f32,
            (s.strategy == Strategy::Resource) as u8 as f32,
            (s.io_type == IoType::Stream) as u8 as f32,
            zero_frac,
        ];
        f[17..17 + numeric.len()].copy_from_slice(&numeric);
        let est = estimate_row(analytic.and_then(|a| a.per_layer.get(&layer.name)));
        f[17 + numeric.len()..].copy_from_slice(&est);
        nodes.extend_from_slice(&f);
    }

    let mut graph = vec![
        ln1p(device.lut),
        ln1p(device.ff),
        ln1p(device.dsp),
        ln1p(device.bram_18k),
        device.dsp_width.0 as f32,
        device.dsp_width.1 as f32,
        device.clock_period_ns as f32,
        ln1p(order.len() as f64),
        ln1p(total_params as f64),
        ln1p(total_macs as f64),
        (cfg.reuse_factor.max(1) as f64).log2() as f32,
        cfg.precision.width() as f32,
        (cfg.strategy == Strategy::Resource) as u8 as f32,
        (cfg.io_type == IoType::Stream) as u8 as f32,
    ];
    graph.extend_from_slice(&estimate_row(analytic.map(|a| &a.total)));
    debug_assert_eq!(graph.len(), GRAPH_DIM);
    debug_assert_eq!(nodes.len(), order.len() * NODE_DIM);
    Ok(GraphFeatures {
        nodes,
        edges,
        depth,
        graph,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netgen::{dense_chain, residual};

    fn col(name: &str) -> usize {
        NODE_FEATURES.iter().position(|n| *n == name).unwrap()
    }

    #[test]
    fn dense_chain_features() {
        // Input(16) -> Dense(64, relu) -> Dense(5): hand-derived sizes.
        let net = dense_chain(&[16, 64, 5], 4);
        let f = extract(&net, &DeviceInfo::default(), None).unwrap();
        assert_eq!(f.n_nodes(), 3);
        assert_eq!(f.edges, vec![(0, 1), (1, 2)]);
        assert_eq!(f.depth, vec![0, 1, 2]);
        let d1 = f.node(1);
        assert_eq!(d1[col("kind_dense")], 1.0);
        assert_eq!(d1[col("act_relu")], 1.0);
        assert_eq!(
            d1[col("log_params")],
            (16.0f64 * 64.0 + 64.0).ln_1p() as f32
        );
        assert_eq!(d1[col("log_macs")], (16.0f64 * 64.0).ln_1p() as f32);
        assert_eq!(d1[col("log2_reuse_factor")], 2.0);
        // 16*64 multiplications over reuse factor 4.
        assert_eq!(d1[col("log_parallel_mults")], (256f64).ln_1p() as f32);
        // ap_fixed<16,6> weights times ap_fixed<16,6> inputs fit one 27x18 DSP.
        assert_eq!(d1[col("weight_width")], 16.0);
        assert_eq!(d1[col("fits_one_dsp")], 1.0);
        assert_eq!(f.node(0)[col("kind_input")], 1.0);
        assert_eq!(f.node(0)[col("weight_width")], 0.0);
        assert_eq!(f.graph.len(), GRAPH_DIM);
        assert_eq!(
            f.graph[GRAPH_FEATURES
                .iter()
                .position(|n| *n == "has_analytic")
                .unwrap()],
            0.0
        );
    }

    #[test]
    fn residual_edges_and_depth() {
        // in -> a -> b -> add(a, b): add has depth 3 through b.
        let net = residual();
        let f = extract(&net, &DeviceInfo::default(), None).unwrap();
        assert_eq!(f.n_nodes(), 4);
        let mut e = f.edges.clone();
        e.sort();
        assert_eq!(e, vec![(0, 1), (1, 2), (1, 3), (2, 3)]);
        assert_eq!(f.depth, vec![0, 1, 2, 3]);
        assert_eq!(f.node(3)[col("kind_merge")], 1.0);
    }

    #[test]
    fn analytic_estimates_go_into_nodes_and_graph() {
        let net = dense_chain(&[8, 4], 1);
        let mut a = AnalyticEstimate {
            total: [10.0, 20.0, 0.0, 1.0, 9.0, 15.0, 0.0, 2.0, 5.0, 5.0, 1.0],
            ..Default::default()
        };
        a.per_layer.insert(
            "fc0".into(),
            [9.0, 19.0, 0.0, 1.0, 8.0, 14.0, 0.0, 2.0, 4.0, 4.0, 1.0],
        );
        let f = extract(&net, &DeviceInfo::default(), Some(&a)).unwrap();
        assert_eq!(f.node(1)[col("has_analytic")], 1.0);
        assert_eq!(f.node(1)[col("analytic_csynth_lut")], 10f32.ln());
        assert_eq!(f.node(0)[col("has_analytic")], 0.0);
        let g = |n: &str| f.graph[GRAPH_FEATURES.iter().position(|x| *x == n).unwrap()];
        assert_eq!(g("analytic_csynth_ff"), 21f32.ln());
        assert_eq!(g("analytic_csynth_dsp"), 0.0);
        assert_eq!(g("analytic_post_bram_18k"), 3f32.ln());
    }

    #[test]
    fn shapes_must_be_inferred() {
        let mut net = Network::new("raw");
        net.add_layer(
            ir::Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![4] })),
            &[],
        )
        .unwrap();
        let err = extract(&net, &DeviceInfo::default(), None).unwrap_err();
        assert!(err.to_string().contains("infer shapes"), "{err}");
    }
}
