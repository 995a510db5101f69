//! `presynth attention --seq-lens/--window/--page-size`: the serving view — a variable-length
//! batch, a sliding window and a paged K/V cache, bounded per FlashAttention kernel on a GPU
//! (estimator::attention::serving).

use anyhow::{bail, Context};
use estimator::attention::gpu_bound::LAUNCH_FLOOR_S;
use estimator::attention::serving::{serving_kernel_bound, Sequence, ServingBatch};
use estimator::attention::tiles::KERNELS;
use estimator::attention::{Dtype, TargetSpec};

use super::attention::{eng, secs, Args};
use super::common::{table, Format};

/// `4096,1:8192` → [(4096, 4096), (1, 8192)].
fn parse_seq_lens(s: &str) -> anyhow::Result<Vec<Sequence>> {
    s.split(',')
        .enumerate()
        .map(|(i, item)| {
            let bad = || {
                format!(
                    "--seq-lens item {} `{}`: expected Q or Q:KV with whole numbers ≥ 1",
                    i + 1,
                    item.trim()
                )
            };
            let (q, kv) = match item.split_once(':') {
                Some((q, kv)) => (q, kv),
                None => (item, item),
            };
            let q_len: usize = q.trim().parse().with_context(bad)?;
            let kv_len: usize = kv.trim().parse().with_context(bad)?;
            Ok(Sequence { q_len, kv_len })
        })
        .collect()
}

pub fn run(
    a: &Args,
    dtype: Dtype,
    kv_dtype: Option<Dtype>,
    target: &TargetSpec,
) -> anyhow::Result<()> {
    if target.gpu.is_none() {
        bail!("the serving view (--seq-lens, --window, --page-size) needs a GPU target");
    }
    if a.sweep.is_some() {
        bail!("--sweep cannot be combined with --seq-lens, --window or --page-size");
    }
    let seqs = match &a.seq_lens {
        Some(s) => parse_seq_lens(s)?,
        None => {
            let q_len = a.seq.context("--seq N or --seq-lens is required")?;
            let kv_len = a.kv_seq.unwrap_or(q_len);
            vec![Sequence { q_len, kv_len }; a.batch]
        }
    };
    let b = ServingBatch {
        seqs,
        heads: a.heads,
        kv_heads: a.kv_heads.unwrap_or(a.heads),
        d_qk: a.head_dim,
        d_v: a.v_head_dim.unwrap_or(a.head_dim),
        causal: a.causal,
        window: a.window,
        page_size: a.page_size,
        dtype,
        kv_dtype,
    };
    b.validate()?;
    let floor = a.launch_floor_us.map_or(LAUNCH_FLOOR_S, |u| u * 1e-6);
    let views: Vec<_> = KERNELS
        .iter()
        .filter_map(|k| Some((k.to_string(), serving_kernel_bound(k, &b, target, floor)?)))
        .collect();
    if views.is_empty() {
        bail!(
            "no FlashAttention kernel runs this batch on {} (head dim, type or architecture)",
            target.name
        );
    }
    if a.format == Format::Json {
        let v = serde_json::json!({
            "batch": b,
            "flops": b.flops(),
            "kernels": views.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "{} sequences, {} query tokens against {} keys; {} FLOPs on {}",
        b.seqs.len(),
        b.seqs.iter().map(|s| s.q_len).sum::<usize>(),
        b.seqs.iter().map(|s| s.kv_len).sum::<usize>(),
        eng(b.flops()),
        target.name
    );
    let mut tab = table(&[
        "kernel",
        "tile",
        "splits",
        "blocks",
        "tensor",
        "exp",
        "parallel",
        "K/V tokens read",
        "HBM B",
        "memory",
        "time",
        "binding",
    ]);
    for (k, r) in &views {
        tab.add_row(vec![
            k.clone(),
            format!("{}x{}", r.br, r.bc),
            r.splits.to_string(),
            r.thread_blocks.to_string(),
            secs(r.units.tensor_s),
            secs(r.units.exp_s),
            secs(r.parallel_s),
            r.kv_tokens_read.to_string(),
            eng(r.hbm_bytes),
            secs(r.memory_s),
            secs(r.time_s),
            r.binding.clone(),
        ]);
    }
    println!("{tab}");
    let r = &views[0].1;
    println!(
        "device memory: Q, O and the K/V cache{} need {}B of {}B{}",
        b.page_size
            .map_or(String::new(), |p| format!(" in pages of {p} tokens")),
        eng(r.needed_bytes),
        eng(r.device_bytes as f64),
        if r.fits { "" } else { " — DOES NOT FIT" }
    );
    println!(
        "memory term: compulsory bytes (Q per key split, O, each K/V {} a sequence touches once); time = max of tensor, exp, fp32, parallel (largest blocks per SM), memory, launch floor {}",
        if b.page_size.is_some() { "page" } else { "word" },
        secs(floor)
    );
    Ok(())
}
