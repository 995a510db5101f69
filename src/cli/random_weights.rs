//! `codegen --random-weights SEED`: give a model without weights (a `.psn` file, a Keras JSON
//! without its `.h5`) reproducible pseudo-random ones, so that its HLS project can be written to
//! study resources and latency. Only missing tensors are filled; which tensors a kind carries and
//! their shapes (Keras's, the shapes hls4ml's writer reads) come from the layer registry.

use ir::{Network, Tensor, WeightRole};

/// splitmix64: a small, well-known generator; the same seed gives the same weights everywhere.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        let u = (self.next() >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * u
    }
}

/// The value range of a weight tensor by its role: Glorot-uniform-like kernels (±1/√fan_in,
/// fan_in = every axis but the last), small biases and embeddings, positive scales and
/// variances.
fn range(role: WeightRole, shape: &[usize]) -> (f32, f32) {
    match role {
        WeightRole::Kernel => {
            let fan_in: usize = shape[..shape.len().saturating_sub(1)].iter().product();
            let a = 1.0 / (fan_in.max(1) as f32).sqrt();
            (-a, a)
        }
        WeightRole::Scale | WeightRole::MovingVariance => (0.5, 1.5),
        WeightRole::Shift | WeightRole::MovingMean => (-0.5, 0.5),
        WeightRole::Bias | WeightRole::Embeddings => (-0.1, 0.1),
    }
}

/// Fill every missing weight tensor of `net` (shapes inferred) from `seed`; returns how many
/// tensors were filled.
pub fn fill(net: &mut Network, seed: u64) -> usize {
    let mut rng = SplitMix(seed);
    let mut filled = 0;
    for id in net.topo_order().unwrap_or_default() {
        let ins: Vec<ir::Shape> = net
            .inputs_of(id)
            .into_iter()
            .map(|p| net.layer(p).output_shape.clone())
            .collect();
        let layer = net.layer_mut(id);
        // What the kind carries comes from the layer registry.
        for ir::WeightSpec { name, shape, role } in layer.kind.op().weights(&ins) {
            let (lo, hi) = range(role, &shape);
            if layer.weight(name).is_some() {
                continue;
            }
            let n: usize = shape.iter().product();
            let data = (0..n).map(|_| rng.uniform(lo, hi)).collect();
            layer
                .weights
                .push((name.to_string(), Tensor::new(shape, data)));
            filled += 1;
        }
    }
    filled
}
