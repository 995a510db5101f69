//! Shared CLI pieces: the model arguments every model-taking command accepts
//! (`MODEL [--weights FILE] [--config hls4ml_config.yml]`), output formats, and table helpers.

use std::path::PathBuf;

/// `MODEL [--weights FILE] [--config FILE]`: flatten into a command's args with
/// `#[command(flatten)] model: ModelArgs`.
#[derive(clap::Args, Debug, Clone)]
pub struct ModelArgs {
    /// Model file: Keras JSON (.json), Keras archive (.keras), legacy Keras HDF5 (.h5), ONNX or
    /// QONNX (.onnx; PyTorch models exported with torch.onnx.export), the presynth DSL (.psn),
    /// or an hls4ml project (its directory or its hls4ml_config.yml: the model it names, else
    /// the network rebuilt from its firmware/ C++)
    pub model: PathBuf,
    /// Weights file for a Keras JSON model (default: X_weights.h5 or X.weights.h5 beside X.json)
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// hls4ml config YAML whose settings apply to the model (Model and LayerName sections)
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// List the config keys presynth accepted without using them (hls4ml keys it does not model,
    /// and keys hls4ml does not know either)
    #[arg(long)]
    pub verbose: bool,
}

impl ModelArgs {
    /// Load the model with its weights and config, shapes inferred.
    /// Notes on where the model came from and on mapped settings go to stderr; with
    /// `--verbose`, also every accepted but unused key.
    pub fn load(&self) -> anyhow::Result<ir::Network> {
        let (net, report) = frontends::load_model_report(
            &self.model,
            self.weights.as_deref(),
            self.config.as_deref(),
        )?;
        for n in &report.notes {
            eprintln!("note: {n}");
        }
        if self.verbose {
            for k in &report.unused {
                eprintln!("config: {k}: accepted, not used by presynth");
            }
            for k in &report.unknown {
                eprintln!("config: {k}: unknown to hls4ml 1.3.0 and presynth; ignored");
            }
        }
        Ok(net)
    }
}

/// Output format for people (`table`) or scripts (`json`, `csv`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

/// A comfy-table with presynth's look.
pub fn table(header: &[&str]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(header.iter().copied());
    t
}

/// `[16, 64]` → `16x64`.
pub fn shape_str(s: &[usize]) -> String {
    s.iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join("x")
}

/// Report records a data command could not use, one stderr line per reason with a count and
/// the first record as an example (a data folder can skip hundreds of rows for one reason).
pub fn report_skipped(skipped: &[impl std::fmt::Display]) {
    let mut by_reason: std::collections::BTreeMap<String, (usize, String)> = Default::default();
    for s in skipped {
        let s = s.to_string();
        // "ID: reason (detail)": group by the reason without the id and detail.
        let reason = s.split_once(": ").map_or(s.as_str(), |(_, r)| r);
        let reason = reason.split(" (").next().unwrap_or(reason).to_string();
        by_reason.entry(reason).or_insert((0, s.clone())).0 += 1;
    }
    for (reason, (n, first)) in by_reason {
        if n == 1 {
            eprintln!("skipped: {first}");
        } else {
            eprintln!("skipped {n} records: {reason} (first: {first})");
        }
    }
}

/// Labelled samples from the data paths of `calibrate`, `evaluate` and `train`: read by
/// dataset-tools, turned into estimator samples (the estimator itself reads no files).
pub fn load_samples(paths: &[PathBuf]) -> anyhow::Result<estimator::samples::Loaded> {
    let got = dataset_tools::ingest::read_labelled(paths)?;
    let skipped = got.skipped.iter().map(|e| e.to_string()).collect();
    Ok(estimator::samples::from_records(got.records, skipped))
}
