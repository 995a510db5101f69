//! The whole-transformer-block view: for a model shape and a prefill or decode workload, the
//! time of one block split into the QKV projection, attention, the output projection, the FFN
//! and the norms, each with its own roofline. The projections and the FFN are GEMMs of `T`
//! tokens: 2·T·in·out FLOPs moving the weights once plus the activations in and out; the
//! norms (two RMSNorms, plus the residual adds) are memory-bound passes over T·d_model;
//! attention is the GPU bound of [`super::gpu_bound`] (best runnable tile).

use serde::Serialize;

use super::gpu_bound::best_constrained;
use super::roofline::TargetSpec;
use super::shape::AttentionShape;
use super::units::Work;

/// A decoder block: hidden size, FFN width and whether the FFN is gated (SwiGLU: three
/// matrices instead of two). Heads, KV heads and head dim come from the attention shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BlockShape {
    pub d_model: usize,
    pub ffn: usize,
    pub gated: bool,
}

/// One part of the block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub name: String,
    pub flops: f64,
    pub bytes: f64,
    pub time_s: f64,
    /// "tensor", "memory", or the attention bound's binding unit.
    pub binding: String,
}

/// The block's parts and total (parts run one after another).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockReport {
    pub tokens: usize,
    pub parts: Vec<Part>,
    pub total_s: f64,
}

fn gemm(spec: &TargetSpec, name: &str, tokens: f64, k: f64, n: f64, elem: f64) -> Part {
    let flops = 2.0 * tokens * k * n;
    let bytes = (k * n + tokens * (k + n)) * elem;
    let pt = spec.point(
        &Work {
            mma_flops: flops,
            ..Work::default()
        },
        bytes,
    );
    Part {
        name: name.into(),
        flops,
        bytes,
        time_s: pt.time_s,
        binding: pt.binding.into(),
    }
}

/// The block for `shape` (batch × seq query tokens against kv_seq keys) on `spec`. `None` off
/// GPUs (the attention bound needs the GPU model).
pub fn block(
    b: &BlockShape,
    shape: &AttentionShape,
    spec: &TargetSpec,
    launch_floor_s: f64,
) -> Option<BlockReport> {
    let attn = best_constrained(shape, spec, launch_floor_s)?;
    let t = (shape.batch * shape.seq) as f64;
    let e = shape.dtype.bytes() as f64;
    let dm = b.d_model as f64;
    let q_out = (shape.heads * shape.d_qk) as f64;
    let kv_out = (shape.kv_heads * (shape.d_qk + shape.d_v)) as f64;
    let o_in = (shape.heads * shape.d_v) as f64;
    let ffn = b.ffn as f64;
    let up = if b.gated { 2.0 * ffn } else { ffn };
    let norm_bytes = 2.0 * 2.0 * t * dm * e + 2.0 * 3.0 * t * dm * e;
    let parts = vec![
        gemm(spec, "qkv projection", t, dm, q_out + kv_out, e),
        Part {
            name: "attention".into(),
            flops: shape.flops(),
            bytes: attn.hbm_bytes,
            time_s: attn.time_s,
            binding: attn.binding.clone(),
        },
        gemm(spec, "output projection", t, o_in, dm, e),
        gemm(spec, "ffn up", t, dm, up, e),
        gemm(spec, "ffn down", t, ffn, dm, e),
        Part {
            name: "norms + residuals".into(),
            flops: 0.0,
            bytes: norm_bytes,
            time_s: norm_bytes / spec.bandwidth_bytes_per_s,
            binding: "memory".into(),
        },
    ];
    let total_s = parts.iter().map(|p| p.time_s).sum();
    Some(BlockReport {
        tokens: t as usize,
        parts,
        total_s,
    })
}
