//! Which estimator a call asked for: the analytic model, or a learned surrogate on top of it
//! (`estimator="hybrid"`, "pure", "gnn", "transformer"). The learned ones run the `presynth_ml`
//! library (the code `presynth-ml estimate --estimator ...` runs) and exist only in a wheel
//! built with the `learned` feature (it links libtorch); the default wheel refuses them with a
//! `RuntimeError` saying how to get them.

use pyo3::exceptions::PyValueError;
use pyo3::PyResult;
use std::path::PathBuf;

/// Whether this build has the learned estimators.
pub const AVAILABLE: bool = cfg!(feature = "learned");

const LEARNED: [&str; 4] = ["hybrid", "pure", "gnn", "transformer"];

/// An estimator choice, checked.
pub struct Choice {
    /// None: the analytic model.
    #[cfg(feature = "learned")]
    with: Option<presynth::cli::train::EstimateWith>,
    /// The surrogate model directory (`--surrogate`; default: the presynth_ml default model).
    #[cfg_attr(not(feature = "learned"), allow(dead_code))]
    surrogate: Option<PathBuf>,
}

impl Choice {
    /// Check `name` (and that this wheel can run it); `surrogate` is the model directory.
    pub fn parse(name: &str, surrogate: Option<PathBuf>) -> PyResult<Self> {
        if name != "analytic" && !LEARNED.contains(&name) {
            return Err(PyValueError::new_err(format!(
                "--estimator: expected analytic, hybrid, pure, gnn or transformer, got '{name}'"
            )));
        }
        if surrogate.is_some() && name == "analytic" {
            return Err(PyValueError::new_err(
                "--surrogate: a surrogate model directory needs a learned estimator (hybrid, pure, gnn or transformer)",
            ));
        }
        #[cfg(feature = "learned")]
        {
            use clap::ValueEnum;
            let with = match name {
                "analytic" => None,
                n => Some(
                    presynth::cli::train::EstimateWith::from_str(n, false)
                        .map_err(|e| PyValueError::new_err(format!("--estimator: {e}")))?,
                ),
            };
            Ok(Choice { with, surrogate })
        }
        #[cfg(not(feature = "learned"))]
        {
            if name != "analytic" {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                    "estimator '{name}': this presynth wheel was built without the learned estimators \
                     (they link libtorch): use estimator='analytic', build the wheel with \
                     `scripts/build-wheel.sh --features learned`, or run the presynth-ml command line \
                     (`presynth-ml estimate MODEL --estimator {name} --format json`)"
                )));
            }
            Ok(Choice { surrogate })
        }
    }

    /// The surrogate model directory the caller named, for error classification.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.surrogate.iter().cloned().collect()
    }

    /// Put the learned estimate into `report` (a no-op for the analytic model), as
    /// `presynth-ml estimate --estimator NAME [--surrogate DIR]` does.
    #[cfg_attr(not(feature = "learned"), allow(unused_variables))]
    pub fn apply(
        &self,
        net: &ir::Network,
        dev: &estimator::Device,
        analytic: &estimator::NetworkEstimate,
        report: &mut estimator::EstimateReport,
    ) -> anyhow::Result<()> {
        #[cfg(feature = "learned")]
        if let Some(with) = self.with {
            presynth_ml::apply_surrogate(
                net,
                dev,
                analytic,
                with,
                self.surrogate.as_deref(),
                report,
            )?;
        }
        Ok(())
    }
}
