//! The roofline: a target's peak FLOP/s for the element type, its slow-memory bandwidth and
//! its fast memory, resolved from the part database or measured on the host, and the
//! attainable FLOP/s and time of a kernel given its FLOPs and bytes.
//!
//! GPU: fast memory = shared memory per SM (what one thread block can hold), slow = HBM/GDDR,
//! peak = the dense tensor-core peak of the type (plain FP32 for fp32).
//! FPGA: fast memory = a fraction of BRAM + URAM, slow = the board's DDR/HBM, peak =
//! DSPs × clock × MACs per DSP at the type's multiplier width × 2 FLOP per MAC.

use fpga_targets::{FpgaPart, Gpu, GpuPrecision, Target};
use serde::Serialize;

use super::host::HostMeasurement;
use super::shape::Dtype;
use super::AttentionError;

/// What the roofline needs to know about a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetSpec {
    pub name: String,
    /// "gpu", "fpga" or "host".
    pub kind: String,
    pub peak_flops: f64,
    pub bandwidth_bytes_per_s: f64,
    pub fast_mem_bytes: u64,
    /// Exponentials per second when they share the cores with the products (host only); their
    /// time is added to the roofline time. GPUs evaluate them on separate units (overlapped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp_per_s: Option<f64>,
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
}

impl TargetSpec {
    /// Ridge point in FLOP/byte.
    pub fn ridge(&self) -> f64 {
        self.peak_flops / self.bandwidth_bytes_per_s
    }

    /// Time = max(flops/peak, bytes/bandwidth) (+ exps/exp rate where exponentials share the
    /// cores); attainable FLOP/s = flops/time, i.e. min(peak, intensity × bandwidth) without
    /// the exponential term.
    pub fn point(&self, flops: f64, bytes: f64, exps: f64) -> RoofPoint {
        let intensity = if bytes > 0.0 {
            flops / bytes
        } else {
            f64::INFINITY
        };
        let t_compute = flops / self.peak_flops;
        let t_memory = bytes / self.bandwidth_bytes_per_s;
        let t_exp = self.exp_per_s.map_or(0.0, |r| exps / r);
        let time = t_compute.max(t_memory) + t_exp;
        RoofPoint {
            intensity,
            attainable_flops: flops / time,
            time_s: time,
            compute_bound: t_compute >= t_memory,
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
            basis: vec![
                format!("peak: measured blocked f32 GEMM on {} threads", m.threads),
                "bandwidth: measured STREAM-like triad (12 B per element)".into(),
                format!("fast memory: {}", m.fast_mem_basis()),
                format!(
                    "softmax: measured {:.3e} f32 exp/s, added to the roofline time",
                    m.exp_per_s
                ),
            ],
        }
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
            message: format!("no dense {} tensor-core peak", dtype.label()),
        })?;
    Ok(TargetSpec {
        name: g.name.clone(),
        kind: "gpu".into(),
        peak_flops: tflops * 1e12,
        bandwidth_bytes_per_s: g.bandwidth_gbps * 1e9,
        fast_mem_bytes: g.smem_per_sm_kib * 1024,
        exp_per_s: None,
        basis: vec![
            format!("peak: dense {} {} TFLOP/s", dtype.label(), tflops),
            format!("bandwidth: {} {} GB/s", g.memory_kind, g.bandwidth_gbps),
            format!(
                "fast memory: shared memory per SM, {} KiB (one thread block)",
                g.smem_per_sm_kib
            ),
            format!("source: {}", g.source),
        ],
    })
}

fn fpga_spec(p: &FpgaPart, dtype: Dtype, fraction: f64) -> Result<TargetSpec, AttentionError> {
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(AttentionError::Input {
            field: "fpga_fraction".into(),
            message: format!("must be in (0, 1], got {fraction}"),
        });
    }
    let width = dtype.multiplier_bits();
    let dsp_per_mac = p.dsp_primitive.dsps_per_multiply(width);
    let clock = p.clock_mhz();
    let peak = p.dsp as f64 * clock * 1e6 * 2.0 / f64::from(dsp_per_mac);
    let fast = (p.block_ram_bytes() as f64 * fraction) as u64;
    let (bw, bw_note) = match &p.memory {
        Some(m) => (
            m.bandwidth_gbps * 1e9,
            format!("bandwidth: {} {} GB/s", m.kind, m.bandwidth_gbps),
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
        basis: vec![
            format!(
                "peak: {} DSPs x {clock} MHz x 2 FLOP / {dsp_per_mac} {:?} per {width}-bit multiply",
                p.dsp, p.dsp_primitive
            ),
            bw_note,
            format!(
                "fast memory: {:.0}% of BRAM_18K {} + URAM {} = {} bytes",
                fraction * 100.0,
                p.bram_18k,
                p.uram,
                fast
            ),
            format!("source: {}", p.source),
        ],
    })
}
