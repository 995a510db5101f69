//! `codegen --random-weights SEED`: give a model without weights (a `.psn` file, a Keras JSON
//! without its `.h5`) reproducible pseudo-random ones, so that its HLS project can be written to
//! study resources and latency. Only missing tensors are filled; their shapes are Keras's
//! (Dense kernel `n_in × units`, Conv1D `k × c × f`, Conv2D `kh × kw × c × f`, BatchNorm
//! vectors of the channel count), the shapes hls4ml's writer reads.

use ir::{LayerKind, Network, Tensor};

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

/// The tensors a layer of this kind reads, with their shapes (`input` is its input shape) and
/// value ranges: Glorot-uniform-like kernels (±1/√fan_in), small biases, positive variances.
fn wanted(kind: &LayerKind, input: &[usize]) -> Vec<(&'static str, Vec<usize>, (f32, f32))> {
    let c = *input.last().unwrap_or(&1);
    let kernel = |fan_in: usize| {
        let a = 1.0 / (fan_in.max(1) as f32).sqrt();
        (-a, a)
    };
    let bias = (-0.1, 0.1);
    match kind {
        LayerKind::Dense(ir::ops::Dense { units, use_bias }) => {
            let mut v = vec![("kernel", vec![c, *units], kernel(c))];
            if *use_bias {
                v.push(("bias", vec![*units], bias));
            }
            v
        }
        LayerKind::Conv1D(ir::ops::Conv1D {
            filters,
            kernel: k,
            use_bias,
            ..
        }) => {
            let mut v = vec![("kernel", vec![*k, c, *filters], kernel(k * c))];
            if *use_bias {
                v.push(("bias", vec![*filters], bias));
            }
            v
        }
        LayerKind::Conv2D(ir::ops::Conv2D {
            filters,
            kernel: k,
            use_bias,
            ..
        }) => {
            let mut v = vec![(
                "kernel",
                vec![k[0], k[1], c, *filters],
                kernel(k[0] * k[1] * c),
            )];
            if *use_bias {
                v.push(("bias", vec![*filters], bias));
            }
            v
        }
        LayerKind::BatchNorm(ir::ops::BatchNorm { center, scale, .. }) => {
            let mut v = vec![
                ("moving_mean", vec![c], (-0.5, 0.5)),
                ("moving_variance", vec![c], (0.5, 1.5)),
            ];
            if *scale {
                v.push(("gamma", vec![c], (0.5, 1.5)));
            }
            if *center {
                v.push(("beta", vec![c], (-0.5, 0.5)));
            }
            v
        }
        LayerKind::Input(_)
        | LayerKind::Pool1D(_)
        | LayerKind::Pool2D(_)
        | LayerKind::GlobalPool1D(_)
        | LayerKind::GlobalPool2D(_)
        | LayerKind::Activation(_)
        | LayerKind::Flatten
        | LayerKind::Reshape(_)
        | LayerKind::Dropout(_)
        | LayerKind::Add
        | LayerKind::Concatenate(_) => Vec::new(),
    }
}

/// Fill every missing weight tensor of `net` (shapes inferred) from `seed`; returns how many
/// tensors were filled.
pub fn fill(net: &mut Network, seed: u64) -> usize {
    let mut rng = SplitMix(seed);
    let mut filled = 0;
    for id in net.topo_order().unwrap_or_default() {
        let input: Vec<usize> = net
            .inputs_of(id)
            .first()
            .map(|&p| net.layer(p).output_shape.clone())
            .unwrap_or_default();
        let layer = net.layer_mut(id);
        for (name, shape, (lo, hi)) in wanted(&layer.kind, &input) {
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
