//! The one result schema of `presynth estimate`, whatever the estimator (analytic, or a
//! surrogate on top of it): [`EstimateReport`]. `docs/estimate.schema.json` is its JSON Schema;
//! the CLI's table, CSV and HTML report are all printed from it, and a later Python package can
//! read the same JSON.
//!
//! Owns: the report's fields, building it from an analytic [`NetworkEstimate`], replacing its
//! totals by a surrogate's prediction (with an interval per figure and the model's coverage),
//! the headline ("WILL NOT SYNTHESISE" first when it applies), the short precision notation of
//! the tables, and the calibration warnings (coefficients not fitted on data, post-synthesis
//! figures that are the csynth coefficients).

use crate::calibration::{Calibration, CoefSet, LabelKind};
use crate::layers::LayerEstimate;
use crate::network::{NetworkEstimate, Totals};
use crate::resources::{Device, Resources, RESOURCE_NAMES};
use ir::{FixedType, Network};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the schema in `docs/estimate.schema.json` (its `$id` ends in this).
pub const SCHEMA: &str = "presynth-estimate/1";

/// A network's estimate as `presynth estimate --format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateReport {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// `analytic`, `hybrid`, `gnn`, `transformer` or `pure`.
    pub estimator: String,
    pub model: String,
    pub part: String,
    pub clock_period_ns: f64,
    /// `io_parallel` or `io_stream`.
    pub io_type: String,
    /// `PIPELINE` or `DATAFLOW` (hls4ml's pipeline style).
    pub pipeline: String,
    /// The HLS C-synthesis (csynth) estimate and timing.
    pub total: Totals,
    /// Worst-case latency in cycles (the best case is `total.latency_cycles`).
    pub latency_worst_cycles: u64,
    /// The Vivado logic-synthesis estimate.
    pub post_synthesis: Resources,
    /// True when some priced layer's post-synthesis LUT/FF figures come from the csynth
    /// coefficients (no post-synthesis rows of its strategy were fitted): then they are a copy
    /// of csynth's, not a post-synthesis estimate of their own.
    pub post_synthesis_copies_csynth: bool,
    /// Percent of the part used, from `post_synthesis` (null: used but the part has none).
    pub utilization: Resources,
    /// The most used resource (`lut`, `ff`, `dsp`, `bram_18k`, `uram`).
    pub binding_resource: String,
    /// Every resource at most 100 % of the part.
    pub fits: bool,
    /// False when hls4ml/Vitis HLS is predicted to fail (e.g. a Latency layer over the unroll
    /// limit); the resources are then what it would use if it did synthesise.
    pub will_synthesise: bool,
    pub layers: Vec<LayerReport>,
    pub warnings: Vec<String>,
    /// A surrogate's interval per figure (key: the figure's JSON path, e.g. `total.lut`);
    /// null for the analytic estimator.
    pub interval: Option<BTreeMap<String, Interval>>,
    /// Whether the surrogate was trained on networks like this one; null for analytic.
    pub coverage: Option<Coverage>,
    /// The surrogate model that gave the totals; null for analytic.
    pub surrogate: Option<SurrogateInfo>,
    /// The analytic totals a surrogate replaced; null for analytic.
    pub analytic: Option<AnalyticTotals>,
    /// Physical lower bound on the latency (io_stream: [`crate::dataflow`]), which a surrogate's
    /// prediction is raised to.
    #[serde(skip)]
    pub latency_lower_bound: u64,
}

/// One layer: shapes, parameters, precisions, settings and the analytic figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerReport {
    pub name: String,
    pub kind: String,
    /// Names of the layers feeding this one (the model graph).
    pub inputs: Vec<String>,
    pub input_shape: Vec<Vec<usize>>,
    pub output_shape: Vec<usize>,
    pub params: u64,
    pub macs: u64,
    pub precision: Precision,
    /// Null for layers without a reuse factor (activations, pooling, reshapes).
    pub strategy: Option<String>,
    pub reuse_factor: Option<u64>,
    pub requested_reuse_factor: Option<u64>,
    pub multipliers: u64,
    pub csynth: Resources,
    pub post_synthesis: Resources,
    pub post_synthesis_copies_csynth: bool,
    /// Where `post_synthesis` comes from: `fitted` (post-synthesis coefficients fitted on
    /// post-synthesis rows), `csynth_ratio` (the csynth estimate times the real corpus'
    /// post/csynth ratios: Latency strategy), `copy_of_csynth`; null for unpriced layers.
    pub post_synthesis_basis: Option<String>,
    /// Percent of the part, from `post_synthesis`.
    pub share: Resources,
    pub latency_best: u64,
    pub latency_worst: u64,
    pub ii: u64,
    /// Latency kernels with narrow constant weights and a wide data operand: their non-zero
    /// products and the DSP share fitted on the real corpus, or null share where none was
    /// ([`crate::narrowdsp`]); absent for other layers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrow_dsp: Option<Box<crate::narrowdsp::Narrow>>,
}

/// A layer's resolved precisions (hls4ml type strings).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Precision {
    pub weight: String,
    pub bias: String,
    pub result: String,
    pub accum: String,
}

/// A figure's interval: the surrogate members' mean ± one standard deviation (log space).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// Whether the surrogate saw networks of this kind in training.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub covered: bool,
    /// The network's coverage key (e.g. `dense/Resource/io_parallel`).
    pub key: String,
    /// The keys the model was trained on.
    pub trained_on: Vec<String>,
}

/// Which surrogate model gave the totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurrogateInfo {
    pub model_dir: String,
    pub arch: String,
    pub mode: String,
    pub members: usize,
}

/// The analytic totals behind a surrogate's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyticTotals {
    pub total: Totals,
    pub post_synthesis: Resources,
}

/// A surrogate's prediction of every total figure (one of mean, low, high).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figures {
    pub csynth: Resources,
    pub post_synthesis: Resources,
    pub latency_best: f64,
    pub latency_worst: f64,
    pub ii: f64,
}

/// A surrogate prediction to put into a report.
#[derive(Debug, Clone, PartialEq)]
pub struct SurrogatePrediction {
    pub estimator: String,
    pub mean: Figures,
    pub low: Figures,
    pub high: Figures,
    pub coverage: Coverage,
    pub info: SurrogateInfo,
}

/// `ap_fixed<16,6>` → `16,6`; `ap_ufixed<8,0>` → `u8,0`; `ap_int<8>` → `i8`; `ap_uint<1>` →
/// `u1`: the compact notation of the tables (rounding and saturation modes left out).
pub fn short_precision(t: &FixedType) -> String {
    match t {
        FixedType::Fixed {
            width,
            integer,
            signed,
            ..
        } => format!("{}{width},{integer}", if *signed { "" } else { "u" }),
        FixedType::Int { width, signed } => format!("{}{width}", if *signed { "i" } else { "u" }),
    }
}

/// Shorten an hls4ml type string the way [`short_precision`] does (unparsable: unchanged).
pub fn short_precision_str(s: &str) -> String {
    s.parse::<FixedType>()
        .map(|t| short_precision(&t))
        .unwrap_or_else(|_| s.to_string())
}

/// The note of a coefficient set whose label kind was not fitted on data, if it was not.
fn unfitted(calib: &Calibration, kind: LabelKind, set: CoefSet) -> Option<String> {
    let c = calib.kind(kind).get(set);
    c.fitted.iter().find(|f| f.starts_with("none")).map(|f| {
        format!(
            "{} coefficients of {} layers are priors, not fitted on data ({f})",
            kind.name(),
            set.name()
        )
    })
}

/// The inferred settings of the layers with `auto` precisions (none, and no lowering, when no
/// layer has one).
fn inferred_settings(net: &Network) -> std::collections::HashMap<ir::NodeId, ir::LayerSettings> {
    let any_auto = net
        .graph
        .node_indices()
        .any(|id| !net.layer(id).settings.auto.is_none());
    let Some(g) = any_auto.then(|| lower::lower(net).ok()).flatten() else {
        return Default::default();
    };
    crate::lowered::inferred_settings(&g)
        .into_iter()
        .map(|(id, (s, _))| (id, s.clone()))
        .collect()
}

/// Builds the per-layer rows of a report one layer estimate at a time, so that a caller can
/// drop each [`LayerEstimate`] (with its analysis) once its row is made: a 100k-layer network
/// then needs the network and the rows, not the estimates as well.
struct Rows<'a> {
    net: &'a Network,
    device: &'a Device,
    calib: &'a Calibration,
    layers: Vec<LayerReport>,
    sets_used: std::collections::BTreeSet<CoefSet>,
    /// The settings with the types the lowering inferred, of the layers with `auto` precisions
    /// (the estimate priced those types: the rows show them too).
    inferred: std::collections::HashMap<ir::NodeId, ir::LayerSettings>,
}

impl<'a> Rows<'a> {
    fn new(net: &'a Network, device: &'a Device, calib: &'a Calibration) -> Self {
        Rows {
            net,
            device,
            calib,
            layers: Vec::with_capacity(net.graph.node_count()),
            sets_used: Default::default(),
            inferred: inferred_settings(net),
        }
    }

    /// Add the row of layer estimate `l` of node `id` (`None`: a name the network lacks; its
    /// graph fields stay empty).
    fn push(&mut self, id: Option<ir::NodeId>, l: &LayerEstimate) {
        let net = self.net;
        let layer = id.map(|id| net.layer(id));
        let preds = id.map(|id| net.inputs_of(id)).unwrap_or_default();
        let inputs = preds.iter().map(|&p| net.layer(p).name.clone()).collect();
        let input_shape: Vec<ir::Shape> = preds
            .iter()
            .map(|&p| net.layer(p).output_shape.clone())
            .collect();
        let output_shape = layer.map(|ly| ly.output_shape.clone()).unwrap_or_default();
        let (params, macs) = layer.map_or((0, 0), |ly| {
            ir::shape::layer_cost(ly, &input_shape, &output_shape)
        });
        let settings = id
            .map(|id| {
                let own = &net.layer(id).settings;
                net.config.resolve(self.inferred.get(&id).unwrap_or(own))
            })
            .unwrap_or_else(|| net.config.resolve(&Default::default()));
        let priced = l.csynth.as_array().iter().any(|&v| v > 0.0);
        if priced {
            self.sets_used.insert(l.coef_set);
        }
        self.layers.push(LayerReport {
            name: l.name.clone(),
            kind: l.kind.clone(),
            inputs,
            input_shape,
            output_shape,
            params,
            macs,
            precision: Precision {
                weight: settings.weight.to_string(),
                bias: settings.bias.to_string(),
                result: settings.result.to_string(),
                accum: settings.accum.to_string(),
            },
            strategy: l.reuse_factor.map(|_| l.strategy.clone()),
            reuse_factor: l.reuse_factor,
            requested_reuse_factor: l.requested_reuse_factor,
            multipliers: l.multipliers,
            csynth: l.csynth,
            post_synthesis: l.post_synthesis,
            post_synthesis_copies_csynth: priced
                && l.post_basis == crate::postsynth::PostBasis::CopyOfCsynth,
            post_synthesis_basis: priced.then(|| l.post_basis.name().to_string()),
            share: self.device.utilisation(&l.post_synthesis),
            latency_best: l.latency_best,
            latency_worst: l.latency_worst,
            ii: l.ii,
            narrow_dsp: l.analysis.narrow.clone(),
        });
    }

    /// The report of estimate `est` (whose `layers` may be empty) with these rows.
    fn into_report(self, est: &NetworkEstimate) -> EstimateReport {
        let Rows {
            net,
            calib,
            layers,
            sets_used,
            ..
        } = self;
        let mut warnings = est.warnings.clone();
        for &set in &sets_used {
            warnings.extend(unfitted(calib, LabelKind::Csynth, set));
            // A post-synthesis set that copies csynth's gets its own note below.
            if !calib.post_copies_csynth(set) {
                warnings.extend(unfitted(calib, LabelKind::PostSynthesis, set));
            }
        }
        let copies = layers.iter().any(|l| l.post_synthesis_copies_csynth);
        if copies {
            let names: Vec<&str> = layers
                .iter()
                .filter(|l| l.post_synthesis_copies_csynth)
                .map(|l| l.name.as_str())
                .collect();
            warnings.push(format!(
                "post-synthesis LUT/FF of {} use the csynth coefficients (no post-synthesis rows of their strategy were fitted): they copy csynth's and are likely high",
                names.join(", ")
            ));
        }
        let ratio: Vec<&str> = layers
            .iter()
            .filter(|l| l.post_synthesis_basis.as_deref() == Some("csynth_ratio"))
            .map(|l| l.name.as_str())
            .collect();
        if !ratio.is_empty() {
            let r = &crate::postsynth::ratios().0;
            warnings.push(format!(
                "post-synthesis figures of {} are their csynth estimate × the real corpus' post/csynth ratios (LUT {:.2}, FF {:.2}, DSP {:.2}, BRAM {:.2}; {} rows, {} sources): the calibration data has no post-synthesis Latency-strategy rows",
                ratio.join(", "),
                r.lut.ratio,
                r.ff.ratio,
                r.dsp.ratio,
                r.bram_18k.ratio,
                r.lut.rows,
                r.lut.sources
            ));
        }
        EstimateReport {
            schema: SCHEMA,
            estimator: "analytic".into(),
            model: net.name.clone(),
            part: est.part.clone(),
            clock_period_ns: est.clock_period_ns,
            io_type: net.config.io_type.to_string(),
            pipeline: if est.dataflow { "DATAFLOW" } else { "PIPELINE" }.into(),
            total: est.total.clone(),
            latency_worst_cycles: est.latency_worst,
            post_synthesis: est.post_synthesis,
            post_synthesis_copies_csynth: copies,
            utilization: est.utilization,
            binding_resource: est.binding_resource.into(),
            fits: est.fits,
            will_synthesise: est.will_synthesise,
            layers,
            warnings,
            interval: None,
            coverage: None,
            surrogate: None,
            analytic: None,
            latency_lower_bound: est.latency_lower_bound,
        }
    }
}

impl EstimateReport {
    /// The analytic estimate `est` of `net` on `device` as a report.
    pub fn analytic(
        net: &Network,
        est: &NetworkEstimate,
        device: &Device,
        calib: &Calibration,
    ) -> Self {
        let mut rows = Rows::new(net, device, calib);
        for l in &est.layers {
            rows.push(net.find(&l.name), l);
        }
        rows.into_report(est)
    }

    /// Estimate `net` and make its report in one pass, each layer's estimate dropped once its
    /// row is made: the same report as [`EstimateReport::analytic`] of [`crate::estimate`], in
    /// about half the memory (the per-layer estimates, with their analyses, are never all
    /// held). For callers that need only the report (`presynth estimate` without `--explain`).
    pub fn estimate_analytic(
        net: &Network,
        device: &Device,
        calib: &Calibration,
    ) -> Result<Self, crate::EstimatorError> {
        Self::estimate_analytic_each(net, device, calib, |_| {}).map(|(r, _)| r)
    }

    /// [`EstimateReport::estimate_analytic`], handing each layer's estimate to `each` (in
    /// topological order) before it is dropped, and returning the network estimate too (its
    /// `layers` empty): `presynth estimate --explain` writes a layer's lines from it, never
    /// holding them all.
    pub fn estimate_analytic_each(
        net: &Network,
        device: &Device,
        calib: &Calibration,
        mut each: impl FnMut(&LayerEstimate),
    ) -> Result<(Self, NetworkEstimate), crate::EstimatorError> {
        let mut rows = Rows::new(net, device, calib);
        let est = crate::network::estimate_each(net, device, calib, |id, l| {
            each(&l);
            rows.push(Some(id), &l)
        })?;
        Ok((rows.into_report(&est), est))
    }

    /// Replace the totals by a surrogate's prediction: csynth and post-synthesis resources,
    /// latency and II become its ensemble means, with their intervals; utilisation, FITS and the
    /// binding resource follow from them. URAM stays the analytic figure (not predicted), the
    /// per-layer figures stay analytic (the surrogate predicts totals only), and so does
    /// `will_synthesise`.
    pub fn apply_surrogate(&mut self, device: &Device, p: SurrogatePrediction) {
        self.analytic = Some(AnalyticTotals {
            total: self.total.clone(),
            post_synthesis: self.post_synthesis,
        });
        let uram = self.total.uram;
        let res = |r: Resources, u: f64| Resources {
            uram: u,
            ..r.rounded()
        };
        let m = &p.mean;
        // A surrogate may not predict a stream finishing before its input arrived.
        let bound = self.latency_lower_bound;
        let latency = (m.latency_best.max(0.0).round() as u64).max(bound);
        self.total = Totals {
            lut: m.csynth.lut.round(),
            ff: m.csynth.ff.round(),
            dsp: m.csynth.dsp.round(),
            bram_18k: m.csynth.bram_18k.round(),
            uram,
            latency_cycles: latency,
            latency_ns: latency as f64 * self.clock_period_ns,
            ii: m.ii.max(1.0).round() as u64,
        };
        self.latency_worst_cycles = (m.latency_worst.max(0.0).round() as u64).max(bound);
        self.post_synthesis = res(m.post_synthesis, self.post_synthesis.uram);
        self.utilization = device.utilisation(&self.post_synthesis);
        let u = self.utilization.as_array();
        let bi = (0..u.len())
            .max_by(|&a, &b| u[a].total_cmp(&u[b]))
            .unwrap_or(0);
        self.binding_resource = RESOURCE_NAMES[bi].into();
        self.fits = u.iter().all(|&v| v <= 100.0);
        let mut interval = BTreeMap::new();
        let (lo, hi) = (&p.low, &p.high);
        for (i, name) in RESOURCE_NAMES.iter().enumerate().take(4) {
            interval.insert(
                format!("total.{name}"),
                Interval {
                    low: lo.csynth.as_array()[i],
                    high: hi.csynth.as_array()[i],
                },
            );
            interval.insert(
                format!("post_synthesis.{name}"),
                Interval {
                    low: lo.post_synthesis.as_array()[i],
                    high: hi.post_synthesis.as_array()[i],
                },
            );
        }
        interval.insert(
            "total.latency_cycles".into(),
            Interval {
                low: lo.latency_best,
                high: hi.latency_best,
            },
        );
        interval.insert(
            "latency_worst_cycles".into(),
            Interval {
                low: lo.latency_worst,
                high: hi.latency_worst,
            },
        );
        interval.insert(
            "total.ii".into(),
            Interval {
                low: lo.ii,
                high: hi.ii,
            },
        );
        self.interval = Some(interval);
        self.warnings.push(
            "per-layer figures are the analytic estimate's: the surrogate predicts totals only"
                .into(),
        );
        if !p.coverage.covered {
            self.warnings.push(format!(
                "the surrogate was trained on {} networks, not {}: {}",
                p.coverage.trained_on.join(", "),
                p.coverage.key,
                if p.info.mode == "hybrid" {
                    "its figures are the analytic ones"
                } else {
                    "its figures are an extrapolation"
                }
            ));
        }
        self.estimator = p.estimator;
        self.coverage = Some(p.coverage);
        self.surrogate = Some(p.info);
    }

    /// The interval of a figure (by JSON path), when a surrogate gave one.
    pub fn interval_of(&self, figure: &str) -> Option<Interval> {
        self.interval.as_ref().and_then(|m| m.get(figure).copied())
    }

    /// Utilisation of the binding resource, in percent.
    pub fn binding_utilisation(&self) -> f64 {
        self.utilization.as_array().into_iter().fold(0.0, f64::max)
    }

    /// The headline: "WILL NOT SYNTHESISE" first when it applies (then what the resources
    /// would be), else FITS / DOES NOT FIT with the binding resource.
    pub fn headline(&self) -> String {
        let binding = format!(
            "binding resource {} at {}",
            self.binding_resource.to_uppercase(),
            pct(self.binding_utilisation())
        );
        let fit = if self.fits { "fits" } else { "does not fit" };
        if !self.will_synthesise {
            let n = self
                .warnings
                .iter()
                .filter(|w| w.contains("will not synthesise"))
                .count();
            format!(
                "WILL NOT SYNTHESISE ({n} layer{} over the unroll limit, see the warnings); if it did, it {fit}: {binding}",
                if n == 1 { "" } else { "s" }
            )
        } else if self.fits {
            format!("FITS: {binding}")
        } else {
            format!("DOES NOT FIT: {binding}")
        }
    }
}

/// A utilisation in percent for tables (`n/a` when the part has none of a used resource).
pub fn pct(v: f64) -> String {
    if v.is_infinite() {
        "n/a (part has none)".into()
    } else {
        format!("{v:.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_precisions() {
        for (s, want) in [
            ("ap_fixed<16,6>", "16,6"),
            ("ap_ufixed<8,0,AP_RND,AP_SAT>", "u8,0"),
            ("ap_int<8>", "i8"),
            ("ap_uint<1>", "u1"),
            ("not a type", "not a type"),
        ] {
            assert_eq!(short_precision_str(s), want);
        }
    }

    #[test]
    fn post_synthesis_basis_is_reported() {
        // A Latency-strategy dense: the bundled calibration has no post-synthesis Latency rows,
        // so its post-synthesis figures are csynth × the real corpus' ratios, and the report
        // says so (per layer and in a warning); a Resource-strategy dense is fitted.
        use crate::layers::tests::{one_layer_net, u250};
        use ir::{Activation, LayerKind, Strategy};
        let calib = Calibration::builtin();
        let dense = || {
            LayerKind::Dense(ir::ops::Dense {
                units: 10,
                use_bias: true,
            })
        };
        let net = one_layer_net(
            vec![16],
            dense(),
            Activation::Relu,
            Strategy::Latency,
            1,
            16,
        );
        let est = crate::network::estimate(&net, &u250(), &calib).unwrap();
        let r = EstimateReport::analytic(&net, &est, &u250(), &calib);
        let fc = r.layers.iter().find(|l| l.name == "fc").unwrap();
        assert_eq!(fc.post_synthesis_basis.as_deref(), Some("csynth_ratio"));
        assert!(!fc.post_synthesis_copies_csynth && !r.post_synthesis_copies_csynth);
        let ratio = crate::postsynth::ratios().0.lut.ratio;
        assert!((fc.post_synthesis.lut - fc.csynth.lut * ratio).abs() < 1e-6);
        assert!(r.warnings.iter().any(|w| w.contains("post/csynth ratios")));
        let input = r.layers.iter().find(|l| l.name == "in").unwrap();
        assert_eq!(input.post_synthesis_basis, None);
        let net = one_layer_net(
            vec![16],
            dense(),
            Activation::Relu,
            Strategy::Resource,
            4,
            16,
        );
        let est = crate::network::estimate(&net, &u250(), &calib).unwrap();
        let r = EstimateReport::analytic(&net, &est, &u250(), &calib);
        let fc = r.layers.iter().find(|l| l.name == "fc").unwrap();
        assert_eq!(fc.post_synthesis_basis.as_deref(), Some("fitted"));
    }

    #[test]
    fn surrogate_latency_respects_the_stream_bound() {
        // Conv2D 3×3, 8 filters on a 25×25×1 io_stream input (625 pixels stream in, one per
        // cycle at best): whatever a surrogate predicts, the reported latency is at least the
        // analytic lower bound, which is at least the 625 input pixels (issue 13: a hybrid gave
        // 538 cycles for such a network).
        use crate::layers::tests::{one_layer_net_io, u250};
        use ir::{Activation, IoType, LayerKind, Strategy};
        let calib = Calibration::builtin();
        let net = one_layer_net_io(
            vec![25, 25, 1],
            LayerKind::Conv2D(ir::ops::Conv2D {
                filters: 8,
                kernel: [3, 3],
                stride: [1, 1],
                padding: ir::Padding::Same,
                use_bias: true,
            }),
            Activation::Relu,
            Strategy::Latency,
            1,
            16,
            IoType::Stream,
        );
        let est = crate::network::estimate(&net, &u250(), &calib).unwrap();
        assert!(
            est.latency_lower_bound >= 625,
            "{}",
            est.latency_lower_bound
        );
        let mut r = EstimateReport::analytic(&net, &est, &u250(), &calib);
        let low = Figures {
            latency_best: 538.0,
            latency_worst: 538.0,
            ii: 1.0,
            ..Figures::default()
        };
        r.apply_surrogate(
            &u250(),
            SurrogatePrediction {
                estimator: "hybrid".into(),
                mean: low,
                low,
                high: low,
                coverage: Coverage {
                    covered: false,
                    key: String::new(),
                    trained_on: Vec::new(),
                },
                info: SurrogateInfo {
                    model_dir: String::new(),
                    arch: "gnn".into(),
                    mode: "hybrid".into(),
                    members: 1,
                },
            },
        );
        assert_eq!(r.total.latency_cycles, est.latency_lower_bound);
        assert!(r.latency_worst_cycles >= est.latency_lower_bound);
    }
}
