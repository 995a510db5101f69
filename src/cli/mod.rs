//! Subcommands of the `presynth` CLI, one module each, plus shared helpers (model loading,
//! output formats).
pub mod attention;
pub mod calibrate;
pub mod codegen;
pub mod common;
pub mod dataset;
pub mod estimate;
pub mod estimate_gpu;
pub mod estimate_table;
pub mod evaluate;
pub mod inspect;
pub mod random_weights;
pub mod report;
pub mod stream_table;
pub mod sweep;
pub mod targets;
pub mod train;
