//! # lower — the one lowering of a presynth network to hls4ml 1.3.0's layer graph
//!
//! Owns: the lowered graph ([`Graph`]: hls4ml's layer list with indices, names, classes,
//! structural ops, shapes, precisions and the IR layer each node came from), the per-kind
//! parse hook ([`kinds::Parse`], one implementation per IR kind), the passes mirroring
//! hls4ml's optimizer flow (one file each in `passes/`) and the pass manager that runs them
//! ([`Pipeline`]). hls-codegen renders this graph (attaching weights and types); the estimator
//! checks its per-layer list and the nodes hls4ml inserts against it.
//!
//! Must not depend on: codegen, the estimator, frontends. Knows no weights (except whether a
//! quantized weight is all ones or zeros, where hls4ml's fold conditions ask, and the HGQ2
//! kernels and biases hls4ml's bit-exact pass derives types from: `passes::bit_exact`).
//!
//! Truth: the harness (`scripts/hls4ml_reference.py`, run by `tests/cli_codegen.rs`) compares
//! the projects written from this graph with hls4ml's; the per-pass goldens
//! (`lower/tests/golden_passes.rs`) say which harness case each was checked on.

pub mod einsum;
pub mod error;
pub mod graph;
pub mod kinds;
pub mod manager;
pub mod op;
pub mod passes;

pub use einsum::EinsumRecipe;
pub use error::{LowerError, Result};
pub use graph::{Folded, Graph, Key, Node, Origin, Port};
pub use manager::{Pipeline, Step};
pub use op::{ActKind, Op};

/// Lower `net` (shapes inferred) with hls4ml 1.3.0's pipeline.
pub fn lower(net: &ir::Network) -> Result<Graph> {
    Pipeline::hls4ml().run(net)
}
