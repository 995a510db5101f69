//! `dataset stats`: counts by family, strategy, weight precision and part; success / failure /
//! not-synthesised counts; the range of every label; and histograms of the labels as SVG
//! (plotters), on a log10(1 + value) axis because resource counts span orders of magnitude.

use crate::error::{DatasetError, Result};
use crate::jsonl::Reader;
use crate::record::Record;
use plotters::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The labels summarised, by stable name.
pub const LABELS: &[&str] = &[
    "csynth_latency_worst_cycles",
    "csynth_ii_max",
    "csynth_lut",
    "csynth_ff",
    "csynth_dsp",
    "csynth_bram_18k",
    "post_lut",
    "post_ff",
    "post_dsp",
    "post_bram_18k",
];

fn label_values(r: &Record) -> [Option<u64>; 10] {
    let c = r.csynth.as_ref();
    let p = r.post_synth.as_ref();
    [
        c.map(|c| c.latency_worst_cycles),
        c.and_then(|c| c.ii_max),
        c.and_then(|c| c.lut),
        c.and_then(|c| c.ff),
        c.and_then(|c| c.dsp),
        c.and_then(|c| c.bram_18k),
        p.map(|p| p.lut),
        p.map(|p| p.ff),
        p.map(|p| p.dsp),
        p.map(|p| p.bram_18k),
    ]
}

/// Range of one label.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LabelRange {
    pub label: String,
    pub count: u64,
    pub min: u64,
    pub max: u64,
    pub mean: f64,
}

/// The whole summary (stable JSON field names).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Stats {
    pub records: u64,
    pub success: u64,
    pub failed: u64,
    pub not_synthesised: u64,
    pub by_family: BTreeMap<String, u64>,
    pub by_strategy: BTreeMap<String, u64>,
    pub by_precision: BTreeMap<String, u64>,
    pub by_part: BTreeMap<String, u64>,
    pub architectures: u64,
    pub labels: Vec<LabelRange>,
    /// SVG histograms written (when asked for).
    pub histograms: Vec<PathBuf>,
}

/// Compute the summary of `input`; with `svg_dir`, write one histogram per label there.
pub fn stats(input: &Path, svg_dir: Option<&Path>) -> Result<Stats> {
    let mut s = Stats::default();
    let mut values: Vec<Vec<u64>> = vec![Vec::new(); LABELS.len()];
    let mut archs = std::collections::HashSet::new();
    for r in Reader::open(input)? {
        let r = r?;
        s.records += 1;
        match r.success {
            Some(true) => s.success += 1,
            Some(false) => s.failed += 1,
            None => s.not_synthesised += 1,
        }
        *s.by_family.entry(r.family.to_string()).or_default() += 1;
        *s.by_strategy.entry(r.hls.strategy.to_string()).or_default() += 1;
        *s.by_precision
            .entry(format!("{} bits", r.weight_bits()))
            .or_default() += 1;
        *s.by_part.entry(r.hls.part.clone()).or_default() += 1;
        archs.insert(r.architecture.clone());
        for (i, v) in label_values(&r).into_iter().enumerate() {
            if let Some(v) = v {
                values[i].push(v);
            }
        }
    }
    s.architectures = archs.len() as u64;
    for (i, v) in values.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        s.labels.push(LabelRange {
            label: LABELS[i].to_string(),
            count: v.len() as u64,
            min: *v.iter().min().expect("not empty"),
            max: *v.iter().max().expect("not empty"),
            mean: v.iter().map(|x| *x as f64).sum::<f64>() / v.len() as f64,
        });
        if let Some(dir) = svg_dir {
            std::fs::create_dir_all(dir).map_err(|e| DatasetError::io(dir, e))?;
            let path = dir.join(format!("hist_{}.svg", LABELS[i]));
            histogram(&path, LABELS[i], v)?;
            s.histograms.push(path);
        }
    }
    Ok(s)
}

/// Bin counts of log10(1 + v) over `bins` equal bins from 0 to the max; returns (edges, counts).
pub fn log_bins(values: &[u64], bins: usize) -> (Vec<f64>, Vec<u64>) {
    let xs: Vec<f64> = values.iter().map(|v| (1.0 + *v as f64).log10()).collect();
    let hi = xs.iter().cloned().fold(0.0, f64::max).max(1e-9);
    let width = hi / bins as f64;
    let mut counts = vec![0u64; bins];
    for x in xs {
        let b = ((x / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    ((0..=bins).map(|i| i as f64 * width).collect(), counts)
}

fn histogram(path: &Path, label: &str, values: &[u64]) -> Result<()> {
    let (edges, counts) = log_bins(values, 30);
    let top = *counts.iter().max().unwrap_or(&1) as f64 * 1.05;
    let err = |e: String| DatasetError::Report {
        path: path.to_path_buf(),
        field: label.to_string(),
        message: format!("drawing the histogram: {e}"),
    };
    let root = SVGBackend::new(path, (640, 400)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{label} (n = {})", values.len()),
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..*edges.last().expect("edges"), 0.0..top.max(1.0))
        .map_err(|e| err(e.to_string()))?;
    chart
        .configure_mesh()
        .x_desc("log10(1 + value)")
        .y_desc("records")
        .draw()
        .map_err(|e| err(e.to_string()))?;
    chart
        .draw_series(counts.iter().enumerate().map(|(i, c)| {
            Rectangle::new(
                [(edges[i], 0.0), (edges[i + 1], *c as f64)],
                BLUE.mix(0.6).filled(),
            )
        }))
        .map_err(|e| err(e.to_string()))?;
    root.present().map_err(|e| err(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_bins_count_every_value() {
        // log10(1+9) = 1, log10(1+99) = 2: with 2 bins over [0, 2], 0 and 9 fall in the first
        // half... 9 maps to exactly 1.0 = the second bin's lower edge.
        let (edges, counts) = log_bins(&[0, 9, 99], 2);
        assert_eq!(edges, vec![0.0, 1.0, 2.0]);
        assert_eq!(counts, vec![1, 2]);
    }
}
