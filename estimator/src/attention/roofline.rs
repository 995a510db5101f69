//! The roofline: a target's compute units ([`Units`]), its slow-memory bandwidth and its
//! fast memory, resolved from the part database or measured on the host, and the time of a
//! kernel given its work and bytes.
//!
//! GPU: fast memory = the shared memory one thread block may use (227 KB on H100, 163 KB on
//! A100, 99 KB on L4 — not the per-SM carve-out), slow = HBM/GDDR, units = tensor cores at the
//! dense peak of the type (plain FP32 for fp32), the exponential unit (SMs × SFU rate × clock)
//! and the FP32 lanes (see [`super::units`] for the overlap rule). The parallel structure (SMs,
//! registers, L2) travels in [`GpuDetails`] for the occupancy, tile and L2 models.
//! FPGA: fast memory = a fraction of the BRAM + URAM *data* bytes (16 Kb per BRAM_18K and 256 Kb
//! per URAM without the parity/ECC bits), slow = the board's DDR/HBM, units = DSP multiplies
//! (two INT8 products per DSP48E2/DSP58) plus LUT multipliers and the LUT softmax.

use fpga_targets::{DspPrimitive, FpgaPart, Gpu, GpuPrecision, Target};
use serde::Serialize;

use super::host::HostMeasurement;
use super::shape::Dtype;
use super::units::{Units, Work};
use super::AttentionError;

/// Data bytes of one BRAM_18K without its 2 Kb of parity (16 Kb).
pub const BRAM18K_DATA_BYTES: u64 = 2_048;
/// Data bytes of one URAM without its ECC bits (4 K × 64 bits of the 4 K × 72 array).
pub const URAM_DATA_BYTES: u64 = 32_768;
/// LUTs of a 9×9 LUT multiplier (LogiCORE Multiplier v11.2 data sheet, domain-notes §2.2);
/// other widths scale with w².
pub const LUTS_9X9_MULT: f64 = 115.0;

/// The parallel structure of a GPU, for occupancy, tiles and the L2 model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuDetails {
    pub arch: String,
    pub sms: u32,
    pub smem_per_sm_bytes: u64,
    pub smem_per_block_bytes: u64,
    /// 32-bit registers per SM (per block on NVIDIA parts); `None` where not modelled.
    pub regs_per_sm: Option<u64>,
    /// Last-level cache in front of DRAM; `None` when the part has none.
    pub l2_bytes: Option<u64>,
    /// Device memory capacity.
    pub memory_bytes: u64,
}

/// What the roofline needs to know about a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetSpec {
    pub name: String,
    /// "gpu", "fpga" or "host".
    pub kind: String,
    /// Peak matrix FLOP/s (the flat roof).
    pub peak_flops: f64,
    pub bandwidth_bytes_per_s: f64,
    pub fast_mem_bytes: u64,
    /// Exponentials per second: the SFU rate on GPUs, the measured rate on the host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp_per_s: Option<f64>,
    pub units: Units,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu: Option<GpuDetails>,
    /// How each number was obtained.
    pub basis: Vec<String>,
}

/// Where a kernel sits on the roofline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoofPoint {
    /// FLOP per byte of slow-memory traffic.
    pub intensity: f64,
    pub attainable_flops: f64,
    pub time_s: f64,
    pub compute_bound: bool,
    /// The unit that sets the time: "tensor", "exp", "fp32", "fabric" or "memory".
    pub binding: &'static str,
}

impl TargetSpec {
    /// Ridge point in FLOP/byte.
    pub fn ridge(&self) -> f64 {
        self.peak_flops / self.bandwidth_bytes_per_s
    }

    /// Time = max(compute by the overlap rule of [`super::units`], bytes/bandwidth);
    /// attainable FLOP/s = matrix FLOPs / time.
    pub fn point(&self, work: &Work, bytes: f64) -> RoofPoint {
        let intensity = if bytes > 0.0 {
            work.mma_flops / bytes
        } else {
            f64::INFINITY
        };
        let u = self.units.times(work);
        let t_memory = bytes / self.bandwidth_bytes_per_s;
        let time = u.compute_s.max(t_memory);
        RoofPoint {
            intensity,
            attainable_flops: work.mma_flops / time,
            time_s: time,
            compute_bound: u.compute_s >= t_memory,
            binding: if u.compute_s >= t_memory {
                u.binding
            } else {
                "memory"
            },
        }
    }

    /// A database entry for `dtype`. `fpga_fraction` is the share of BRAM+URAM given to the
    /// kernel; `bandwidth_gbps` overrides the slow-memory bandwidth.
    pub fn from_target(
        t: &Target,
        dtype: Dtype,
        fpga_fraction: f64,
        bandwidth_gbps: Option<f64>,
    ) -> Result<TargetSpec, AttentionError> {
        let mut spec = match t {
            Target::Gpu(g) => gpu_spec(g, dtype)?,
            Target::Fpga(p) => fpga_spec(p, dtype, fpga_fraction)?,
        };
        if let Some(bw) = bandwidth_gbps {
            spec.bandwidth_bytes_per_s = bw * 1e9;
            spec.basis
                .push(format!("bandwidth {bw} GB/s given by the user"));
        }
        if spec.bandwidth_bytes_per_s.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return Err(AttentionError::Unsupported {
                target: spec.name,
                message: "no off-chip memory bandwidth in the part data; pass --bandwidth GB/s"
                    .into(),
            });
        }
        Ok(spec)
    }

    /// This machine, from measurements: f32 GEMM peak, triad bandwidth, L2 per core.
    pub fn host(m: &HostMeasurement) -> TargetSpec {
        TargetSpec {
            name: "host".into(),
            kind: "host".into(),
            peak_flops: m.gemm_flops,
            bandwidth_bytes_per_s: m.triad_bytes_per_s,
            fast_mem_bytes: m.fast_mem_bytes(),
            exp_per_s: Some(m.exp_per_s),
            units: Units::Shared {
                mma_flops_per_s: m.gemm_flops,
                exp_per_s: m.exp_per_s,
            },
            gpu: None,
            basis: vec![
                format!("peak: measured blocked f32 GEMM on {} threads", m.threads),
                "bandwidth: measured STREAM-like triad (12 B per element)".into(),
                format!("fast memory: {}", m.fast_mem_basis()),
                format!(
                    "softmax: measured {:.3e} f32 exp/s, added to the product time (same cores)",
                    m.exp_per_s
                ),
            ],
        }
    }

    /// The same target with other host rates (benchmarks calibrating the host roofline).
    pub fn with_host_rates(&self, peak_flops: f64, exp_per_s: f64) -> TargetSpec {
        let mut s = self.clone();
        s.peak_flops = peak_flops;
        s.exp_per_s = Some(exp_per_s);
        s.units = Units::Shared {
            mma_flops_per_s: peak_flops,
            exp_per_s,
        };
        s
    }
}

/// A source string for user output: the citation without the database's review notes (the
/// `[V]`/`[S]`/`[U]` tags and clauses such as "not re-read"); an unverified entry says so once.
pub fn citation(source: &str, verified: bool) -> String {
    let note = |c: &str| {
        let c = c.to_ascii_lowercase();
        ["not re-read", "not checked", "not verified"]
            .iter()
            .any(|n| c.contains(n))
    };
    let mut s = source
        .split(';')
        .filter(|c| !note(c))
        .collect::<Vec<_>>()
        .join(";");
    for tag in ["[V]", "[S]", "[U]"] {
        s = s.replace(&format!(" {tag}"), "").replace(tag, "");
    }
    let s = s.trim().trim_end_matches(';').to_string();
    if verified {
        s
    } else {
        format!("{s} (not yet checked against the source)")
    }
}

fn gpu_spec(g: &Gpu, dtype: Dtype) -> Result<TargetSpec, AttentionError> {
    let prec = match dtype {
        Dtype::Fp32 => GpuPrecision::Fp32,
        Dtype::Tf32 => GpuPrecision::Tf32,
        Dtype::Bf16 => GpuPrecision::Bf16,
        Dtype::Fp16 => GpuPrecision::Fp16,
        Dtype::Fp8 => GpuPrecision::Fp8,
        Dtype::Fixed(_) => {
            return Err(AttentionError::Unsupported {
                target: g.name.clone(),
                message:
                    "fixed-point types are for FPGA targets; use fp32, tf32, bf16, fp16 or fp8"
                        .into(),
            })
        }
    };
    let tflops = g
        .peak_tflops(prec)
        .ok_or_else(|| AttentionError::Unsupported {
            target: g.name.clone(),
            message: format!("no dense {} peak in the target data", dtype.label()),
        })?;
    let exp = g.exp_per_s();
    // FP32 lane operations per second: an FMA counts 2 FLOPs in the quoted figure.
    let fp32_ops = g.fp32_tflops.map(|t| t * 1e12 / 2.0);
    let smem_block = g.smem_per_block() * 1024;
    // Shared-memory bandwidth at the highest SM clock, so the ceiling holds at any clock.
    let smem_bw = match (g.smem_bytes_per_sm_clk, g.max_clock_mhz) {
        (Some(b), Some(mhz)) => Some(f64::from(g.sms) * b * mhz * 1e6),
        _ => None,
    };
    let mut basis = vec![
        format!("tensor units: dense {} {} TFLOP/s", dtype.label(), tflops),
        match exp {
            Some(e) => format!(
                "exponential unit: {} SMs x {} exp2/clk x {} MHz = {:.2} T exp/s",
                g.sms,
                g.sfu_per_sm_clk.unwrap_or(0.0),
                g.clock_mhz.unwrap_or(0.0),
                e / 1e12
            ),
            None => "exponential unit: no published rate, not bounded".into(),
        },
        match g.fp32_tflops {
            Some(f) => format!(
                "FP32 lanes: {f} TFLOP/s = {:.1} T ops/s for the softmax bookkeeping",
                f / 2.0
            ),
            None => "FP32 lanes: no published rate, not bounded".into(),
        },
        format!("bandwidth: {} {} GB/s", g.memory_kind, g.bandwidth_gbps),
        format!(
            "fast memory: shared memory per thread block, {} KiB (per SM {} KiB)",
            g.smem_per_block(),
            g.smem_per_sm_kib
        ),
    ];
    if let Some(l2) = g.l2_kib {
        basis.push(format!("last-level cache: {} MiB", l2 / 1024));
    }
    basis.push(match smem_bw {
        Some(bw) => format!(
            "shared memory: {} SMs x {} B/clk x {} MHz = {:.1} TB/s (kernel views with a known operand path)",
            g.sms,
            g.smem_bytes_per_sm_clk.unwrap_or(0.0),
            g.max_clock_mhz.unwrap_or(0.0),
            bw / 1e12
        ),
        None => "shared memory: no bandwidth figure, not bounded".into(),
    });
    basis.push(format!("source: {}", citation(&g.source, g.verified)));
    Ok(TargetSpec {
        name: g.name.clone(),
        kind: "gpu".into(),
        peak_flops: tflops * 1e12,
        bandwidth_bytes_per_s: g.bandwidth_gbps * 1e9,
        fast_mem_bytes: smem_block,
        exp_per_s: exp,
        units: Units::Pipelines {
            mma_flops_per_s: tflops * 1e12,
            exp_per_s: exp,
            fp32_ops_per_s: fp32_ops,
            smem_bytes_per_s: smem_bw,
        },
        gpu: Some(GpuDetails {
            arch: g.arch.clone().unwrap_or_default(),
            sms: g.sms,
            smem_per_sm_bytes: g.smem_per_sm_kib * 1024,
            smem_per_block_bytes: smem_block,
            regs_per_sm: g.regs_per_sm,
            l2_bytes: g.l2_kib.map(|k| k * 1024),
            memory_bytes: (g.memory_gb * 1e9) as u64,
        }),
        basis,
    })
}

/// Multiplies per DSP slice per cycle for `width`-bit operands: two INT8 products share one
/// DSP48E2/DSP58 (a common operand packed into the wide port, AMD WP486), otherwise
/// 1 / (slices one multiply takes).
pub fn products_per_dsp(prim: DspPrimitive, width: u32) -> f64 {
    match prim {
        DspPrimitive::DSP48E2 | DspPrimitive::DSP58 if width <= 8 => 2.0,
        _ => 1.0 / f64::from(prim.dsps_per_multiply(width)),
    }
}

fn fpga_spec(p: &FpgaPart, dtype: Dtype, fraction: f64) -> Result<TargetSpec, AttentionError> {
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(AttentionError::Input {
            field: "fpga_fraction".into(),
            message: format!("must be in (0, 1], got {fraction}"),
        });
    }
    let width = dtype.multiplier_bits();
    let per_dsp = products_per_dsp(p.dsp_primitive, width);
    let clock = p.clock_mhz();
    let luts_per_mult = (LUTS_9X9_MULT * f64::from(width * width) / 81.0).max(1.0);
    // An Alveo shell's dynamic region is what kernels may use.
    let (lut, _ff, dsp, bram_18k, uram, platform) = p.kernel_resources();
    let aie = p.ai_engine.as_ref().map_or(0.0, |a| a.macs_per_s(width));
    let units = Units::Fabric {
        dsp_mults_per_s: dsp as f64 * clock * 1e6 * per_dsp,
        lut_cycles_per_s: lut as f64 * clock * 1e6,
        luts_per_mult,
        width,
        aie_macs_per_s: aie,
    };
    let peak = units.peak_flops();
    let data_bytes = bram_18k * BRAM18K_DATA_BYTES + uram * URAM_DATA_BYTES;
    let mut extra = Vec::new();
    if let (Some(name), Some(sh)) = (platform, p.shells.first()) {
        extra.push(format!(
            "shell: dynamic region of {name}: {lut} LUT, {dsp} DSP, {bram_18k} BRAM_18K, {uram} URAM ({})",
            citation(&sh.source, sh.verified)
        ));
    }
    if let Some(a) = &p.ai_engine {
        extra.push(format!(
            "AI Engine: {} tiles x {} {width}-bit MACs/clk x {} MHz = {:.1} T MAC/s ({})",
            a.tiles,
            a.macs_per_tile_clk(width),
            a.clock_mhz,
            aie / 1e12,
            citation(&a.source, a.verified)
        ));
    }
    let fast = (data_bytes as f64 * fraction) as u64;
    let (bw, bw_note) = match &p.memory {
        Some(m) => (
            m.bandwidth_gbps * 1e9,
            format!(
                "bandwidth: {} {} GB/s ({})",
                m.kind,
                m.bandwidth_gbps,
                citation(&m.source, m.verified)
            ),
        ),
        None => (0.0, "bandwidth: none in the part data".to_string()),
    };
    Ok(TargetSpec {
        name: p.name.clone(),
        kind: "fpga".into(),
        peak_flops: peak,
        bandwidth_bytes_per_s: bw,
        fast_mem_bytes: fast,
        exp_per_s: None,
        units,
        gpu: None,
        basis: vec![
            format!(
                "peak: ({dsp} DSPs x {per_dsp} products + {lut} LUTs / {luts_per_mult:.0} LUTs per {width}-bit LUT multiplier) x {clock} MHz x 2 FLOP{}",
                if aie > 0.0 { " + AI Engine MACs x 2 FLOP" } else { "" }
            ),
            format!(
                "softmax: {} {width}-bit LUT add/compare per score, sharing the LUTs with the LUT multipliers",
                super::units::FPGA_SOFTMAX_ADDS_PER_SCORE
            ),
            bw_note,
            format!(
                "fast memory: {:.0}% of BRAM_18K {} x 2048 B + URAM {} x 32768 B (data bits, no parity) = {} bytes",
                fraction * 100.0,
                bram_18k,
                uram,
                fast
            ),
            format!("source: {}", citation(&p.source, p.verified)),
        ]
        .into_iter()
        .chain(extra)
        .collect(),
    })
}
