//! # presynth-ir — the graph IR of neural networks
//!
//! Owns: the network graph ([`Network`], a petgraph `StableDiGraph` of [`Layer`]s with named
//! inputs and outputs), layer kinds and their attributes ([`LayerKind`]), shape inference with
//! parameter and multiply-accumulate counts ([`shape`]), fixed-point types exactly as hls4ml
//! writes them ([`types`]), HLS settings at model and layer level ([`settings`]), hls4ml's
//! reuse-factor validity rule ([`reuse`]). The file frontends that build a network (DSL, Keras,
//! hls4ml YAML) are the `presynth-frontends` crate.
//!
//! Depends on petgraph, serde and thiserror only. Must not depend on: frontends, codegen,
//! estimator, surrogate, dataset tools or the CLI. Everything else in presynth depends on this
//! crate, never the other way round.

pub mod error;
pub mod graph;
pub mod hgq;
pub mod layer;
pub mod limits;
pub mod names;
pub mod ops;
pub mod reuse;
pub mod settings;
pub mod shape;
pub mod types;
pub mod validate;

pub use error::IrError;
pub use graph::{Network, NodeId};
pub use layer::{Activation, KindTag, Layer, LayerKind, Padding, PoolOp, Tensor};
pub use ops::{LayerOp, WeightRole, WeightSpec};
pub use settings::{AutoPrecision, HlsConfig, IoType, LayerSettings, Precision, Strategy};
pub use shape::{LayerStats, Shape};
pub use types::FixedType;
