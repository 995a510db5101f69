//! Calibration against published measurements (`estimator/data/attention_measured.csv`, each
//! point with its citation): the bound of every point, and an expected time = bound ÷ fitted
//! efficiency (the "bound × efficiency" with the efficiency as measured/bound).
//!
//! Efficiency = bound / measured (≤ 1 when the bound holds); expected = bound / efficiency.
//! The efficiency model is `e(n) = e_∞ · n / (n + c)` per kernel group (kernel, 8- or
//! 16-bit type, head dim), with n = mean keys a query row attends to / 128: a fixed per-block cost
//! (prologue, pipeline fill, epilogue) worth c iterations of 128 keys, amortised as rows see
//! more keys. e_∞ and c are fitted by least squares on log(measured / bound) over the
//! training points (sequence lengths 512, 2048 and 8192); the others are held out.
//!
//! The bound of a point is the kernel view for FlashAttention-2/-3 (their own tiles),
//! the best constrained tile for cuDNN (its tiles are not public), and the two-level
//! standard algorithm for PyTorch's unfused attention (S and P of every point exceed L2).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::analysis::{analyse, AnalysisOptions};
use super::gpu_bound::{best_constrained, kernel_bound};
use super::roofline::TargetSpec;
use super::shape::{AttentionShape, Dtype};
use super::table::{self, TableError, TableRow};
use super::AttentionError;

const FILE: &str = "attention_measured.csv";
const MEASURED_CSV: &str = include_str!("../../data/attention_measured.csv");

/// Sequence lengths whose points train the efficiency model.
pub const TRAIN_SEQS: [usize; 3] = [512, 2048, 8192];

/// One published measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasuredPoint {
    /// 1-based record number in the data file.
    pub record: usize,
    pub kernel: String,
    pub gpu: String,
    pub shape: AttentionShape,
    pub measured_s: f64,
    pub citation: String,
}

impl MeasuredPoint {
    /// "fa3-d128", "fa3-fp8-d256", ...: kernels fitted separately per type width and head
    /// dim (the head dim moves the binding unit: d = 64 is exponential-bound on H100).
    pub fn group(&self) -> String {
        group_of(&self.kernel, self.shape.dtype, self.shape.d_qk)
    }

    pub fn training(&self) -> bool {
        TRAIN_SEQS.contains(&self.shape.seq)
    }

    /// Mean keys per query row / 128.
    pub fn size(&self) -> f64 {
        size_of(&self.shape)
    }
}

pub fn group_of(kernel: &str, dtype: Dtype, d: usize) -> String {
    if dtype.bytes() == 1 {
        format!("{kernel}-fp8-d{d}")
    } else {
        format!("{kernel}-d{d}")
    }
}

fn size_of(s: &AttentionShape) -> f64 {
    let p = s.problem();
    p.pairs() as f64 / p.rows as f64 / 128.0
}

/// One record of the measurement file as written.
#[derive(Debug, Deserialize)]
struct MeasuredRow {
    kernel: String,
    gpu: String,
    dtype: String,
    batch: usize,
    heads: usize,
    kv_heads: usize,
    seq: usize,
    kv_seq: usize,
    head_dim: usize,
    causal: bool,
    measured_tflops: Option<f64>,
    measured_ms: Option<f64>,
    citation: String,
}

impl TableRow for MeasuredRow {
    const OPTIONAL: &'static [&'static str] = &["measured_tflops", "measured_ms"];

    fn check(&self) -> Result<(), (&'static str, String)> {
        let positive = |v: f64| v.is_finite() && v > 0.0;
        match (self.measured_ms, self.measured_tflops) {
            (Some(ms), _) if !positive(ms) => {
                Err(("measured_ms", format!("must be positive, got {ms}")))
            }
            (None, Some(tf)) if !positive(tf) => {
                Err(("measured_tflops", format!("must be positive, got {tf}")))
            }
            (None, None) => Err((
                "measured_ms",
                "missing: give measured_ms or measured_tflops".into(),
            )),
            _ => Ok(()),
        }
    }
}

/// Parses the measurement file, naming the record and field of any error.
pub fn parse(text: &str) -> Result<Vec<MeasuredPoint>, AttentionError> {
    let rows: Vec<MeasuredRow> = table::read(FILE, text)?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.into_iter().enumerate() {
        let n = i + 1;
        let bad = |field: &str, e: AttentionError| TableError::field(FILE, n, field, e);
        let dtype = Dtype::parse(&r.dtype).map_err(|e| bad("dtype", e))?;
        let shape = AttentionShape {
            batch: r.batch,
            heads: r.heads,
            kv_heads: r.kv_heads,
            seq: r.seq,
            kv_seq: r.kv_seq,
            d_qk: r.head_dim,
            d_v: r.head_dim,
            causal: r.causal,
            dtype,
            kv_dtype: None,
        };
        shape.validate().map_err(|e| bad("shape", e))?;
        // MeasuredRow::check made sure one of the two is there and positive.
        let measured_s = r.measured_ms.map_or_else(
            || {
                let p = shape.problem();
                let mut flops = 2.0
                    * (p.d_qk + p.d_v) as f64
                    * (p.rows * p.keys) as f64
                    * shape.problems() as f64;
                if r.causal {
                    flops /= 2.0;
                }
                flops / (r.measured_tflops.unwrap_or(f64::NAN) * 1e12)
            },
            |ms| ms * 1e-3,
        );
        out.push(MeasuredPoint {
            record: n,
            kernel: r.kernel,
            gpu: r.gpu,
            shape,
            measured_s,
            citation: r.citation,
        });
    }
    Ok(out)
}

/// The built-in points.
pub fn points() -> &'static [MeasuredPoint] {
    static P: OnceLock<Vec<MeasuredPoint>> = OnceLock::new();
    P.get_or_init(|| parse(MEASURED_CSV).unwrap_or_else(|e| panic!("{e}")))
}

/// A point's bound and whether it is compute-bound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PointBound {
    pub bound_s: f64,
    pub compute_bound: bool,
}

/// The bound of one point on `spec` (see the module doc for which view).
pub fn bound_of(p: &MeasuredPoint, spec: &TargetSpec) -> Result<PointBound, AttentionError> {
    let floor = 0.0; // figure points are kernel times averaged over back-to-back runs
    let g = match p.kernel.as_str() {
        "fa2" | "fa3" => kernel_bound(&p.kernel, &p.shape, spec, floor),
        "cudnn" => best_constrained(&p.shape, spec, floor),
        "standard" => {
            let r = analyse(&p.shape, spec, AnalysisOptions::default())?;
            let a = &r.algorithms["standard"];
            return Ok(PointBound {
                bound_s: a.time_s.unwrap_or(f64::NAN),
                compute_bound: a.regime.as_deref() == Some("compute-bound"),
            });
        }
        other => {
            return Err(AttentionError::Input {
                field: format!("{FILE} record {}: kernel", p.record),
                message: format!("expected fa2, fa3, cudnn or standard, got `{other}`"),
            })
        }
    };
    let g = g.ok_or_else(|| AttentionError::Unsupported {
        target: spec.name.clone(),
        message: format!("{} does not run this shape", p.kernel),
    })?;
    Ok(PointBound {
        bound_s: g.time_s,
        compute_bound: g.binding != "memory",
    })
}

/// Fitted efficiency of one kernel group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Efficiency {
    pub e_inf: f64,
    pub c: f64,
    pub points: usize,
}

impl Efficiency {
    pub fn at(&self, shape: &AttentionShape) -> f64 {
        let n = size_of(shape);
        self.e_inf * n / (n + self.c)
    }
}

/// Fits e_∞ and c per group on `(point, bound/measured)` pairs (the share of the bound a
/// kernel attains; expected time = bound / efficiency).
pub fn fit(samples: &[(&MeasuredPoint, f64)]) -> BTreeMap<String, Efficiency> {
    let mut groups: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for (p, r) in samples {
        groups.entry(p.group()).or_default().push((p.size(), *r));
    }
    groups
        .into_iter()
        .map(|(g, v)| {
            let mut best = (f64::INFINITY, 1.0, 0.0);
            for step in 0..=2000 {
                let c = step as f64 * 0.01;
                let logs: Vec<f64> = v.iter().map(|(n, r)| r.ln() - (n / (n + c)).ln()).collect();
                let mean = logs.iter().sum::<f64>() / logs.len() as f64;
                let err: f64 = logs.iter().map(|x| (x - mean).powi(2)).sum();
                if err < best.0 {
                    best = (err, mean.exp(), c);
                }
            }
            (
                g,
                Efficiency {
                    e_inf: best.1,
                    c: best.2,
                    points: v.len(),
                },
            )
        })
        .collect()
}

/// Efficiencies fitted on the training points of the built-in file (their GPU's data).
pub fn fitted() -> Result<BTreeMap<String, Efficiency>, AttentionError> {
    let db = fpga_targets::Targets::builtin();
    let mut samples = Vec::new();
    for p in points().iter().filter(|p| p.training()) {
        let spec = TargetSpec::from_target(db.get(&p.gpu)?, p.shape.dtype, 0.5, None)?;
        let b = bound_of(p, &spec)?;
        samples.push((p, b.bound_s / p.measured_s));
    }
    Ok(fit(&samples))
}
