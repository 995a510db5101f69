//! Whole-network estimate: per-layer estimates in topological order, resource totals (both
//! label kinds), latency from the layer pipeline and II as the slowest stage, utilisation of
//! the part, FITS / DOES NOT FIT with the binding resource, and the warnings.
//!
//! Pipeline style follows hls4ml's `SetPipelineStyle` (`backends/vivado/passes/pipeline_style.py`):
//! DATAFLOW when io_stream or any layer uses the Resource strategy, else PIPELINE. The first
//! sample's latency comes from [`schedule`]: in io_parallel the layers hand over whole arrays
//! and run one after another along the longest path; in io_stream the FIFO-connected layers
//! overlap and csynth reports about the slowest layer's latency. The 33 wa-hls4ml conv2d rows
//! say so: conv2d_0 reports 1,079,245 cycles at RF 8192, 16383, 24574 and 32765 although the
//! RF-bound latency of its dense head grows about 4x over that range (adding the head's latency
//! after the convolution made the held-out conv latency SMAPE 1.05 % instead of 0.06 %). The II
//! is the largest layer II.
//! io_stream adds one FIFO per stream of the project hls4ml writes (`#pragma HLS STREAM
//! variable=layerN_out depth=pixels`; Flatten is an alias of its producer's stream, the top-level
//! input is a port), read off the shared lowering's graph ([`crate::lowered::stream_fifos`]): the
//! edges between layers, the ZeroPadding hls4ml inserts before a `same` conv, the activations it
//! splits off, the copies of a Clone at a fan-out. Where hls4ml cannot convert the network, the
//! IR's edges and each kind's model of the layers hls4ml inserts stand in.

use crate::calibration::{Calibration, Feature, LabelKind, Timing};
use crate::error::EstimatorError;
use crate::layers::kinds::{model_of, StreamRole};
use crate::layers::{self, bram18_for, LayerCtx, LayerEstimate};
use crate::resources::{Device, Resources, RESOURCE_NAMES};
use ir::{IoType, Network, Strategy};
use serde::Serialize;

/// The `total` block: the csynth estimate plus timing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub lut: f64,
    pub ff: f64,
    pub dsp: f64,
    pub bram_18k: f64,
    pub uram: f64,
    pub latency_cycles: u64,
    pub latency_ns: f64,
    pub ii: u64,
}

/// The estimate of a whole network; serialises to the stable JSON of `presynth estimate`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkEstimate {
    pub part: String,
    pub clock_period_ns: f64,
    /// HLS C-synthesis estimate and latency.
    pub total: Totals,
    /// Vivado logic-synthesis estimate.
    pub post_synthesis: Resources,
    /// Percent of the part, from the post-synthesis estimate.
    pub utilization: Resources,
    pub fits: bool,
    pub layers: Vec<LayerEstimate>,
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub binding_resource: &'static str,
    #[serde(skip)]
    pub latency_worst: u64,
    #[serde(skip)]
    pub dataflow: bool,
    #[serde(skip)]
    pub will_synthesise: bool,
    /// hls4ml's layer graph of the network (the shared lowering), when hls4ml converts it: the
    /// hls4ml layers behind each per-layer row ([`crate::lowered::hls_layers`]).
    #[serde(skip)]
    pub lowered: Option<lower::Graph>,
    /// Lower bound on the first sample's latency that any estimate must respect (io_stream:
    /// [`crate::dataflow`]; 0 otherwise).
    #[serde(skip)]
    pub latency_lower_bound: u64,
}

fn not_inferred(name: &str, kind: &str) -> EstimatorError {
    EstimatorError::Layer {
        layer: name.to_string(),
        kind: kind.to_string(),
        message: "output shape is empty: run shape inference (Network::infer_shapes) first".into(),
    }
}

/// One analysed layer of a network.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub id: ir::NodeId,
    pub strategy: Strategy,
    /// Boxed: a network's analyses are all held until each is finished into an estimate, and
    /// an inline one made every entry ~400 bytes (40 MB for 100k layers) for that whole time.
    pub analysis: Box<layers::Analysis>,
}

impl Analysed {
    /// The coefficient set that applies to this layer.
    pub fn coef_set(&self) -> crate::calibration::CoefSet {
        self.analysis.coef_set(self.strategy)
    }
}

/// Analyse every layer (calibration-independent parts, plus the FIFOs of io_stream and the
/// DATAFLOW channel cycles), in topological order. Also says whether the network is DATAFLOW.
pub fn analyse_network(
    net: &Network,
    device: &Device,
    calib: &Calibration,
) -> Result<(Vec<Analysed>, bool), EstimatorError> {
    analyse_lowered(net, device, calib, lower::lower(net).ok().as_ref())
}

/// [`analyse_network`] with the network's lowered graph: in io_stream every FIFO of the project
/// comes from it ([`crate::lowered::stream_fifos`]: the inputs of each layer, the ZeroPadding
/// before a `same` conv, the activation split off a Dense/Conv, the clones of a fan-out).
/// `None` (a network hls4ml cannot convert, e.g. a merge of 3 inputs): each layer pays for the
/// streams of its IR inputs and each kind's own model of the FIFOs hls4ml inserts in it.
pub fn analyse_lowered(
    net: &Network,
    device: &Device,
    calib: &Calibration,
    lowered: Option<&lower::Graph>,
) -> Result<(Vec<Analysed>, bool), EstimatorError> {
    let mut out = Vec::with_capacity(net.graph.node_count());
    let dataflow = analyse_each(net, device, calib, lowered, |a| out.push(a))?;
    Ok((out, dataflow))
}

/// [`analyse_lowered`], each layer's analysis handed to `each` in topological order as soon as
/// it is made instead of being collected (each layer's analysis depends on the network, not on
/// the other analyses): the estimate finishes and drops each one at once, so a deep network's
/// analyses are never all held (issue 18). Returns whether the network is DATAFLOW.
pub fn analyse_each(
    net: &Network,
    device: &Device,
    calib: &Calibration,
    lowered: Option<&lower::Graph>,
    mut each: impl FnMut(Analysed),
) -> Result<bool, EstimatorError> {
    let order = net.topo_order()?;
    let cfg = &net.config;
    let stream = cfg.io_type == IoType::Stream;
    // hls4ml SetPipelineStyle: DATAFLOW for io_stream or any Resource-strategy layer.
    let any_resource = order.iter().any(|&id| {
        let l = net.layer(id);
        l.kind.takes_activation() && cfg.resolve(&l.settings).strategy == Strategy::Resource
    });
    let dataflow = stream || any_resource;
    let mut fifos_of = lowered.map(crate::lowered::stream_fifos);
    // Types a config gives as `auto` are the ones the lowering inferred (hls4ml's
    // `infer_precision_types`), not the model default.
    let inferred = lowered
        .map(crate::lowered::inferred_settings)
        .unwrap_or_default();
    let folded = lowered
        .map(crate::lowered::folded_layers)
        .unwrap_or_default();
    let settings_of = |id: ir::NodeId| {
        inferred
            .get(&id)
            .map_or(&net.layer(id).settings, |&(s, _)| s)
    };
    for &id in &order {
        let layer = net.layer(id);
        if layer.output_shape.is_empty() {
            return Err(not_inferred(&layer.name, layer.kind.name()));
        }
        let preds = net.inputs_of(id);
        let shapes: Vec<&[usize]> = preds
            .iter()
            .map(|&p| net.layer(p).output_shape.as_slice())
            .collect();
        let settings = cfg.resolve(settings_of(id));
        let input_width = preds
            .first()
            .map(|&p| match inferred.get(&p) {
                // what the layer hands on: its split activation's type, if it has one
                Some(&(_, out)) => out.width(),
                None => cfg.resolve(&net.layer(p).settings).result.width(),
            })
            .unwrap_or_else(|| settings.result.width());
        let ctx = LayerCtx {
            layer,
            inputs: &shapes,
            settings: &settings,
            input_width,
            calib,
            device,
            tool: layers::Tool::of_backend(&cfg.backend),
            clock_ns: cfg.clock_period_ns,
            part: &cfg.part,
        };
        let mut analysis = if folded.contains(&id) {
            layers::Analysis::free(FOLDED)
        } else {
            layers::analyse(&ctx)
        };
        // Input/Flatten/Reshape/Dropout are ports, renames or removed by hls4ml: no stream of
        // their own.
        let passthrough = model_of(&layer.kind).stream() != StreamRole::Owned;
        analysis.io_stream = stream;
        analysis.ff_scale = crate::streamff::scale(ctx.tool, cfg.strategy, stream);
        analysis.lut_scale = crate::streamff::lut_scale(ctx.tool, cfg.strategy, stream);
        let own = std::mem::take(&mut analysis.streams);
        if let (true, Some(by_layer)) = (stream, fifos_of.as_mut()) {
            // every stream of the project hls4ml writes, read off its layer graph
            for (depth, width) in by_layer.remove(&id).unwrap_or_default() {
                add_fifo(&mut analysis, depth, width);
            }
        } else if stream && !passthrough {
            for &p in &preds {
                let Some((depth, width)) = stream_of(net, p) else {
                    continue;
                };
                add_fifo(&mut analysis, depth, width);
            }
            for (depth, width) in own {
                add_fifo(&mut analysis, depth, width);
            }
        }
        if dataflow
            && analysis.timing.iter().any(|&t| t != 0.0)
            && preds
                .iter()
                .any(|&p| model_of(&net.layer(p).kind).stream() != StreamRole::Port)
        {
            analysis.timing[Timing::DataflowEdge] += 1.0;
        }
        each(Analysed {
            id,
            strategy: settings.strategy,
            analysis: Box::new(analysis),
        });
    }
    Ok(dataflow)
}

/// The formula of a BatchNormalization hls4ml folds into the layer before it.
const FOLDED: &[&str] = &[
    "no logic: hls4ml folds this BatchNormalization into the weights of the Dense/Conv before it (fuse_batch_normalization: that layer's result type is 'auto')",
];

/// The FIFO that feeds a consumer of `producer` in io_stream: `(depth, width bits)` of the
/// stream of the nearest producer that is not an alias (Flatten, Reshape, Dropout), or `None`
/// when that is the top-level input (a port, not a FIFO).
fn stream_of(net: &Network, producer: ir::NodeId) -> Option<(f64, f64)> {
    let mut p = producer;
    loop {
        let l = net.layer(p);
        match model_of(&l.kind).stream() {
            StreamRole::Port => return None,
            StreamRole::Alias => {
                p = *net.inputs_of(p).first()?;
            }
            StreamRole::Owned => {
                let s = &l.output_shape;
                let bits = net.config.resolve(&l.settings).result.width() as f64;
                return Some((layers::pixels(s), *s.last().unwrap_or(&1) as f64 * bits));
            }
        }
    }
}

/// Price one FIFO: BRAM18 of depth × width when deeper than 2 and over 1024 bits [U: Vitis's
/// own FIFO mapping threshold is not documented], else fabric bits.
fn add_fifo(analysis: &mut layers::Analysis, depth: f64, width: f64) {
    if depth > 2.0 && depth * width > 1024.0 {
        analysis.fifo_bram += bram18_for(depth as u64, width as u64) as f64;
    } else {
        analysis.fixed[Feature::BufferBits] += depth * width;
    }
}

/// When each layer of one sample ends, and which layers' own latencies add up to the end of
/// the last one (the critical path). `order` is topological and `latency[i]` is the latency of
/// `order[i]`. io_parallel: a layer starts when its last producer ends. io_stream: every layer
/// starts at once (FIFO-connected layers overlap), so the slowest layer is the critical path.
/// Returns the end times and the indices (into `order`) of the critical layers.
///
/// Longest path by dynamic programming over the topological order: each layer keeps its end
/// time and the one producer it waits for, and the critical path is read back from the last
/// layer through those links. Time and memory are linear in the number of layers and edges
/// (keeping a whole path per layer was quadratic: 40k layers took 48 s and 6.5 GB).
pub fn schedule(
    net: &Network,
    order: &[ir::NodeId],
    latency: &[f64],
    stream: bool,
) -> (Vec<f64>, Vec<usize>) {
    let n = order.len();
    // Position of each node in `order`, by node index.
    let slots = order.iter().map(|o| o.index() + 1).max().unwrap_or(0);
    let mut pos = vec![usize::MAX; slots];
    for (i, o) in order.iter().enumerate() {
        pos[o.index()] = i;
    }
    let mut end = vec![0.0f64; n];
    let mut waits_for = vec![usize::MAX; n];
    for i in 0..n {
        let producer = if stream {
            None
        } else {
            net.inputs_of(order[i])
                .iter()
                .filter_map(|p| pos.get(p.index()).copied().filter(|&q| q < i))
                // the latest-ending producer; on a tie the last operand
                .max_by(|&a, &b| end[a].total_cmp(&end[b]))
        };
        let start = producer.map_or(0.0, |p| end[p]);
        end[i] = start + latency[i];
        waits_for[i] = producer.unwrap_or(usize::MAX);
    }
    let mut critical = Vec::new();
    let mut at = (0..n).max_by(|&a, &b| end[a].total_cmp(&end[b]));
    while let Some(i) = at {
        critical.push(i);
        at = Some(waits_for[i]).filter(|&p| p != usize::MAX);
    }
    critical.reverse();
    (end, critical)
}

/// Estimate a network whose shapes are inferred.
pub fn estimate(
    net: &Network,
    device: &Device,
    calib: &Calibration,
) -> Result<NetworkEstimate, EstimatorError> {
    let mut layers = Vec::with_capacity(net.graph.node_count());
    let mut e = estimate_inner(net, device, calib, |_, l| layers.push(l), true)?;
    e.layers = layers;
    Ok(e)
}

/// [`estimate`], but each layer's estimate is handed to `each` with its node, in topological
/// order, instead of being kept: the result's `layers` is empty. A caller that needs only
/// part of each estimate (the report's row) then never holds them all (issue 18: 100k layers).
/// The lowered graph is dropped once the layers are analysed (`lowered` is `None`).
pub fn estimate_each(
    net: &Network,
    device: &Device,
    calib: &Calibration,
    each: impl FnMut(ir::NodeId, LayerEstimate),
) -> Result<NetworkEstimate, EstimatorError> {
    estimate_inner(net, device, calib, each, false)
}

fn estimate_inner(
    net: &Network,
    device: &Device,
    calib: &Calibration,
    mut each: impl FnMut(ir::NodeId, LayerEstimate),
    keep_lowered: bool,
) -> Result<NetworkEstimate, EstimatorError> {
    // hls4ml's graph is as large as the network, and the estimate needs it for io_stream's
    // FIFOs and the types of `auto` precisions only: made for io_stream, `auto` types or when
    // the caller keeps everything anyway, and freed
    // once the layers are estimated otherwise.
    let stream = net.config.io_type == IoType::Stream;
    let any_auto = net
        .graph
        .node_indices()
        .any(|id| !net.layer(id).settings.auto.is_none());
    let lowering = (stream || keep_lowered || any_auto).then(|| lower::lower(net));
    let mut warnings = Vec::new();
    if let (true, Some(Err(e))) = (any_auto, &lowering) {
        warnings.push(format!(
            "precisions given as 'auto' are priced at the model default ({}): the network \
             cannot be lowered as hls4ml does ({e})",
            net.config.precision
        ));
    }
    let lowered = lowering.and_then(|r| r.ok());
    let cfg = &net.config;
    let n = net.graph.node_count();
    let mut order: Vec<ir::NodeId> = Vec::with_capacity(n);
    // Each layer's pipeline tail, for the io_stream lower bound (the estimates themselves go to
    // `each`).
    let mut tails = Vec::with_capacity(n);
    let mut best = Vec::with_capacity(n);
    let mut worst = Vec::with_capacity(n);
    // The unrounded cycles (worst = best + the rounded worst-case extra) and whether every
    // layer has the Latency strategy: hls4ml 1.3.0 (SetPipelineStyle) pipelines the io_parallel
    // top of an all-Latency network (`#pragma HLS PIPELINE`, the layers inlined), and the
    // tool then chains operations across layer boundaries: at 25 ns, three dense layers of
    // well under a cycle each take one cycle together (Alezander9/ML_FPGAonPixel 001–004:
    // latency 1), not zero. The path takes the larger of the summed whole-cycle layer figures
    // (the timing coefficients' unit: fitted per layer at 5 ns, where a layer is at least one
    // cycle) and the rounded sum of the unrounded ones (what rounding each sub-cycle layer to
    // 0 loses). Resource layers (DATAFLOW) and io_stream keep whole cycles each.
    let mut best_exact = Vec::with_capacity(n);
    let mut worst_exact = Vec::with_capacity(n);
    let mut all_latency = true;
    let mut total = Resources::default();
    let mut post = Resources::default();
    let mut ii = 1u64;
    // Each analysis is finished into the layer's estimate as soon as it is made.
    let dataflow = analyse_each(
        net,
        device,
        calib,
        lowered.as_ref(),
        |Analysed {
             id,
             strategy,
             analysis,
         }| {
            let layer = net.layer(id);
            let est = layers::finish(layer, strategy, calib, device, *analysis);
            warnings.extend(est.analysis.warnings.iter().cloned());
            total += est.csynth;
            post += est.post_synthesis;
            ii = ii.max(est.ii);
            best.push(est.latency_best as f64);
            worst.push(est.latency_worst as f64);
            best_exact.push(est.latency_exact);
            worst_exact
                .push(est.latency_exact + (est.latency_worst as f64 - est.latency_best as f64));
            all_latency &= strategy == ir::Strategy::Latency;
            tails.push(est.tail);
            order.push(id);
            each(id, est);
        },
    )?;
    let lowered = if keep_lowered { lowered } else { None };
    let last = |t: &[f64]| {
        schedule(net, &order, t, stream)
            .0
            .into_iter()
            .fold(0.0, f64::max)
    };
    let chained = !stream && all_latency;
    let (mut latency, mut latency_worst) = (last(&best), last(&worst));
    if chained {
        latency = latency.max(last(&best_exact).round());
        latency_worst = latency_worst.max(last(&worst_exact).round());
    }
    let mut lower_bound = 0.0;
    if stream {
        // The physical lower bound of a DATAFLOW of FIFOs (crate::dataflow).
        let bound = crate::dataflow::stream_lower_bound(net, &order, &best, &tails);
        latency = latency.max(bound);
        latency_worst = latency_worst.max(bound);
        lower_bound = bound;
    }
    let utilization = device.utilisation(&post.rounded());
    let util = utilization.as_array();
    let (bi, _) =
        util.iter().enumerate().fold(
            (0usize, f64::MIN),
            |b, (i, &u)| if u > b.1 { (i, u) } else { b },
        );
    let fits = util.iter().all(|&u| u <= 100.0);
    let will_synthesise = !warnings.iter().any(|w| w.contains("will not synthesise"));
    let lat = latency.round() as u64;
    Ok(NetworkEstimate {
        part: device.part.clone(),
        clock_period_ns: cfg.clock_period_ns,
        total: Totals {
            lut: total.lut.round(),
            ff: total.ff.round(),
            dsp: total.dsp.round(),
            bram_18k: total.bram_18k.round(),
            uram: total.uram.round(),
            latency_cycles: lat,
            latency_ns: lat as f64 * cfg.clock_period_ns,
            ii,
        },
        post_synthesis: post.rounded(),
        utilization,
        fits,
        layers: Vec::new(),
        warnings,
        binding_resource: RESOURCE_NAMES[bi],
        latency_worst: latency_worst.round() as u64,
        dataflow,
        will_synthesise,
        lowered,
        latency_lower_bound: lower_bound.round() as u64,
    })
}

impl NetworkEstimate {
    /// The resource totals of one label kind.
    pub fn resources(&self, kind: LabelKind) -> Resources {
        match kind {
            LabelKind::Csynth => Resources {
                lut: self.total.lut,
                ff: self.total.ff,
                dsp: self.total.dsp,
                bram_18k: self.total.bram_18k,
                uram: self.total.uram,
            },
            LabelKind::PostSynthesis => self.post_synthesis,
        }
    }
    /// Utilisation of the binding (most used) resource, in percent.
    pub fn binding_utilisation(&self) -> f64 {
        self.utilization.as_array().into_iter().fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::tests::u250;
    use ir::{HlsConfig, Layer, LayerKind};

    fn two_dense(strategy: Strategy, rf: u32) -> Network {
        let mut net = Network::new("two");
        net.config = HlsConfig {
            strategy,
            reuse_factor: rf,
            ..HlsConfig::default()
        };
        net.add_layer(
            Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![16] })),
            &[],
        )
        .unwrap();
        net.add_layer(
            Layer::new(
                "a",
                LayerKind::Dense(ir::ops::Dense {
                    units: 8,
                    use_bias: true,
                }),
            ),
            &["in"],
        )
        .unwrap();
        let mut b = Layer::new(
            "b",
            LayerKind::Dense(ir::ops::Dense {
                units: 4,
                use_bias: true,
            }),
        );
        b.settings.reuse_factor = Some(8);
        net.add_layer(b, &["a"]).unwrap();
        net.infer_shapes().unwrap();
        net
    }

    #[test]
    fn dataflow_latency_adds_and_ii_is_the_slowest_stage() {
        // Resource: a = 16×8 at RF 16 (valid), b = 8×4 at RF 8 (valid). hls4ml puts Resource
        // models in DATAFLOW; each stage runs its RF loop: latency ≈ 16 + 8 + a few cycles of
        // depth; II = max(16, 8) = 16.
        let e = estimate(
            &two_dense(Strategy::Resource, 16),
            &u250(),
            &Calibration::builtin(),
        )
        .unwrap();
        assert!(e.dataflow);
        assert_eq!(e.total.ii, 16);
        assert!(
            (26..=28).contains(&e.total.latency_cycles),
            "{}",
            e.total.latency_cycles
        );
        // Totals are the sums of the layers.
        let lut: f64 = e.layers.iter().map(|l| l.csynth.lut).sum();
        assert!((e.total.lut - lut).abs() <= 0.5);
    }

    #[test]
    fn latency_strategy_pipelines() {
        // All Latency at RF 1: PIPELINE style, II 1.
        let mut net = two_dense(Strategy::Latency, 1);
        let b = net.find("b").unwrap();
        net.layer_mut(b).settings.reuse_factor = None;
        let e = estimate(&net, &u250(), &Calibration::builtin()).unwrap();
        assert!(!e.dataflow);
        assert_eq!(e.total.ii, 1);
        assert!(e.fits);
    }

    #[test]
    fn schedule_is_the_longest_path() {
        // in -> a -> b -> add, in -> c -> add: with latencies in 0, a 5, b 7, c 20, add 1,
        // io_parallel ends are a 5, b 12, c 20, add max(12, 20) + 1 = 21, through c.
        let mut net = Network::new("diamond");
        net.add_layer(
            Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![4] })),
            &[],
        )
        .unwrap();
        let dense = || {
            LayerKind::Dense(ir::ops::Dense {
                units: 4,
                use_bias: true,
            })
        };
        net.add_layer(Layer::new("a", dense()), &["in"]).unwrap();
        net.add_layer(Layer::new("b", dense()), &["a"]).unwrap();
        net.add_layer(Layer::new("c", dense()), &["in"]).unwrap();
        net.add_layer(
            Layer::new("add", LayerKind::Merge(ir::ops::Merge::ADD)),
            &["b", "c"],
        )
        .unwrap();
        let order = net.topo_order().unwrap();
        let names: Vec<&str> = order.iter().map(|&i| net.layer(i).name.as_str()).collect();
        assert_eq!(names, ["in", "a", "b", "c", "add"]);
        let (end, critical) = schedule(&net, &order, &[0.0, 5.0, 7.0, 20.0, 1.0], false);
        assert_eq!(end, [0.0, 5.0, 12.0, 20.0, 21.0]);
        assert_eq!(critical, [0, 3, 4]); // in, c, add
                                         // io_stream: every layer starts at once; the slowest alone is critical.
        let (end, critical) = schedule(&net, &order, &[0.0, 5.0, 7.0, 20.0, 1.0], true);
        assert_eq!(end, [0.0, 5.0, 7.0, 20.0, 1.0]);
        assert_eq!(critical, [3]);
    }

    #[test]
    fn a_100k_layer_chain_schedules_in_linear_time() {
        // Issue 18: a path per layer made this quadratic (5·10^9 indices copied for 100k).
        let n = 100_000;
        let mut net = Network::new("deep");
        net.add_layer(
            Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![4] })),
            &[],
        )
        .unwrap();
        for i in 1..n {
            let prev = if i == 1 {
                "in".to_string()
            } else {
                format!("d{}", i - 1)
            };
            net.add_layer(
                Layer::new(
                    format!("d{i}"),
                    LayerKind::Dropout(ir::ops::Dropout { rate: 0.0 }),
                ),
                &[&prev],
            )
            .unwrap();
        }
        let order = net.topo_order().unwrap();
        let t = std::time::Instant::now();
        let (end, critical) = schedule(&net, &order, &vec![1.0; n], false);
        assert!(t.elapsed().as_secs_f64() < 2.0, "{:?}", t.elapsed());
        assert_eq!(end[n - 1], n as f64);
        assert_eq!(critical, (0..n).collect::<Vec<_>>());
    }

    #[test]
    fn missing_shapes_are_an_error() {
        let mut net = Network::new("x");
        net.add_layer(
            Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![4] })),
            &[],
        )
        .unwrap();
        let err = estimate(&net, &u250(), &Calibration::builtin())
            .unwrap_err()
            .to_string();
        assert!(err.contains("shape inference"), "{err}");
    }

    #[test]
    fn a_batchnorm_hls4ml_folds_costs_nothing() {
        // a -> bn: with a's result `auto` (granularity='name'), hls4ml folds bn into a's
        // weights (fuse_batch_normalization): bn has no hls4ml layer and no cost; with a's
        // result given, bn is a normalize layer with its multipliers.
        let with_bn = |auto: bool| {
            let mut net = two_dense(Strategy::Latency, 1);
            let b = net.find("b").unwrap();
            net.layer_mut(b).settings = Default::default();
            net.layer_mut(net.find("a").unwrap()).settings.auto.result = auto;
            let mut g = Network::new("bn");
            g.config = net.config.clone();
            for name in ["in", "a"] {
                let l = net.layer(net.find(name).unwrap()).clone();
                let inputs: Vec<&str> = if name == "in" { vec![] } else { vec!["in"] };
                g.add_layer(l, &inputs).unwrap();
            }
            let bn = Layer::new(
                "bn",
                LayerKind::BatchNorm(ir::ops::BatchNorm {
                    epsilon: 1e-3,
                    center: true,
                    scale: true,
                }),
            );
            g.add_layer(bn, &["a"]).unwrap();
            g.infer_shapes().unwrap();
            let e = estimate(&g, &u250(), &Calibration::builtin()).unwrap();
            let row = e.layers.iter().find(|l| l.name == "bn").unwrap().clone();
            (row.csynth.lut, row.csynth.dsp)
        };
        assert_eq!(with_bn(true), (0.0, 0.0));
        let (lut, _) = with_bn(false);
        assert!(lut > 0.0, "{lut}");
    }
}
