//! `presynth estimate --target ...`: the targets of one estimate (an FPGA part and/or GPUs
//! from the fpga-targets database), the `--batch`/`--seq`/`--gpu-dtype` options of the GPU
//! view, and its tables: the GPU view alone, or the FPGA and GPU estimates side by side (and
//! their JSON, `{"schema", "fpga", "gpus"}`).

use super::common::table;
use anyhow::{anyhow, bail, Context};
use estimator::attention::{Dtype, TargetSpec};
use estimator::gpu_view::GpuEstimate;
use estimator::EstimateReport;
use fpga_targets::{Target, Targets};
use ir::{LayerKind, Network};
use serde::Serialize;
use std::fmt::Write as _;

/// The GPU view's options.
#[derive(clap::Args, Debug, Clone)]
pub struct GpuArgs {
    /// Targets from the database (`presynth targets`), comma-separated: one FPGA part and/or
    /// GPUs, e.g. `h100` or `xcu250,h100` (FPGA and GPU side by side)
    #[arg(long)]
    pub target: Option<String>,
    /// Inputs per GPU call (the FPGA estimate is per inference)
    #[arg(long, default_value_t = 1)]
    pub batch: usize,
    /// Sequence length: replaces the first dimension of every input of a network with
    /// attention, for both views
    #[arg(long)]
    pub seq: Option<usize>,
    /// Element type on the GPU: fp32, tf32, bf16, fp16 or fp8
    #[arg(long, default_value = "bf16")]
    pub gpu_dtype: String,
}

/// The targets named by `--target`: at most one FPGA part, and the GPUs' roofline specs.
pub struct Chosen {
    pub fpga: Option<String>,
    pub gpus: Vec<TargetSpec>,
    pub dtype: Dtype,
}

pub fn resolve(args: &GpuArgs) -> anyhow::Result<Option<Chosen>> {
    let Some(list) = &args.target else {
        return Ok(None);
    };
    if args.batch == 0 {
        bail!("--batch must be at least 1");
    }
    let dtype = Dtype::parse(&args.gpu_dtype).context("--gpu-dtype")?;
    let db = Targets::builtin();
    let mut out = Chosen {
        fpga: None,
        gpus: Vec::new(),
        dtype,
    };
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let r = db
            .resolve(name)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("--target '{name}'"))?;
        if let Some(n) = r.note {
            eprintln!("note: target: {n}");
        }
        match r.target {
            Target::Fpga(p) => {
                if let Some(first) = &out.fpga {
                    bail!(
                        "--target: one FPGA part at a time ('{first}' and '{}')",
                        p.name
                    );
                }
                out.fpga = Some(p.name.clone());
            }
            t @ Target::Gpu(_) => out.gpus.push(
                TargetSpec::from_target(t, dtype, 0.5, None)
                    .with_context(|| format!("--target '{name}'"))?,
            ),
        }
    }
    if out.fpga.is_none() && out.gpus.is_empty() {
        bail!("--target: no target named (expected e.g. h100 or xcu250,h100)");
    }
    Ok(Some(out))
}

/// `--seq N`: the first dimension of every network input becomes N (a network with attention
/// only: elsewhere the first dimension is not a sequence), then shapes are inferred again.
pub fn set_sequence(net: &mut Network, seq: usize) -> anyhow::Result<()> {
    if seq == 0 {
        bail!("--seq must be at least 1");
    }
    if !net
        .layers()
        .iter()
        .any(|l| matches!(l.kind, LayerKind::MultiHeadAttention(_)))
    {
        bail!(
            "--seq: network '{}' has no attention layer, so its inputs have no sequence axis to set",
            net.name
        );
    }
    for id in net.inputs.clone() {
        if let LayerKind::Input(ir::ops::Input { shape }) = &mut net.layer_mut(id).kind {
            if let Some(first) = shape.first_mut() {
                *first = seq;
            }
        }
    }
    net.infer_shapes()
        .with_context(|| format!("--seq {seq}: network '{}'", net.name))
}

/// `1234567` → `1.23M` (SI prefixes, three significant digits).
pub fn si(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let (d, p) = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        .into_iter()
        .find(|(d, _)| v.abs() >= *d)
        .unwrap_or((1.0, ""));
    let x = v / d;
    let s = if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    format!("{s}{p}")
}

fn us(s: f64) -> String {
    format!("{:.2}", s * 1e6)
}

/// The GPU view as a table.
pub fn gpu_text(e: &GpuEstimate) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "GPU: {}  {}  batch {}  (time = max(roofline, launch floor) per kernel; layers in sequence)",
        e.target, e.dtype, e.batch
    );
    let mut t = table(&[
        "layer", "kind", "FLOPs", "bytes", "time µs", "bound", "kernels",
    ]);
    for l in &e.layers {
        let ks: Vec<&str> = l.kernels.iter().map(|k| k.part.as_str()).collect();
        t.add_row(vec![
            l.name.clone(),
            l.kind.clone(),
            si(l.flops),
            si(l.bytes),
            us(l.time_s),
            l.bound.clone(),
            ks.join("+"),
        ]);
    }
    t.add_row(vec![
        "total".into(),
        String::new(),
        si(e.total_flops),
        si(e.total_bytes),
        us(e.total_time_s),
        String::new(),
        String::new(),
    ]);
    let _ = writeln!(out, "{t}");
    for l in &e.layers {
        for k in &l.kernels {
            if let Some(d) = &k.detail {
                let _ = writeln!(out, "{} {}: {d}", l.name, k.part);
            }
        }
    }
    out
}

/// The FPGA estimate and the GPU views, one row per layer.
pub fn side_by_side(f: &EstimateReport, gpus: &[GpuEstimate]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "model: {}\nFPGA: {}  clock {} ns  {}  (csynth estimate, one inference)",
        f.model, f.part, f.clock_period_ns, f.io_type
    );
    for g in gpus {
        let _ = writeln!(out, "GPU: {}  {}  batch {}", g.target, g.dtype, g.batch);
    }
    let _ = writeln!(out, "{}", f.headline());
    let mut header: Vec<String> = ["layer", "kind", "LUT", "DSP", "BRAM", "FPGA µs"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for g in gpus {
        let name = g.target.as_str();
        header.extend([
            format!("{name} FLOPs"),
            format!("{name} bytes"),
            format!("{name} µs"),
            format!("{name} bound"),
        ]);
    }
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = table(&refs);
    let ns = f.clock_period_ns;
    for l in &f.layers {
        let mut row = vec![
            l.name.clone(),
            l.kind.clone(),
            format!("{}", l.csynth.lut.round()),
            format!("{}", l.csynth.dsp.round()),
            format!("{}", l.csynth.bram_18k.round()),
            format!("{:.2}", l.latency_best as f64 * ns / 1e3),
        ];
        for g in gpus {
            match g.layers.iter().find(|x| x.name == l.name) {
                Some(x) => row.extend([si(x.flops), si(x.bytes), us(x.time_s), x.bound.clone()]),
                None => row.extend(["-".into(), "-".into(), "-".into(), "-".into()]),
            }
        }
        t.add_row(row);
    }
    let mut total = vec![
        "total".to_string(),
        String::new(),
        format!("{}", f.total.lut.round()),
        format!("{}", f.total.dsp.round()),
        format!("{}", f.total.bram_18k.round()),
        format!("{:.2}", f.total.latency_ns / 1e3),
    ];
    for g in gpus {
        total.extend([
            si(g.total_flops),
            si(g.total_bytes),
            us(g.total_time_s),
            String::new(),
        ]);
    }
    t.add_row(total);
    let _ = writeln!(out, "{t}");
    let _ = writeln!(
        out,
        "FPGA µs: a layer's latency (the network's is the longest path, {} cycles, II {}); GPU µs: kernel times, summed over the layers",
        f.total.latency_cycles, f.total.ii
    );
    out
}

/// The JSON of an estimate with `--target` naming a GPU (docs/estimate-targets.schema.json).
#[derive(Serialize)]
pub struct TargetsReport<'a> {
    pub schema: &'static str,
    pub fpga: Option<&'a EstimateReport>,
    pub gpus: &'a [GpuEstimate],
}

pub const SCHEMA: &str = "presynth-estimate-targets/1";

/// The GPU views as CSV: one row per (GPU, layer).
pub fn csv(gpus: &[GpuEstimate]) -> String {
    let mut out = String::from("target,dtype,batch,layer,kind,flops,bytes,time_s,bound\n");
    for g in gpus {
        for l in &g.layers {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{}",
                g.target, g.dtype, g.batch, l.name, l.kind, l.flops, l.bytes, l.time_s, l.bound
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::si;

    #[test]
    fn si_prefixes() {
        assert_eq!(si(65536.0), "65.5k");
        assert_eq!(si(1.374e11), "137G");
        assert_eq!(si(12.0), "12.0");
        assert_eq!(si(0.0), "0");
    }
}
