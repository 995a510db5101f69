//! # Attention roofline and I/O-complexity analyser
//!
//! Owns: the attention problem ([`shape`]), the algorithms in the two-level memory model with
//! exact closed-form word counts and tile search ([`algorithms`]: standard, FlashAttention-1/2
//! loop orders, blocked for M < d²), the I/O lower bound ([`bounds`]), the roofline and target
//! resolution ([`roofline`]), the per-shape report ([`analysis`]), the exact two-level memory
//! simulator that checks the closed forms and the numerics ([`simulator`]), the SVG plot
//! ([`plot`]) and the host measurements plus a tiled f32 attention kernel ([`host`],
//! [`kernel`]).
//!
//! Theory (docs/domain-notes.md §1): FlashAttention moves Θ(N²d²/M) words for fast
//! memory M ≥ d², which is optimal; for M < d² the tight bound is Θ(N²d/√M) (Saha & Ye, ICML
//! 2024); standard attention moves Θ(Nd + N²).

pub mod algorithms;
pub mod analysis;
pub mod block;
pub mod bounds;
pub mod calibration;
pub mod gpu_bound;
pub mod host;
pub mod kernel;
pub mod l2;
pub mod mma_path;
pub mod plot;
pub mod roofline;
pub mod serving;
pub mod shape;
pub mod simulator;
pub mod smem_path;
pub mod table;
pub mod tiles;
pub mod units;

pub use algorithms::{Algorithm, Tile, Traffic};
pub use analysis::{analyse, AlgorithmReport, AnalysisOptions, Report};
pub use roofline::TargetSpec;
pub use shape::{AttentionShape, Dtype, Problem};

/// Errors of the attention analyser.
#[derive(Debug, thiserror::Error)]
pub enum AttentionError {
    /// An input value that cannot be analysed, naming the field.
    #[error("{field}: {message}")]
    Input { field: String, message: String },
    /// A data file of the analyser (estimator/data/attention_*.csv): file, record, field.
    #[error(transparent)]
    Table(#[from] table::TableError),
    #[error(transparent)]
    Target(#[from] fpga_targets::TargetError),
    /// The target lacks a number the analysis needs (no FP8 on A100, no board memory, ...).
    #[error("target `{target}`: {message}")]
    Unsupported { target: String, message: String },
    #[error("plot {path}: {message}")]
    Plot { path: String, message: String },
}
