//! Host check of the attention roofline: runs the rayon tiled f32 attention kernel for
//! N = 512…8192, d = 64 and 128, and prints measured time against the analyser's prediction
//! for the `host` target (measured triad bandwidth and blocked f32 GEMM peak). Aim: within
//! ±30 % for N ≥ 1024. Run with `cargo bench -p estimator --bench attention_host`.
//!
//! The development machine is shared, so besides wall time the table gives CPU time (all
//! threads, from /proc/self/stat) divided by the thread count, with the GEMM peak measured the
//! same way right before each point: that removes time lost to other processes, which would
//! otherwise dominate the ratio. The prediction is the roofline time plus the softmax's
//! exponentials at the measured exp rate (they run on the same cores as the products).

use std::time::Instant;

use rayon::prelude::*;

use estimator::attention::host::HostMeasurement;
use estimator::attention::kernel::{attention_f32, gemm_abt};
use estimator::attention::{analyse, AnalysisOptions, AttentionShape, Dtype, TargetSpec};

/// User + system CPU seconds of this process, all threads (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0 // CLK_TCK = 100 on Linux
}

/// Best-of-`reps` (wall seconds, CPU seconds / threads) of `f`.
fn time_it(reps: usize, threads: f64, mut f: impl FnMut()) -> (f64, f64) {
    let (mut wall, mut cpu) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..reps {
        let (t, c) = (Instant::now(), cpu_seconds());
        f();
        wall = wall.min(t.elapsed().as_secs_f64());
        cpu = cpu.min((cpu_seconds() - c) / threads);
    }
    (wall, cpu)
}

fn main() {
    let host = HostMeasurement::measure();
    let threads = host.threads as f64;
    let spec = TargetSpec::host(&host);
    println!(
        "host: {} threads, triad {:.2} GB/s, f32 GEMM {:.2} GFLOP/s (wall), fast memory {} B ({})",
        host.threads,
        host.triad_bytes_per_s / 1e9,
        host.gemm_flops / 1e9,
        spec.fast_mem_bytes,
        host.fast_mem_basis()
    );
    println!("| N | d | heads | GEMM GFLOP/s wall / cpu | predicted ms wall / cpu | measured ms wall / cpu | measured/predicted wall | measured/predicted cpu | regime |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let (gn, gk) = (1024usize, 128usize);
    let ga: Vec<f32> = (0..gn * gk).map(|i| ((i % 7) as f32 - 3.0) * 0.1).collect();
    let gb: Vec<f32> = (0..gn * gk).map(|i| ((i % 5) as f32 - 2.0) * 0.1).collect();
    let gemm_flops = 16.0 * 2.0 * (gn * gn * gk) as f64;
    let esrc: Vec<f32> = (0..1usize << 22)
        .map(|i| -((i % 97) as f32) * 0.05)
        .collect();
    let mut edst = vec![0f32; esrc.len()];
    let exps = 8.0 * esrc.len() as f64;
    for d in [64usize, 128] {
        for n in [512usize, 1024, 2048, 4096, 8192] {
            // Keep each point to about a second: fewer heads at long lengths.
            let heads = (16 * 1024 * 1024 / (n * n)).clamp(1, 16);
            let mut s = AttentionShape::mha(1, heads, n, d);
            s.dtype = Dtype::Fp32;
            let p = s.problem();
            let len_q = heads * p.rows * d;
            let len_kv = heads * p.keys * d;
            let q: Vec<f32> = (0..len_q)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.05)
                .collect();
            let k: Vec<f32> = (0..len_kv)
                .map(|i| ((i * 5 % 11) as f32 - 5.0) * 0.05)
                .collect();
            let v: Vec<f32> = (0..len_kv)
                .map(|i| ((i * 3 % 7) as f32 - 3.0) * 0.1)
                .collect();
            // Peak re-measured next to each point, in wall and in CPU terms.
            // 16 products per timing: long enough for the 10 ms CPU-time ticks.
            let (g_wall, g_cpu) = time_it(3, threads, || {
                for _ in 0..16 {
                    std::hint::black_box(gemm_abt(&ga, &gb, gn, gn, gk));
                }
            });
            // The same for the softmax's exponentials (as host::exp_throughput does them).
            let (e_wall, e_cpu) = time_it(3, threads, || {
                for _ in 0..8 {
                    edst.par_chunks_mut(4096)
                        .zip(esrc.par_chunks(4096))
                        .for_each(|(d, s)| {
                            let m = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                            for (y, x) in d.iter_mut().zip(s) {
                                *y = (*x - m).exp();
                            }
                        });
                }
                std::hint::black_box(&edst);
            });
            let predict = |peak: f64, exp_rate: f64| {
                let sp = spec.with_host_rates(peak, exp_rate);
                let r = analyse(&s, &sp, AnalysisOptions::default()).expect("analysis");
                let f2 = &r.algorithms["flash2"];
                (
                    f2.time_s.expect("flash2 fits"),
                    f2.regime.clone().unwrap_or_default(),
                )
            };
            let (pred_wall, regime) = predict(gemm_flops / g_wall, exps / e_wall);
            let (pred_cpu, _) = predict(gemm_flops / g_cpu, exps / e_cpu);
            let (m_wall, m_cpu) = time_it(3, threads, || {
                std::hint::black_box(attention_f32(&p, heads, &q, &k, &v, 64, 64));
            });
            println!(
                "| {n} | {d} | {heads} | {:.2} / {:.2} | {:.1} / {:.1} | {:.1} / {:.1} | {:.2} | {:.2} | {regime} |",
                gemm_flops / g_wall / 1e9,
                gemm_flops / g_cpu / 1e9,
                pred_wall * 1e3,
                pred_cpu * 1e3,
                m_wall * 1e3,
                m_cpu * 1e3,
                m_wall / pred_wall,
                m_cpu / pred_cpu,
            );
        }
    }
}
