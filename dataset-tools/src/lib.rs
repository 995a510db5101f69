//! # dataset-tools — batch synthesis datasets for presynth
//!
//! Owns the canonical dataset [`Record`] (network + HLS settings + labels + provenance) and its
//! streaming JSONL form ([`jsonl`]), and the tools around it: ingestion of synthesis results
//! ([`ingest`]).
//!
//! For calibration code: `dataset_tools::ingest::shared_csv::read_dir(path)` turns the shared
//! wa-hls4ml CSVs into records; `dataset_tools::jsonl::Reader::open(path)` streams a dataset.
//!
//! Depends on the IR only; the CLI wires project emission (hls-codegen) in.

pub mod emit;
pub mod error;
pub mod export;
pub mod fsutil;
pub mod generate;
pub mod ingest;
pub mod jsonl;
pub mod netbuild;
pub mod progress;
pub mod record;
pub mod rng;
pub mod split;
pub mod stats;
pub mod synth;

pub use error::{DatasetError, Result};
pub use record::{architecture_key, CsynthLabels, Family, PostSynthLabels, Provenance, Record};
