//! The extension module `presynth._native` behind the Python package (python/pysrc/presynth):
//! inspect, estimate, estimate_many (rayon, GIL released), codegen, attention and parts, each
//! returning what the matching CLI command prints as JSON, as Python objects. The work is done
//! by the library crates the CLI calls; models and configs come as the tagged tuples of
//! [`model`], errors leave as Python exceptions ([`errors`]).
//!
//! The learned estimators (libtorch) are not in this module: `estimator="hybrid"` (or any other
//! surrogate) is refused with an error saying so. (The lean CLI re-runs itself in the
//! `presynth-ml` binary for them; a Python process cannot, so `presynth::ml` is never called.)

mod convert;
mod errors;
mod model;

use anyhow::Context;
use errors::Failure;
use estimator::{Calibration, EstimateReport};
use model::{ConfigSource, ModelSource};
use presynth::overrides::Overrides;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

/// Settings keys an estimate accepts (keyword arguments, or keys of an `estimate_many` item).
const SETTING_KEYS: [&str; 6] = [
    "part",
    "reuse_factor",
    "strategy",
    "precision",
    "io_type",
    "clock_period",
];

fn bad(option: &str, message: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("{option}: {message}"))
}

/// Overrides from a dict of settings (`None` values keep the model's), parsed as the CLI parses
/// its options.
fn overrides(d: &Bound<'_, PyDict>) -> PyResult<Overrides> {
    let mut o = Overrides::default();
    for (k, v) in d.iter() {
        let key: String = k.extract()?;
        if v.is_none() {
            continue;
        }
        match key.as_str() {
            "part" => o.part = Some(v.extract()?),
            "reuse_factor" => {
                let rf: i64 = v.extract()?;
                o.reuse_factor =
                    Some(u32::try_from(rf).map_err(|_| {
                        bad("--reuse-factor", format!("must be at least 1, got {rf}"))
                    })?)
            }
            "clock_period" => o.clock_period = Some(v.extract()?),
            "strategy" => {
                let s: String = v.extract()?;
                o.strategy = Some(s.parse().map_err(|e| bad("--strategy", e))?);
            }
            "io_type" => {
                let s: String = v.extract()?;
                o.io_type = Some(s.parse().map_err(|e| bad("--io-type", e))?);
            }
            "precision" => {
                let s: String = v.extract()?;
                o.precision = Some(s.parse().map_err(|e: ir::IrError| bad("--precision", e))?);
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown setting '{other}' (expected one of {})",
                    SETTING_KEYS.join(", ")
                )))
            }
        }
    }
    Ok(o)
}

/// One estimate to make.
struct Job {
    model: ModelSource,
    config: Option<ConfigSource>,
    overrides: Overrides,
}

impl Job {
    fn extract(
        model: &Bound<'_, PyAny>,
        config: &Bound<'_, PyAny>,
        settings: &Bound<'_, PyDict>,
    ) -> PyResult<Self> {
        Ok(Job {
            model: ModelSource::extract(model)?,
            config: ConfigSource::extract(config)?,
            overrides: overrides(settings)?,
        })
    }

    fn paths(&self) -> Vec<PathBuf> {
        let mut p = self.model.paths();
        p.extend(self.config.as_ref().and_then(ConfigSource::path));
        p
    }

    /// `presynth estimate --format json` of this job, as a JSON value.
    fn estimate(&self, calib: &Calibration) -> Result<Value, Failure> {
        self.run(calib).map_err(|e| Failure::new(e, self.paths()))
    }

    fn run(&self, calib: &Calibration) -> anyhow::Result<Value> {
        let mut net = self.model.load(self.config.as_ref())?;
        self.overrides.apply(&mut net)?;
        let from = if self.overrides.part.is_some() {
            "part="
        } else if self.config.is_some() {
            "the config (or the model)"
        } else {
            "the model"
        };
        let (dev, _note) = presynth::overrides::device(&net.config.part)
            .with_context(|| format!("the part set by {from}"))?;
        let e = estimator::estimate(&net, &dev, calib)?;
        let report = EstimateReport::analytic(&net, &e, &dev, calib);
        Ok(serde_json::to_value(&report)?)
    }
}

fn calibration(path: Option<PathBuf>) -> PyResult<Calibration> {
    match path {
        None => Ok(Calibration::builtin()),
        Some(p) => Calibration::load(&p).map_err(|e| Failure::new(e.into(), vec![p]).into_py()),
    }
}

fn check_estimator(name: &str) -> PyResult<()> {
    match name {
        "analytic" => Ok(()),
        "hybrid" | "pure" | "gnn" | "transformer" => Err(PyRuntimeError::new_err(format!(
            "estimator '{name}': this presynth wheel was built without the learned estimators \
             (they link libtorch); use estimator='analytic', or the presynth-ml command line \
             (`presynth-ml estimate MODEL --estimator {name} --format json`)"
        ))),
        other => Err(bad(
            "--estimator",
            format!("expected analytic, hybrid, pure, gnn or transformer, got '{other}'"),
        )),
    }
}

/// `inspect(model, config)`: what `presynth inspect --format json` prints.
#[pyfunction]
#[pyo3(signature = (model, config))]
fn inspect<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    config: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let model = ModelSource::extract(model)?;
    let config = ConfigSource::extract(config)?;
    let mut paths = model.paths();
    paths.extend(config.as_ref().and_then(ConfigSource::path));
    let run = || -> anyhow::Result<Value> {
        let net = model.load(config.as_ref())?;
        let changes = match &config {
            Some(_) => presynth::inspect_report::config_changes(&model.load(None)?, &net),
            None => Vec::new(),
        };
        Ok(serde_json::to_value(
            presynth::inspect_report::InspectReport::new(&net, changes),
        )?)
    };
    let v = py
        .detach(run)
        .map_err(|e| Failure::new(e, paths).into_py())?;
    convert::to_py(py, &v)
}

/// `estimate(model, config, settings, estimator, calibration)`: what `presynth estimate
/// --format json` prints.
#[pyfunction]
#[pyo3(signature = (model, config, settings, estimator, calibration))]
fn estimate<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    config: &Bound<'py, PyAny>,
    settings: &Bound<'py, PyDict>,
    estimator: &str,
    calibration: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    check_estimator(estimator)?;
    let job = Job::extract(model, config, settings)?;
    let calib = self::calibration(calibration)?;
    let v = py
        .detach(|| job.estimate(&calib))
        .map_err(Failure::into_py)?;
    convert::to_py(py, &v)
}

/// `estimate_many(items, estimator, calibration, frame, on_error)`: `items` is a list of
/// `(model, config, settings)`; the estimates run in parallel on rayon's pool with the GIL
/// released. Returns a list of report dicts (None for a failed item when `on_error` is
/// "none"), or with `frame`, columns of one flattened row per item for a DataFrame.
#[pyfunction]
#[pyo3(signature = (items, estimator, calibration, frame, on_error))]
fn estimate_many<'py>(
    py: Python<'py>,
    items: &Bound<'py, PyList>,
    estimator: &str,
    calibration: Option<PathBuf>,
    frame: bool,
    on_error: &str,
) -> PyResult<Bound<'py, PyAny>> {
    check_estimator(estimator)?;
    let keep_going = match on_error {
        "raise" => false,
        "none" => true,
        other => {
            return Err(bad(
                "on_error",
                format!("expected 'raise' or 'none', got '{other}'"),
            ))
        }
    };
    let jobs = items
        .iter()
        .map(|it| {
            let (m, c, s): (Bound<'_, PyAny>, Bound<'_, PyAny>, Bound<'_, PyDict>) =
                it.extract()?;
            Job::extract(&m, &c, &s)
        })
        .collect::<PyResult<Vec<Job>>>()?;
    let calib = self::calibration(calibration)?;
    // Each item yields its JSON value, or, for a frame, its flattened row (built off the GIL).
    let results: Vec<Result<Result<Value, Vec<(String, Value)>>, Failure>> = py.detach(|| {
        jobs.par_iter()
            .map(|j| {
                j.estimate(&calib).map(|v| {
                    if frame {
                        Err(convert::flatten(&v))
                    } else {
                        Ok(v)
                    }
                })
            })
            .collect()
    });
    if !keep_going {
        if let Some((i, f)) = results
            .iter()
            .enumerate()
            .find_map(|(i, r)| r.as_ref().err().map(|f| (i, f)))
        {
            let msg = format!("item {i}: {}", f.message());
            let missing = f.missing_file();
            return Err(if missing {
                pyo3::exceptions::PyFileNotFoundError::new_err(msg)
            } else {
                PyValueError::new_err(msg)
            });
        }
    }
    if frame {
        let rows: Vec<Vec<(String, Value)>> = results
            .into_iter()
            .map(|r| match r {
                Ok(Err(row)) => row,
                Ok(Ok(v)) => convert::flatten(&v),
                Err(f) => vec![("error".to_string(), Value::String(f.message()))],
            })
            .collect();
        return Ok(convert::columns(py, &rows)?.into_any());
    }
    let out = PyList::empty(py);
    for r in results {
        match r {
            Ok(Ok(v)) => out.append(convert::to_py(py, &v)?)?,
            Ok(Err(_)) => unreachable!("rows are only built for frames"),
            Err(_) => out.append(py.None())?,
        }
    }
    Ok(out.into_any())
}

/// `parts(kind)`: the part database as `presynth targets --format json` prints it (`kind`
/// "fpga", "gpu" or None for both).
#[pyfunction]
#[pyo3(signature = (kind=None))]
fn parts<'py>(py: Python<'py>, kind: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
    use fpga_targets::{Target, TargetKind, Targets};
    let want = match kind {
        None => None,
        Some("fpga") => Some(TargetKind::Fpga),
        Some("gpu") => Some(TargetKind::Gpu),
        Some(other) => {
            return Err(bad(
                "--kind",
                format!("expected 'fpga' or 'gpu', got '{other}'"),
            ))
        }
    };
    let db = Targets::load_with(None)
        .context("loading the part database")
        .map_err(|e| Failure::new(e, Vec::new()).into_py())?;
    let entries: Vec<&Target> = db
        .iter()
        .filter(|t| want.is_none_or(|k| t.kind() == k))
        .collect();
    let v = serde_json::to_value(&entries).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    convert::to_py(py, &v)
}

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(inspect, m)?)?;
    m.add_function(wrap_pyfunction!(estimate, m)?)?;
    m.add_function(wrap_pyfunction!(estimate_many, m)?)?;
    m.add_function(wrap_pyfunction!(parts, m)?)?;
    Ok(())
}
