//! # dataset-tools — batch synthesis datasets for presynth
//!
//! Owns the canonical dataset [`Record`] (network + HLS settings + labels + provenance, see
//! [`record`] for label units) and its streaming JSONL form ([`jsonl`]), and the tools around
//! it: seeded generation with wa-hls4ml's distributions ([`generate`]), project emission
//! orchestration ([`emit`]; the writer itself is hls-codegen, passed in by the CLI), synthesis
//! runs locally or as Slurm arrays ([`synth`], [`slurm`], per-project locks in [`lock`], progress
//! in [`status`]), ingestion of reports, project trees, wa-hls4ml JSON and
//! the shared CSVs ([`ingest`]), architecture splits ([`split`]), flat CSV export ([`export`])
//! and summaries with SVG histograms ([`stats`]).
//!
//! A dataset directory: `records.jsonl` (one [`Record`] per line), `generate.yaml` (the
//! options it was generated with), `projects/<record id>/` (hls4ml projects; after synthesis
//! `.presynth/done` or `.presynth/failed`, and `.presynth/lock`), `jobs/` (Slurm files), `splits/`, `stats/`.
//!
//! For calibration code:
//! ```no_run
//! use dataset_tools::ingest::{read_path, shared_csv};
//! // The shared wa-hls4ml CSVs: failures kept as `success == Some(false)` with no labels.
//! let got = shared_csv::read_dir("../data").unwrap();
//! for r in got.records.iter().filter(|r| r.success == Some(true)) {
//!     let _net = r.network.as_ref(); // None only for conv2d CSV rows of unknown models
//!     let _lut = r.post_synth.as_ref().map(|p| p.lut).or(r.csynth.as_ref().and_then(|c| c.lut));
//! }
//! // Any source (CSV, wa-hls4ml JSON, JSONL, synthesised dataset or project tree):
//! let _all = read_path(std::path::Path::new("labelled/records.jsonl")).unwrap();
//! // Streaming a large dataset:
//! for r in dataset_tools::jsonl::Reader::open("labelled").unwrap() {
//!     let _r = r.unwrap();
//! }
//! ```
//!
//! Depends on the IR only.

pub mod emit;
pub mod error;
pub mod export;
pub mod fsutil;
pub mod generate;
pub mod ingest;
pub mod jsonl;
pub mod lock;
pub mod netbuild;
pub mod proc;
pub mod progress;
pub use ::record;
pub mod rng;
pub mod slurm;
pub mod split;
pub mod stats;
pub mod status;
pub mod synth;

pub use error::{DatasetError, Result};
pub use record::{architecture_key, CsynthLabels, Family, PostSynthLabels, Provenance, Record};
