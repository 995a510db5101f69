//! The learned estimators (GNN, transformer and hybrid surrogates, linfa baselines) as a
//! library: what the `presynth-ml` binary installs into the command line, and what the Python
//! package links with its `learned` feature (python/), so that both run one implementation.
//! It links libtorch (through `surrogate` and tch); the lean `presynth` CLI does not depend on
//! this crate (`cargo tree -p presynth -i tch` is empty) and re-runs itself in `presynth-ml`
//! for these commands (`presynth::ml`).

mod local;

pub use local::{
    apply_surrogate, default_model_dir, load_calibration, load_model, Local, SURROGATE_ESTIMATORS,
};
