//! Feature normalisation and graph batching. A [`Batch`] holds many graphs at once: node rows
//! stacked into one `[N, F]` matrix with a node→graph index (the block-diagonal form the GNN
//! aggregates with `index_add`), and, for the transformer, the same rows laid out as padded
//! sequences `[B, L]` with a validity mask, depths and an adjacency matrix.

use crate::features::{GraphFeatures, GRAPH_DIM, NODE_DIM};
use serde::{Deserialize, Serialize};
use tch::{Device, Tensor};

/// Per-column mean and standard deviation of node and graph features, fitted on training data
/// and stored in the model JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Normalizer {
    pub node_mean: Vec<f32>,
    pub node_std: Vec<f32>,
    pub graph_mean: Vec<f32>,
    pub graph_std: Vec<f32>,
}

fn mean_std(rows: impl Iterator<Item = impl AsRef<[f32]>>, dim: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut sum, mut sq, mut n) = (vec![0f64; dim], vec![0f64; dim], 0f64);
    for r in rows {
        for (j, v) in r.as_ref().iter().enumerate() {
            sum[j] += *v as f64;
            sq[j] += (*v as f64) * (*v as f64);
        }
        n += 1.0;
    }
    let n = n.max(1.0);
    let mean: Vec<f32> = sum.iter().map(|s| (s / n) as f32).collect();
    let std = sq
        .iter()
        .zip(&sum)
        .map(|(q, s)| {
            let var = (q / n - (s / n) * (s / n)).max(0.0);
            // Constant columns (one-hot kinds absent from the data) stay as they are.
            if var.sqrt() < 1e-6 {
                1.0
            } else {
                var.sqrt() as f32
            }
        })
        .collect();
    (mean, std)
}

impl Normalizer {
    /// Fit on the node rows and graph rows of `graphs`.
    pub fn fit(graphs: &[&GraphFeatures]) -> Self {
        let (node_mean, node_std) = mean_std(
            graphs.iter().flat_map(|g| g.nodes.chunks(NODE_DIM)),
            NODE_DIM,
        );
        let (graph_mean, graph_std) =
            mean_std(graphs.iter().map(|g| g.graph.as_slice()), GRAPH_DIM);
        Normalizer {
            node_mean,
            node_std,
            graph_mean,
            graph_std,
        }
    }

    /// Whether the stored dimensions match this build's feature set.
    pub fn matches_feature_set(&self) -> bool {
        self.node_mean.len() == NODE_DIM
            && self.node_std.len() == NODE_DIM
            && self.graph_mean.len() == GRAPH_DIM
            && self.graph_std.len() == GRAPH_DIM
    }
}

/// Which layout a model needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Stacked nodes with edge lists (GNN).
    Graph,
    /// Padded sequences in topological order (transformer).
    Sequence,
}

/// Padded-sequence extras of a batch.
#[derive(Debug)]
pub struct SeqPart {
    /// Longest sequence in the batch.
    pub len: i64,
    /// For each stacked node, its flat position `b * len + t` in the padded layout. `[N]`.
    pub pad_index: Tensor,
    /// `[B, L]` true where a real node sits.
    pub valid: Tensor,
    /// `[B, L]` node depth (0 on padding).
    pub depth: Tensor,
    /// `[B, L, L]` 1.0 where an edge joins the two positions (either direction).
    pub adjacency: Tensor,
}

/// Edge lists of a batch, with inverse degrees for mean aggregation.
#[derive(Debug)]
pub struct GraphPart {
    pub src: Tensor,
    pub dst: Tensor,
    /// `[N, 1]` 1/in-degree (0 where none).
    pub inv_in_degree: Tensor,
    /// `[N, 1]` 1/out-degree (0 where none).
    pub inv_out_degree: Tensor,
}

/// Many graphs at once.
#[derive(Debug)]
pub struct Batch {
    pub n_graphs: i64,
    /// `[N, NODE_DIM]` normalised node features.
    pub x: Tensor,
    /// `[N]` graph index of each node (int64).
    pub node_graph: Tensor,
    /// `[B, GRAPH_DIM]` normalised graph features.
    pub g: Tensor,
    pub graph: Option<GraphPart>,
    pub seq: Option<SeqPart>,
}

fn normalise(out: &mut Vec<f32>, row: &[f32], mean: &[f32], std: &[f32]) {
    out.extend(row.iter().zip(mean).zip(std).map(|((v, m), s)| (v - m) / s));
}

fn i64_tensor(v: &[i64], device: Device) -> Tensor {
    Tensor::from_slice(v).to_device(device)
}

fn f32_tensor(v: &[f32], shape: &[i64], device: Device) -> Tensor {
    Tensor::from_slice(v).view(shape).to_device(device)
}

impl Batch {
    /// Stack `graphs` into one batch on `device`.
    pub fn new(
        graphs: &[&GraphFeatures],
        norm: &Normalizer,
        layout: Layout,
        device: Device,
    ) -> Batch {
        let n_total: usize = graphs.iter().map(|g| g.n_nodes()).sum();
        let mut x = Vec::with_capacity(n_total * NODE_DIM);
        let mut gx = Vec::with_capacity(graphs.len() * GRAPH_DIM);
        let mut node_graph = Vec::with_capacity(n_total);
        let mut offsets = Vec::with_capacity(graphs.len());
        let mut offset = 0usize;
        for (b, g) in graphs.iter().enumerate() {
            offsets.push(offset);
            for row in g.nodes.chunks(NODE_DIM) {
                normalise(&mut x, row, &norm.node_mean, &norm.node_std);
                node_graph.push(b as i64);
            }
            normalise(&mut gx, &g.graph, &norm.graph_mean, &norm.graph_std);
            offset += g.n_nodes();
        }
        let n_graphs = graphs.len() as i64;
        let graph = (layout == Layout::Graph).then(|| {
            let (mut src, mut dst) = (Vec::new(), Vec::new());
            let mut indeg = vec![0f32; n_total];
            let mut outdeg = vec![0f32; n_total];
            for (g, off) in graphs.iter().zip(&offsets) {
                for &(s, d) in &g.edges {
                    let (s, d) = (s as usize + off, d as usize + off);
                    src.push(s as i64);
                    dst.push(d as i64);
                    outdeg[s] += 1.0;
                    indeg[d] += 1.0;
                }
            }
            let inv = |v: Vec<f32>| -> Vec<f32> {
                v.into_iter()
                    .map(|d| if d > 0.0 { 1.0 / d } else { 0.0 })
                    .collect()
            };
            GraphPart {
                src: i64_tensor(&src, device),
                dst: i64_tensor(&dst, device),
                inv_in_degree: f32_tensor(&inv(indeg), &[n_total as i64, 1], device),
                inv_out_degree: f32_tensor(&inv(outdeg), &[n_total as i64, 1], device),
            }
        });
        let seq = (layout == Layout::Sequence).then(|| {
            let len = graphs.iter().map(|g| g.n_nodes()).max().unwrap_or(1).max(1);
            let b = graphs.len();
            let mut pad_index = Vec::with_capacity(n_total);
            let mut valid = vec![false; b * len];
            let mut depth = vec![0i64; b * len];
            let mut adj = vec![0f32; b * len * len];
            for (bi, g) in graphs.iter().enumerate() {
                for t in 0..g.n_nodes() {
                    pad_index.push((bi * len + t) as i64);
                    valid[bi * len + t] = true;
                    depth[bi * len + t] = g.depth[t] as i64;
                }
                for &(s, d) in &g.edges {
                    let (s, d) = (s as usize, d as usize);
                    adj[(bi * len + s) * len + d] = 1.0;
                    adj[(bi * len + d) * len + s] = 1.0;
                }
            }
            let (bl, ll) = (b as i64, len as i64);
            SeqPart {
                len: ll,
                pad_index: i64_tensor(&pad_index, device),
                valid: Tensor::from_slice(&valid).view([bl, ll]).to_device(device),
                depth: Tensor::from_slice(&depth).view([bl, ll]).to_device(device),
                adjacency: f32_tensor(&adj, &[bl, ll, ll], device),
            }
        });
        Batch {
            n_graphs,
            x: f32_tensor(&x, &[n_total as i64, NODE_DIM as i64], device),
            node_graph: i64_tensor(&node_graph, device),
            g: f32_tensor(&gx, &[n_graphs, GRAPH_DIM as i64], device),
            graph,
            seq,
        }
    }

    /// Sum of `h` (`[N, H]`) over the nodes of each graph: `[B, H]`.
    pub fn segment_sum(&self, h: &Tensor) -> Tensor {
        let hidden = h.size()[1];
        Tensor::zeros([self.n_graphs, hidden], (h.kind(), h.device())).index_add(
            0,
            &self.node_graph,
            h,
        )
    }
}

/// A float tensor of `rows` rows of `N_TARGETS`-wide values.
pub fn rows_tensor(rows: &[[f32; crate::targets::N_TARGETS]], device: Device) -> Tensor {
    let flat: Vec<f32> = rows.iter().flatten().copied().collect();
    f32_tensor(
        &flat,
        &[rows.len() as i64, crate::targets::N_TARGETS as i64],
        device,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{extract, DeviceInfo};
    use crate::netgen::{dense_chain, residual};
    use tch::Kind;

    fn count_true(t: &Tensor) -> i64 {
        t.to_kind(Kind::Int64).sum(Kind::Int64).int64_value(&[])
    }

    #[test]
    fn stacks_graphs_block_diagonally() {
        let d = DeviceInfo::default();
        let a = extract(&dense_chain(&[16, 8, 4], 1), &d, None).unwrap(); // 3 nodes
        let b = extract(&residual(), &d, None).unwrap(); // 4 nodes
        let graphs = [&a, &b];
        let norm = Normalizer::fit(&graphs);
        let batch = Batch::new(&graphs, &norm, Layout::Graph, Device::Cpu);
        assert_eq!(batch.x.size(), vec![7, NODE_DIM as i64]);
        assert_eq!(
            Vec::<i64>::try_from(&batch.node_graph).unwrap(),
            vec![0, 0, 0, 1, 1, 1, 1]
        );
        let gp = batch.graph.as_ref().unwrap();
        // b's edges are offset by a's 3 nodes.
        assert_eq!(
            Vec::<i64>::try_from(&gp.src).unwrap(),
            vec![0, 1, 3, 4, 4, 5]
        );
        assert_eq!(
            Vec::<i64>::try_from(&gp.dst).unwrap(),
            vec![1, 2, 4, 5, 6, 6]
        );
        // The Add node (row 6) has two inputs.
        assert_eq!(gp.inv_in_degree.double_value(&[6, 0]), 0.5);
        // Segment sums of ones count the nodes per graph.
        let ones = Tensor::ones([7, 1], (Kind::Float, Device::Cpu));
        let s = batch.segment_sum(&ones);
        assert_eq!(Vec::<f32>::try_from(&s.view([2])).unwrap(), vec![3.0, 4.0]);
        // Normalised columns have zero mean over the training nodes.
        let col_mean = batch.x.mean_dim(0, false, Kind::Float);
        assert!(col_mean.abs().max().double_value(&[]) < 1e-5);
    }

    #[test]
    fn pads_sequences_with_mask_and_adjacency() {
        let d = DeviceInfo::default();
        let a = extract(&dense_chain(&[16, 8], 1), &d, None).unwrap(); // 2 nodes
        let b = extract(&residual(), &d, None).unwrap(); // 4 nodes
        let graphs = [&a, &b];
        let norm = Normalizer::fit(&graphs);
        let batch = Batch::new(&graphs, &norm, Layout::Sequence, Device::Cpu);
        let s = batch.seq.as_ref().unwrap();
        assert_eq!(s.len, 4);
        assert_eq!(
            Vec::<i64>::try_from(&s.pad_index).unwrap(),
            vec![0, 1, 4, 5, 6, 7]
        );
        assert_eq!(count_true(&s.valid), 6);
        assert_eq!(s.depth.int64_value(&[1, 3]), 3);
        // residual: a(1) feeds add(3), symmetric.
        assert_eq!(s.adjacency.double_value(&[1, 1, 3]), 1.0);
        assert_eq!(s.adjacency.double_value(&[1, 3, 1]), 1.0);
        assert_eq!(s.adjacency.double_value(&[1, 0, 3]), 0.0);
    }
}
