//! The extension module `presynth._native` behind the Python package (python/pysrc/presynth):
//! inspect, estimate, estimate_many (rayon, GIL released), codegen, attention and parts, each
//! returning what the matching CLI command prints as JSON, as Python objects. The work is done
//! by the library crates the CLI calls; models and configs come as the tagged tuples of
//! [`model`], errors leave as Python exceptions ([`errors`]).
//!
//! The learned estimators (libtorch) are in a wheel built with the `learned` feature only
//! ([`learned`]: the `presynth_ml` library `presynth-ml` runs); the default wheel refuses
//! `estimator="hybrid"` (or any other surrogate) with an error saying so. (The lean CLI re-runs
//! itself in the `presynth-ml` binary for them; a Python process cannot, so `presynth::ml` is
//! never called.)

mod convert;
mod errors;
mod learned;
mod model;
mod to_python;

use anyhow::Context;
use errors::Failure;
use estimator::{Calibration, EstimateReport};
use learned::Choice;
use model::{ConfigSource, ModelSource};
use presynth::codegen_project::ProjectReport;
use presynth::inspect_report::InspectReport;
use presynth::overrides::Overrides;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;
use serde_json::Value;
use std::path::PathBuf;
use to_python::{to_python, Keys};

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

    fn paths(&self, with: &Choice) -> Vec<PathBuf> {
        let mut p = self.model.paths();
        p.extend(self.config.as_ref().and_then(ConfigSource::path));
        p.extend(with.paths());
        p
    }

    /// The report `presynth estimate --format json` prints for this job (`presynth-ml` for a
    /// learned estimator).
    fn estimate(&self, calib: &Calibration, with: &Choice) -> Result<EstimateReport, Failure> {
        self.report(calib, with)
            .map_err(|e| Failure::new(e, self.paths(with)))
    }

    /// The DataFrame row of this job's estimate ([`convert::flatten`], no per-layer figures).
    fn row(&self, calib: &Calibration, with: &Choice) -> Result<Vec<(String, Value)>, Failure> {
        self.report(calib, with)
            .and_then(|mut r| {
                r.layers = Vec::new();
                Ok(convert::flatten(&serde_json::to_value(&r)?))
            })
            .map_err(|e| Failure::new(e, self.paths(with)))
    }

    fn report(&self, calib: &Calibration, with: &Choice) -> anyhow::Result<EstimateReport> {
        let mut net = self.model.load(self.config.as_ref())?;
        self.overrides.apply(&mut net)?;
        let config = self.config.as_ref().map(ConfigSource::display);
        let from = presynth::overrides::part_origin(
            self.overrides.part.is_some(),
            config.as_deref(),
            &self.model.display(),
        );
        let (dev, _note) = presynth::overrides::device(&net.config.part)
            .with_context(|| format!("the part set by {from}"))?;
        let e = estimator::estimate(&net, &dev, calib)?;
        let mut report = EstimateReport::analytic(&net, &e, &dev, calib);
        with.apply(&net, &dev, &e, &mut report)?;
        Ok(report)
    }
}

fn calibration(path: Option<PathBuf>) -> PyResult<Calibration> {
    match path {
        None => Ok(Calibration::builtin()),
        Some(p) => Calibration::load(&p).map_err(|e| Failure::new(e.into(), vec![p]).into_py()),
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
    let run = || -> anyhow::Result<InspectReport> {
        let net = model.load(config.as_ref())?;
        let changes = match &config {
            Some(_) => presynth::inspect_report::config_changes(&model.load(None)?, &net),
            None => Vec::new(),
        };
        Ok(InspectReport::new(&net, changes))
    };
    let r = py
        .detach(run)
        .map_err(|e| Failure::new(e, paths).into_py())?;
    to_python(py, &mut Keys::default(), &r)
}

/// `estimate(model, config, settings, estimator, calibration, surrogate)`: what `presynth
/// estimate --format json` prints (`presynth-ml` for a learned estimator; `surrogate` is its
/// `--surrogate DIR`).
#[pyfunction]
#[pyo3(signature = (model, config, settings, estimator, calibration, surrogate=None))]
fn estimate<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    config: &Bound<'py, PyAny>,
    settings: &Bound<'py, PyDict>,
    estimator: &str,
    calibration: Option<PathBuf>,
    surrogate: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let with = Choice::parse(estimator, surrogate)?;
    let job = Job::extract(model, config, settings)?;
    let calib = self::calibration(calibration)?;
    let r = py
        .detach(|| job.estimate(&calib, &with))
        .map_err(Failure::into_py)?;
    to_python(py, &mut Keys::default(), &r)
}

/// Items estimated per batch: rayon estimates batch k+1 while this thread, holding the GIL,
/// turns batch k into Python objects; memory stays bounded by a few batches.
const BATCH: usize = 512;

/// An item's result, built off the GIL: its report as JSON, or for a frame its flattened row.
enum Out {
    Report(Box<EstimateReport>),
    Row(Vec<(String, Value)>),
}

/// The error of a failed item, naming it.
fn item_error(i: usize, f: &Failure) -> PyErr {
    let msg = format!("item {i}: {}", f.message());
    if f.missing_file() {
        pyo3::exceptions::PyFileNotFoundError::new_err(msg)
    } else {
        PyValueError::new_err(msg)
    }
}

/// `estimate_many(items, estimator, calibration, frame, on_error, surrogate)`: `items` is a list of
/// `(model, config, settings)`; the estimates run in parallel on rayon's pool with the GIL
/// released. Returns a list of report dicts (None for a failed item when `on_error` is
/// "none"), or with `frame`, columns of one flattened row per item for a DataFrame (an
/// `error` column for failed items).
#[pyfunction]
#[pyo3(signature = (items, estimator, calibration, frame, on_error, surrogate=None))]
fn estimate_many<'py>(
    py: Python<'py>,
    items: &Bound<'py, PyList>,
    estimator: &str,
    calibration: Option<PathBuf>,
    frame: bool,
    on_error: &str,
    surrogate: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let with = Choice::parse(estimator, surrogate)?;
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
    let work = |j: &Job| -> Result<Out, Failure> {
        if frame {
            j.row(&calib, &with).map(Out::Row)
        } else {
            j.estimate(&calib, &with).map(|r| Out::Report(Box::new(r)))
        }
    };
    let list = PyList::empty(py);
    let mut keys = Keys::default();
    let mut cols = convert::Columns::new(py, jobs.len());
    std::thread::scope(|scope| -> PyResult<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Result<Out, Failure>>>(2);
        let (jobs, work) = (&jobs, &work);
        scope.spawn(move || {
            for batch in jobs.chunks(BATCH) {
                let done: Vec<_> = batch.par_iter().map(work).collect();
                if tx.send(done).is_err() {
                    break; // the receiver stopped at an error
                }
            }
        });
        let (mut i, mut rx) = (0, rx);
        loop {
            // Wait without the GIL (the receiver moves into the closure and back: it is Send,
            // not Sync).
            let (got, back) = py.detach(move || (rx.recv(), rx));
            rx = back;
            let Ok(batch) = got else { break };
            for r in batch {
                match r {
                    Ok(Out::Report(v)) => list.append(to_python(py, &mut keys, &v)?)?,
                    Ok(Out::Row(row)) => cols.push(&row)?,
                    Err(f) if keep_going => {
                        if frame {
                            cols.push(&[("error".to_string(), Value::String(f.message()))])?
                        } else {
                            list.append(py.None())?
                        }
                    }
                    Err(f) => return Err(item_error(i, &f)),
                }
                i += 1;
            }
        }
        Ok(())
    })?;
    if frame {
        Ok(cols.finish()?.into_any())
    } else {
        Ok(list.into_any())
    }
}

/// `codegen(model, config, out_dir, options)`: write the HLS project hls4ml 1.3.0 would write
/// (`presynth codegen`); returns `(report, notes)`: the JSON of `codegen --format json` and
/// the lines the CLI prints on stderr (notes and hls4ml's warnings).
#[pyfunction]
#[pyo3(signature = (model, config, out_dir, options))]
fn codegen<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    config: &Bound<'py, PyAny>,
    out_dir: PathBuf,
    options: &Bound<'py, PyDict>,
) -> PyResult<(Bound<'py, PyAny>, Vec<String>)> {
    let model = ModelSource::extract(model)?;
    let config = ConfigSource::extract(config)?;
    let get = |k: &str| options.get_item(k).ok().flatten().filter(|v| !v.is_none());
    let opt_string = |k: &str| get(k).map(|v| v.extract::<String>()).transpose();
    let backend = opt_string("backend")?.unwrap_or_else(|| "Vitis".into());
    let link = opt_string("link")?.unwrap_or_else(|| "copy".into());
    let project_name = opt_string("project_name")?.unwrap_or_else(|| "myproject".into());
    let templates: Option<PathBuf> = get("templates").map(|v| v.extract()).transpose()?;
    let reuse_factor = match get("reuse_factor")
        .map(|v| v.extract::<i64>())
        .transpose()?
    {
        Some(rf) => {
            Some(u32::try_from(rf).map_err(|_| bad("--reuse-factor", "must be at least 1"))?)
        }
        None => None,
    };
    let request = presynth::codegen_project::Request {
        backend: &backend,
        link: &link,
        part: opt_string("part")?,
        clock_period: get("clock_period").map(|v| v.extract()).transpose()?,
        precision: opt_string("precision")?,
        reuse_factor,
        strategy: opt_string("strategy")?,
        io_type: opt_string("io_type")?,
        project_name: &project_name,
        templates: templates.as_deref(),
        force: get("force")
            .map(|v| v.is_truthy())
            .transpose()?
            .unwrap_or(false),
        random_weights: get("random_weights").map(|v| v.extract()).transpose()?,
        print_lowering: false,
    };
    let mut paths = model.paths();
    paths.extend(config.as_ref().and_then(ConfigSource::path));
    paths.extend(templates.clone());
    let run = || -> anyhow::Result<(ProjectReport, Vec<String>)> {
        let net = model.load(config.as_ref())?;
        let mut notes = Vec::new();
        let w = presynth::codegen_project::write(
            net,
            std::path::Path::new(&model.display()),
            &out_dir,
            &request,
            &mut |line| notes.push(line),
        )?;
        Ok((w.report, notes))
    };
    let (v, notes) = py
        .detach(run)
        .map_err(|e| Failure::new(e, paths).into_py())?;
    Ok((to_python(py, &mut Keys::default(), &v)?, notes))
}

/// `attention(shape, target, options)`: FLOPs, traffic, best tiles, lower bound and roofline
/// time of attention algorithms (`presynth attention --format json` for one sequence length).
#[pyfunction]
#[pyo3(signature = (shape, target, options))]
fn attention<'py>(
    py: Python<'py>,
    shape: &Bound<'py, PyDict>,
    target: &str,
    options: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    use estimator::attention::{analyse, AnalysisOptions, AttentionShape, Dtype, TargetSpec};
    let get =
        |d: &Bound<'py, PyDict>, k: &str| d.get_item(k).ok().flatten().filter(|v| !v.is_none());
    let need = |k: &str| -> PyResult<usize> {
        get(shape, k)
            .ok_or_else(|| PyValueError::new_err(format!("attention: {k} is required")))?
            .extract()
    };
    let dtype_str: String = get(shape, "dtype")
        .map(|v| v.extract())
        .transpose()?
        .unwrap_or_else(|| "bf16".into());
    let dtype = Dtype::parse(&dtype_str).map_err(|e| bad("--dtype", e))?;
    let kv_dtype = get(shape, "kv_dtype")
        .map(|v| v.extract::<String>())
        .transpose()?
        .map(|s| Dtype::parse(&s).map_err(|e| bad("--kv-dtype", e)))
        .transpose()?;
    let heads = need("heads")?;
    let seq = need("seq")?;
    let head_dim = need("head_dim")?;
    let opt =
        |k: &str| -> PyResult<Option<usize>> { get(shape, k).map(|v| v.extract()).transpose() };
    let s = AttentionShape {
        batch: opt("batch")?.unwrap_or(1),
        heads,
        kv_heads: opt("kv_heads")?.unwrap_or(heads),
        seq,
        kv_seq: opt("kv_seq")?.unwrap_or(seq),
        d_qk: head_dim,
        d_v: opt("v_head_dim")?.unwrap_or(head_dim),
        causal: get(shape, "causal")
            .map(|v| v.is_truthy())
            .transpose()?
            .unwrap_or(false),
        dtype,
        kv_dtype,
    };
    let fpga_fraction: f64 = get(options, "fpga_fraction")
        .map(|v| v.extract())
        .transpose()?
        .unwrap_or(0.5);
    let bandwidth: Option<f64> = get(options, "bandwidth").map(|v| v.extract()).transpose()?;
    let opts = AnalysisOptions {
        min_tile: get(options, "min_tile").map(|v| v.extract()).transpose()?,
        fast_mem_bytes: get(options, "fast_mem").map(|v| v.extract()).transpose()?,
        launch_floor_s: get(options, "launch_floor_us")
            .map(|v| v.extract::<f64>())
            .transpose()?
            .map(|u| u * 1e-6),
    };
    let target = target.to_string();
    let analysed = py.detach(move || -> anyhow::Result<estimator::attention::Report> {
        let spec = if target.eq_ignore_ascii_case("host") {
            let mut spec =
                TargetSpec::host(&estimator::attention::host::HostMeasurement::measure());
            if let Some(bw) = bandwidth {
                spec.bandwidth_bytes_per_s = bw * 1e9;
            }
            spec
        } else {
            let db = fpga_targets::Targets::load_with(None)?;
            TargetSpec::from_target(db.get(&target)?, dtype, fpga_fraction, bandwidth)?
        };
        Ok(analyse(&s, &spec, opts)?)
    });
    let v = analysed.map_err(|e| Failure::new(e, Vec::new()).into_py())?;
    to_python(py, &mut Keys::default(), &v)
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
    to_python(py, &mut Keys::default(), &entries)
}

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(inspect, m)?)?;
    m.add_function(wrap_pyfunction!(estimate, m)?)?;
    m.add_function(wrap_pyfunction!(estimate_many, m)?)?;
    m.add_function(wrap_pyfunction!(parts, m)?)?;
    m.add_function(wrap_pyfunction!(codegen, m)?)?;
    m.add_function(wrap_pyfunction!(attention, m)?)?;
    // Whether `estimator="hybrid"` (and the other learned estimators) work in this build.
    m.add("LEARNED", learned::AVAILABLE)?;
    m.add("HDF5", cfg!(feature = "hdf5"))?;
    Ok(())
}
