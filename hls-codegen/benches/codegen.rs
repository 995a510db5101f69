//! Criterion benchmark of the in-process project write (render + atomic write) for the MLP
//! 16-64-32-5, with template files copied (like hls4ml), hard-linked, or symlinked, and of
//! lowering alone. The process-level comparison with hls4ml is scripts/bench_codegen.py.
//! Needs hls4ml's templates (the repo's .venv or PRESYNTH_HLS4ML_TEMPLATES); says so otherwise.

use criterion::{criterion_group, criterion_main, Criterion};
use hls_codegen::{lower, render, write_project, LinkMode, ProjectOptions, Templates};
use ir::{Activation, Layer, LayerKind, Network, Tensor};

fn mlp() -> Network {
    let mut net = Network::new("mlp_16_64_32_5");
    net.add_layer(
        Layer::new(
            "input_layer",
            LayerKind::Input(ir::ops::Input { shape: vec![16] }),
        ),
        &[],
    )
    .unwrap();
    let mut prev = "input_layer".to_string();
    let mut n_in = 16;
    let mut seed = 1u32;
    for (name, units, act) in [
        ("fc1", 64, Activation::Relu),
        ("fc2", 32, Activation::Relu),
        ("fc3", 5, Activation::Softmax),
    ] {
        let mut rnd = |n: usize| -> Vec<f32> {
            (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(1664525).wrapping_add(1013904223);
                    (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
                })
                .collect()
        };
        let mut l = Layer::new(
            name,
            LayerKind::Dense(ir::ops::Dense {
                units,
                use_bias: true,
            }),
        )
        .with_activation(act);
        l.weights = vec![
            (
                "kernel".into(),
                Tensor::new(vec![n_in, units], rnd(n_in * units)),
            ),
            ("bias".into(), Tensor::new(vec![units], rnd(units))),
        ];
        net.add_layer(l, &[&prev]).unwrap();
        prev = name.to_string();
        n_in = units;
    }
    net.default_outputs();
    net.infer_shapes().unwrap();
    net
}

fn bench(c: &mut Criterion) {
    let templates = match Templates::discover(None) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("SKIPPED codegen benchmark: {e}");
            return;
        }
    };
    let net = mlp();
    let opts = ProjectOptions::default();
    c.bench_function("lower mlp_16_64_32_5", |b| {
        b.iter(|| lower(&net, &opts).unwrap())
    });
    let m = lower(&net, &opts).unwrap();
    // inside the target directory: usually the filesystem of the templates, so hard links work
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    for link in [LinkMode::Copy, LinkMode::HardLink, LinkMode::Symlink] {
        // a fresh directory per write, removed outside the timed region (deleting ~100 files
        // costs more than writing them on some filesystems)
        c.bench_function(&format!("render+write mlp_16_64_32_5 ({link:?})"), |b| {
            b.iter_custom(|iters| {
                let mut total = std::time::Duration::ZERO;
                for i in 0..iters {
                    let dir = tmp.path().join(format!("{link:?}-{i}"));
                    let t0 = std::time::Instant::now();
                    let p = render(&m, &templates, &dir, None);
                    write_project(&p, &dir, link, false).unwrap();
                    total += t0.elapsed();
                    std::fs::remove_dir_all(&dir).unwrap();
                }
                total
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
