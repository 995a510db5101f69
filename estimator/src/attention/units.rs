//! Compute ceilings per execution unit and the rule that combines them.
//!
//! Attention does three kinds of arithmetic, each on its own hardware:
//! - the two matrix products (2·(d_qk + d_v) FLOP per unmasked score) on the tensor cores
//!   (GPU), the DSP slices and LUT multipliers (FPGA) or the vector units (host);
//! - one exponential per unmasked score, plus one per row per K/V block for the online
//!   softmax's rescale factor, on the special-function units (GPU: 16 exp2 results per clock
//!   per SM on compute capability 8.0–9.0, CUDA C++ Programming Guide throughput table;
//!   H100 SXM: 132 × 16 × 1.83 GHz ≈ 3.9 T exp/s, the figure of the FlashAttention-3 paper
//!   §3.2);
//! - FP32 bookkeeping on the ordinary FP32 lanes: at least [`FP32_OPS_PER_SCORE`] = 3 per
//!   score (row max, the fused scale-and-subtract before the exponential, the row-sum add)
//!   and d_v + 1 per row per K/V block (rescaling O and the row sum);
//! - in a kernel view whose operand path is known, the bytes its matrix instructions read
//!   from shared memory ([`super::smem_path`]) at the SMEM bandwidth (32 banks × 4 B per
//!   clock per SM at the highest SM clock, CUDA C++ Programming Guide §"Shared Memory").
//!
//! **Overlap rule.** The units are separate pipelines that a perfect schedule runs at the same
//! time (FlashAttention-3's ping-pong and intra-warpgroup pipelining aim at exactly that), so
//! the compute time is bounded below by the *largest* unit time, never their sum:
//! `t_compute = max(t_tensor, t_exp, t_fp32, t_smem)`, and memory overlaps compute too:
//! `t = max(t_compute, t_memory)`. A kernel that serialises the units is slower than the bound,
//! never faster. The host is the exception: its exponentials run on the same cores as the
//! products, so there the exponential time is added.
//!
//! FPGA: multiplies run on DSPs (two INT8 products per DSP48E2/DSP58, AMD WP486) or on LUT
//! multipliers, and the softmax needs LUT adders (at least 3 w-bit add/compare operations per
//! score at one LUT per bit). LUTs are shared between the two, so the time is the optimum of
//! the split: `t ≥ max(S/L, (M·c + S)/(D·c + L))` with M multiplies, S softmax LUT-cycles, D
//! DSP multiplies per second, L LUT-cycles per second and c LUTs per LUT multiplier. A Versal
//! AI Core part's AI Engine array adds A multiply-accumulates per second beside the DSPs
//! (D → D + A) and may take the softmax (then S = 0: its add rate is not used, so the bound
//! stays a bound).

use serde::Serialize;

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// FP32 lane operations per unmasked score beyond the exponential (max, scale-subtract, sum).
pub const FP32_OPS_PER_SCORE: f64 = 3.0;
/// w-bit LUT add/compare operations per score of an FPGA softmax (max, x − max, sum).
pub const FPGA_SOFTMAX_ADDS_PER_SCORE: f64 = 3.0;

/// The arithmetic of one attention call, by unit.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Work {
    /// Matrix-product FLOPs (2 per multiply-add).
    pub mma_flops: f64,
    /// Exponentials.
    pub exps: f64,
    /// FP32 lane operations outside the products and exponentials.
    pub fp32_ops: f64,
    /// Bytes the matrix instructions read from shared memory (operands fed from SMEM); only a
    /// kernel view whose operand path is known counts them ([`super::smem_path`]).
    pub smem_bytes: f64,
}

impl Work {
    /// Work of `scores` unmasked scores with `flops` product FLOPs, and `row_steps` (row,
    /// K/V block) visits of an online softmax with value width `d_v`.
    pub fn attention(flops: f64, scores: f64, row_steps: f64, d_v: usize) -> Work {
        Work {
            mma_flops: flops,
            exps: scores + row_steps,
            fp32_ops: FP32_OPS_PER_SCORE * scores + row_steps * (d_v as f64 + 1.0),
            smem_bytes: 0.0,
        }
    }

    pub fn add(&mut self, o: &Work) {
        self.mma_flops += o.mma_flops;
        self.exps += o.exps;
        self.fp32_ops += o.fp32_ops;
        self.smem_bytes += o.smem_bytes;
    }

    /// Every kind of work times `f`.
    pub fn scaled(&self, f: f64) -> Work {
        Work {
            mma_flops: self.mma_flops * f,
            exps: self.exps * f,
            fp32_ops: self.fp32_ops * f,
            smem_bytes: self.smem_bytes * f,
        }
    }
}

/// The rates of a target's units.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "lowercase")]
pub enum Units {
    /// Separate pipelines (GPU); `None` rates are not bounded (no published figure).
    Pipelines {
        mma_flops_per_s: f64,
        exp_per_s: Option<f64>,
        fp32_ops_per_s: Option<f64>,
        /// Shared-memory read bandwidth of the whole device (bytes/s); `None`: not bounded.
        #[serde(skip_serializing_if = "Option::is_none")]
        smem_bytes_per_s: Option<f64>,
    },
    /// Products and exponentials on the same cores (host): times add.
    Shared {
        mma_flops_per_s: f64,
        exp_per_s: f64,
    },
    /// FPGA fabric: DSP multiplies plus LUTs shared by LUT multipliers and the softmax; on a
    /// Versal AI Core part also the AI Engine array's multiply-accumulates.
    Fabric {
        dsp_mults_per_s: f64,
        lut_cycles_per_s: f64,
        luts_per_mult: f64,
        /// Bits of the softmax adders.
        width: u32,
        /// AI Engine multiply-accumulates per second (0: no AI Engine array).
        #[serde(skip_serializing_if = "is_zero")]
        aie_macs_per_s: f64,
    },
}

/// Unit times of one piece of work.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct UnitTimes {
    pub tensor_s: f64,
    pub exp_s: f64,
    pub fp32_s: f64,
    /// Shared-memory operand reads at the SMEM bandwidth (0 where not counted).
    pub smem_s: f64,
    /// Combined by the overlap rule.
    pub compute_s: f64,
    /// "tensor", "exp", "fp32", "smem" or "fabric".
    pub binding: &'static str,
}

impl Units {
    /// Peak matrix FLOP/s (the roofline's flat roof).
    pub fn peak_flops(&self) -> f64 {
        match self {
            Units::Pipelines {
                mma_flops_per_s, ..
            }
            | Units::Shared {
                mma_flops_per_s, ..
            } => *mma_flops_per_s,
            Units::Fabric {
                dsp_mults_per_s,
                lut_cycles_per_s,
                luts_per_mult,
                aie_macs_per_s,
                ..
            } => 2.0 * (dsp_mults_per_s + aie_macs_per_s + lut_cycles_per_s / luts_per_mult),
        }
    }

    /// The same units with the matrix rate scaled by `fraction` (a kernel whose instruction
    /// path reaches only part of the dense peak, see [`super::mma_path`]). FPGA fabric and
    /// host rates are left as they are.
    pub fn with_mma_fraction(&self, fraction: f64) -> Units {
        match self {
            Units::Pipelines {
                mma_flops_per_s,
                exp_per_s,
                fp32_ops_per_s,
                smem_bytes_per_s,
            } => Units::Pipelines {
                mma_flops_per_s: mma_flops_per_s * fraction,
                exp_per_s: *exp_per_s,
                fp32_ops_per_s: *fp32_ops_per_s,
                smem_bytes_per_s: *smem_bytes_per_s,
            },
            Units::Shared { .. } | Units::Fabric { .. } => self.clone(),
        }
    }

    /// The compute time of `w` under the overlap rule.
    pub fn times(&self, w: &Work) -> UnitTimes {
        match self {
            Units::Pipelines {
                mma_flops_per_s,
                exp_per_s,
                fp32_ops_per_s,
                smem_bytes_per_s,
            } => {
                let t = w.mma_flops / mma_flops_per_s;
                let e = exp_per_s.map_or(0.0, |r| w.exps / r);
                let f = fp32_ops_per_s.map_or(0.0, |r| w.fp32_ops / r);
                let m = smem_bytes_per_s.map_or(0.0, |r| w.smem_bytes / r);
                let (compute_s, binding) = [(t, "tensor"), (e, "exp"), (f, "fp32"), (m, "smem")]
                    .into_iter()
                    .fold((0.0, "tensor"), |a, b| if b.0 > a.0 { b } else { a });
                UnitTimes {
                    tensor_s: t,
                    exp_s: e,
                    fp32_s: f,
                    smem_s: m,
                    compute_s,
                    binding,
                }
            }
            Units::Shared {
                mma_flops_per_s,
                exp_per_s,
            } => {
                let t = w.mma_flops / mma_flops_per_s;
                let e = w.exps / exp_per_s;
                UnitTimes {
                    tensor_s: t,
                    exp_s: e,
                    fp32_s: 0.0,
                    smem_s: 0.0,
                    compute_s: t + e,
                    binding: if e > t { "exp" } else { "tensor" },
                }
            }
            Units::Fabric {
                dsp_mults_per_s,
                lut_cycles_per_s,
                luts_per_mult,
                width,
                aie_macs_per_s,
            } => {
                let m = w.mma_flops / 2.0;
                // With an AI Engine array the softmax may run there instead (its vector
                // units add and compare; no published add rate is used), so only the LUT
                // softmax's claim on the LUTs is dropped: the bound stays a bound.
                let s = if *aie_macs_per_s > 0.0 {
                    0.0
                } else {
                    w.exps * FPGA_SOFTMAX_ADDS_PER_SCORE * f64::from(*width)
                };
                let softmax_only = s / lut_cycles_per_s;
                let shared = (m * luts_per_mult + s)
                    / ((dsp_mults_per_s + aie_macs_per_s) * luts_per_mult + lut_cycles_per_s);
                let products_alone = w.mma_flops / self.peak_flops();
                UnitTimes {
                    tensor_s: products_alone,
                    exp_s: softmax_only,
                    fp32_s: 0.0,
                    smem_s: 0.0,
                    compute_s: softmax_only.max(shared),
                    binding: if shared > products_alone * (1.0 + 1e-9) {
                        "fabric"
                    } else {
                        "tensor"
                    },
                }
            }
        }
    }
}
