//! Speed of a whole-model estimate: a 5-layer MLP (16 → 64 → 32 → 32 → 32 → 5, jet-tagger
//! shaped) on the U250 with the bundled calibration. Target: ≥ 10⁵ estimates/s on 2 cores,
//! i.e. ≤ 20 µs per estimate per core (the parallel group runs 2 threads).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use estimator::{Calibration, Device};
use ir::{Activation, FixedType, HlsConfig, Layer, LayerKind, Network, Strategy};
use rayon::prelude::*;

fn mlp() -> Network {
    let mut net = Network::new("mlp5");
    net.config = HlsConfig {
        precision: FixedType::fixed(16, 6),
        reuse_factor: 4,
        strategy: Strategy::Resource,
        ..HlsConfig::default()
    };
    net.add_layer(
        Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![16] })),
        &[],
    )
    .unwrap();
    let widths = [64, 32, 32, 32, 5];
    let mut prev = "in".to_string();
    for (i, w) in widths.iter().enumerate() {
        let name = format!("fc{i}");
        let act = if i + 1 == widths.len() {
            Activation::Softmax
        } else {
            Activation::Relu
        };
        net.add_layer(
            Layer::new(
                &name,
                LayerKind::Dense(ir::ops::Dense {
                    units: *w,
                    use_bias: true,
                }),
            )
            .with_activation(act),
            &[&prev],
        )
        .unwrap();
        prev = name;
    }
    net.infer_shapes().unwrap();
    net
}

/// The U250 from the part database (the same entry `presynth estimate --part xcu250` uses).
fn device() -> Device {
    match fpga_targets::Targets::builtin().get("xcu250-figd2104-2L-e") {
        Ok(fpga_targets::Target::Fpga(p)) => Device::from_part(p),
        other => panic!("the part database has no U250 FPGA entry: {other:?}"),
    }
}

fn bench(c: &mut Criterion) {
    let net = mlp();
    let dev = device();
    let cal = Calibration::builtin();
    let mut g = c.benchmark_group("estimate_mlp5");
    g.throughput(Throughput::Elements(1));
    g.bench_function("one_thread", |b| {
        b.iter(|| estimator::estimate(&net, &dev, &cal).unwrap())
    });
    const BATCH: u64 = 1000;
    g.throughput(Throughput::Elements(BATCH));
    g.bench_function("two_threads_batch_1000", |b| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        b.iter(|| {
            pool.install(|| {
                (0..BATCH)
                    .into_par_iter()
                    .map(|_| {
                        estimator::estimate(&net, &dev, &cal)
                            .unwrap()
                            .total
                            .latency_cycles
                    })
                    .sum::<u64>()
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
