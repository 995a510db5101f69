//! The roofline SVG: memory and compute roofs on log–log axes and one labelled point per
//! algorithm that fits; and the sweep SVG: each algorithm's time (and the GPU bound) against
//! the swept size, log–log.

use std::path::Path;

use plotters::prelude::*;

use super::analysis::Report;
use super::AttentionError;

pub fn roofline_svg(report: &Report, path: &Path) -> Result<(), AttentionError> {
    let err = |e: String| AttentionError::Plot {
        path: path.display().to_string(),
        message: e,
    };
    let spec = &report.target.spec;
    let points: Vec<(String, f64, f64)> = report
        .algorithms
        .iter()
        .filter_map(|(name, a)| Some((name.clone(), a.intensity?, a.attainable_flops?)))
        .collect();
    let ridge = spec.ridge();
    let xs = points.iter().map(|p| p.1).chain([ridge]);
    let x_lo = xs.clone().fold(f64::INFINITY, f64::min) / 10.0;
    let x_hi = xs.fold(0.0, f64::max) * 10.0;
    let y_hi = spec.peak_flops * 3.0;
    let y_lo = (x_lo * spec.bandwidth_bytes_per_s)
        .min(points.iter().map(|p| p.2).fold(f64::INFINITY, f64::min))
        / 3.0;
    let root = SVGBackend::new(path, (900, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let title = format!(
        "Attention roofline: {} ({}), N={} d={}",
        spec.name,
        report.shape.dtype.label(),
        report.shape.seq,
        report.shape.d_qk
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d((x_lo..x_hi).log_scale(), (y_lo..y_hi).log_scale())
        .map_err(|e| err(e.to_string()))?;
    chart
        .configure_mesh()
        .x_desc("arithmetic intensity (FLOP / byte of slow memory)")
        .y_desc("attainable FLOP/s")
        .y_label_formatter(&|y| format!("{y:.1e}"))
        .x_label_formatter(&|x| format!("{x:.3}"))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    let roof: Vec<(f64, f64)> = vec![
        (x_lo, x_lo * spec.bandwidth_bytes_per_s),
        (ridge, spec.peak_flops),
        (x_hi, spec.peak_flops),
    ];
    chart
        .draw_series(LineSeries::new(roof, BLUE.stroke_width(2)))
        .map_err(|e| err(e.to_string()))?
        .label(format!(
            "roofs: {:.3e} B/s, {:.3e} FLOP/s",
            spec.bandwidth_bytes_per_s, spec.peak_flops
        ))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    let colors = [RED, GREEN, MAGENTA, BLACK];
    for (i, (name, x, y)) in points.iter().enumerate() {
        let c = colors[i % colors.len()];
        chart
            .draw_series(std::iter::once(Circle::new((*x, *y), 6, c.filled())))
            .map_err(|e| err(e.to_string()))?;
        chart
            .draw_series(std::iter::once(Text::new(
                name.clone(),
                (*x, *y * 1.25),
                ("sans-serif", 15).into_font().color(&c),
            )))
            .map_err(|e| err(e.to_string()))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(e.to_string()))?;
    root.present().map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// The time of every algorithm that fits (and of the GPU bound, on GPUs) against the swept
/// size `param` = `values[i]` of `reports[i]`, on log–log axes; written to a temporary file
/// beside `path` and renamed, so a failed plot leaves no half-written file.
pub fn sweep_svg(
    reports: &[Report],
    param: &str,
    values: &[usize],
    path: &Path,
) -> Result<(), AttentionError> {
    let err = |e: String| AttentionError::Plot {
        path: path.display().to_string(),
        message: e,
    };
    let mut series: std::collections::BTreeMap<String, Vec<(f64, f64)>> = Default::default();
    for (r, &v) in reports.iter().zip(values) {
        for (name, a) in &r.algorithms {
            if let Some(t) = a.time_s.filter(|t| a.fits && t.is_finite() && *t > 0.0) {
                series.entry(name.clone()).or_default().push((v as f64, t));
            }
        }
        if let Some(b) = r.gpu.as_ref().and_then(|g| g.best.as_ref()) {
            series
                .entry("GPU bound (best tile)".into())
                .or_default()
                .push((v as f64, b.time_s));
        }
    }
    let pts = series.values().flatten();
    let (x_lo, x_hi) = pts.clone().fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    let (y_lo, y_hi) = pts.fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    if !(x_lo.is_finite() && y_lo.is_finite()) {
        return Err(err(
            "no algorithm fits at any swept size: nothing to plot".into()
        ));
    }
    let spec = &reports[0].target.spec;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let title = format!(
            "Attention time vs {param}: {} ({})",
            spec.name,
            reports[0].shape.dtype.label()
        );
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(
                (x_lo / 1.5..x_hi * 1.5).log_scale(),
                (y_lo / 2.0..y_hi * 2.0).log_scale(),
            )
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc(param)
            .y_desc("time (s)")
            .y_label_formatter(&|y| format!("{y:.1e}"))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let colors = [RED, GREEN, MAGENTA, BLACK, BLUE, CYAN];
        for (i, (name, line)) in series.iter().enumerate() {
            let c = colors[i % colors.len()];
            chart
                .draw_series(LineSeries::new(line.clone(), c.stroke_width(2)))
                .map_err(|e| err(e.to_string()))?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c));
            chart
                .draw_series(line.iter().map(|&p| Circle::new(p, 4, c.filled())))
                .map_err(|e| err(e.to_string()))?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(e.to_string()))?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let name = path
        .file_name()
        .map_or("plot.svg".into(), |n| n.to_string_lossy());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, svg.as_bytes())
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            err(e.to_string())
        })?;
    Ok(())
}
