//! Labelled samples for calibration and evaluation, built from `dataset-tools` records: the
//! network with its settings, the device of its part, and the labels of each kind. This is the
//! only place that knows the record type.

use crate::error::EstimatorError;
use crate::resources::Device;
use dataset_tools::Record;
use ir::Network;
use std::path::Path;

/// True values of one synthesis run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Labels {
    pub latency_best: Option<f64>,
    pub latency_worst: Option<f64>,
    pub ii: Option<f64>,
    /// csynth resources: lut, ff, dsp, bram_18k.
    pub csynth: Option<[f64; 4]>,
    /// post-synthesis resources: lut, ff, dsp, bram_18k.
    pub post: Option<[f64; 4]>,
}

/// One record made ready for the estimator.
#[derive(Debug, Clone)]
pub struct Sample {
    pub id: String,
    pub architecture: String,
    /// Network family (`dense`, `conv1d`, `conv2d`, ...): evaluation reports each separately.
    pub family: String,
    /// The source file stem (split groups are per source).
    pub source: String,
    pub network: Network,
    pub device: Device,
    pub success: bool,
    pub labels: Labels,
}

/// Records that could not be used, with the reason.
#[derive(Debug, Default)]
pub struct Loaded {
    pub samples: Vec<Sample>,
    pub skipped: Vec<String>,
}

/// Turn records into samples; records without a network (conv2d CSV rows) or with an unknown
/// part, or not synthesised yet, are skipped with a reason.
pub fn from_records(records: Vec<Record>) -> Loaded {
    let mut out = Loaded::default();
    for r in records {
        let Some(mut network) = r.network else {
            out.skipped.push(format!(
                "{}: no network in the record (architecture {})",
                r.id, r.architecture
            ));
            continue;
        };
        let Some(success) = r.success else {
            out.skipped
                .push(format!("{}: not synthesised (no success flag)", r.id));
            continue;
        };
        let Some(device) = Device::lookup(&r.hls.part) else {
            out.skipped.push(format!(
                "{}: part '{}' is not in the fpga-targets database",
                r.id, r.hls.part
            ));
            continue;
        };
        network.config = r.hls.clone();
        network.reindex();
        let mut labels = Labels::default();
        if let Some(c) = &r.csynth {
            labels.latency_best = Some(c.latency_best_cycles as f64);
            labels.latency_worst = Some(c.latency_worst_cycles as f64);
            labels.ii = c.ii_max.map(|v| v as f64);
            if let (Some(l), Some(f), Some(d), Some(b)) = (c.lut, c.ff, c.dsp, c.bram_18k) {
                labels.csynth = Some([l as f64, f as f64, d as f64, b as f64]);
            }
        }
        if let Some(p) = &r.post_synth {
            labels.post = Some([p.lut as f64, p.ff as f64, p.dsp as f64, p.bram_18k as f64]);
        }
        let source = Path::new(&r.provenance.source)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.samples.push(Sample {
            id: r.id,
            family: r.family.to_string(),
            architecture: r.architecture,
            source,
            network,
            device,
            success,
            labels,
        });
    }
    out
}

/// Read data paths: directories or files of the shared CSVs, or dataset JSONL files.
pub fn load(paths: &[impl AsRef<Path>]) -> Result<Loaded, EstimatorError> {
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        let p = p.as_ref();
        let err = EstimatorError::Dataset;
        if p.is_dir() {
            let ing = dataset_tools::ingest::shared_csv::read_dir(p).map_err(err)?;
            skipped.extend(ing.skipped.iter().map(|e| e.to_string()));
            records.extend(ing.records);
        } else if p.extension().is_some_and(|e| e == "csv") {
            let ing = dataset_tools::ingest::shared_csv::read_file(p).map_err(err)?;
            skipped.extend(ing.skipped.iter().map(|e| e.to_string()));
            records.extend(ing.records);
        } else {
            let reader = dataset_tools::jsonl::Reader::open(p).map_err(err)?;
            for rec in reader {
                match rec {
                    Ok(r) => records.push(r),
                    Err(e) => skipped.push(e.to_string()),
                }
            }
        }
    }
    let mut out = from_records(records);
    out.skipped.extend(skipped);
    Ok(out)
}
