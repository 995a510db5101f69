//! SVG plots (plotters, SVG backend): predicted-vs-true scatter per target, and the sweep's
//! latency-vs-utilisation Pareto plot. Files are written to a temporary name and renamed.

use crate::error::EstimatorError;
use plotters::prelude::*;
use std::path::Path;

fn perr(path: &Path, e: impl std::fmt::Display) -> EstimatorError {
    EstimatorError::Plot {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Render into `path` atomically: draw into `path.tmp`, then rename.
fn atomically(
    path: &Path,
    draw: impl FnOnce(&Path) -> Result<(), EstimatorError>,
) -> Result<(), EstimatorError> {
    let tmp = path.with_extension("svg.tmp");
    draw(&tmp)?;
    std::fs::rename(&tmp, path).map_err(|e| perr(path, e))
}

fn log_range(vals: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in vals.filter(|v| *v > 0.0 && v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.5, 2.0);
    }
    (lo / 1.5, hi * 1.5)
}

/// Predicted (y) against true (x) on log axes with the y = x line and ±10 % band.
pub fn predicted_vs_true(
    path: &Path,
    title: &str,
    pred: &[f64],
    truth: &[f64],
) -> Result<(), EstimatorError> {
    atomically(path, |tmp| {
        let root = SVGBackend::new(tmp, (640, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| perr(path, e))?;
        // Zeros cannot sit on a log axis: plot them at the bottom of the range.
        let (lo, hi) = log_range(pred.iter().chain(truth).copied());
        let clamp = |v: f64| if v > 0.0 { v } else { lo };
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((lo..hi).log_scale(), (lo..hi).log_scale())
            .map_err(|e| perr(path, e))?;
        chart
            .configure_mesh()
            .x_desc("true")
            .y_desc("predicted")
            .draw()
            .map_err(|e| perr(path, e))?;
        for (k, style) in [
            (1.0, BLACK.stroke_width(1)),
            (1.1, RGBColor(150, 150, 150).stroke_width(1)),
            (0.9, RGBColor(150, 150, 150).stroke_width(1)),
        ] {
            chart
                .draw_series(LineSeries::new([(lo, lo * k), (hi, hi * k)], style))
                .map_err(|e| perr(path, e))?;
        }
        chart
            .draw_series(
                pred.iter()
                    .zip(truth)
                    .map(|(p, t)| Circle::new((clamp(*t), clamp(*p)), 3, BLUE.mix(0.6).filled())),
            )
            .map_err(|e| perr(path, e))?;
        root.present().map_err(|e| perr(path, e))
    })
}

/// One point of a sweep plot.
pub struct SweepPoint {
    pub latency_ns: f64,
    pub utilisation: f64,
    pub pareto: bool,
    pub label: String,
}

/// Latency (x, log) against binding-resource utilisation (y, %), Pareto points highlighted and
/// labelled, the 100 % line drawn.
pub fn sweep(path: &Path, title: &str, points: &[SweepPoint]) -> Result<(), EstimatorError> {
    atomically(path, |tmp| {
        let root = SVGBackend::new(tmp, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| perr(path, e))?;
        let (xlo, xhi) = log_range(points.iter().map(|p| p.latency_ns));
        let ymax = points
            .iter()
            .map(|p| p.utilisation)
            .filter(|v| v.is_finite())
            .fold(100.0f64, f64::max)
            * 1.1;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(14)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(xlo.log10()..xhi.log10(), 0.0..ymax)
            .map_err(|e| perr(path, e))?;
        chart
            .configure_mesh()
            .x_labels(8)
            // The x axis is log10(latency): plotters' own log axis draws no labels on ranges
            // of about one decade.
            .x_label_formatter(&|v| format!("{:.0}", 10f64.powf(*v)))
            .y_labels(6)
            .x_desc("latency (ns, log scale)")
            .y_desc("binding-resource utilisation (%)")
            .draw()
            .map_err(|e| perr(path, e))?;
        chart
            .draw_series(LineSeries::new(
                [(xlo.log10(), 100.0), (xhi.log10(), 100.0)],
                RED.stroke_width(1),
            ))
            .map_err(|e| perr(path, e))?
            .label("100 % of the part")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RED));
        chart
            .draw_series(points.iter().filter(|p| !p.pareto).map(|p| {
                Circle::new(
                    (p.latency_ns.log10(), p.utilisation.min(ymax)),
                    3,
                    RGBColor(140, 140, 140).filled(),
                )
            }))
            .map_err(|e| perr(path, e))?
            .label("configuration")
            .legend(|(x, y)| Circle::new((x + 8, y), 3, RGBColor(140, 140, 140).filled()));
        let mut front: Vec<&SweepPoint> = points.iter().filter(|p| p.pareto).collect();
        front.sort_by(|a, b| a.latency_ns.total_cmp(&b.latency_ns));
        chart
            .draw_series(LineSeries::new(
                front
                    .iter()
                    .map(|p| (p.latency_ns.log10(), p.utilisation.min(ymax))),
                BLUE.stroke_width(2),
            ))
            .map_err(|e| perr(path, e))?
            .label("Pareto front")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLUE));
        for p in &front {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (p.latency_ns.log10(), p.utilisation.min(ymax)),
                    5,
                    BLUE.filled(),
                )))
                .map_err(|e| perr(path, e))?;
        }
        // Labels of the front, placed where they overlap no other label (else left out: the
        // table has every point).
        let anchors: Vec<(i32, i32)> = front
            .iter()
            .map(|p| chart.backend_coord(&(p.latency_ns.log10(), p.utilisation.min(ymax))))
            .collect();
        let labels: Vec<&str> = front.iter().map(|p| p.label.as_str()).collect();
        for (text, (x, y)) in place_labels(&labels, &anchors, (900, 600)) {
            root.draw(&Text::new(text.to_string(), (x, y), ("sans-serif", 12)))
                .map_err(|e| perr(path, e))?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| perr(path, e))?;
        root.present().map_err(|e| perr(path, e))
    })
}

/// Width and height in pixels of a 12-px sans-serif label (about 6.5 px per character).
fn label_box(text: &str) -> (i32, i32) {
    ((text.chars().count() as f64 * 6.5).ceil() as i32, 14)
}

/// Top-left corners for the labels of points at pixel `anchors`: each label tries right-above,
/// right-below, left-above and left-below its point and takes the first spot that overlaps no
/// label already placed and stays inside `size`; a label with no free spot is left out.
pub fn place_labels<'a>(
    labels: &[&'a str],
    anchors: &[(i32, i32)],
    size: (i32, i32),
) -> Vec<(&'a str, (i32, i32))> {
    // (label, top-left corner, size)
    type Placed<'b> = (&'b str, (i32, i32), (i32, i32));
    let mut placed: Vec<Placed> = Vec::new();
    for (&text, &(x, y)) in labels.iter().zip(anchors) {
        let (w, h) = label_box(text);
        let spots = [
            (x + 7, y - h - 3),
            (x + 7, y + 4),
            (x - w - 7, y - h - 3),
            (x - w - 7, y + 4),
        ];
        let free = spots.into_iter().find(|&(sx, sy)| {
            sx >= 0
                && sy >= 0
                && sx + w <= size.0
                && sy + h <= size.1
                && placed.iter().all(|&(_, (px, py), (pw, ph))| {
                    sx + w <= px || px + pw <= sx || sy + h <= py || py + ph <= sy
                })
        });
        if let Some(spot) = free {
            placed.push((text, spot, (w, h)));
        }
    }
    placed.into_iter().map(|(t, p, _)| (t, p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlap(a: ((i32, i32), (i32, i32)), b: ((i32, i32), (i32, i32))) -> bool {
        let (((ax, ay), (aw, ah)), ((bx, by), (bw, bh))) = (a, b);
        ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah
    }

    #[test]
    fn labels_never_overlap() {
        // Ten points 3 px apart: at most a few labels find a free spot, and none overlap.
        let labels = ["Resource RF 16 16,6"; 10];
        let anchors: Vec<(i32, i32)> = (0..10).map(|i| (400 + 3 * i, 300)).collect();
        let placed = place_labels(&labels, &anchors, (900, 600));
        assert!(!placed.is_empty() && placed.len() < 10, "{placed:?}");
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                assert!(
                    !overlap((a.1, label_box(a.0)), (b.1, label_box(b.0))),
                    "{a:?} {b:?}"
                );
            }
        }
        // Far-apart points all get their label.
        let anchors: Vec<(i32, i32)> = (0..4).map(|i| (100 + 200 * i, 300)).collect();
        assert_eq!(place_labels(&labels[..4], &anchors, (900, 600)).len(), 4);
    }
}
