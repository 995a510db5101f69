//! Parameter sweep: every combination of reuse factor, strategy, precision, io_type and part
//! estimated in parallel (rayon), and the Pareto front of latency against binding-resource
//! utilisation (both minimised) among the designs that fit and are predicted to synthesise.
//!
//! An axis value of `None` keeps the model's own setting, per-layer ones included (a QKeras
//! model keeps its quantizers, a config file its per-layer RFs), so the point whose axes are
//! all `None` on the model's part is exactly `estimate` of the model. A value replaces the
//! model-level setting and removes the per-layer overrides of that field, as `estimate
//! --reuse-factor/--strategy/--precision` do. Wherever the Latency strategy hits the unroll
//! limit, the same point is also tried with the Resource strategy.

use crate::calibration::Calibration;
use crate::network::{estimate_each, NetworkEstimate, Totals};
use crate::resources::{Device, Resources};
use ir::{FixedType, IoType, Network, Strategy};
use rayon::prelude::*;
use serde::Serialize;

/// The values of each swept axis; `None` keeps the model's own setting.
#[derive(Debug, Clone)]
pub struct Axes {
    pub reuse_factors: Vec<Option<u32>>,
    pub strategies: Vec<Option<Strategy>>,
    pub precisions: Vec<Option<FixedType>>,
    pub io_types: Vec<Option<IoType>>,
    /// Parts (at least one; the model's own part is the CLI's default).
    pub devices: Vec<Device>,
}

/// One configuration of the sweep; `None` is the model's own setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub reuse_factor: Option<u32>,
    pub strategy: Option<Strategy>,
    pub precision: Option<FixedType>,
    pub io_type: Option<IoType>,
    /// Index into [`Axes::devices`].
    pub device: usize,
}

impl Config {
    /// `net` at this configuration.
    pub fn apply(&self, net: &Network, device: &Device) -> Network {
        let mut n = net.clone();
        n.config.part = device.part.clone();
        if let Some(io) = self.io_type {
            n.config.io_type = io;
        }
        if let Some(rf) = self.reuse_factor {
            n.config.reuse_factor = rf;
        }
        if let Some(s) = self.strategy {
            n.config.strategy = s;
        }
        if let Some(p) = &self.precision {
            n.config.precision = p.clone();
        }
        for id in n.graph.node_indices().collect::<Vec<_>>() {
            let l = n.layer_mut(id);
            if self.reuse_factor.is_some() {
                l.settings.reuse_factor = None;
            }
            if self.strategy.is_some() {
                l.settings.strategy = None;
            }
            if self.precision.is_some() {
                l.settings.precision = Default::default();
            }
        }
        n
    }
}

/// One estimated configuration, as `sweep --format json` prints it (null: the model's own).
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub part: String,
    pub io_type: Option<String>,
    pub strategy: Option<String>,
    pub precision: Option<String>,
    pub reuse_factor: Option<u32>,
    /// Why the sweep added this point on its own (e.g. Resource where Latency hits the unroll
    /// limit); null for the points of the axes.
    pub added: Option<String>,
    pub latency_cycles: u64,
    pub latency_ns: f64,
    pub ii: u64,
    pub binding_resource: String,
    pub binding_utilization: f64,
    pub fits: bool,
    pub will_synthesise: bool,
    /// On the Pareto front of latency vs binding utilisation among fitting, synthesising points.
    pub pareto: bool,
    pub total: Totals,
    pub post_synthesis: Resources,
    pub utilization: Resources,
    #[serde(skip)]
    pub config: Config,
    /// The network estimate of this point, without its per-layer estimates (`layers` empty).
    #[serde(skip)]
    pub estimate: NetworkEstimate,
}

impl Point {
    /// Short label for plots: `Resource RF 4 8,3`; the model's own strategy and precision are
    /// left out, its own RF is `RF model`.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.strategy {
            parts.push(s.clone());
        }
        parts.push(format!(
            "RF {}",
            self.reuse_factor
                .map_or("model".to_string(), |r| r.to_string())
        ));
        if let Some(p) = &self.precision {
            parts.push(crate::report::short_precision_str(p));
        }
        parts.join(" ")
    }
}

fn hits_latency_unroll_limit(e: &NetworkEstimate) -> bool {
    e.warnings
        .iter()
        .any(|w| w.contains("will not synthesise") && w.contains("use the Resource strategy"))
}

fn point(
    net: &Network,
    axes: &Axes,
    calib: &Calibration,
    c: Config,
    added: Option<String>,
) -> Result<Point, crate::EstimatorError> {
    let dev = &axes.devices[c.device];
    let n = c.apply(net, dev);
    // The totals only: no per-layer estimate is kept (issue 18: a sweep of a 100k-layer
    // network held every point's layers).
    let e = estimate_each(&n, dev, calib, |_, _| {})?;
    drop(n);
    Ok(Point {
        part: dev.part.clone(),
        io_type: c.io_type.map(|v| v.to_string()),
        strategy: c.strategy.map(|v| v.to_string()),
        precision: c.precision.as_ref().map(|v| v.to_string()),
        reuse_factor: c.reuse_factor,
        added,
        latency_cycles: e.total.latency_cycles,
        latency_ns: e.total.latency_ns,
        ii: e.total.ii,
        binding_resource: e.binding_resource.to_string(),
        binding_utilization: e.binding_utilisation(),
        fits: e.fits,
        will_synthesise: e.will_synthesise,
        pareto: false,
        total: e.total.clone(),
        post_synthesis: e.post_synthesis,
        utilization: e.utilization,
        config: c,
        estimate: e,
    })
}

/// Estimate every combination of the axes, then the Resource fallbacks, and mark the front.
pub fn run(
    net: &Network,
    calib: &Calibration,
    axes: &Axes,
) -> Result<Vec<Point>, crate::EstimatorError> {
    let mut configs = Vec::new();
    for device in 0..axes.devices.len() {
        for &io_type in &axes.io_types {
            for &strategy in &axes.strategies {
                for precision in &axes.precisions {
                    for &reuse_factor in &axes.reuse_factors {
                        let c = Config {
                            reuse_factor,
                            strategy,
                            precision: precision.clone(),
                            io_type,
                            device,
                        };
                        if !configs.contains(&c) {
                            configs.push(c);
                        }
                    }
                }
            }
        }
    }
    let mut points = points_of(net, axes, calib, configs.clone(), None)?;
    let fallbacks: Vec<Config> = points
        .iter()
        .filter(|p| hits_latency_unroll_limit(&p.estimate))
        .map(|p| Config {
            strategy: Some(Strategy::Resource),
            ..p.config.clone()
        })
        .filter(|c| !configs.contains(c))
        .collect();
    let mut seen = Vec::new();
    let fallbacks: Vec<Config> = fallbacks
        .into_iter()
        .filter(|c| {
            let new = !seen.contains(c);
            seen.push(c.clone());
            new
        })
        .collect();
    let extra = points_of(
        net,
        axes,
        calib,
        fallbacks,
        Some("Resource: the Latency strategy hits the unroll limit here"),
    )?;
    points.extend(extra);
    mark_pareto(&mut points);
    Ok(points)
}

/// Layers of the points estimated at once, summed: each point estimates its own copy of the
/// network, so a sweep holds the network once more per point in flight. Up to this many layers
/// the points run on every rayon thread; a deeper network runs fewer at a time (a 100k-layer
/// network two: under 200 MB, issue 18), at least one.
pub const LAYERS_IN_FLIGHT: usize = 200_000;

/// The points of `configs`, in their order, in parallel within [`LAYERS_IN_FLIGHT`].
fn points_of(
    net: &Network,
    axes: &Axes,
    calib: &Calibration,
    configs: Vec<Config>,
    added: Option<&str>,
) -> Result<Vec<Point>, crate::EstimatorError> {
    let layers = net.graph.node_count().max(1);
    let in_flight = (LAYERS_IN_FLIGHT / layers).clamp(1, rayon::current_num_threads().max(1));
    let mut out = Vec::with_capacity(configs.len());
    for chunk in configs.chunks(in_flight) {
        let done: Vec<Point> = chunk
            .par_iter()
            .map(|c| point(net, axes, calib, c.clone(), added.map(str::to_string)))
            .collect::<Result<_, _>>()?;
        out.extend(done);
    }
    Ok(out)
}

/// Mark the points not dominated in (latency_ns, binding_utilization) among those that fit
/// the part and are predicted to synthesise. A point dominates another when it is no worse in
/// both and better in one.
pub fn mark_pareto(points: &mut [Point]) {
    let keys: Vec<(f64, f64, bool)> = points
        .iter()
        .map(|p| {
            (
                p.latency_ns,
                p.binding_utilization,
                p.will_synthesise && p.fits,
            )
        })
        .collect();
    for (i, p) in points.iter_mut().enumerate() {
        let (li, ui, ok) = keys[i];
        p.pareto = ok
            && !keys.iter().enumerate().any(|(j, &(lj, uj, okj))| {
                j != i && okj && lj <= li && uj <= ui && (lj < li || uj < ui)
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::tests::{one_layer_net, u250};
    use ir::{Activation, LayerKind};

    fn axes(rfs: &[u32], strategies: &[Option<Strategy>]) -> Axes {
        Axes {
            reuse_factors: rfs.iter().map(|&r| Some(r)).collect(),
            strategies: strategies.to_vec(),
            precisions: vec![Some(FixedType::fixed(16, 6))],
            io_types: vec![None],
            devices: vec![u250()],
        }
    }

    #[test]
    fn pareto_front_of_rf_sweep() {
        // Dense 64 → 32 in Resource strategy: a larger RF lowers multipliers (utilisation) and
        // raises latency, so every RF is on the front unless two RFs collapse to the same valid RF.
        let net = one_layer_net(
            vec![64],
            LayerKind::Dense(ir::ops::Dense {
                units: 32,
                use_bias: true,
            }),
            Activation::Linear,
            Strategy::Resource,
            1,
            16,
        );
        let pts = run(
            &net,
            &Calibration::builtin(),
            &axes(&[2, 4, 8, 16], &[Some(Strategy::Resource)]),
        )
        .unwrap();
        assert_eq!(pts.len(), 4);
        let lat: Vec<u64> = pts.iter().map(|p| p.latency_cycles).collect();
        assert!(lat.windows(2).all(|w| w[0] < w[1]), "{lat:?}");
        let dsp: Vec<f64> = pts.iter().map(|p| p.estimate.total.dsp).collect();
        // block_factor = 2048 / RF DSPs at 16 bits: 1024, 512, 256, 128.
        assert_eq!(dsp, vec![1024.0, 512.0, 256.0, 128.0]);
        assert!(pts.iter().all(|p| p.pareto));
    }

    #[test]
    fn dominated_and_unfitting_points_are_not_on_the_front() {
        let net = one_layer_net(
            vec![8],
            LayerKind::Dense(ir::ops::Dense {
                units: 4,
                use_bias: true,
            }),
            Activation::Linear,
            Strategy::Resource,
            1,
            16,
        );
        let mut pts = run(
            &net,
            &Calibration::builtin(),
            &axes(&[1, 2], &[Some(Strategy::Resource)]),
        )
        .unwrap();
        // Make point 1 worse in both.
        pts[1].latency_ns = pts[0].latency_ns + 10.0;
        pts[1].binding_utilization = pts[0].binding_utilization + 1.0;
        mark_pareto(&mut pts);
        assert!(pts[0].pareto && !pts[1].pareto);
        // A point that does not fit is off the front even when it dominates.
        pts[0].fits = false;
        mark_pareto(&mut pts);
        assert!(!pts[0].pareto && pts[1].pareto);
    }

    #[test]
    fn latency_over_the_unroll_limit_also_tries_resource() {
        // Dense 128 → 64: 8192 products in one Latency loop, over the ~4096 unroll limit
        // (layers::mac). The sweep adds the Resource point of the same RF, which synthesises.
        let net = one_layer_net(
            vec![128],
            LayerKind::Dense(ir::ops::Dense {
                units: 64,
                use_bias: true,
            }),
            Activation::Linear,
            Strategy::Latency,
            1,
            16,
        );
        let pts = run(
            &net,
            &Calibration::builtin(),
            &axes(&[8], &[Some(Strategy::Latency)]),
        )
        .unwrap();
        assert_eq!(pts.len(), 2);
        assert!(!pts[0].will_synthesise && pts[0].added.is_none());
        assert_eq!(pts[1].strategy.as_deref(), Some("Resource"));
        assert!(pts[1].will_synthesise && pts[1].added.is_some());
    }

    #[test]
    fn the_models_own_point_is_its_estimate() {
        let mut net = one_layer_net(
            vec![16],
            LayerKind::Dense(ir::ops::Dense {
                units: 8,
                use_bias: true,
            }),
            Activation::Linear,
            Strategy::Resource,
            4,
            16,
        );
        // A per-layer precision the sweep must keep at the model's own point.
        let id = net.find("fc").unwrap();
        net.layer_mut(id).settings.precision.weight = Some(FixedType::fixed(4, 1));
        let a = Axes {
            reuse_factors: vec![None, Some(2)],
            strategies: vec![None],
            precisions: vec![None],
            io_types: vec![None],
            devices: vec![u250()],
        };
        let pts = run(&net, &Calibration::builtin(), &a).unwrap();
        let mut own = crate::network::estimate(&net, &u250(), &Calibration::builtin()).unwrap();
        // The same estimate, less what a point does not keep.
        assert!(!own.layers.is_empty());
        (own.layers, own.lowered) = (Vec::new(), None);
        assert_eq!(pts[0].estimate, own);
        assert_ne!(pts[1].estimate.total, own.total);
    }
}
