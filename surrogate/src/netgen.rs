//! Small networks built in code: fixed shapes for unit tests, and a seeded random generator
//! (dense chains and conv2d stacks with random widths, precisions and reuse factors) for the
//! speed benchmark and training tests. Shapes are always inferred.

use ir::{Activation, FixedType, Layer, LayerKind, Network, Padding, PoolOp, Strategy};

/// A deterministic SplitMix64 generator (shuffling, splits, random networks).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

/// `Input(widths[0]) -> Dense(widths[1], relu) -> ... -> Dense(last)` with reuse factor `rf`;
/// layers are named `in`, `fc0`, `fc1`, ...
pub fn dense_chain(widths: &[usize], rf: u32) -> Network {
    let mut net = Network::new(format!(
        "dense_{}",
        widths
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join("_")
    ));
    net.config.reuse_factor = rf;
    net.add_layer(
        Layer::new(
            "in",
            LayerKind::Input(ir::ops::Input {
                shape: vec![widths[0]],
            }),
        ),
        &[],
    )
    .expect("fresh name");
    let mut prev = "in".to_string();
    for (i, &w) in widths[1..].iter().enumerate() {
        let name = format!("fc{i}");
        let act = if i + 2 < widths.len() {
            Activation::Relu
        } else {
            Activation::Linear
        };
        net.add_layer(
            Layer::new(
                &name,
                LayerKind::Dense(ir::ops::Dense {
                    units: w,
                    use_bias: true,
                }),
            )
            .with_activation(act),
            &[&prev],
        )
        .expect("fresh name, one input");
        prev = name;
    }
    net.infer_shapes().expect("dense chain shapes are valid");
    net
}

/// `in(8) -> a=Dense(8) -> b=Dense(8) -> add(a, b)`: a DAG with a skip connection.
pub fn residual() -> Network {
    let mut net = Network::new("residual");
    let dense = |n: &str| {
        Layer::new(
            n,
            LayerKind::Dense(ir::ops::Dense {
                units: 8,
                use_bias: true,
            }),
        )
    };
    net.add_layer(
        Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![8] })),
        &[],
    )
    .expect("fresh");
    net.add_layer(dense("a"), &["in"]).expect("fresh");
    net.add_layer(dense("b"), &["a"]).expect("fresh");
    net.add_layer(
        Layer::new("add", LayerKind::Merge(ir::ops::Merge::ADD)),
        &["a", "b"],
    )
    .expect("fresh");
    net.infer_shapes().expect("residual shapes are valid");
    net
}

/// A random network: half dense chains of 1–3 layers, half small conv2d stacks
/// (Conv2D [+ MaxPool] ... -> Flatten -> Dense), with random precisions, reuse factors and
/// strategy, in the ranges of the wa-hls4ml sweeps.
pub fn random_network(rng: &mut Rng, index: usize) -> Network {
    let widths = [4, 8, 16, 24, 32, 48, 64, 96, 128];
    let mut net = Network::new(format!("gen{index}"));
    let bits = rng.pick(&[2u32, 4, 6, 8, 10, 12, 16]);
    net.config.precision = FixedType::fixed(bits.max(2), 1);
    net.config.reuse_factor = rng.pick(&[1u32, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
    net.config.strategy = if rng.below(2) == 0 {
        Strategy::Latency
    } else {
        Strategy::Resource
    };
    let mut prev = "in".to_string();
    let add = |net: &mut Network, layer: Layer, prev: &mut String| {
        let name = layer.name.clone();
        net.add_layer(layer, &[prev.as_str()])
            .expect("generated names are unique");
        *prev = name;
    };
    if rng.below(2) == 0 {
        net.add_layer(
            Layer::new(
                "in",
                LayerKind::Input(ir::ops::Input {
                    shape: vec![rng.pick(&widths)],
                }),
            ),
            &[],
        )
        .expect("fresh");
        for i in 0..1 + rng.below(3) {
            let l = Layer::new(
                format!("fc{i}"),
                LayerKind::Dense(ir::ops::Dense {
                    units: rng.pick(&widths),
                    use_bias: true,
                }),
            )
            .with_activation(Activation::Relu);
            add(&mut net, l, &mut prev);
        }
    } else {
        net.config.io_type = ir::IoType::Stream;
        let side = rng.pick(&[8usize, 12, 16, 24]);
        net.add_layer(
            Layer::new(
                "in",
                LayerKind::Input(ir::ops::Input {
                    shape: vec![side, side, rng.pick(&[1, 3])],
                }),
            ),
            &[],
        )
        .expect("fresh");
        let mut s = side;
        for i in 0..1 + rng.below(2) {
            let conv = LayerKind::Conv2D(ir::ops::Conv2D {
                filters: rng.pick(&[4, 8, 16]),
                kernel: [3, 3],
                stride: [1, 1],
                padding: Padding::Same,
                use_bias: true,
            });
            add(
                &mut net,
                Layer::new(format!("conv{i}"), conv).with_activation(Activation::Relu),
                &mut prev,
            );
            if s >= 4 {
                let pool = LayerKind::Pool2D(ir::ops::Pool2D {
                    op: PoolOp::Max,
                    pool: [2, 2],
                    stride: [2, 2],
                    padding: Padding::Valid,
                });
                add(&mut net, Layer::new(format!("pool{i}"), pool), &mut prev);
                s /= 2;
            }
        }
        add(
            &mut net,
            Layer::new("flatten", LayerKind::Flatten),
            &mut prev,
        );
        add(
            &mut net,
            Layer::new(
                "out",
                LayerKind::Dense(ir::ops::Dense {
                    units: rng.pick(&[5, 10]),
                    use_bias: true,
                }),
            ),
            &mut prev,
        );
    }
    net.infer_shapes().expect("generated shapes are valid");
    net
}
