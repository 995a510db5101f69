//! The two networks on tch, with their shared readout:
//! - [`Gnn`]: GraphSAGE-style message passing. Each layer mixes a node with the mean of its
//!   predecessors and the mean of its successors (two directions of the DAG), residual + layer
//!   norm.
//! - [`Transformer`]: an encoder over layer tokens in topological order, with a learned depth
//!   embedding, a learned per-head bias on attention between layers joined by an edge, and a
//!   key-padding mask.
//!
//! Both end in the same [`Readout`]: learned attention pooling (softmax over each graph's nodes)
//! plus sum pooling (resources add up over layers), concatenated with the encoded graph-level
//! features, then an MLP to the six standardised targets.

use crate::batch::{Batch, Layout};
use crate::error::SurrogateError;
use crate::features::{GRAPH_DIM, NODE_DIM};
use crate::targets::N_TARGETS;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use tch::nn::{self, Module};
use tch::{Kind, Tensor};

/// Which network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    Gnn,
    Transformer,
}

impl Arch {
    pub fn layout(self) -> Layout {
        match self {
            Arch::Gnn => Layout::Graph,
            Arch::Transformer => Layout::Sequence,
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Arch::Gnn => "gnn",
            Arch::Transformer => "transformer",
        })
    }
}

impl FromStr for Arch {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "gnn" => Ok(Arch::Gnn),
            "transformer" => Ok(Arch::Transformer),
            _ => Err(format!(
                "unknown architecture '{s}' (expected gnn or transformer)"
            )),
        }
    }
}

/// Size of a network; stored in the model JSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Hyper {
    pub hidden: i64,
    pub layers: i64,
    /// Attention heads (transformer only).
    pub heads: i64,
    /// Largest depth the transformer's depth embedding distinguishes; deeper layers share the
    /// last slot.
    pub max_depth: i64,
}

impl Default for Hyper {
    fn default() -> Self {
        Hyper {
            hidden: 64,
            layers: 3,
            heads: 4,
            max_depth: 64,
        }
    }
}

impl Hyper {
    pub fn validate(&self, arch: Arch) -> Result<(), SurrogateError> {
        let bad = |field: &str, message: String| {
            Err(SurrogateError::Setting {
                field: field.into(),
                message,
            })
        };
        if self.hidden < 1 || self.layers < 1 || self.max_depth < 1 {
            return bad(
                "hyper",
                format!("hidden, layers and max_depth must be positive: {self:?}"),
            );
        }
        if arch == Arch::Transformer && (self.heads < 1 || self.hidden % self.heads != 0) {
            return bad(
                "heads",
                format!(
                    "{} heads must divide hidden size {}",
                    self.heads, self.hidden
                ),
            );
        }
        Ok(())
    }
}

/// A surrogate network: batch in, `[B, N_TARGETS]` standardised log-space targets out.
pub trait Net {
    fn forward(&self, batch: &Batch) -> Tensor;
}

/// Build the network of `arch` under the root of `vs`.
pub fn build(vs: &nn::Path, arch: Arch, hyper: &Hyper) -> Result<Box<dyn Net>, SurrogateError> {
    hyper.validate(arch)?;
    Ok(match arch {
        Arch::Gnn => Box::new(Gnn::new(vs, hyper)),
        Arch::Transformer => Box::new(Transformer::new(vs, hyper)),
    })
}

fn linear(p: nn::Path, i: i64, o: i64) -> nn::Linear {
    nn::linear(p, i, o, Default::default())
}

/// Attention + sum pooling and the MLP head.
#[derive(Debug)]
pub struct Readout {
    score: nn::Linear,
    gate: nn::Linear,
    graph_in: nn::Linear,
    hidden: nn::Linear,
    out: nn::Linear,
}

impl Readout {
    fn new(p: &nn::Path, h: i64) -> Self {
        Readout {
            gate: linear(p / "gate", h, h),
            score: linear(p / "score", h, 1),
            graph_in: linear(p / "graph_in", GRAPH_DIM as i64, h),
            hidden: linear(p / "hidden", 3 * h, h),
            // Zero-initialised: an untrained model outputs 0, i.e. the training mean (pure) or no
            // correction of the analytic model (hybrid), and training moves away from it only
            // where the data asks.
            out: nn::linear(
                p / "out",
                h,
                N_TARGETS as i64,
                nn::LinearConfig {
                    ws_init: nn::Init::Const(0.0),
                    bs_init: Some(nn::Init::Const(0.0)),
                    bias: true,
                },
            ),
        }
    }

    /// `h`: `[N, H]` node states, stacked as in `batch.x`.
    fn forward(&self, batch: &Batch, h: &Tensor) -> Tensor {
        // Scores are bounded (tanh gate times a linear map), so subtracting the batch-wide max
        // keeps exp() in range for every graph.
        let s = self.score.forward(&self.gate.forward(h).tanh());
        let e = (&s - s.max()).exp();
        let denom = batch.segment_sum(&e).index_select(0, &batch.node_graph);
        let att = batch.segment_sum(&(h * (e / denom)));
        let sum = batch.segment_sum(h);
        let g = self.graph_in.forward(&batch.g).relu();
        let z = Tensor::cat(&[att, sum, g], 1);
        self.out.forward(&self.hidden.forward(&z).relu())
    }
}

/// GraphSAGE-style message passing over the layer DAG.
#[derive(Debug)]
pub struct Gnn {
    input: nn::Linear,
    layers: Vec<(nn::Linear, nn::LayerNorm)>,
    readout: Readout,
}

impl Gnn {
    pub fn new(p: &nn::Path, hyper: &Hyper) -> Self {
        let h = hyper.hidden;
        Gnn {
            input: linear(p / "input", NODE_DIM as i64, h),
            layers: (0..hyper.layers)
                .map(|i| {
                    let q = p / format!("sage{i}");
                    (
                        linear(&q / "mix", 3 * h, h),
                        nn::layer_norm(&q / "norm", vec![h], Default::default()),
                    )
                })
                .collect(),
            readout: Readout::new(&(p / "readout"), h),
        }
    }
}

impl Net for Gnn {
    fn forward(&self, batch: &Batch) -> Tensor {
        let gp = batch
            .graph
            .as_ref()
            .expect("a GNN batch is built with Layout::Graph");
        let mut h = self.input.forward(&batch.x).relu();
        let zeros = h.zeros_like();
        for (mix, norm) in &self.layers {
            let from_pred =
                zeros.index_add(0, &gp.dst, &h.index_select(0, &gp.src)) * &gp.inv_in_degree;
            let from_succ =
                zeros.index_add(0, &gp.src, &h.index_select(0, &gp.dst)) * &gp.inv_out_degree;
            let m = mix
                .forward(&Tensor::cat(&[&h, &from_pred, &from_succ], 1))
                .relu();
            h = norm.forward(&(h + m));
        }
        self.readout.forward(batch, &h)
    }
}

/// One pre-norm encoder block.
#[derive(Debug)]
struct Block {
    qkv: nn::Linear,
    proj: nn::Linear,
    edge_bias: Tensor,
    norm1: nn::LayerNorm,
    norm2: nn::LayerNorm,
    ff1: nn::Linear,
    ff2: nn::Linear,
}

/// Transformer encoder over layer tokens.
#[derive(Debug)]
pub struct Transformer {
    input: nn::Linear,
    depth: nn::Embedding,
    blocks: Vec<Block>,
    norm: nn::LayerNorm,
    heads: i64,
    max_depth: i64,
    readout: Readout,
}

impl Transformer {
    pub fn new(p: &nn::Path, hyper: &Hyper) -> Self {
        let h = hyper.hidden;
        let blocks = (0..hyper.layers)
            .map(|i| {
                let q = p / format!("block{i}");
                Block {
                    qkv: linear(&q / "qkv", h, 3 * h),
                    proj: linear(&q / "proj", h, h),
                    edge_bias: q.zeros("edge_bias", &[hyper.heads]),
                    norm1: nn::layer_norm(&q / "norm1", vec![h], Default::default()),
                    norm2: nn::layer_norm(&q / "norm2", vec![h], Default::default()),
                    ff1: linear(&q / "ff1", h, 2 * h),
                    ff2: linear(&q / "ff2", 2 * h, h),
                }
            })
            .collect();
        Transformer {
            input: linear(p / "input", NODE_DIM as i64, h),
            depth: nn::embedding(p / "depth", hyper.max_depth, h, Default::default()),
            blocks,
            norm: nn::layer_norm(p / "norm", vec![h], Default::default()),
            heads: hyper.heads,
            max_depth: hyper.max_depth,
            readout: Readout::new(&(p / "readout"), h),
        }
    }
}

impl Net for Transformer {
    // `x += y` on a tch Tensor is an in-place add, which breaks autograd for the layer norms
    // that saved `x`: the residual additions must make new tensors.
    #[allow(clippy::assign_op_pattern)]
    fn forward(&self, batch: &Batch) -> Tensor {
        let sp = batch
            .seq
            .as_ref()
            .expect("a transformer batch is built with Layout::Sequence");
        let (b, l) = (batch.n_graphs, sp.len);
        let tokens = self.input.forward(&batch.x);
        let hid = tokens.size()[1];
        let dh = hid / self.heads;
        // Scatter the stacked tokens into the padded [B*L, H] layout.
        let mut x = Tensor::zeros([b * l, hid], (Kind::Float, tokens.device()))
            .index_copy(0, &sp.pad_index, &tokens)
            .view([b, l, hid]);
        x = x + self.depth.forward(&sp.depth.clamp_max(self.max_depth - 1));
        // [B, 1, 1, L]: padding keys get -inf before the softmax.
        let key_pad = sp.valid.logical_not().view([b, 1, 1, l]);
        let adj = sp.adjacency.unsqueeze(1);
        for blk in &self.blocks {
            let y = blk.norm1.forward(&x);
            let qkv = blk
                .qkv
                .forward(&y)
                .view([b, l, 3, self.heads, dh])
                .permute([2, 0, 3, 1, 4]);
            let (q, k, v) = (qkv.get(0), qkv.get(1), qkv.get(2));
            let scores = q.matmul(&k.transpose(-2, -1)) / (dh as f64).sqrt()
                + &adj * blk.edge_bias.view([1, self.heads, 1, 1]);
            let att = scores
                .masked_fill(&key_pad, f64::NEG_INFINITY)
                .softmax(-1, Kind::Float);
            let o = att
                .matmul(&v)
                .transpose(1, 2)
                .contiguous()
                .view([b, l, hid]);
            x = x + blk.proj.forward(&o);
            let y = blk.norm2.forward(&x);
            x = &x + blk.ff2.forward(&blk.ff1.forward(&y).gelu("none"));
        }
        // Back to stacked node rows for the shared readout.
        let h = self
            .norm
            .forward(&x)
            .view([b * l, hid])
            .index_select(0, &sp.pad_index);
        self.readout.forward(batch, &h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Normalizer;
    use crate::features::{extract, DeviceInfo};
    use crate::netgen::{dense_chain, residual};
    use tch::Device;

    /// Each graph's output must depend on its own nodes only: predicting two graphs in one
    /// batch gives the same numbers as predicting each alone (padding and block-diagonal
    /// aggregation leak nothing).
    #[test]
    fn batching_does_not_mix_graphs() {
        tch::manual_seed(7);
        let d = DeviceInfo::default();
        let a = extract(&dense_chain(&[16, 8], 1), &d, None).unwrap();
        let b = extract(&residual(), &d, None).unwrap();
        let norm = Normalizer::fit(&[&a, &b]);
        for arch in [Arch::Gnn, Arch::Transformer] {
            let vs = nn::VarStore::new(Device::Cpu);
            let net = build(&vs.root(), arch, &Hyper::default()).unwrap();
            // The output layer starts at zero (every graph would give 0): randomise it.
            tch::no_grad(|| {
                for (name, mut t) in vs.variables() {
                    if name.starts_with("readout.out") {
                        t.copy_(&t.randn_like());
                    }
                }
            });
            let both = net.forward(&Batch::new(&[&a, &b], &norm, arch.layout(), Device::Cpu));
            assert_eq!(both.size(), vec![2, N_TARGETS as i64]);
            let alone_a = net.forward(&Batch::new(&[&a], &norm, arch.layout(), Device::Cpu));
            let alone_b = net.forward(&Batch::new(&[&b], &norm, arch.layout(), Device::Cpu));
            let diff_a = (both.get(0) - alone_a.get(0)).abs().max().double_value(&[]);
            let diff_b = (both.get(1) - alone_b.get(0)).abs().max().double_value(&[]);
            // Equal up to float rounding (different matrix shapes sum in different orders).
            assert!(diff_a < 1e-4 && diff_b < 1e-4, "{arch}: {diff_a} {diff_b}");
            // The two graphs are different, and so are their outputs.
            assert!((both.get(0) - both.get(1)).abs().max().double_value(&[]) > 1e-2);
        }
    }

    #[test]
    fn heads_must_divide_hidden() {
        let h = Hyper {
            hidden: 10,
            heads: 4,
            ..Hyper::default()
        };
        assert!(h.validate(Arch::Transformer).is_err());
        assert!(h.validate(Arch::Gnn).is_ok());
    }
}
