//! Speed benchmark of the surrogate (speed only: the labels are the analytic model's own
//! estimates of generated networks, never quoted as accuracy).
//!
//! Measures, on one libtorch thread (one core):
//! - feature extraction (IR → features, plus the analytic estimate) per graph;
//! - batched inference, graphs/s, for the GNN and the transformer (issue target ≥ 10⁴/s/core);
//! - one training epoch over N generated graphs (issue target: 100k graphs in < 60 s on CPU).
//!
//! The networks come from dataset-tools' generator (`presynth dataset generate`, mixed families).
//! Run: `cargo bench -p surrogate --bench speed -- [N]` (default N = 100000).

use dataset_tools::generate::{sample_record, FamilyChoice, GenConfig};
use std::time::Instant;
use surrogate::analytic::{device_info, from_network_estimate};
use surrogate::{extract, Arch, Hyper, Mode, Sample, TrainConfig, N_TARGETS};

/// CPU time of this thread (ns on CPU from /proc/thread-self/schedstat), so that the figures are
/// per core even when other processes share the machine; `None` where /proc lacks it.
fn thread_cpu_s() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(text.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

/// Wall and CPU seconds of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (t, c) = (Instant::now(), thread_cpu_s());
    let out = f();
    let wall = t.elapsed().as_secs_f64();
    let cpu = match (c, thread_cpu_s()) {
        (Some(a), Some(b)) => b - a,
        _ => wall,
    };
    (out, wall, cpu)
}

fn main() {
    surrogate::init_threads();
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let calib = estimator::Calibration::builtin();
    let dev = estimator::Device::lookup("xcu250").expect("xcu250 is in the part database");
    let info = device_info(&dev, 5.0);

    // The dataset generator of `presynth dataset generate`, all families mixed.
    let gen = GenConfig {
        family: FamilyChoice::Mixed,
        ..GenConfig::default()
    };
    let (nets, gen_s, _) = timed(|| {
        (0..n as u64)
            .map(|i| {
                let rec = sample_record(&gen, 1, i).expect("generated record");
                let mut net = rec.network.expect("generated records carry their network");
                net.config = rec.hls;
                net
            })
            .collect::<Vec<ir::Network>>()
    });
    let (samples, feat_wall, feat_cpu) = timed(|| {
        nets.iter()
            .enumerate()
            .map(|(i, net)| {
                let est =
                    estimator::estimate(net, &dev, &calib).expect("generated networks estimate");
                let a = from_network_estimate(&est);
                Sample {
                    id: i.to_string(),
                    architecture: format!("a{}", i % 1000),
                    family: "generated".into(),
                    features: extract(net, &info, Some(&a)).expect("features"),
                    analytic: Some(a.total),
                    labels: a.total.map(Some),
                }
            })
            .collect::<Vec<Sample>>()
    });
    let nodes: usize = samples.iter().map(|s| s.features.n_nodes()).sum();
    println!(
        "{n} generated graphs ({:.1} layers each): generation {gen_s:.2} s; analytic estimate + features {feat_wall:.2} s wall, {feat_cpu:.2} s CPU ({:.0} graphs/s per core)",
        nodes as f64 / n as f64,
        n as f64 / feat_cpu
    );

    for arch in [Arch::Gnn, Arch::Transformer] {
        let cfg = TrainConfig {
            arch,
            mode: Mode::Hybrid,
            hyper: Hyper::default(),
            epochs: 1,
            patience: 1,
            batch_size: 256,
            members: 1,
            val_fraction: 0.0,
            ..TrainConfig::default()
        };
        let (model, epoch_wall, epoch_cpu) =
            timed(|| surrogate::train(&samples, &cfg, &mut |_| {}).expect("training"));
        println!(
            "{arch}: one training epoch over {n} graphs (batch 256, hidden {}, {N_TARGETS} targets): {epoch_wall:.1} s wall, {epoch_cpu:.1} s CPU",
            cfg.hyper.hidden
        );
        let items: Vec<_> = samples
            .iter()
            .map(|s| (&s.features, s.analytic.as_ref()))
            .collect();
        let m = items.len().min(50_000);
        for batch in [256, 1024, 4096] {
            let (preds, wall, cpu) =
                timed(|| model.predict(&items[..m], batch).expect("inference"));
            assert_eq!(preds.len(), m);
            assert!(preds.iter().all(|p| p.mean.iter().all(|v| v.is_finite())));
            println!(
                "{arch}: batched inference, batch {batch}: {:.0} graphs/s per core ({:.0} wall)",
                m as f64 / cpu,
                m as f64 / wall
            );
        }
    }
}
