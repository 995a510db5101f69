//! Whole-network estimate: per-layer estimates in topological order, resource totals (both
//! label kinds), latency from the layer pipeline and II as the slowest stage, utilisation of
//! the part, FITS / DOES NOT FIT with the binding resource, and the warnings.
//!
//! Pipeline style follows hls4ml's `SetPipelineStyle` (`backends/vivado/passes/pipeline_style.py`):
//! DATAFLOW when io_stream or any layer uses the Resource strategy, else PIPELINE. Either way the
//! first sample's latency is the longest path of layer latencies (stages run one after another
//! on one sample); the II is the largest layer II. io_stream adds one FIFO per inner edge.

use crate::calibration::{Calibration, LabelKind};
use crate::error::EstimatorError;
use crate::layers::{self, bram18_for, LayerCtx, LayerEstimate};
use crate::resources::{Device, Resources, RESOURCE_NAMES};
use ir::{IoType, LayerKind, Network, Strategy};
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
    pub analysis: layers::Analysis,
}

impl Analysed {
    /// The strategy whose coefficients apply to this layer.
    pub fn coefficient_strategy(&self) -> Strategy {
        self.analysis.coefficients.unwrap_or(self.strategy)
    }
}

/// Analyse every layer (calibration-independent parts, plus the FIFOs of io_stream and the
/// DATAFLOW channel cycles), in topological order. Also says whether the network is DATAFLOW.
pub fn analyse_network(
    net: &Network,
    device: &Device,
    calib: &Calibration,
) -> Result<(Vec<Analysed>, bool), EstimatorError> {
    let order = net.topo_order()?;
    let cfg = &net.config;
    let stream = cfg.io_type == IoType::Stream;
    // hls4ml SetPipelineStyle: DATAFLOW for io_stream or any Resource-strategy layer.
    let any_resource = order.iter().any(|&id| {
        let l = net.layer(id);
        l.kind.takes_activation() && cfg.resolve(&l.settings).strategy == Strategy::Resource
    });
    let dataflow = stream || any_resource;
    let mut out = Vec::with_capacity(order.len());
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
        let settings = cfg.resolve(&layer.settings);
        let input_width = preds
            .first()
            .map(|&p| cfg.resolve(&net.layer(p).settings).result.width())
            .unwrap_or_else(|| settings.result.width());
        let ctx = LayerCtx {
            layer,
            inputs: &shapes,
            settings: &settings,
            input_width,
            calib,
            device,
        };
        let mut analysis = layers::analyse(&ctx);
        // Input/Flatten/Reshape/Dropout are renames or removed by hls4ml: no stream of their own.
        let passthrough = matches!(
            layer.kind,
            LayerKind::Input { .. }
                | LayerKind::Flatten
                | LayerKind::Reshape { .. }
                | LayerKind::Dropout { .. }
        );
        if stream && !passthrough {
            // FIFO on each incoming edge: depth = producer pixels, width = channels × bits [U].
            for &p in &preds {
                let s = &net.layer(p).output_shape;
                let depth = layers::pixels(s) as u64;
                let width = *s.last().unwrap_or(&1) as u64 * input_width as u64;
                if depth * width > 1024 {
                    analysis.extra_bram += bram18_for(depth, width) as f64;
                } else {
                    analysis.fixed[8] += (depth * width) as f64;
                }
            }
        }
        if dataflow
            && analysis.timing.iter().any(|&t| t != 0.0)
            && preds
                .iter()
                .any(|&p| !matches!(net.layer(p).kind, LayerKind::Input { .. }))
        {
            analysis.timing[5] += 1.0;
        }
        out.push(Analysed {
            id,
            strategy: settings.strategy,
            analysis,
        });
    }
    Ok((out, dataflow))
}

/// Estimate a network whose shapes are inferred.
pub fn estimate(
    net: &Network,
    device: &Device,
    calib: &Calibration,
) -> Result<NetworkEstimate, EstimatorError> {
    let (analysed, dataflow) = analyse_network(net, device, calib)?;
    let cfg = &net.config;
    let mut layers = Vec::with_capacity(analysed.len());
    let mut finish: Vec<(ir::NodeId, f64, f64)> = Vec::with_capacity(analysed.len());
    let mut warnings = Vec::new();
    let mut total = Resources::default();
    let mut post = Resources::default();
    let mut ii = 1u64;
    let mut latency = 0.0f64;
    let mut latency_worst = 0.0f64;
    for Analysed {
        id,
        strategy,
        analysis,
    } in analysed
    {
        let layer = net.layer(id);
        let est = layers::finish(layer, strategy, calib, device, analysis);
        warnings.extend(est.analysis.warnings.iter().cloned());
        total += est.csynth;
        post += est.post_synthesis;
        ii = ii.max(est.ii);
        let start = net
            .inputs_of(id)
            .iter()
            .filter_map(|p| finish.iter().find(|f| f.0 == *p))
            .fold((0.0f64, 0.0f64), |acc, f| (acc.0.max(f.1), acc.1.max(f.2)));
        let end = (
            id,
            start.0 + est.latency_best as f64,
            start.1 + est.latency_worst as f64,
        );
        latency = latency.max(end.1);
        latency_worst = latency_worst.max(end.2);
        finish.push(end);
        layers.push(est);
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
        layers,
        warnings,
        binding_resource: RESOURCE_NAMES[bi],
        latency_worst: latency_worst.round() as u64,
        dataflow,
        will_synthesise,
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
    use ir::{HlsConfig, Layer};

    fn two_dense(strategy: Strategy, rf: u32) -> Network {
        let mut net = Network::new("two");
        net.config = HlsConfig {
            strategy,
            reuse_factor: rf,
            ..HlsConfig::default()
        };
        net.add_layer(Layer::new("in", LayerKind::Input { shape: vec![16] }), &[])
            .unwrap();
        net.add_layer(
            Layer::new(
                "a",
                LayerKind::Dense {
                    units: 8,
                    use_bias: true,
                },
            ),
            &["in"],
        )
        .unwrap();
        let mut b = Layer::new(
            "b",
            LayerKind::Dense {
                units: 4,
                use_bias: true,
            },
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
    fn missing_shapes_are_an_error() {
        let mut net = Network::new("x");
        net.add_layer(Layer::new("in", LayerKind::Input { shape: vec![4] }), &[])
            .unwrap();
        let err = estimate(&net, &u250(), &Calibration::builtin())
            .unwrap_err()
            .to_string();
        assert!(err.contains("shape inference"), "{err}");
    }
}
