//! Least-squares fit of the calibration on labelled samples (`presynth calibrate`), and the
//! split of samples by architecture.
//!
//! Order: DSP mapping per (kind, strategy) by grid search → LUT, FF, BRAM by weighted least
//! squares (weights 1/t², i.e. relative error, columns scaled, non-negative by dropping the most
//! negative coefficient and refitting) → timing constants by least squares on best-case cycles
//! (csynth latency labels of both strategies) → worst-minus-best per Resource stage (median).

use crate::calibration::{Calibration, CoefSet, LabelKind, NB, NF, NT};
use crate::error::EstimatorError;
use crate::layers;
use crate::network::{analyse_network, Analysed};
use crate::samples::Sample;
use ir::Strategy;
use std::collections::BTreeSet;

/// FNV-1a, for a split that does not depend on the order of rows or on a random generator.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

/// Hold out `fraction` of the architectures of each source file (at least one): within a
/// source, architectures are ordered by FNV-1a hash of their key and the first ones held out.
/// Returns the held-out architecture keys.
pub fn split_by_architecture(samples: &[Sample], fraction: f64) -> BTreeSet<String> {
    let sources: BTreeSet<&str> = samples.iter().map(|s| s.source.as_str()).collect();
    let mut held = BTreeSet::new();
    for src in sources {
        let mut archs: Vec<&str> = samples
            .iter()
            .filter(|s| s.source == src)
            .map(|s| s.architecture.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        archs.sort_by_key(|a| (fnv(a), a.to_string()));
        let k = ((archs.len() as f64 * fraction).ceil() as usize)
            .max(1)
            .min(archs.len());
        held.extend(archs[..k].iter().map(|a| a.to_string()));
    }
    held
}

/// Solve min Σ w·(x·β − y)² with β ≥ 0 on the columns in `active` (others 0).
pub fn nnls_weighted(
    x: &[Vec<f64>],
    y: &[f64],
    w: &[f64],
    mut active: Vec<usize>,
) -> Result<Vec<f64>, String> {
    let nf = x.first().map(|r| r.len()).unwrap_or(0);
    loop {
        if active.is_empty() {
            return Ok(vec![0.0; nf]);
        }
        let k = active.len();
        // Column scales (RMS) for conditioning.
        let scale: Vec<f64> = active
            .iter()
            .map(|&j| {
                let s = (x.iter().map(|r| r[j] * r[j]).sum::<f64>() / x.len().max(1) as f64).sqrt();
                if s > 0.0 {
                    s
                } else {
                    1.0
                }
            })
            .collect();
        let mut a = vec![vec![0.0; k + 1]; k];
        for (r, (&yi, &wi)) in x.iter().zip(y.iter().zip(w)) {
            for p in 0..k {
                let xp = r[active[p]] / scale[p];
                for q in 0..k {
                    a[p][q] += wi * xp * r[active[q]] / scale[q];
                }
                a[p][k] += wi * xp * yi;
            }
        }
        let ridge = 1e-10 * (0..k).map(|i| a[i][i]).sum::<f64>().max(1e-300);
        for (i, row) in a.iter_mut().enumerate() {
            row[i] += ridge;
        }
        let sol = gauss(a).ok_or_else(|| "singular normal equations".to_string())?;
        let beta: Vec<f64> = sol.iter().zip(&scale).map(|(b, s)| b / s).collect();
        let (worst, min) = beta
            .iter()
            .enumerate()
            .fold((0, 0.0), |m, (i, &b)| if b < m.1 { (i, b) } else { m });
        if min < 0.0 {
            active.remove(worst);
            continue;
        }
        let mut full = vec![0.0; nf];
        for (p, &j) in active.iter().enumerate() {
            full[j] = beta[p];
        }
        return Ok(full);
    }
}

/// Gaussian elimination with partial pivoting on an augmented k×(k+1) matrix.
fn gauss(mut a: Vec<Vec<f64>>) -> Option<Vec<f64>> {
    let k = a.len();
    for c in 0..k {
        let p = (c..k).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-300 {
            return None;
        }
        a.swap(c, p);
        let pivot = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / pivot[c];
                if f != 0.0 {
                    for (x, p) in row[c..].iter_mut().zip(&pivot[c..]) {
                        *x -= f * p;
                    }
                }
            }
        }
    }
    Some((0..k).map(|i| a[i][k] / a[i][i]).collect())
}

/// Latency labels up to this many cycles are fitted on absolute error, longer ones on
/// relative error (see the timing step of [`fit`]).
pub const TIMING_ABS_CYCLES: f64 = 20_000.0;

struct Row<'a> {
    sample: &'a Sample,
    layers: Vec<Analysed>,
}

fn analyse_all<'a>(
    samples: &[&'a Sample],
    calib: &Calibration,
) -> Result<Vec<Row<'a>>, EstimatorError> {
    samples
        .iter()
        .map(|s| {
            Ok(Row {
                sample: s,
                layers: analyse_network(&s.network, &s.device, calib)?.0,
            })
        })
        .collect()
}

/// The coefficient set a sample fits: that of its first MAC layer (wa-hls4ml uses one
/// strategy and RF for every layer; Resource with RF = 1 uses the Latency set; io_stream
/// Resource models the Stream set).
fn set_of(row: &Row) -> CoefSet {
    row.layers
        .iter()
        .find(|l| l.analysis.reuse_factor.is_some())
        .map(|l| l.coef_set())
        .unwrap_or_else(|| {
            let c = &row.sample.network.config;
            CoefSet::of(c.strategy, c.io_type == ir::IoType::Stream)
        })
}

fn labels_of(s: &Sample, kind: LabelKind) -> Option<[f64; 4]> {
    match kind {
        LabelKind::Csynth => s.labels.csynth,
        LabelKind::PostSynthesis => s.labels.post,
    }
}

/// Summed features, DSP, BRAM terms of a row under the calibration.
fn row_terms(row: &Row, calib: &Calibration, kind: LabelKind) -> ([f64; NF], f64, [f64; NB], f64) {
    let mut f = [0.0; NF];
    let mut dsp = 0.0;
    let mut bram = [0.0; NB];
    let mut extra = 0.0;
    for l in &row.layers {
        let (lf, d) = layers::features(&l.analysis, calib, kind, l.coef_set(), &row.sample.device);
        for i in 0..NF {
            f[i] += lf[i];
        }
        dsp += d;
        bram[0] += l.analysis.weight_bram;
        bram[1] += l.analysis.bram_kernels;
        bram[2] += l.analysis.banked_bram;
        bram[3] += l.analysis.fifo_bram;
        extra += l.analysis.extra_bram;
    }
    (f, dsp, bram, extra)
}

/// Features only io_stream networks have (FIFO bits kept in fabric, line buffers) or only the
/// conv rows exercise (pointwise weights kept in fabric): free in the io_stream fit.
const STREAM_ONLY: [&str; 3] = ["buffer_bits", "line_buffer_bits", "fabric_weight_bits"];

/// Fit a calibration on the samples whose architecture is not in `holdout`.
pub fn fit(
    samples: &[Sample],
    holdout: &BTreeSet<String>,
    start: &Calibration,
) -> Result<(Calibration, Vec<String>), EstimatorError> {
    let mut cal = start.clone();
    let mut log = Vec::new();
    let train: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.success && !holdout.contains(&s.architecture))
        .collect();
    for kind in [LabelKind::Csynth, LabelKind::PostSynthesis] {
        for strategy in CoefSet::ALL {
            let with_labels: Vec<&Sample> = train
                .iter()
                .copied()
                .filter(|s| labels_of(s, kind).is_some())
                .collect();
            let rows: Vec<Row> = analyse_all(&with_labels, &cal)?
                .into_iter()
                .filter(|r| set_of(r) == strategy)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let n = rows.len();
            // 1. DSP mapping by grid search on Σ|p − t|/(p + t + 1); among equally good
            //    mappings the median one (by ramp centre), so widths the data does not pin down
            //    fall in the middle of the undetermined range.
            let mut grid: Vec<(f64, crate::calibration::DspMapping)> = Vec::new();
            let mut w0 = 0.0;
            while w0 <= 24.0 {
                for span in [0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0] {
                    let map = crate::calibration::DspMapping { w0, w1: w0 + span };
                    cal.kind_mut(kind).get_mut(strategy).dsp = map;
                    let err: f64 = rows
                        .iter()
                        .map(|r| {
                            let (_, p, _, _) = row_terms(r, &cal, kind);
                            let t = labels_of(r.sample, kind).unwrap()[2];
                            (p - t).abs() / (p + t + 1.0)
                        })
                        .sum();
                    grid.push((err, map));
                }
                w0 += 0.5;
            }
            let min = grid.iter().map(|g| g.0).fold(f64::INFINITY, f64::min);
            let mut ties: Vec<crate::calibration::DspMapping> = grid
                .iter()
                .filter(|g| g.0 <= min + 1e-9)
                .map(|g| g.1)
                .collect();
            ties.sort_by(|a, b| (a.w0 + a.w1).total_cmp(&(b.w0 + b.w1)));
            let best = (min, ties[ties.len() / 2]);
            cal.kind_mut(kind).get_mut(strategy).dsp = best.1;
            // 2. LUT and FF, 3. BRAM.
            let terms: Vec<_> = rows.iter().map(|r| row_terms(r, &cal, kind)).collect();
            let x: Vec<Vec<f64>> = terms.iter().map(|t| t.0.to_vec()).collect();
            let active: Vec<usize> = (0..NF).filter(|&j| x.iter().any(|r| r[j] != 0.0)).collect();
            let mut fitted = vec![format!("dsp (grid search, {n} rows)")];
            // io_stream keeps hls4ml's MAC, adder and accumulator implementation and adds
            // FIFOs, line buffers and per-pixel loops: with io_parallel Resource coefficients
            // of this label kind at hand, the stream set is those coefficients times one fitted
            // factor, plus free coefficients for the stream-only features. (Fitting every
            // coefficient freely on the few conv models gave unphysical values, e.g. 3230 LUT
            // per DSP product, that blew up on dense io_stream networks.)
            let anchor = (strategy == CoefSet::Stream
                && !cal.kind(kind).resource.fitted.is_empty())
            .then(|| cal.kind(kind).resource.clone());
            for (ti, name) in [(0usize, "lut"), (1, "ff")] {
                let y: Vec<f64> = rows
                    .iter()
                    .map(|r| labels_of(r.sample, kind).unwrap()[ti])
                    .collect();
                let w: Vec<f64> = y.iter().map(|t| 1.0 / (t.abs() + 1.0).powi(2)).collect();
                if let Some(anchor) = &anchor {
                    let base = if ti == 0 { anchor.lut } else { anchor.ff };
                    let free: Vec<usize> = active
                        .iter()
                        .copied()
                        .filter(|&j| STREAM_ONLY.contains(&crate::calibration::FEATURES[j]))
                        .collect();
                    let x2: Vec<Vec<f64>> = x
                        .iter()
                        .map(|r| {
                            let shared: f64 = (0..NF)
                                .filter(|j| !free.contains(j))
                                .map(|j| base[j] * r[j])
                                .sum();
                            std::iter::once(shared)
                                .chain(free.iter().map(|&j| r[j]))
                                .collect()
                        })
                        .collect();
                    let beta =
                        nnls_weighted(&x2, &y, &w, (0..=free.len()).collect()).map_err(|m| {
                            EstimatorError::Fit {
                                target: format!("{} {} {name}", kind.name(), strategy),
                                message: m,
                            }
                        })?;
                    let c = cal.kind_mut(kind).get_mut(strategy);
                    let dst = if ti == 0 { &mut c.lut } else { &mut c.ff };
                    for j in 0..NF {
                        dst[j] = match free.iter().position(|&f| f == j) {
                            Some(k) => beta[1 + k],
                            None => beta[0] * base[j],
                        };
                    }
                    fitted.push(format!(
                        "{name} (io_parallel Resource coefficients x {:.4}, free {:?}, {n} rows)",
                        beta[0],
                        free.iter()
                            .map(|&j| crate::calibration::FEATURES[j])
                            .collect::<Vec<_>>()
                    ));
                    continue;
                }
                let beta =
                    nnls_weighted(&x, &y, &w, active.clone()).map_err(|m| EstimatorError::Fit {
                        target: format!("{} {} {name}", kind.name(), strategy),
                        message: m,
                    })?;
                let c = cal.kind_mut(kind).get_mut(strategy);
                let dst = if ti == 0 { &mut c.lut } else { &mut c.ff };
                for &j in &active {
                    dst[j] = beta[j];
                }
                fitted.push(format!(
                    "{name} (features {:?}, {n} rows)",
                    active
                        .iter()
                        .map(|&j| crate::calibration::FEATURES[j])
                        .collect::<Vec<_>>()
                ));
            }
            let xb: Vec<Vec<f64>> = terms.iter().map(|t| t.2.to_vec()).collect();
            let yb: Vec<f64> = rows
                .iter()
                .zip(&terms)
                .map(|(r, t)| labels_of(r.sample, kind).unwrap()[3] - t.3)
                .collect();
            let wb: Vec<f64> = yb.iter().map(|t| 1.0 / (t.abs() + 1.0)).collect();
            let bactive: Vec<usize> = (0..NB)
                .filter(|&j| xb.iter().any(|r| r[j] != 0.0))
                .collect();
            if !bactive.is_empty() {
                let beta = nnls_weighted(&xb, &yb, &wb, bactive.clone()).map_err(|m| {
                    EstimatorError::Fit {
                        target: format!("{} {} bram", kind.name(), strategy),
                        message: m,
                    }
                })?;
                let c = cal.kind_mut(kind).get_mut(strategy);
                for &j in &bactive {
                    c.bram[j] = beta[j];
                }
                fitted.push(format!("bram ({n} rows)"));
            }
            log.push(format!(
                "{} {}: {n} training rows; DSP mapping w0={} w1={}",
                kind.name(),
                strategy,
                best.1.w0,
                best.1.w1
            ));
            cal.kind_mut(kind).get_mut(strategy).fitted = fitted;
        }
    }
    // A label kind without io_stream rows (the conv2d rows have post-synthesis labels only):
    // its io_parallel Resource coefficients, stream-only features at their priors.
    for kind in [LabelKind::Csynth, LabelKind::PostSynthesis] {
        let k = cal.kind(kind);
        if k.stream.fitted.is_empty() && !k.resource.fitted.is_empty() {
            let mut c = k.resource.clone();
            c.fitted = vec![format!(
                "none: no {} io_stream Resource rows; io_parallel Resource coefficients",
                kind.name()
            )];
            log.push(format!(
                "{} Resource io_stream: {}",
                kind.name(),
                c.fitted[0]
            ));
            cal.kind_mut(kind).stream = c;
        }
    }
    // Post-synthesis coefficients of a strategy without post-synthesis rows: its csynth
    // coefficients, with the DSP mapping of the post-synthesis fit of the other strategy (logic
    // synthesis moves narrow products off DSPs). No scaling: the data has no row with both
    // labels, and the one real pair (tests/fixtures/vivado-reports, FF 7969 → 2428) shows
    // the ratio is design-dependent.
    for strategy in [Strategy::Latency, Strategy::Resource] {
        if cal.post_synthesis.get(strategy).fitted.is_empty()
            && !cal.csynth.get(strategy).fitted.is_empty()
        {
            let other = match strategy {
                Strategy::Latency => Strategy::Resource,
                Strategy::Resource => Strategy::Latency,
            };
            let mut c = cal.csynth.get(strategy).clone();
            let mut note = format!(
                "none: no post-synthesis {strategy}-strategy rows; csynth {strategy} coefficients"
            );
            if !cal.post_synthesis.get(other).fitted.is_empty() {
                c.dsp = cal.post_synthesis.get(other).dsp;
                note.push_str(&format!(", DSP mapping of post-synthesis {other}"));
            }
            c.fitted = vec![note];
            log.push(format!("post_synthesis {strategy}: {}", c.fitted[0]));
            *cal.post_synthesis.get_mut(strategy) = c;
        }
    }
    // 4. Timing.
    let timed: Vec<&Sample> = train
        .iter()
        .copied()
        .filter(|s| s.labels.latency_best.is_some())
        .collect();
    if !timed.is_empty() {
        let rows = analyse_all(&timed, &cal)?;
        let mut x = Vec::new();
        let mut y = Vec::new();
        let mut ratios = Vec::new();
        let mut w = Vec::new();
        for r in &rows {
            let mut f = [0.0; NT];
            let mut base = 0.0;
            // Only the layers on the critical path explain the row (network::schedule: all of
            // them in a sequential io_parallel network, the slowest one in io_stream).
            let stream = r.sample.network.config.io_type == ir::IoType::Stream;
            let order: Vec<ir::NodeId> = r.layers.iter().map(|l| l.id).collect();
            let own: Vec<f64> = r
                .layers
                .iter()
                .map(|l| layers::best_cycles(&l.analysis, &cal))
                .collect();
            let critical = crate::network::schedule(&r.sample.network, &order, &own, stream).1;
            for (i, l) in r.layers.iter().enumerate() {
                if !critical.contains(&i) {
                    continue;
                }
                for (fi, ti) in f.iter_mut().zip(&l.analysis.timing) {
                    *fi += ti;
                }
                base += l.analysis.timing_base;
            }
            let best = r.sample.labels.latency_best.unwrap();
            x.push(f.to_vec());
            y.push(best - base);
            // Absolute cycle error up to TIMING_ABS_CYCLES, relative above: a conv row of
            // millions of cycles must not swamp the 1–2 cycle rows (its few-thousand-cycle
            // residual is 0.1 % of it), while every dense row (≤ 15 400 cycles in the shared
            // data) keeps the equal weight that makes its latency and II exact.
            w.push(1.0 / best.abs().max(TIMING_ABS_CYCLES).powi(2));
            if let Some(worst) = r.sample.labels.latency_worst {
                if f[0] > 0.0 && !stream {
                    ratios.push((worst - best) / f[0]);
                }
            }
        }
        let active: Vec<usize> = (0..NT).filter(|&j| x.iter().any(|r| r[j] != 0.0)).collect();
        let beta = nnls_weighted(&x, &y, &w, active.clone()).map_err(|m| EstimatorError::Fit {
            target: "timing".into(),
            message: m,
        })?;
        for &j in &active {
            cal.timing.cycles[j] = beta[j];
        }
        if !ratios.is_empty() {
            ratios.sort_by(f64::total_cmp);
            cal.timing.worst_extra_per_stage = ratios[ratios.len() / 2];
        }
        cal.timing.fitted = vec![format!(
            "cycles of {:?} ({} rows), worst_extra_per_stage (median of {} rows)",
            active
                .iter()
                .map(|&j| crate::calibration::TIMING_FEATURES[j])
                .collect::<Vec<_>>(),
            y.len(),
            ratios.len()
        )];
        log.push(format!(
            "timing: {} rows; cycles {:?}; worst extra {}",
            y.len(),
            cal.timing.cycles,
            cal.timing.worst_extra_per_stage
        ));
    }
    Ok((cal, log))
}

/// What `presynth calibrate DATA... -o OUTPUT --holdout F` does, minus reading the data (the
/// caller loads `data` into `loaded`) and writing the file: split by architecture, fit from the
/// prior, and record the command, data, split and held-out architectures in the calibration.
/// Returns the calibration and the fit log.
pub fn calibrate(
    loaded: &crate::samples::Loaded,
    data: &[std::path::PathBuf],
    output: &std::path::Path,
    holdout: f64,
) -> Result<(Calibration, Vec<String>), EstimatorError> {
    let held = split_by_architecture(&loaded.samples, holdout);
    let (mut cal, log) = fit(&loaded.samples, &held, &Calibration::prior())?;
    let names: Vec<String> = data.iter().map(|p| p.display().to_string()).collect();
    cal.produced_by = format!(
        "presynth calibrate {} -o {} --holdout {holdout}",
        names.join(" "),
        output.display()
    );
    let n_ok = loaded.samples.iter().filter(|s| s.success).count();
    cal.data = vec![format!(
        "{} ({} records: {} synthesised, {} failed; {} skipped)",
        names.join(", "),
        loaded.samples.len(),
        n_ok,
        loaded.samples.len() - n_ok,
        loaded.skipped.len()
    )];
    cal.split = format!("by architecture, {holdout} per source held out (FNV-1a order)");
    cal.holdout_architectures = held.into_iter().collect();
    Ok((cal, log))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_recovers_known_coefficients() {
        // y = 3·x0 + 0.5·x1 exactly: the fit must return (3, 0.5).
        let x: Vec<Vec<f64>> = (1..20).map(|i| vec![1.0, (i * i) as f64]).collect();
        let y: Vec<f64> = x.iter().map(|r| 3.0 * r[0] + 0.5 * r[1]).collect();
        let w = vec![1.0; y.len()];
        let b = nnls_weighted(&x, &y, &w, vec![0, 1]).unwrap();
        assert!(
            (b[0] - 3.0).abs() < 1e-6 && (b[1] - 0.5).abs() < 1e-9,
            "{b:?}"
        );
    }

    #[test]
    fn negative_coefficients_are_dropped() {
        // y = 2·x1 − 1·x0: non-negative LS drops x0 and fits y on x1 alone.
        let x: Vec<Vec<f64>> = (1..10).map(|i| vec![1.0, i as f64]).collect();
        let y: Vec<f64> = x.iter().map(|r| 2.0 * r[1] - r[0]).collect();
        let b = nnls_weighted(&x, &y, &[1.0; 9], vec![0, 1]).unwrap();
        assert_eq!(b[0], 0.0);
        assert!(b[1] > 0.0);
    }
}
