//! `dataset generate`: seeded random architectures + HLS configurations with wa-hls4ml's
//! distributions ([`config`], [`sample`]), streamed to a JSONL manifest. Records are made in
//! parallel (rayon) in fixed-size chunks and written in index order, so the output is
//! byte-identical on any number of threads, and memory stays flat (one batch of chunks at a
//! time).

pub mod config;
pub mod sample;
pub mod transformer;

pub use config::{FamilyChoice, GenConfig};
pub use sample::{record_id, sample_record};

use crate::error::{DatasetError, Result};
use crate::jsonl::encode_into;
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;

/// Records per parallel work item.
const CHUNK: u64 = 512;
/// Chunks in flight per thread between two writes.
const CHUNKS_PER_THREAD: usize = 8;

/// Stream `count` records generated with `seed` as JSONL into `out`, calling `progress` with
/// the number of records written so far after each batch. Returns the number written.
pub fn write_manifest<W: Write>(
    cfg: &GenConfig,
    seed: u64,
    count: u64,
    out: &mut W,
    out_name: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64> {
    let n_chunks = count.div_ceil(CHUNK);
    let batch = (rayon::current_num_threads() * CHUNKS_PER_THREAD) as u64;
    let mut written = 0;
    let mut first = 0;
    while first < n_chunks {
        let last = (first + batch).min(n_chunks);
        let encoded: Vec<Result<Vec<u8>>> = (first..last)
            .into_par_iter()
            .map(|c| {
                let mut buf = Vec::with_capacity(CHUNK as usize * 1500);
                for i in c * CHUNK..((c + 1) * CHUNK).min(count) {
                    encode_into(&sample_record(cfg, seed, i)?, &mut buf);
                }
                Ok(buf)
            })
            .collect();
        for (k, chunk) in encoded.into_iter().enumerate() {
            out.write_all(&chunk?)
                .map_err(|e| DatasetError::io(out_name, e))?;
            written = ((first + k as u64 + 1) * CHUNK).min(count);
        }
        progress(written);
        first = last;
    }
    out.flush().map_err(|e| DatasetError::io(out_name, e))?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Family;

    fn manifest(cfg: &GenConfig, seed: u64, count: u64, threads: usize) -> Vec<u8> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut out = Vec::new();
            write_manifest(cfg, seed, count, &mut out, Path::new("mem"), &|_| {}).unwrap();
            out
        })
    }

    #[test]
    fn byte_identical_across_thread_counts_and_seed_sensitive() {
        let cfg = GenConfig {
            family: FamilyChoice::Mixed,
            ..GenConfig::default()
        };
        let a = manifest(&cfg, 42, 1200, 1);
        let b = manifest(&cfg, 42, 1200, 3);
        assert_eq!(a, b);
        assert_eq!(a.iter().filter(|c| **c == b'\n').count(), 1200);
        assert_ne!(a, manifest(&cfg, 43, 1200, 2));
        // A prefix of a longer run is the shorter run.
        assert_eq!(&manifest(&cfg, 42, 1300, 2)[..a.len()], &a[..]);
    }

    #[test]
    fn samples_follow_the_published_ranges() {
        let cfg = GenConfig {
            family: FamilyChoice::Mixed,
            ..GenConfig::default()
        };
        let mut families = std::collections::HashMap::new();
        for i in 0..3000 {
            let r = sample_record(&cfg, 9, i).unwrap();
            *families.entry(r.family).or_insert(0) += 1;
            let net = r.network.as_ref().unwrap();
            let bits = r.weight_bits();
            let rf = r.hls.reuse_factor as u64;
            let stats: Vec<_> = net.layers().into_iter().cloned().collect();
            let dense: Vec<_> = stats
                .iter()
                .filter(|l| matches!(l.kind, ir::LayerKind::Dense(_)))
                .collect();
            match r.family {
                Family::Dense => {
                    assert!((2..=7).contains(&dense.len()));
                    assert_eq!(r.hls.io_type, ir::IoType::Parallel);
                    assert!((1..=4093).contains(&rf));
                    if dense.len() <= 3 {
                        assert!(bits.is_multiple_of(2) && (2..=16).contains(&bits));
                        for l in &dense {
                            let ir::LayerKind::Dense(ir::ops::Dense { units, .. }) = l.kind else {
                                unreachable!()
                            };
                            assert!(units % 8 == 0 && (8..=128).contains(&units));
                        }
                    } else {
                        assert!([4, 8, 16].contains(&bits));
                    }
                    if dense.len() < 3 {
                        assert_eq!(r.hls.strategy, ir::Strategy::Resource);
                    }
                }
                Family::Conv1d | Family::Conv2d => {
                    assert_eq!(r.hls.io_type, ir::IoType::Stream);
                    assert_eq!(r.hls.strategy, ir::Strategy::Resource);
                    assert!((8192..=32795).contains(&rf));
                    assert!([4, 8, 16].contains(&bits));
                    let convs = stats
                        .iter()
                        .filter(|l| {
                            matches!(l.kind, ir::LayerKind::Conv1D(_) | ir::LayerKind::Conv2D(_))
                        })
                        .count();
                    assert!((3..=7).contains(&(convs + dense.len())));
                    assert!(convs >= 1);
                    // Every conv keeps the configured 3-wide kernel (never shrunk to a 1x1).
                    for l in &stats {
                        if let ir::LayerKind::Conv1D(ir::ops::Conv1D { kernel, .. }) = l.kind {
                            assert_eq!(kernel, 3);
                        }
                        if let ir::LayerKind::Conv2D(ir::ops::Conv2D { kernel, .. }) = l.kind {
                            assert_eq!(kernel, [3, 3]);
                        }
                    }
                }
                Family::Other => panic!("generated an 'other' network"),
                Family::Transformer => panic!("the default mix draws no transformer"),
            }
            // Every Resource layer's RF is valid by hls4ml's rule.
            if r.hls.strategy == ir::Strategy::Resource {
                for id in net.topo_order().unwrap() {
                    let l = net.layer(id);
                    if let Some(lrf) = l.settings.reuse_factor {
                        let src = net.inputs_of(id)[0];
                        let ins = [net.layer(src).output_shape.clone()];
                        let (n_in, n_out) = l.kind.op().product_shape(&ins).unwrap();
                        assert!(
                            ir::reuse::is_valid_reuse_factor(n_in, n_out, lrf as u64),
                            "{} rf {lrf}",
                            l.name
                        );
                    }
                }
            }
        }
        // The default mix is 0.8 / 0.1 / 0.1: over 3000 draws each family is well within
        // +-5 percentage points (binomial sd is under 1 point).
        let frac = |f| *families.get(&f).unwrap_or(&0) as f64 / 3000.0;
        assert!((frac(Family::Dense) - 0.8).abs() < 0.05, "{families:?}");
        assert!((frac(Family::Conv2d) - 0.1).abs() < 0.05, "{families:?}");
    }
}

/// The file holding the options a dataset was generated with.
pub const GENERATE_FILE: &str = "generate.yaml";

/// What [`generate_dir`] wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GenSummary {
    pub dir: std::path::PathBuf,
    pub records: u64,
    pub seed: u64,
    pub manifest_bytes: u64,
    pub manifest_seconds: f64,
}

#[derive(serde::Serialize)]
struct GenerateFile<'a> {
    seed: u64,
    count: u64,
    config: &'a GenConfig,
}

/// Generate a dataset directory atomically: `records.jsonl` and `generate.yaml` are written to a
/// temporary directory; `then` runs on it (project emission), and only then is it renamed to
/// `out`. `progress` gets the number of manifest records written so far.
pub fn generate_dir(
    cfg: &GenConfig,
    seed: u64,
    count: u64,
    out: &Path,
    progress: &(dyn Fn(u64) + Sync),
    then: &mut dyn FnMut(&Path) -> Result<()>,
) -> Result<GenSummary> {
    crate::fsutil::check_free(out)?;
    let tmp = crate::fsutil::TempDir::beside(out)?;
    let manifest = tmp.path().join(crate::jsonl::RECORDS_FILE);
    let t = std::time::Instant::now();
    let file = std::fs::File::create(&manifest).map_err(|e| DatasetError::io(&manifest, e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let records = write_manifest(cfg, seed, count, &mut w, &manifest, progress)?;
    drop(w);
    let manifest_seconds = t.elapsed().as_secs_f64();
    let gen_file = tmp.path().join(GENERATE_FILE);
    let text = serde_yaml::to_string(&GenerateFile {
        seed,
        count,
        config: cfg,
    })
    .map_err(|e| DatasetError::Invalid(format!("serialising the options: {e}")))?;
    std::fs::write(&gen_file, text).map_err(|e| DatasetError::io(&gen_file, e))?;
    let manifest_bytes = std::fs::metadata(&manifest).map(|m| m.len()).unwrap_or(0);
    then(tmp.path())?;
    tmp.commit(out)?;
    Ok(GenSummary {
        dir: out.to_path_buf(),
        records,
        seed,
        manifest_bytes,
        manifest_seconds,
    })
}
