//! # estimator — analytic per-layer model of hls4ml + Vitis HLS, and the attention roofline / I/O analyser
//!
//! Depends on `ir`, `fpga-targets` (through the CLI, which turns a part into a [`Device`]) and
//! `dataset-tools` records for calibration.
//!
//! Owns: the per-layer formulas
//! ([`layers`], one module per layer kind, with an `explain` of each figure), whole-network
//! totals, pipeline latency and II ([`network`]), the io_stream latency lower bound
//! ([`dataflow`]), the fitted coefficients and their versioned
//! file ([`calibration`], [`fit`]), the post-synthesis ratios of the Latency strategy fitted on
//! the real corpus ([`postsynth`]), the io_stream FF factors by tool fitted on it ([`streamff`]), accuracy metrics ([`metrics`]), the parameter sweep with
//! its Pareto front ([`sweep`]) and SVG plots ([`plot`]).
//!
//! Every resource figure comes in two labelled kinds: the HLS C-synthesis estimate (`csynth`)
//! and the Vivado post-logic-synthesis one (`post_synthesis`).

pub mod attention;
pub mod calibration;
pub mod dataflow;
pub mod error;
pub mod evaluate;
pub mod fit;
pub mod gpu_view;
pub mod html;
pub mod layers;
pub mod lowered;
pub mod metrics;
pub mod narrowdsp;
pub mod network;
pub mod plot;
pub mod postsynth;
pub mod report;
pub mod resources;
pub mod samples;
pub mod streamff;
pub mod sweep;

pub use calibration::{Calibration, LabelKind};
pub use error::EstimatorError;
pub use ir::reuse::{closest_reuse_factor, valid_reuse_factors};
pub use layers::LayerEstimate;
pub use network::{estimate, NetworkEstimate, Totals};
pub use report::EstimateReport;
pub use resources::{Device, Resources};
