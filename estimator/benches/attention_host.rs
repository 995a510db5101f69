//! Host check of the attention roofline: runs the rayon tiled f32 attention kernel for
//! N = 512…8192, d = 64 and 128, and prints measured time against the analyser's prediction
//! for the `host` target (measured triad bandwidth and GEMM peak). Aim: within ±30 % for
//! N ≥ 1024. Run with `cargo bench -p estimator --bench attention_host`.

use std::time::Instant;

use estimator::attention::host::{gemm_peak, HostMeasurement};
use estimator::attention::kernel::attention_f32;
use estimator::attention::{analyse, AnalysisOptions, AttentionShape, Dtype, TargetSpec};

fn main() {
    let host = HostMeasurement::measure();
    let mut spec = TargetSpec::host(&host);
    println!(
        "host: {} threads, triad {:.2} GB/s, f32 GEMM {:.2} GFLOP/s, fast memory {} B ({})",
        host.threads,
        host.triad_bytes_per_s / 1e9,
        host.gemm_flops / 1e9,
        spec.fast_mem_bytes,
        host.fast_mem_basis()
    );
    println!("| N | d | heads | GEMM GFLOP/s | predicted ms | measured ms | measured/predicted | regime |");
    println!("|---|---|---|---|---|---|---|---|");
    for d in [64usize, 128] {
        for n in [512usize, 1024, 2048, 4096, 8192] {
            // Keep each point under ~a second: fewer heads at long lengths.
            let heads = (16 * 1024 * 1024 / (n * n)).clamp(1, 16);
            let mut s = AttentionShape::mha(1, heads, n, d);
            s.dtype = Dtype::Fp32;
            // The machine is shared: re-measure the GEMM peak next to each point so that load
            // from other processes affects prediction and measurement alike.
            spec.peak_flops = gemm_peak(1024, 128, 3);
            let r = analyse(&s, &spec, AnalysisOptions::default()).expect("analysis");
            let f2 = &r.algorithms["flash2"];
            let predicted = f2.time_s.expect("flash2 fits");
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
            let mut best = f64::INFINITY;
            for _ in 0..3 {
                let t = Instant::now();
                let o = attention_f32(&p, heads, &q, &k, &v, 64, 64);
                best = best.min(t.elapsed().as_secs_f64());
                std::hint::black_box(o);
            }
            println!(
                "| {n} | {d} | {heads} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
                spec.peak_flops / 1e9,
                predicted * 1e3,
                best * 1e3,
                best / predicted,
                f2.regime.as_deref().unwrap_or("-")
            );
        }
    }
}
