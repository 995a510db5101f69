//! Estimate time of a 100 000-layer network (issue 18: keeping a whole path per layer made
//! `estimate` quadratic — 40k layers 48 s / 6.5 GB, 100k aborted). The network alternates
//! Dense(16) and ReLU so that every layer has real cost. Target: under 2 s and 200 MB for the
//! CLI on a 100k-layer DSL file (measured with /usr/bin/time -v; figures in the commit and the
//! issue's report), i.e. linear: 10k layers should take a tenth of 100k.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use estimator::{Calibration, Device};
use ir::{Activation, Layer, LayerKind, Network};

/// `n` layers: an input of 16, then Dense(16, relu) layers in a chain.
pub fn chain(n: usize) -> Network {
    let mut net = Network::new("deep");
    net.add_layer(
        Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![16] })),
        &[],
    )
    .unwrap();
    let mut prev = "in".to_string();
    for i in 1..n {
        let name = format!("fc{i}");
        net.add_layer(
            Layer::new(
                &name,
                LayerKind::Dense(ir::ops::Dense {
                    units: 16,
                    use_bias: true,
                }),
            )
            .with_activation(Activation::Relu),
            &[&prev],
        )
        .unwrap();
        prev = name;
    }
    net.infer_shapes().unwrap();
    net
}

fn device() -> Device {
    match fpga_targets::Targets::builtin().get("xcu250-figd2104-2L-e") {
        Ok(fpga_targets::Target::Fpga(p)) => Device::from_part(p),
        other => panic!("the part database has no U250 FPGA entry: {other:?}"),
    }
}

fn bench(c: &mut Criterion) {
    let dev = device();
    let cal = Calibration::builtin();
    let mut g = c.benchmark_group("estimate_deep");
    g.sample_size(10);
    for n in [10_000usize, 100_000] {
        let net = chain(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &net, |b, net| {
            b.iter(|| estimator::estimate(net, &dev, &cal).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
