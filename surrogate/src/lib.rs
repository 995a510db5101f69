//! # surrogate — learned models that correct the analytic estimate
//!
//! Owns: graph features from the IR ([`features`]), graph batching ([`batch`]), the GNN and
//! transformer networks on libtorch via tch ([`model`]), the six targets and the hybrid/pure
//! modes ([`targets`]), training with early stopping ([`train`]), k-seed ensembles saved as
//! safetensors + JSON ([`ensemble`]), their intervals ([`interval`]), and small generated
//! networks ([`netgen`]).
//!
//! Depends on the IR only; the analytic model's figures come in as plain numbers
//! ([`features::AnalyticEstimate`]), so the CLI wires the estimator in. libtorch runs with one
//! intra-op thread per worker ([`init_threads`]).

#[cfg(feature = "analytic")]
pub mod analytic;
pub mod baselines;
pub mod batch;
pub mod ensemble;
pub mod error;
pub mod features;
pub mod interval;
pub mod model;
pub mod netgen;
pub mod targets;
pub mod train;

pub use ensemble::{Ensemble, ModelMeta, Prediction};
pub use error::SurrogateError;
pub use features::{extract, AnalyticEstimate, DeviceInfo, GraphFeatures};
pub use model::{Arch, Hyper};
pub use targets::{Estimate, Labels, Mode, Target, N_TARGETS};
pub use train::{train, Progress, Sample, TrainConfig};

/// Give libtorch one intra-op thread (call in each worker thread before its tensor work): the
/// machines here have two cores and parallelism, where wanted, comes from the workers. (The
/// inter-op pool is left alone: nothing here uses it, and libtorch refuses to resize it once any
/// work has run.)
pub fn init_threads() {
    tch::set_num_threads(1);
}

/// Whether this libtorch build can use CUDA (the CPU-only layout of
/// `scripts/setup-libtorch.sh` cannot).
pub fn cuda_available() -> bool {
    tch::Cuda::is_available()
}
