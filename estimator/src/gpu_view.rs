//! A whole network on a GPU: per layer the FLOPs, the device-memory bytes, the roofline time
//! and what bounds it, for a batch of inputs in one element type. Layers run one after the
//! other (one stream), so the network's time is the sum of its layers'.
//!
//! Each layer is one or more kernels:
//! - **GEMM** (Dense, Conv1D/2D as implicit GEMM, EinsumDense, and attention's four
//!   projections): FLOPs = 2·batch·MACs on the tensor units; bytes = (batch·(inputs +
//!   outputs) + parameters) elements, each operand moved once (the compulsory traffic; a tiled
//!   GEMM of these sizes keeps its tiles in shared memory and L2).
//! - **attention core** (MultiHeadAttention's Q·Kᵀ, softmax and P·V): the attention analyser
//!   ([`crate::attention`]) on the layer's shape (batch, heads, kv heads, sequence lengths,
//!   head dims, causal mask): its GPU bound with the best tile real kernels can run
//!   ([`crate::attention::gpu_bound`]: per-unit ceilings, SM parallelism, the L2 model and the
//!   launch floor), else its two-level roofline's best algorithm.
//! - **elementwise** (activations, BatchNorm, LayerNorm, Add, pooling): FP32-lane operations
//!   and exponentials per element (below), bytes = inputs + outputs (+ parameters).
//! - **copy/gather** (Concatenate, padding, cropping, upsampling, Embedding): no arithmetic,
//!   bytes = inputs + outputs (Embedding: the gathered rows, the outputs and int32 token ids).
//! - Input, Flatten, Reshape and Dropout launch nothing.
//!
//! Every kernel's time is max(roofline time, the launch floor [`LAUNCH_FLOOR_S`]); the bound
//! is the unit that sets it: "tensor", "fp32", "exp", "memory", "parallelism" or "launch".
//!
//! Operations per element of the elementwise kernels: ReLU, LeakyReLU, linear 1; sigmoid and
//! tanh one exponential + 2; softmax one exponential + 3 (max, subtract, sum; the divide is
//! the multiply by the row's inverse, counted in the 3); BatchNorm 2 (scale, shift);
//! LayerNorm 7 (sum, subtract the mean, square, accumulate, normalise, scale, shift); Add one
//! per extra operand; pooling one per input element.

use crate::attention::gpu_bound::LAUNCH_FLOOR_S;
use crate::attention::units::Work;
use crate::attention::{
    analyse, AnalysisOptions, AttentionError, AttentionShape, Dtype, TargetSpec,
};
use crate::layers::kinds::gpu_model_of;
use ir::{Activation, Network};
use serde::Serialize;

/// One kernel of a layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuKernel {
    /// What it computes: `gemm`, `q_proj`, `attention`, `elementwise`, `copy`, ...
    pub part: String,
    pub flops: f64,
    pub bytes: f64,
    pub time_s: f64,
    pub bound: String,
    /// The attention analyser's algorithm and tile, for the attention core.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One layer on the GPU.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuLayer {
    pub name: String,
    pub kind: String,
    pub flops: f64,
    pub bytes: f64,
    pub time_s: f64,
    /// The bound of its longest kernel ("none" when it launches nothing).
    pub bound: String,
    pub kernels: Vec<GpuKernel>,
}

/// The network on one GPU.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuEstimate {
    pub target: String,
    pub dtype: String,
    pub batch: usize,
    pub layers: Vec<GpuLayer>,
    pub total_flops: f64,
    pub total_bytes: f64,
    pub total_time_s: f64,
    /// How the target's numbers were obtained.
    pub basis: Vec<String>,
}

/// A kernel's time on `spec`: the roofline of its work and bytes, at least the launch floor.
fn kernel(spec: &TargetSpec, part: &str, work: Work, bytes: f64) -> GpuKernel {
    let pt = spec.point(&work, bytes);
    let (time_s, bound) = if pt.time_s < LAUNCH_FLOOR_S {
        (LAUNCH_FLOOR_S, "launch".to_string())
    } else {
        (pt.time_s, pt.binding.to_string())
    };
    GpuKernel {
        part: part.into(),
        flops: work.mma_flops + work.fp32_ops + work.exps,
        bytes,
        time_s,
        bound,
        detail: None,
    }
}

fn gemm(spec: &TargetSpec, part: &str, macs: f64, moved_elements: f64, e: f64) -> GpuKernel {
    let work = Work {
        mma_flops: 2.0 * macs,
        exps: 0.0,
        fp32_ops: 0.0,
        smem_bytes: 0.0,
    };
    kernel(spec, part, work, moved_elements * e)
}

fn elementwise(spec: &TargetSpec, n: f64, ops: f64, exps: f64, moved: f64, e: f64) -> GpuKernel {
    let work = Work {
        mma_flops: 0.0,
        exps: n * exps,
        fp32_ops: n * ops,
        smem_bytes: 0.0,
    };
    kernel(spec, "elementwise", work, moved * e)
}

/// (FP32 operations, exponentials) per element of an activation.
fn activation_ops(a: Activation) -> (f64, f64) {
    match a {
        Activation::Linear
        | Activation::Relu
        | Activation::LeakyRelu { .. }
        | Activation::ThresholdedRelu { .. } => (1.0, 0.0),
        Activation::HardSigmoid
        | Activation::HardTanh
        | Activation::QKerasHardSigmoid
        | Activation::QKerasHardTanh => (3.0, 0.0),
        Activation::BinaryTanh => (1.0, 0.0),
        Activation::Sigmoid | Activation::Tanh | Activation::Softplus | Activation::Selu => {
            (2.0, 1.0)
        }
        Activation::Softsign => (3.0, 0.0),
        Activation::Elu { .. } => (3.0, 1.0),
        Activation::Softmax => (3.0, 1.0),
    }
}

fn elements(s: &[usize]) -> f64 {
    s.iter().map(|&d| d as f64).product()
}

/// The kernels a layer kind launches, with what sizes them (one variant per kind of kernel
/// in the module comment); each kind says which through its [`GpuModel`]
/// (`crate::layers::kinds::<module>.rs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GpuWork<'a> {
    /// Launches nothing (Input, Flatten, Reshape, Dropout).
    Nothing,
    /// One (implicit) GEMM of the layer's MACs, its activation as a fused epilogue.
    Gemm,
    /// MultiHeadAttention: the four projections and the attention core.
    Attention(&'a ir::ops::MultiHeadAttention),
    /// A standalone activation.
    Activation(Activation),
    /// An elementwise kernel of `ops` FP32 operations per output element that reads the
    /// layer's parameters (BatchNorm, LayerNorm).
    Normalise { ops: f64 },
    /// An element-wise merge: one operation per extra operand and element.
    Merge,
    /// Pooling: one operation per input element.
    Pool,
    /// No arithmetic: inputs read and outputs written once (concatenation, padding, ...).
    Copy,
    /// Embedding: the gathered rows read and written once, int32 token ids.
    Gather,
}

/// What a layer kind runs on a GPU. Implemented once per IR kind in
/// `crate::layers::kinds::<module>.rs`.
pub trait GpuModel {
    fn gpu_work(&self) -> GpuWork<'_>;
}

/// The kernels of one layer for `batch` inputs of `dtype` on `spec`.
fn layer_kernels(
    spec: &TargetSpec,
    net: &Network,
    id: ir::NodeId,
    batch: usize,
    dtype: Dtype,
) -> Result<Vec<GpuKernel>, AttentionError> {
    let layer = net.layer(id);
    let ins: Vec<Vec<usize>> = net
        .inputs_of(id)
        .into_iter()
        .map(|i| net.layer(i).output_shape.clone())
        .collect();
    let out = &layer.output_shape;
    let cost = layer.kind.op().cost(&ins, out);
    let b = batch as f64;
    let e = dtype.bytes() as f64;
    let n_in: f64 = ins.iter().map(|s| elements(s)).sum::<f64>() * b;
    let n_out = elements(out) * b;
    let params = cost.params as f64;
    let macs = cost.macs as f64 * b;
    let mut ks = Vec::new();
    match gpu_model_of(&layer.kind).gpu_work() {
        GpuWork::Nothing => {}
        GpuWork::Gemm => {
            let mut k = gemm(spec, "gemm", macs, n_in + n_out + params, e);
            if !layer.activation.is_linear() {
                // a fused epilogue: its operations ride on the GEMM's output, no extra bytes
                let (ops, exps) = activation_ops(layer.activation);
                let epi = Work {
                    mma_flops: 2.0 * macs,
                    exps: n_out * exps,
                    fp32_ops: n_out * ops,
                    smem_bytes: 0.0,
                };
                k = GpuKernel {
                    part: "gemm".into(),
                    ..kernel(spec, "gemm", epi, k.bytes)
                };
            }
            ks.push(k);
        }
        GpuWork::Attention(m) => ks.extend(attention(spec, m, &ins, out, batch, dtype)?),
        GpuWork::Activation(a) => {
            let (ops, exps) = activation_ops(a);
            ks.push(elementwise(spec, n_out, ops, exps, n_in + n_out, e));
        }
        GpuWork::Normalise { ops } => {
            ks.push(elementwise(spec, n_out, ops, 0.0, n_in + n_out + params, e))
        }
        GpuWork::Merge => {
            let extra = ins.len().saturating_sub(1) as f64;
            ks.push(elementwise(spec, n_out, extra, 0.0, n_in + n_out, e));
        }
        GpuWork::Pool => {
            let per_out = if n_out > 0.0 { n_in / n_out } else { 0.0 };
            ks.push(elementwise(spec, n_out, per_out, 0.0, n_in + n_out, e));
        }
        GpuWork::Copy => ks.push(GpuKernel {
            part: "copy".into(),
            ..kernel(spec, "copy", Work::default(), (n_in + n_out) * e)
        }),
        GpuWork::Gather => {
            // the gathered rows are read and written once; token ids are int32
            let bytes = 2.0 * n_out * e + 4.0 * n_in;
            ks.push(GpuKernel {
                part: "gather".into(),
                ..kernel(spec, "gather", Work::default(), bytes)
            });
        }
    }
    Ok(ks)
}

/// Attention: Q, K, V projections, the core through the attention analyser, the output
/// projection.
fn attention(
    spec: &TargetSpec,
    m: &ir::ops::MultiHeadAttention,
    ins: &[Vec<usize>],
    out: &[usize],
    batch: usize,
    dtype: Dtype,
) -> Result<Vec<GpuKernel>, AttentionError> {
    let dims = |i: usize| match ins.get(i).map(Vec::as_slice) {
        Some([t, d]) => (*t as f64, *d as f64),
        _ => (0.0, 0.0),
    };
    let (tq, dq) = dims(0);
    let (tv, dv) = dims(1);
    let dk = if ins.len() > 2 { dims(2).1 } else { dv };
    let (h, g, k, v) = (
        m.heads as f64,
        m.kv_heads as f64,
        m.key_dim as f64,
        m.value_dim as f64,
    );
    let o = *out.last().unwrap_or(&0) as f64;
    let b = batch as f64;
    let e = dtype.bytes() as f64;
    let bias = |n: f64| if m.use_bias { n } else { 0.0 };
    // GEMM of M rows, K inputs, N outputs: 2·M·K·N FLOPs; reads M·K and K·N (+ bias N),
    // writes M·N
    let proj = |part: &str, rows: f64, kk: f64, n: f64| {
        gemm(
            spec,
            part,
            rows * kk * n,
            rows * kk + kk * n + bias(n) + rows * n,
            e,
        )
    };
    let mut ks = vec![
        proj("q_proj", b * tq, dq, h * k),
        proj("k_proj", b * tv, dk, g * k),
        proj("v_proj", b * tv, dv, g * v),
    ];
    let shape = AttentionShape {
        batch,
        heads: m.heads,
        kv_heads: m.kv_heads,
        seq: tq as usize,
        kv_seq: tv as usize,
        d_qk: m.key_dim,
        d_v: m.value_dim,
        causal: m.causal,
        dtype,
        kv_dtype: None,
    };
    let report = analyse(&shape, spec, AnalysisOptions::default())?;
    let core = match report.gpu.as_ref().and_then(|g| g.best.as_ref()) {
        Some(gb) => GpuKernel {
            part: "attention".into(),
            flops: report.flops,
            bytes: gb.hbm_bytes,
            time_s: gb.time_s,
            bound: gb.binding.clone(),
            detail: Some(format!(
                "FlashAttention-order kernel, tile {}x{}, {} key split(s), {} thread blocks",
                gb.br, gb.bc, gb.splits, gb.thread_blocks
            )),
        },
        None => {
            let best = report.best.as_ref().ok_or_else(|| AttentionError::Input {
                field: "attention".into(),
                message: format!("no algorithm's tile fits the fast memory of {}", spec.name),
            })?;
            let bytes = report.algorithms[&best.algorithm].bytes.unwrap_or(0.0);
            let t = best.time_s.max(LAUNCH_FLOOR_S);
            GpuKernel {
                part: "attention".into(),
                flops: report.flops,
                bytes,
                time_s: t,
                bound: if t > best.time_s {
                    "launch".into()
                } else {
                    report.algorithms[&best.algorithm]
                        .binding
                        .clone()
                        .unwrap_or_default()
                },
                detail: Some(format!("{} ({})", best.algorithm, best.reason)),
            }
        }
    };
    ks.push(core);
    ks.push(proj("out_proj", b * tq, h * v, o));
    Ok(ks)
}

/// The network on `spec` for `batch` inputs of `dtype`.
pub fn estimate(
    net: &Network,
    spec: &TargetSpec,
    batch: usize,
    dtype: Dtype,
) -> Result<GpuEstimate, AttentionError> {
    if batch == 0 {
        return Err(AttentionError::Input {
            field: "batch".into(),
            message: "must be at least 1".into(),
        });
    }
    let mut layers = Vec::new();
    let order = net.topo_order().map_err(|e| AttentionError::Input {
        field: "network".into(),
        message: e.to_string(),
    })?;
    for id in order {
        let l = net.layer(id);
        let kernels = layer_kernels(spec, net, id, batch, dtype)?;
        let bound = kernels
            .iter()
            .max_by(|a, b| a.time_s.total_cmp(&b.time_s))
            .map_or("none".to_string(), |k| k.bound.clone());
        layers.push(GpuLayer {
            name: l.name.clone(),
            kind: l.kind.name().to_string(),
            flops: kernels.iter().fold(0.0, |a, k| a + k.flops),
            bytes: kernels.iter().fold(0.0, |a, k| a + k.bytes),
            time_s: kernels.iter().fold(0.0, |a, k| a + k.time_s),
            bound,
            kernels,
        });
    }
    Ok(GpuEstimate {
        target: spec.name.clone(),
        dtype: dtype.label(),
        batch,
        total_flops: layers.iter().fold(0.0, |a, l| a + l.flops),
        total_bytes: layers.iter().fold(0.0, |a, l| a + l.bytes),
        total_time_s: layers.iter().fold(0.0, |a, l| a + l.time_s),
        layers,
        basis: spec.basis.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir::{Layer, LayerKind};

    fn h100(dtype: Dtype) -> TargetSpec {
        let t = fpga_targets::Targets::builtin().get("h100").unwrap();
        TargetSpec::from_target(t, dtype, 0.5, None).unwrap()
    }

    fn block() -> Network {
        let mut n = Network::new("b");
        n.add_layer(
            Layer::new(
                "in",
                LayerKind::Input(ir::ops::Input {
                    shape: vec![16, 32],
                }),
            ),
            &[],
        )
        .unwrap();
        n.add_layer(
            Layer::new(
                "mha",
                LayerKind::MultiHeadAttention(ir::ops::MultiHeadAttention {
                    heads: 4,
                    kv_heads: 4,
                    key_dim: 8,
                    value_dim: 8,
                    use_bias: true,
                    key_bias: true,
                    causal: false,
                    output_dim: None,
                }),
            ),
            &["in", "in"],
        )
        .unwrap();
        n.add_layer(
            Layer::new(
                "ln",
                LayerKind::LayerNorm(ir::ops::LayerNorm {
                    axes: vec![-1],
                    epsilon: 1e-3,
                    center: true,
                    scale: true,
                }),
            ),
            &["mha"],
        )
        .unwrap();
        n.add_layer(
            Layer::new(
                "fc",
                LayerKind::Dense(ir::ops::Dense {
                    units: 64,
                    use_bias: true,
                }),
            )
            .with_activation(Activation::Relu),
            &["ln"],
        )
        .unwrap();
        n.infer_shapes().unwrap();
        n
    }

    #[test]
    fn small_block_flops_and_bytes_by_hand() {
        // batch 2, bf16 (2 bytes per element).
        let e = estimate(&block(), &h100(Dtype::Bf16), 2, Dtype::Bf16).unwrap();
        let get = |n: &str| e.layers.iter().find(|l| l.name == n).unwrap();
        let mha = get("mha");
        let parts: Vec<&str> = mha.kernels.iter().map(|k| k.part.as_str()).collect();
        assert_eq!(
            parts,
            ["q_proj", "k_proj", "v_proj", "attention", "out_proj"]
        );
        // q_proj: M = 2·16 rows, K = 32, N = 4·8 = 32: 2·32·32·32 = 65536 FLOPs; bytes
        // (32·32 inputs + 32·32 kernel + 32 bias + 32·32 outputs)·2 = 6208.
        assert_eq!(
            (mha.kernels[0].flops, mha.kernels[0].bytes),
            (65536.0, 6208.0)
        );
        // attention core: 4·B·H·N²·d = 4·2·4·16²·8 = 65536 FLOPs
        assert_eq!(mha.kernels[3].flops, 65536.0);
        // Dense 32 -> 64 + ReLU on (16, 32), batch 2: 2·2·16·32·64 = 131072 FLOPs and 2·16·64
        // = 2048 ReLU ops; bytes (1024 inputs + 2048 outputs + 2112 parameters)·2 = 10368.
        let fc = get("fc");
        assert_eq!((fc.flops, fc.bytes), (133120.0, 10368.0));
        // LayerNorm: 7 ops × 1024 elements; bytes (1024 + 1024 + 64 parameters)·2 = 4224.
        let ln = get("ln");
        assert_eq!((ln.flops, ln.bytes), (7168.0, 4224.0));
        // every kernel this small is bound by the launch floor on an H100
        assert!(e
            .layers
            .iter()
            .flat_map(|l| &l.kernels)
            .all(|k| k.bound == "launch" && k.time_s == LAUNCH_FLOOR_S));
        assert_eq!(get("in").kernels.len(), 0);
        assert_eq!(e.total_time_s, 7.0 * LAUNCH_FLOOR_S);
    }

    #[test]
    fn large_gemm_is_tensor_bound_and_large_relu_memory_bound() {
        // Dense 4096 -> 4096 on 4096 positions: 2·4096³ FLOPs at the bf16 peak (its bytes,
        // 3·4096² + 4096 + 4096² elements, take ~40 µs at 3.35 TB/s, far below ~139 µs).
        let mut n = Network::new("g");
        n.add_layer(
            Layer::new(
                "in",
                LayerKind::Input(ir::ops::Input {
                    shape: vec![4096, 4096],
                }),
            ),
            &[],
        )
        .unwrap();
        n.add_layer(
            Layer::new(
                "fc",
                LayerKind::Dense(ir::ops::Dense {
                    units: 4096,
                    use_bias: true,
                }),
            ),
            &["in"],
        )
        .unwrap();
        n.add_layer(
            Layer::new("act", LayerKind::Activation(Activation::Relu)),
            &["fc"],
        )
        .unwrap();
        n.infer_shapes().unwrap();
        let spec = h100(Dtype::Bf16);
        let e = estimate(&n, &spec, 1, Dtype::Bf16).unwrap();
        let fc = &e.layers[1];
        let flops = 2.0 * 4096f64.powi(3);
        assert_eq!(fc.bound, "tensor");
        assert!((fc.time_s - flops / spec.peak_flops).abs() < 1e-12);
        // ReLU on 4096² elements: read and write 2 bytes each: memory-bound at the bandwidth
        let act = &e.layers[2];
        let bytes = 2.0 * 4096f64.powi(2) * 2.0;
        assert_eq!((act.bytes, act.bound.as_str()), (bytes, "memory"));
        assert!((act.time_s - bytes / spec.bandwidth_bytes_per_s).abs() < 1e-12);
    }
}
