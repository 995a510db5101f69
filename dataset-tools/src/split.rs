//! `dataset split --by architecture`: every record of one architecture (the canonical
//! [`Record::architecture`] key: the same layers with any precision, RF or strategy) goes to the
//! same split, never by row. The distinct architectures are ordered by a seeded stable hash of
//! their key and cut by the ratios (so the architecture counts follow the ratios exactly, and
//! the assignment depends only on the key set and the seed).

use crate::error::{DatasetError, Result};
use crate::jsonl::{Reader, Writer};
use crate::record::Record;
use crate::rng::stable_hash;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The split names for a number of ratios: train/test, train/val/test, else split0, split1...
pub fn split_names(n: usize) -> Vec<String> {
    match n {
        2 => vec!["train".into(), "test".into()],
        3 => vec!["train".into(), "val".into(), "test".into()],
        _ => (0..n).map(|i| format!("split{i}")).collect(),
    }
}

/// Parse and check `0.8,0.1,0.1`: positive, summing to 1 (±1e-6).
pub fn parse_ratios(text: &str) -> Result<Vec<f64>> {
    let v: Vec<f64> = text
        .split(',')
        .map(|t| t.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| {
            DatasetError::Invalid(format!(
                "--ratios '{text}': expected numbers like 0.8,0.1,0.1"
            ))
        })?;
    if v.len() < 2
        || v.iter().any(|r| r.is_nan() || *r <= 0.0)
        || (v.iter().sum::<f64>() - 1.0).abs() > 1e-6
    {
        return Err(DatasetError::Invalid(format!(
            "--ratios '{text}': need at least two positive ratios summing to 1"
        )));
    }
    Ok(v)
}

/// Assign each architecture key to a split index.
pub fn assign(keys: &BTreeSet<String>, ratios: &[f64], seed: u64) -> HashMap<String, usize> {
    let mut order: Vec<(u64, &String)> = keys.iter().map(|k| (stable_hash(k, seed), k)).collect();
    order.sort();
    let n = order.len();
    // Cumulative cut points, rounded; the last split takes the rest.
    let mut cuts = Vec::with_capacity(ratios.len());
    let mut acc = 0.0;
    for r in &ratios[..ratios.len() - 1] {
        acc += r;
        cuts.push((acc * n as f64).round() as usize);
    }
    cuts.push(n);
    let mut out = HashMap::with_capacity(n);
    let mut split = 0;
    for (i, (_, k)) in order.into_iter().enumerate() {
        while i >= cuts[split] {
            split += 1;
        }
        out.insert(k.clone(), split);
    }
    out
}

/// Counts of one split.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct SplitCount {
    pub name: String,
    pub path: PathBuf,
    pub records: u64,
    pub architectures: usize,
}

/// Split the records of `input` into `out_dir/<name>.jsonl` (written to a temp dir, then
/// renamed into place).
pub fn split(input: &Path, out_dir: &Path, ratios: &[f64], seed: u64) -> Result<Vec<SplitCount>> {
    let mut keys = BTreeSet::new();
    for r in Reader::open(input)? {
        keys.insert(r?.architecture);
    }
    let assignment = assign(&keys, ratios, seed);
    let names = split_names(ratios.len());
    let tmp = crate::fsutil::TempDir::beside(out_dir)?;
    let mut writers: Vec<Writer<_>> = names
        .iter()
        .map(|n| Writer::create(tmp.path().join(format!("{n}.jsonl"))))
        .collect::<Result<_>>()?;
    for r in Reader::open(input)? {
        let r: Record = r?;
        writers[assignment[&r.architecture]].write(&r)?;
    }
    let mut counts = Vec::new();
    for (i, (w, name)) in writers.into_iter().zip(&names).enumerate() {
        let n = w.count();
        w.finish()?;
        counts.push(SplitCount {
            name: name.clone(),
            path: out_dir.join(format!("{name}.jsonl")),
            records: n,
            architectures: assignment.values().filter(|s| **s == i).count(),
        });
    }
    tmp.commit(out_dir)?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_cut_architectures_exactly() {
        let keys: BTreeSet<String> = (0..1000).map(|i| format!("arch{i}")).collect();
        let a = assign(&keys, &[0.8, 0.1, 0.1], 5);
        let count = |s| a.values().filter(|v| **v == s).count();
        assert_eq!((count(0), count(1), count(2)), (800, 100, 100));
        // Same seed, same assignment; another seed moves some keys.
        assert_eq!(a, assign(&keys, &[0.8, 0.1, 0.1], 5));
        assert_ne!(a, assign(&keys, &[0.8, 0.1, 0.1], 6));
    }

    #[test]
    fn bad_ratios_are_rejected() {
        assert!(parse_ratios("0.8,0.1").is_err());
        assert!(parse_ratios("1").is_err());
        assert!(parse_ratios("0.5,x").is_err());
        assert_eq!(parse_ratios("0.8, 0.1, 0.1").unwrap(), vec![0.8, 0.1, 0.1]);
    }
}
