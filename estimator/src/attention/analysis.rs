//! The per-shape report: for each algorithm the best tile for the target's fast memory, its
//! exact slow-memory traffic, the roofline point and the ratio to the lower bound; then the
//! winner. Field names are the stable JSON of `presynth attention --format json`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::algorithms::{row_steps, Algorithm, TileChoice};
use super::bounds::{lower_bound, LowerBound};
use super::gpu_bound::{best_constrained, kernel_bound, GpuBound, LAUNCH_FLOOR_S};
use super::roofline::TargetSpec;
use super::shape::AttentionShape;
use super::tiles::KERNELS;
use super::units::Work;
use super::AttentionError;

/// Knobs of the analysis.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnalysisOptions {
    /// Smallest tile side considered (default: 16 on GPUs, the MMA granularity; 1 elsewhere).
    pub min_tile: Option<usize>,
    /// Fast-memory size in bytes, overriding the target's.
    pub fast_mem_bytes: Option<u64>,
    /// Kernel-launch floor in seconds for the GPU bound (default
    /// [`super::gpu_bound::LAUNCH_FLOOR_S`]; 0 disables).
    pub launch_floor_s: Option<f64>,
}

/// The GPU view: the bound with the best tile real kernels can run, and with the tiles
/// FlashAttention-2/-3 launch.
#[derive(Debug, Clone, Serialize)]
pub struct GpuReport {
    /// The best tile under FP32 accumulators, registers, MMA granularity and SMEM per block.
    pub best: Option<GpuBound>,
    /// "fa2", "fa3": the kernels' own tiles, where they run on this GPU.
    pub kernels: BTreeMap<String, GpuBound>,
    /// Q, the K/V cache and O against the device memory.
    pub capacity: Capacity,
}

/// The memory-capacity check.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Capacity {
    pub needed_bytes: f64,
    pub device_bytes: u64,
    pub fits: bool,
}

/// The target as analysed, with the fast memory in words of the element type.
#[derive(Debug, Clone, Serialize)]
pub struct TargetReport {
    #[serde(flatten)]
    pub spec: TargetSpec,
    pub fast_mem_words: usize,
    pub ridge_flop_per_byte: f64,
    pub min_tile: usize,
}

/// One algorithm's numbers; `None` fields (JSON null) when no tile fits in fast memory.
#[derive(Debug, Clone, Serialize)]
pub struct AlgorithmReport {
    pub fits: bool,
    pub words_read: Option<u64>,
    pub words_written: Option<u64>,
    pub bytes: Option<f64>,
    pub intensity: Option<f64>,
    pub attainable_flops: Option<f64>,
    pub time_s: Option<f64>,
    /// "compute-bound" or "memory-bound".
    pub regime: Option<String>,
    /// The unit that sets the time: "tensor", "exp", "fp32", "fabric" or "memory".
    pub binding: Option<String>,
    pub tile: Option<BTreeMap<String, usize>>,
    pub fast_mem_words_used: Option<usize>,
    pub ratio_to_lower_bound: Option<f64>,
    pub tile_reason: Option<String>,
}

/// The fastest algorithm and why.
#[derive(Debug, Clone, Serialize)]
pub struct Best {
    pub algorithm: String,
    pub tile: BTreeMap<String, usize>,
    pub time_s: f64,
    pub attainable_flops: f64,
    pub reason: String,
}

/// The whole analysis of one shape on one target.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub flops: f64,
    pub shape: AttentionShape,
    pub target: TargetReport,
    pub algorithms: BTreeMap<String, AlgorithmReport>,
    pub lower_bound: LowerBound,
    pub best: Option<Best>,
    /// GPUs only: the three-level, per-unit, parallel bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu: Option<GpuReport>,
}

impl Report {
    pub fn get(&self, a: Algorithm) -> &AlgorithmReport {
        &self.algorithms[a.name()]
    }
}

/// Analyses `shape` on `target`.
pub fn analyse(
    shape: &AttentionShape,
    target: &TargetSpec,
    opts: AnalysisOptions,
) -> Result<Report, AttentionError> {
    shape.validate()?;
    let fast_bytes = opts.fast_mem_bytes.unwrap_or(target.fast_mem_bytes);
    let m = (fast_bytes / shape.dtype.bytes()) as usize;
    if m < 3 {
        return Err(AttentionError::Input {
            field: "fast_mem".into(),
            message: format!(
                "{fast_bytes} bytes hold fewer than 3 {} words",
                shape.dtype.label()
            ),
        });
    }
    let min_tile = opts
        .min_tile
        .unwrap_or(if target.kind == "gpu" { 16 } else { 1 })
        .max(1);
    let p = shape.problem();
    let k = shape.problems();
    let flops = shape.flops();
    let scores = (p.pairs() * k) as f64;
    let lb = lower_bound(shape, m);
    let mut spec = target.clone();
    spec.fast_mem_bytes = fast_bytes;
    let mut algorithms = BTreeMap::new();
    let mut best: Option<(Algorithm, TileChoice, f64, f64, Work)> = None;
    for alg in Algorithm::ALL {
        let report = match alg.best_tile(&p, m, min_tile) {
            None => AlgorithmReport {
                fits: false,
                words_read: None,
                words_written: None,
                bytes: None,
                intensity: None,
                attainable_flops: None,
                time_s: None,
                regime: None,
                binding: None,
                tile: None,
                fast_mem_words_used: None,
                ratio_to_lower_bound: None,
                tile_reason: Some(format!("no tile with sides ≥ {min_tile} fits in {m} words")),
            },
            Some(choice) => {
                let tr = choice.traffic.scaled(k);
                let bytes = tr.total() as f64 * shape.dtype.bytes() as f64;
                let work = Work::attention(
                    flops,
                    scores,
                    (row_steps(alg, &p, choice.tile) * k) as f64,
                    p.d_v,
                );
                let pt = spec.point(&work, bytes);
                let better = match &best {
                    None => true,
                    Some((_, _, t, b, _)) => (pt.time_s, bytes) < (*t, *b),
                };
                if better {
                    best = Some((alg, choice.clone(), pt.time_s, bytes, work));
                }
                AlgorithmReport {
                    fits: true,
                    words_read: Some(tr.reads),
                    words_written: Some(tr.writes),
                    bytes: Some(bytes),
                    intensity: Some(pt.intensity),
                    attainable_flops: Some(pt.attainable_flops),
                    time_s: Some(pt.time_s),
                    regime: Some(regime(pt.compute_bound).into()),
                    binding: Some(pt.binding.into()),
                    tile: Some(tile_map(alg, &choice)),
                    fast_mem_words_used: Some(choice.footprint),
                    ratio_to_lower_bound: Some(tr.total() as f64 / lb.words),
                    tile_reason: Some(choice.reason.clone()),
                }
            }
        };
        algorithms.insert(alg.name().to_string(), report);
    }
    let best = best.map(|(alg, choice, time_s, bytes, work)| {
        let pt = spec.point(&work, bytes);
        Best {
            algorithm: alg.name().into(),
            tile: tile_map(alg, &choice),
            time_s,
            attainable_flops: pt.attainable_flops,
            reason: format!(
                "shortest roofline time; {} ({} sets the time) at {:.1} FLOP/B against a ridge of {:.1} FLOP/B; tile: {}",
                regime(pt.compute_bound),
                pt.binding,
                pt.intensity,
                spec.ridge(),
                choice.reason
            ),
        }
    });
    let ridge = spec.ridge();
    let floor = opts.launch_floor_s.unwrap_or(LAUNCH_FLOOR_S);
    let gpu = spec.gpu.as_ref().map(|g| GpuReport {
        capacity: Capacity {
            needed_bytes: shape.resident_bytes(),
            device_bytes: g.memory_bytes,
            fits: shape.resident_bytes() <= g.memory_bytes as f64,
        },
        best: best_constrained(shape, &spec, floor),
        kernels: KERNELS
            .iter()
            .filter_map(|k| Some((k.to_string(), kernel_bound(k, shape, &spec, floor)?)))
            .collect(),
    });
    Ok(Report {
        flops,
        shape: *shape,
        target: TargetReport {
            spec,
            fast_mem_words: m,
            ridge_flop_per_byte: ridge,
            min_tile,
        },
        algorithms,
        lower_bound: lb,
        best,
        gpu,
    })
}

fn regime(compute_bound: bool) -> &'static str {
    if compute_bound {
        "compute-bound"
    } else {
        "memory-bound"
    }
}

fn tile_map(alg: Algorithm, c: &TileChoice) -> BTreeMap<String, usize> {
    let (na, nb) = alg.tile_names();
    BTreeMap::from([(na.to_string(), c.tile.a), (nb.to_string(), c.tile.b)])
}
