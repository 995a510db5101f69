//! Parameter sweep: every combination of reuse factor, precision and strategy estimated in
//! parallel (rayon), and the Pareto front of latency against binding-resource utilisation
//! (both minimised).

use crate::calibration::Calibration;
use crate::network::{estimate, NetworkEstimate};
use crate::resources::Device;
use ir::{FixedType, Network, Strategy};
use rayon::prelude::*;
use serde::Serialize;

/// One configuration of the sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    pub reuse_factor: u32,
    pub precision: String,
    pub strategy: String,
}

/// One estimated configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    #[serde(flatten)]
    pub config: Config,
    pub latency_cycles: u64,
    pub latency_ns: f64,
    pub ii: u64,
    pub binding_resource: String,
    pub binding_utilization: f64,
    pub fits: bool,
    pub will_synthesise: bool,
    pub pareto: bool,
    #[serde(skip)]
    pub estimate: NetworkEstimate,
}

/// Estimate every combination. Model-level settings are replaced and per-layer overrides of
/// the swept fields removed, so each point is the network at exactly that setting.
pub fn run(
    net: &Network,
    device: &Device,
    calib: &Calibration,
    rfs: &[u32],
    precisions: &[FixedType],
    strategies: &[Strategy],
) -> Result<Vec<Point>, crate::EstimatorError> {
    let mut configs = Vec::new();
    for &s in strategies {
        for p in precisions {
            for &rf in rfs {
                configs.push((rf, p.clone(), s));
            }
        }
    }
    let mut points: Vec<Point> = configs
        .into_par_iter()
        .map(|(rf, p, s)| {
            let mut n = net.clone();
            n.config.reuse_factor = rf;
            n.config.precision = p.clone();
            n.config.strategy = s;
            for id in n.graph.node_indices().collect::<Vec<_>>() {
                let l = n.layer_mut(id);
                l.settings.reuse_factor = None;
                l.settings.strategy = None;
                l.settings.precision = Default::default();
            }
            let e = estimate(&n, device, calib)?;
            Ok(Point {
                config: Config {
                    reuse_factor: rf,
                    precision: p.to_string(),
                    strategy: s.to_string(),
                },
                latency_cycles: e.total.latency_cycles,
                latency_ns: e.total.latency_ns,
                ii: e.total.ii,
                binding_resource: e.binding_resource.to_string(),
                binding_utilization: e.binding_utilisation(),
                fits: e.fits,
                will_synthesise: e.will_synthesise,
                pareto: false,
                estimate: e,
            })
        })
        .collect::<Result<_, crate::EstimatorError>>()?;
    mark_pareto(&mut points);
    Ok(points)
}

/// Mark the points not dominated in (latency_ns, binding_utilization) among those that are
/// predicted to synthesise. A point dominates another when it is no worse in both and better
/// in one.
pub fn mark_pareto(points: &mut [Point]) {
    let keys: Vec<(f64, f64, bool)> = points
        .iter()
        .map(|p| (p.latency_ns, p.binding_utilization, p.will_synthesise))
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
            &u250(),
            &Calibration::builtin(),
            &[2, 4, 8, 16],
            &[FixedType::fixed(16, 6)],
            &[Strategy::Resource],
        )
        .unwrap();
        assert_eq!(pts.len(), 4);
        let lat: Vec<u64> = pts.iter().map(|p| p.latency_cycles).collect();
        assert!(lat.windows(2).all(|w| w[0] < w[1]), "{lat:?}");
        let dsp: Vec<f64> = pts.iter().map(|p| p.estimate.total.dsp).collect();
        // block_factor = 2048 / RF DSPs at 16 bits: 1024, 512, 256, 128.
        assert_eq!(dsp, vec![1024.0, 512.0, 256.0, 128.0]);
    }

    #[test]
    fn dominated_points_are_not_on_the_front() {
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
            &u250(),
            &Calibration::builtin(),
            &[1, 2],
            &[FixedType::fixed(16, 6)],
            &[Strategy::Resource],
        )
        .unwrap();
        // Make point 1 worse in both.
        pts[1].latency_ns = pts[0].latency_ns + 10.0;
        pts[1].binding_utilization = pts[0].binding_utilization + 1.0;
        mark_pareto(&mut pts);
        assert!(pts[0].pareto && !pts[1].pareto);
    }
}
