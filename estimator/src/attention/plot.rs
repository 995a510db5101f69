//! The roofline SVG: memory and compute roofs on log–log axes and one labelled point per
//! algorithm that fits.

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
