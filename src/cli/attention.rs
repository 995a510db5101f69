//! `presynth attention`: FLOPs, slow-memory traffic, best tiles, lower bound and roofline time
//! of attention algorithms on a GPU, an FPGA or this host; optional SVG roofline, and a sweep
//! over sequence length, batch or head dimension with its SVG plot of time.

use std::path::PathBuf;

use anyhow::{bail, Context};
use estimator::attention::host::HostMeasurement;
use estimator::attention::plot::{roofline_svg, sweep_svg};
use estimator::attention::{analyse, AnalysisOptions, AttentionShape, Dtype, Report, TargetSpec};
use fpga_targets::Targets;

use super::common::{table, Format};

/// Roofline and I/O-complexity analysis of attention kernels
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  \
presynth attention --batch 8 --heads 16 --seq 4096 --head-dim 128 --dtype bf16 --target h100\n  \
presynth attention --heads 32 --kv-heads 8 --seq 1 --kv-seq 8192 --head-dim 128 --target a100 --format json\n  \
presynth attention --heads 8 --seq 1024 --head-dim 64 --dtype 'ap_fixed<16,6>' --target alveo-u250 --plot roofline.svg\n  \
presynth attention --heads 16 --head-dim 128 --causal --target h100 --sweep seq=512..16384\n  \
presynth attention --heads 16 --seq 4096 --head-dim 128 --target h100 --sweep batch=1..64 --plot batch.svg\n  \
presynth attention --heads 16 --seq 4096 --head-dim 32 --target h100 --sweep head-dim=32..256\n  \
presynth attention --heads 4 --seq 2048 --head-dim 64 --dtype fp32 --target host\n  \
presynth attention --heads 32 --kv-heads 8 --head-dim 128 --causal --target h100 --seq-lens 2048,1:32768,1:900 --window 4096 --page-size 256")]
pub struct Args {
    /// Batch size
    #[arg(long, default_value_t = 1)]
    pub batch: usize,
    /// Query heads
    #[arg(long, default_value_t = 1)]
    pub heads: usize,
    /// Key/value heads (GQA/MQA; default: the query heads)
    #[arg(long)]
    pub kv_heads: Option<usize>,
    /// Query length N (required unless --sweep seq=...)
    #[arg(long)]
    pub seq: Option<usize>,
    /// Key/value length L (default: N; decode: --seq 1 --kv-seq L)
    #[arg(long)]
    pub kv_seq: Option<usize>,
    /// Head dimension of Q and K
    #[arg(long)]
    pub head_dim: usize,
    /// Head dimension of V (default: --head-dim)
    #[arg(long)]
    pub v_head_dim: Option<usize>,
    /// Causal mask (bottom-right aligned, FlashAttention convention)
    #[arg(long)]
    pub causal: bool,
    /// Element type: fp32, tf32, bf16, fp16, fp8 or an ap_fixed type such as 'ap_fixed<16,6>'
    #[arg(long, default_value = "bf16")]
    pub dtype: String,
    /// K/V cache element type in device memory when it differs from --dtype (fp8, 'ap_int<8>',
    /// 'ap_int<4>' ...): sets the bytes of the GPU bound's K/V traffic and the capacity check
    #[arg(long)]
    pub kv_dtype: Option<String>,
    /// A GPU or FPGA name or alias from `presynth targets`, or `host` to measure this machine
    #[arg(long)]
    pub target: String,
    /// Fast-memory size in bytes, overriding the target's
    #[arg(long)]
    pub fast_mem: Option<u64>,
    /// Smallest tile side considered (default 16 on GPUs, 1 elsewhere)
    #[arg(long)]
    pub min_tile: Option<usize>,
    /// FPGA: share of BRAM+URAM given to the kernel
    #[arg(long, default_value_t = 0.5)]
    pub fpga_fraction: f64,
    /// Slow-memory bandwidth in GB/s, overriding the target's
    #[arg(long)]
    pub bandwidth: Option<f64>,
    /// Extra targets file (see `presynth targets --help`)
    #[arg(long)]
    pub targets_file: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the roofline with one point per algorithm to this SVG file (with --sweep: the
    /// time of each algorithm and of the GPU bound against the swept value)
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Sweep one size, doubling from FROM while ≤ TO: seq=FROM..TO, batch=FROM..TO or
    /// head-dim=FROM..TO (sets the V head dim too unless --v-head-dim is given)
    #[arg(long)]
    pub sweep: Option<String>,
    /// GPU: print the expected time (bound ÷ efficiency fitted on published measurements) beside
    /// each kernel's bound
    #[arg(long)]
    pub calibrated: bool,
    /// Transformer-block view: hidden size d_model (with --ffn); prints the time of one block
    /// split into QKV, attention, output projection, FFN and norms
    #[arg(long, requires = "ffn")]
    pub d_model: Option<usize>,
    /// Transformer-block view: FFN width
    #[arg(long, requires = "d_model")]
    pub ffn: Option<usize>,
    /// Transformer-block view: the FFN is gated (SwiGLU, three matrices)
    #[arg(long)]
    pub ffn_gated: bool,
    /// GPU bound: kernel-launch floor in µs (default 1.8, one CUDA-graph dispatch; 0 disables)
    #[arg(long)]
    pub launch_floor_us: Option<f64>,
    /// Serving view: a variable-length batch, one Q[:KV] per sequence (query length, and key
    /// length when it differs: `1:8192` is a decode step), e.g. `--seq-lens 4096,1:8192,512:2048`;
    /// replaces --batch/--seq/--kv-seq
    #[arg(long)]
    pub seq_lens: Option<String>,
    /// Serving view: sliding window of W keys per query (causal)
    #[arg(long)]
    pub window: Option<usize>,
    /// Serving view: paged K/V cache with pages of P tokens (whole pages are read and stored)
    #[arg(long)]
    pub page_size: Option<usize>,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let dtype = Dtype::parse(&a.dtype)?;
    let kv_dtype = a.kv_dtype.as_deref().map(Dtype::parse).transpose()?;
    let target = resolve_target(&a, dtype)?;
    if a.seq_lens.is_some() || a.window.is_some() || a.page_size.is_some() {
        return super::attention_serving::run(&a, dtype, kv_dtype, &target);
    }
    let opts = AnalysisOptions {
        min_tile: a.min_tile,
        fast_mem_bytes: a.fast_mem,
        launch_floor_s: a.launch_floor_us.map(|u| u * 1e-6),
    };
    let (swept, values) = match &a.sweep {
        Some(s) => parse_sweep(s)?,
        None => (Swept::Seq, vec![a.seq.unwrap_or(0)]),
    };
    if a.seq.is_none() && (a.sweep.is_none() || swept != Swept::Seq) {
        bail!("--seq N is required (or --sweep seq=FROM..TO)");
    }
    let efficiency = if a.calibrated {
        Some(estimator::attention::calibration::fitted()?)
    } else {
        None
    };
    // Every shape is checked before any is analysed, so a sweep past the limits fails at once.
    for &n in &values {
        shape(&a, dtype, kv_dtype, swept, n).validate()?;
    }
    let reports: Vec<Report> = values
        .iter()
        .map(|&n| analyse(&shape(&a, dtype, kv_dtype, swept, n), &target, opts))
        .collect::<Result<_, _>>()?;
    if let Some(path) = &a.plot {
        if a.sweep.is_some() {
            sweep_svg(&reports, swept.name(), &values, path)?;
        } else {
            let last = reports.last().context("no shape analysed")?;
            roofline_svg(last, path)?;
        }
        eprintln!("wrote {}", path.display());
    }
    if let (Some(eff), Format::Json) = (&efficiency, a.format) {
        let expected: Vec<_> = reports.iter().map(|r| calibrated(r, eff)).collect();
        let mut v = serde_json::to_value(&reports)?;
        for (r, e) in v.as_array_mut().into_iter().flatten().zip(expected) {
            r["calibrated"] = serde_json::to_value(e)?;
        }
        let out = if a.sweep.is_some() { v } else { v[0].take() };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    match (a.format, a.sweep.is_some()) {
        (Format::Json, false) => println!("{}", serde_json::to_string_pretty(&reports[0])?),
        (Format::Json, true) => println!("{}", serde_json::to_string_pretty(&reports)?),
        (Format::Csv, _) => print_csv(&reports),
        (Format::Table, false) => {
            print_report(&reports[0], efficiency.as_ref());
            if let (Some(d_model), Some(ffn)) = (a.d_model, a.ffn) {
                print_block(&a, &reports[0], &target, d_model, ffn, opts)?;
            }
        }
        (Format::Table, true) => print_sweep(&reports, swept),
    }
    Ok(())
}

/// The size a `--sweep` varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Swept {
    Seq,
    Batch,
    HeadDim,
}

impl Swept {
    fn name(self) -> &'static str {
        match self {
            Swept::Seq => "seq",
            Swept::Batch => "batch",
            Swept::HeadDim => "head-dim",
        }
    }
    fn of(self, s: &AttentionShape) -> usize {
        match self {
            Swept::Seq => s.seq,
            Swept::Batch => s.batch,
            Swept::HeadDim => s.d_qk,
        }
    }
}

/// The shape of one analysis: the arguments with the swept size set to `value`.
fn shape(
    a: &Args,
    dtype: Dtype,
    kv_dtype: Option<Dtype>,
    swept: Swept,
    value: usize,
) -> AttentionShape {
    let seq = if swept == Swept::Seq {
        value
    } else {
        a.seq.unwrap_or(0)
    };
    let head_dim = if swept == Swept::HeadDim {
        value
    } else {
        a.head_dim
    };
    AttentionShape {
        batch: if swept == Swept::Batch {
            value
        } else {
            a.batch
        },
        heads: a.heads,
        kv_heads: a.kv_heads.unwrap_or(a.heads),
        seq,
        kv_seq: if swept == Swept::Seq && a.sweep.is_some() {
            a.kv_seq.unwrap_or(seq).max(seq)
        } else {
            a.kv_seq.unwrap_or(seq)
        },
        d_qk: head_dim,
        d_v: a.v_head_dim.unwrap_or(head_dim),
        causal: a.causal,
        dtype,
        kv_dtype,
    }
}

fn resolve_target(a: &Args, dtype: Dtype) -> anyhow::Result<TargetSpec> {
    if a.target.eq_ignore_ascii_case("host") {
        eprintln!("measuring this host (triad bandwidth, f32 GEMM peak, caches)...");
        let mut spec = TargetSpec::host(&HostMeasurement::measure());
        if let Some(bw) = a.bandwidth {
            spec.bandwidth_bytes_per_s = bw * 1e9;
        }
        return Ok(spec);
    }
    let db = Targets::load_with(a.targets_file.as_deref())?;
    let t = db.get(&a.target)?;
    Ok(TargetSpec::from_target(
        t,
        dtype,
        a.fpga_fraction,
        a.bandwidth,
    )?)
}

/// `seq=512..16384` → seq: 512, 1024, …, 16384 (likewise `batch=` and `head-dim=`).
fn parse_sweep(s: &str) -> anyhow::Result<(Swept, Vec<usize>)> {
    let bad = || {
        format!(
            "--sweep: expected seq=FROM..TO, batch=FROM..TO or head-dim=FROM..TO with \
             1 ≤ FROM ≤ TO, got `{s}`"
        )
    };
    let (name, range) = s.split_once('=').with_context(bad)?;
    let swept = match name.trim() {
        "seq" => Swept::Seq,
        "batch" => Swept::Batch,
        "head-dim" | "head_dim" => Swept::HeadDim,
        _ => bail!(bad()),
    };
    let (lo, hi) = range.split_once("..").with_context(bad)?;
    let (lo, hi): (usize, usize) = (
        lo.trim().parse().with_context(bad)?,
        hi.trim().parse().with_context(bad)?,
    );
    if lo == 0 || lo > hi {
        bail!(bad());
    }
    // Doubling stops before it would pass `hi` or overflow (`n *= 2` wrapped to 0 at 2^63 and
    // looped until memory ran out): at most 64 values.
    Ok((
        swept,
        std::iter::successors(Some(lo), |&n| n.checked_mul(2).filter(|&m| m <= hi)).collect(),
    ))
}

pub(super) fn eng(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let (v, unit) = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        .iter()
        .find(|(s, _)| x.abs() >= *s)
        .map_or((x, ""), |(s, u)| (x / s, *u));
    format!("{v:.3}{unit}")
}

pub(super) fn secs(t: f64) -> String {
    if t >= 1.0 {
        format!("{t:.3} s")
    } else if t >= 1e-3 {
        format!("{:.3} ms", t * 1e3)
    } else {
        format!("{:.3} µs", t * 1e6)
    }
}

fn tile_str(t: &Option<std::collections::BTreeMap<String, usize>>) -> String {
    t.as_ref().map_or("-".into(), |m| {
        m.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

type Efficiencies =
    std::collections::BTreeMap<String, estimator::attention::calibration::Efficiency>;

/// Expected time per kernel view: bound ÷ the efficiency fitted for that kernel, type width
/// and head dim (fitted on H100 SXM points; `None` where no group matches).
#[derive(serde::Serialize)]
struct Expected {
    kernel: String,
    bound_s: f64,
    efficiency: Option<f64>,
    expected_s: Option<f64>,
    basis: String,
}

fn calibrated(r: &Report, eff: &Efficiencies) -> Vec<Expected> {
    use estimator::attention::calibration::group_of;
    let Some(g) = &r.gpu else { return Vec::new() };
    let views = g
        .kernels
        .iter()
        .map(|(k, b)| (k.clone(), k.clone(), b))
        .chain(
            g.best
                .iter()
                .map(|b| ("best tile".to_string(), "cudnn".to_string(), b)),
        );
    views
        .map(|(name, group_kernel, b)| {
            let group = group_of(&group_kernel, r.shape.dtype, r.shape.d_qk);
            let e = eff.get(&group).map(|e| e.at(&r.shape));
            Expected {
                kernel: name,
                bound_s: b.time_s,
                efficiency: e,
                expected_s: e.map(|e| b.time_s / e),
                basis: match eff.get(&group) {
                    Some(x) => format!(
                        "group {group}: efficiency {:.3}·n/(n+{:.2}) fitted on {} published H100 SXM points (estimator/data/attention_measured.csv)",
                        x.e_inf, x.c, x.points
                    ),
                    None => format!("no published points for group {group}"),
                },
            }
        })
        .collect()
}

fn print_report(r: &Report, eff: Option<&Efficiencies>) {
    let s = &r.shape;
    let t = &r.target;
    println!(
        "attention: batch {} heads {} kv-heads {} seq {} kv-seq {} d_qk {} d_v {}{} {}",
        s.batch,
        s.heads,
        s.kv_heads,
        s.seq,
        s.kv_seq,
        s.d_qk,
        s.d_v,
        if s.causal { " causal" } else { "" },
        s.dtype.label()
    );
    println!(
        "target {} ({}): peak {}FLOP/s, bandwidth {}B/s, ridge {:.1} FLOP/B, fast memory {} B = {} words",
        t.spec.name,
        t.spec.kind,
        eng(t.spec.peak_flops),
        eng(t.spec.bandwidth_bytes_per_s),
        t.ridge_flop_per_byte,
        t.spec.fast_mem_bytes,
        t.fast_mem_words
    );
    for b in &t.spec.basis {
        println!("  {b}");
    }
    println!("FLOPs {}", eng(r.flops));
    println!(
        "lower bound {} words ({}; the Θ-bound's constant is taken as 1, as no paper gives one: leading term {} words; compulsory {} words)",
        eng(r.lower_bound.words),
        r.lower_bound.regime,
        eng(r.lower_bound.leading_term),
        eng(r.lower_bound.compulsory as f64)
    );
    let mut tab = table(&[
        "algorithm",
        "tile",
        "words read",
        "words written",
        "bytes",
        "FLOP/B",
        "attainable FLOP/s",
        "time",
        "regime",
        "binding unit",
        "x lower bound (constant 1)",
    ]);
    for (name, a) in &r.algorithms {
        if !a.fits {
            tab.add_row(vec![name.clone(), "does not fit".into()]);
            continue;
        }
        tab.add_row(vec![
            name.clone(),
            tile_str(&a.tile),
            eng(a.words_read.unwrap_or(0) as f64),
            eng(a.words_written.unwrap_or(0) as f64),
            eng(a.bytes.unwrap_or(f64::NAN)),
            format!("{:.1}", a.intensity.unwrap_or(f64::NAN)),
            eng(a.attainable_flops.unwrap_or(f64::NAN)),
            secs(a.time_s.unwrap_or(f64::NAN)),
            a.regime.clone().unwrap_or_default(),
            a.binding.clone().unwrap_or_default(),
            format!("{:.2}", a.ratio_to_lower_bound.unwrap_or(f64::NAN)),
        ]);
    }
    println!("{tab}");
    if let Some(g) = &r.gpu {
        print_gpu(r, g);
        if let Some(eff) = eff {
            for e in calibrated(r, eff) {
                match e.expected_s {
                    Some(x) => println!(
                        "calibrated {}: expected {} (bound {} / efficiency {:.3}); {}",
                        e.kernel,
                        secs(x),
                        secs(e.bound_s),
                        e.efficiency.unwrap_or(f64::NAN),
                        e.basis
                    ),
                    None => println!("calibrated {}: {}", e.kernel, e.basis),
                }
            }
        }
    }
    if let Some(b) = &r.best {
        println!(
            "two-level best (HBM ↔ SMEM only, no L2, no parallelism): {} ({}), {} — {}",
            b.algorithm,
            tile_str(&Some(b.tile.clone())),
            secs(b.time_s),
            b.reason
        );
    }
}

fn print_gpu(r: &Report, g: &estimator::attention::analysis::GpuReport) {
    let mut tab = table(&[
        "GPU bound",
        "tile",
        "splits",
        "blocks",
        "waves",
        "tensor",
        "exp",
        "fp32",
        "smem",
        "parallel",
        "HBM bytes",
        "L2 served",
        "memory",
        "time",
        "TFLOP/s",
        "binding",
    ]);
    let rows = g
        .best
        .iter()
        .map(|b| ("best tile (real constraints)".to_string(), b))
        .chain(g.kernels.iter().map(|(k, b)| {
            let path = b.instruction.as_ref().map_or(String::new(), |i| {
                format!(" ({i}, ≤ {:.0} TFLOP/s)", b.mma_flops_per_s / 1e12)
            });
            (format!("{k} tile{path}"), b)
        }));
    for (name, b) in rows {
        tab.add_row(vec![
            name,
            format!("{}x{}", b.br, b.bc),
            b.splits.to_string(),
            b.thread_blocks.to_string(),
            format!("{:.2}", b.waves),
            secs(b.units.tensor_s),
            secs(b.units.exp_s),
            secs(b.units.fp32_s),
            secs(b.units.smem_s),
            secs(b.parallel_s),
            eng(b.hbm_bytes),
            eng(b.l2_hit_bytes),
            secs(b.memory_s),
            secs(b.time_s),
            format!("{:.1}", b.attainable_flops / 1e12),
            b.binding.clone(),
        ]);
    }
    println!("{tab}");
    let c = &g.capacity;
    println!(
        "device memory: Q + K/V cache + O need {}B of {}B{}",
        eng(c.needed_bytes),
        eng(c.device_bytes as f64),
        if c.fits {
            ""
        } else {
            " — DOES NOT FIT: shard the batch or heads, or quantise the K/V cache (--kv-dtype)"
        }
    );
    if let Some(b) = &g.best {
        println!(
            "bound: {} (best tile Br={} Bc={}: {} B SMEM, {} FP32 accumulator registers, {} block(s) per SM); units overlap (time = max of tensor, exp, fp32, parallel, memory, launch floor {}); {} FLOPs",
            secs(b.time_s),
            b.br,
            b.bc,
            b.smem_bytes,
            b.accumulator_registers,
            b.blocks_per_sm,
            secs(b.launch_floor_s),
            eng(r.flops)
        );
    }
}

fn print_block(
    a: &Args,
    r: &Report,
    target: &TargetSpec,
    d_model: usize,
    ffn: usize,
    opts: AnalysisOptions,
) -> anyhow::Result<()> {
    use estimator::attention::block::{block, BlockShape};
    let b = BlockShape {
        d_model,
        ffn,
        gated: a.ffn_gated,
    };
    let floor = opts
        .launch_floor_s
        .unwrap_or(estimator::attention::gpu_bound::LAUNCH_FLOOR_S);
    let Some(rep) = block(&b, &r.shape, target, floor) else {
        bail!("--d-model/--ffn: the transformer-block view needs a GPU target");
    };
    let mut tab = table(&["block part", "FLOPs", "bytes", "time", "share", "binding"]);
    for p in &rep.parts {
        tab.add_row(vec![
            p.name.clone(),
            eng(p.flops),
            eng(p.bytes),
            secs(p.time_s),
            format!("{:.1}%", 100.0 * p.time_s / rep.total_s),
            p.binding.clone(),
        ]);
    }
    println!(
        "transformer block, {} tokens, d_model {d_model}, FFN {ffn}{}: bound {} per block",
        rep.tokens,
        if b.gated { " (gated)" } else { "" },
        secs(rep.total_s)
    );
    println!("{tab}");
    Ok(())
}

fn print_sweep(rs: &[Report], swept: Swept) {
    let mut tab = table(&[
        swept.name(),
        "FLOPs",
        "best",
        "tile",
        "time",
        "attainable FLOP/s",
        "regime",
        "flash2 bytes",
        "standard bytes",
        "lower bound words",
        "GPU bound",
        "GPU binding",
    ]);
    for r in rs {
        let best = r.best.as_ref();
        let f2 = &r.algorithms["flash2"];
        tab.add_row(vec![
            swept.of(&r.shape).to_string(),
            eng(r.flops),
            best.map_or("-".into(), |b| b.algorithm.clone()),
            best.map_or("-".into(), |b| tile_str(&Some(b.tile.clone()))),
            best.map_or("-".into(), |b| secs(b.time_s)),
            best.map_or("-".into(), |b| eng(b.attainable_flops)),
            best.and_then(|b| r.algorithms[&b.algorithm].regime.clone())
                .unwrap_or_default(),
            eng(f2.bytes.unwrap_or(f64::NAN)),
            eng(r.algorithms["standard"].bytes.unwrap_or(f64::NAN)),
            eng(r.lower_bound.words),
            r.gpu
                .as_ref()
                .and_then(|g| g.best.as_ref())
                .map_or("-".into(), |b| secs(b.time_s)),
            r.gpu
                .as_ref()
                .and_then(|g| g.best.as_ref())
                .map_or("-".into(), |b| b.binding.clone()),
        ]);
    }
    if let Some(r) = rs.first() {
        println!(
            "target {} ({}), fast memory {} words",
            r.target.spec.name, r.target.spec.kind, r.target.fast_mem_words
        );
    }
    println!("{tab}");
}

fn print_csv(rs: &[Report]) {
    println!("seq,kv_seq,algorithm,fits,words_read,words_written,bytes,intensity,attainable_flops,time_s,regime,tile,ratio_to_lower_bound");
    for r in rs {
        for (name, a) in &r.algorithms {
            let f = |v: Option<f64>| v.map_or(String::new(), |x| x.to_string());
            println!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                r.shape.seq,
                r.shape.kv_seq,
                name,
                a.fits,
                a.words_read.map_or(String::new(), |v| v.to_string()),
                a.words_written.map_or(String::new(), |v| v.to_string()),
                f(a.bytes),
                f(a.intensity),
                f(a.attainable_flops),
                f(a.time_s),
                a.regime.clone().unwrap_or_default(),
                tile_str(&a.tile),
                f(a.ratio_to_lower_bound)
            );
        }
    }
}
