//! Measurements of this machine for the `host` target: a STREAM-like triad for bandwidth, the
//! blocked f32 GEMM of [`super::kernel`] for peak FLOP/s, and cache sizes from
//! `/sys/devices/system/cpu/cpu0/cache`.

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::kernel::gemm_abt;

/// One cache level as the OS reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheLevel {
    pub level: u32,
    /// "Data", "Instruction" or "Unified".
    pub kind: String,
    pub size_bytes: u64,
    /// CPUs sharing this cache.
    pub shared_by: usize,
}

/// What was measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostMeasurement {
    pub triad_bytes_per_s: f64,
    pub gemm_flops: f64,
    /// f32 exponentials per second (the softmax's cost, which runs on the same cores).
    pub exp_per_s: f64,
    pub threads: usize,
    pub caches: Vec<CacheLevel>,
}

impl HostMeasurement {
    /// Measures bandwidth and peak (about a second) and reads the cache sizes.
    pub fn measure() -> HostMeasurement {
        HostMeasurement {
            triad_bytes_per_s: triad_bandwidth(1 << 23, 5),
            gemm_flops: gemm_peak(1024, 128, 3),
            exp_per_s: exp_throughput(1 << 20, 3),
            threads: rayon::current_num_threads(),
            caches: read_caches(Path::new("/sys/devices/system/cpu/cpu0/cache")),
        }
    }

    /// Fast memory per thread: the L2 (else L1 data) share of one CPU, 256 KiB if unknown.
    pub fn fast_mem_bytes(&self) -> u64 {
        self.fast_cache()
            .map_or(256 * 1024, |c| c.size_bytes / c.shared_by.max(1) as u64)
    }

    pub fn fast_mem_basis(&self) -> String {
        match self.fast_cache() {
            Some(c) => format!(
                "L{} {} cache {} bytes shared by {} CPU(s), per-CPU share",
                c.level, c.kind, c.size_bytes, c.shared_by
            ),
            None => "no cache information; assumed 256 KiB".into(),
        }
    }

    fn fast_cache(&self) -> Option<&CacheLevel> {
        let data = |lvl| {
            self.caches
                .iter()
                .find(|c| c.level == lvl && c.kind != "Instruction")
        };
        data(2).or_else(|| data(1))
    }
}

/// Reads `index*/{level,type,size,shared_cpu_list}` under `dir`; missing files are skipped.
pub fn read_caches(dir: &Path) -> Vec<CacheLevel> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        if !path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("index"))
        {
            continue;
        }
        let read = |f: &str| {
            std::fs::read_to_string(path.join(f))
                .ok()
                .map(|s| s.trim().to_string())
        };
        let (Some(level), Some(kind), Some(size)) = (read("level"), read("type"), read("size"))
        else {
            continue;
        };
        let (Ok(level), Some(size_bytes)) = (level.parse(), parse_size(&size)) else {
            continue;
        };
        let shared_by = read("shared_cpu_list").map_or(1, |l| count_cpus(&l));
        out.push(CacheLevel {
            level,
            kind,
            size_bytes,
            shared_by,
        });
    }
    out.sort_by_key(|c| (c.level, c.kind.clone()));
    out
}

/// "32K" → 32768, "1M" → 1048576, "512" → 512.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()? {
        'K' | 'k' => (&s[..s.len() - 1], 1024),
        'M' | 'm' => (&s[..s.len() - 1], 1024 * 1024),
        'G' | 'g' => (&s[..s.len() - 1], 1024 * 1024 * 1024),
        _ => (s, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

/// Number of CPUs in a list such as "0-3,8,10-11".
pub fn count_cpus(list: &str) -> usize {
    list.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.split_once('-') {
            Some((a, b)) => match (a.trim().parse::<usize>(), b.trim().parse::<usize>()) {
                (Ok(a), Ok(b)) if b >= a => b - a + 1,
                _ => 1,
            },
            None => 1,
        })
        .sum::<usize>()
        .max(1)
}

/// Best-of-`reps` STREAM triad `a = b + s·c` over `len` f32 elements per array, in bytes/s
/// (12 bytes per element: two reads and one write, write-allocate not counted as STREAM does).
pub fn triad_bandwidth(len: usize, reps: usize) -> f64 {
    let b = vec![1.0f32; len];
    let c = vec![2.0f32; len];
    let mut a = vec![0.0f32; len];
    let s = 3.0f32;
    let chunk = 1 << 16;
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        a.par_chunks_mut(chunk)
            .zip(b.par_chunks(chunk).zip(c.par_chunks(chunk)))
            .for_each(|(a, (b, c))| {
                for ((x, y), z) in a.iter_mut().zip(b).zip(c) {
                    *x = y + s * z;
                }
            });
        best = best.min(t.elapsed().as_secs_f64());
    }
    std::hint::black_box(&a);
    12.0 * len as f64 / best
}

/// Best-of-`reps` throughput of [`gemm_abt`] on n×k by n×k operands, in FLOP/s.
pub fn gemm_peak(n: usize, k: usize, reps: usize) -> f64 {
    let a: Vec<f32> = (0..n * k).map(|i| ((i % 7) as f32 - 3.0) * 0.1).collect();
    let b: Vec<f32> = (0..n * k).map(|i| ((i % 5) as f32 - 2.0) * 0.1).collect();
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let c = gemm_abt(&a, &b, n, n, k);
        best = best.min(t.elapsed().as_secs_f64());
        std::hint::black_box(c);
    }
    2.0 * (n * n * k) as f64 / best
}

/// Best-of-`reps` rate of `exp(x − m)` over `len` f32 values in parallel, as the attention
/// kernel's online softmax evaluates it, in exponentials per second.
pub fn exp_throughput(len: usize, reps: usize) -> f64 {
    let src: Vec<f32> = (0..len).map(|i| -((i % 97) as f32) * 0.05).collect();
    let mut dst = vec![0f32; len];
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        dst.par_chunks_mut(4096)
            .zip(src.par_chunks(4096))
            .for_each(|(d, s)| {
                let m = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                for (y, x) in d.iter_mut().zip(s) {
                    *y = (*x - m).exp();
                }
            });
        best = best.min(t.elapsed().as_secs_f64());
    }
    std::hint::black_box(&dst);
    len as f64 / best
}
