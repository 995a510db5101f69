//! Ingestion of synthesis results into canonical [`Record`]s: the shared wa-hls4ml CSV exports
//! ([`shared_csv`]), HLS/Vivado report files ([`reports`]), synthesised project trees
//! ([`project`]) with their per-layer figures and settings ([`layers`]), wa-hls4ml JSON records ([`wa_json`]) and the
//! real-project corpus (`data/real-projects/rows.csv`, [`real_projects`]); [`wa_conv2d`] holds the stored
//! architectures of the conv2d models named in the CSV export. Bad inputs are reported with file and
//! field, counted, and skipped: never turned into zeros.

pub mod layers;
pub mod project;
pub mod real_projects;
pub mod reports;
pub mod shared_csv;
pub mod wa_conv2d;
pub mod wa_json;
pub mod walk;

use crate::error::DatasetError;
use crate::record::Record;
use std::path::Path;

/// What an ingester produced: the records it could read, and one error per skipped item
/// (naming the file and the field).
#[derive(Debug, Default)]
pub struct Ingested {
    pub records: Vec<Record>,
    pub skipped: Vec<DatasetError>,
}

impl Ingested {
    /// Append another result.
    pub fn extend(&mut self, other: Ingested) {
        self.records.extend(other.records);
        self.skipped.extend(other.skipped);
    }
    pub fn successes(&self) -> usize {
        self.records
            .iter()
            .filter(|r| r.success == Some(true))
            .count()
    }
    pub fn failures(&self) -> usize {
        self.records
            .iter()
            .filter(|r| r.success == Some(false))
            .count()
    }
}

/// Read the data paths that calibration, evaluation and training take: directories or files of
/// the wa-hls4ml CSV exports, dataset JSONL files, or the real-project corpus (its folder or its
/// rows.csv, [`real_projects`]). A JSONL record or corpus row that cannot be read is kept
/// as an error in `skipped`; an unreadable path is an error.
pub fn read_labelled(paths: &[impl AsRef<Path>]) -> Result<Ingested, DatasetError> {
    let mut out = Ingested::default();
    for p in paths {
        let p = p.as_ref();
        if let Some(table) = real_projects::corpus_table(p) {
            out.extend(real_projects::read_table(&table)?);
        } else if p.is_dir() {
            out.extend(shared_csv::read_dir(p)?);
        } else if p.extension().is_some_and(|e| e == "csv") {
            out.extend(shared_csv::read_file(p)?);
        } else {
            for rec in crate::jsonl::Reader::open(p)? {
                match rec {
                    Ok(r) => out.records.push(r),
                    Err(e) => out.skipped.push(e),
                }
            }
        }
    }
    Ok(out)
}

/// Ingest any source by its kind into memory (see [`stream_path`]).
pub fn read_path(src: &Path) -> Result<Ingested, DatasetError> {
    let mut records = Vec::new();
    let skipped = stream_path(src, &mut |r| {
        records.push(r);
        Ok(())
    })?;
    Ok(Ingested { records, skipped })
}

/// Ingest any source by its kind, handing each record to `sink` as it is read: the real-project
/// corpus (its folder or rows.csv), a `.csv`
/// export, a wa-hls4ml `.json` file (streamed element by element), a `.jsonl` of records, a
/// dataset directory (`records.jsonl` + synthesised `projects/`), a tree of synthesised hls4ml
/// projects, or else a directory of `.csv`/`.json` files (recursively, in sorted order).
/// Returns the errors of the skipped items.
pub fn stream_path(
    src: &Path,
    sink: &mut dyn FnMut(Record) -> Result<(), DatasetError>,
) -> Result<Vec<DatasetError>, DatasetError> {
    let ext = src.extension().and_then(|e| e.to_str()).unwrap_or("");
    if let Some(table) = real_projects::corpus_table(src) {
        let got = real_projects::read_table(&table)?;
        for r in got.records {
            sink(r)?;
        }
        return Ok(got.skipped);
    }
    if src.is_file() {
        return match ext {
            "csv" => {
                let got = shared_csv::read_file(src)?;
                for r in got.records {
                    sink(r)?;
                }
                Ok(got.skipped)
            }
            "json" => wa_json::stream_file(src, sink),
            "jsonl" => {
                for r in crate::jsonl::Reader::open(src)? {
                    sink(r?)?;
                }
                Ok(vec![])
            }
            _ => Err(DatasetError::Invalid(format!(
                "{}: expected a .csv, .json or .jsonl file, or a directory",
                src.display()
            ))),
        };
    }
    if !src.is_dir() {
        return Err(DatasetError::io(
            src,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        ));
    }
    if src.join(crate::jsonl::RECORDS_FILE).is_file() {
        return project::ingest_dataset(src, sink);
    }
    let mut found = 0usize;
    let skipped = project::ingest_tree(src, &mut |r| {
        found += 1;
        sink(r)
    })?;
    if found > 0 || !skipped.is_empty() {
        return Ok(skipped);
    }
    let files = walk::data_files(src, &["csv", "json"])?;
    let mut skipped = Vec::new();
    for f in files {
        skipped.extend(stream_path(&f, sink)?);
    }
    Ok(skipped)
}

/// Parse a number written as text (`"1923"`, `"5.00"`, `" 1.5 "`).
pub(crate) fn parse_f64(text: &str) -> Result<f64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty value".into());
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("'{t}' is not a number")),
    }
}

/// Parse a non-negative integer count; `"14.0"` is accepted, `"1.5"` is not.
pub(crate) fn parse_count(text: &str) -> Result<u64, String> {
    let v = parse_f64(text)?;
    count_from_f64(v).ok_or_else(|| format!("'{}' is not a non-negative whole number", text.trim()))
}

pub(crate) fn count_from_f64(v: f64) -> Option<u64> {
    (v >= 0.0 && v.fract() == 0.0 && v < 9.0e15).then_some(v as u64)
}

/// Convert BRAM counted in 36K tiles with half steps (Vivado's "Block RAM Tile") to 18K blocks.
pub(crate) fn bram36_tiles_to_18k(text: &str) -> Result<u64, String> {
    let v = parse_f64(text)?;
    count_from_f64(v * 2.0)
        .ok_or_else(|| format!("'{}' is not a whole number of half 36K tiles", text.trim()))
}

/// The note every record gets when its BRAM was converted from 36K tiles.
pub const BRAM36_NOTE: &str =
    "post_synth.bram_18k = 2 x the source's BRAM count, which is in 36K tiles (Vivado 'Block RAM Tile')";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_units() {
        assert_eq!(parse_count("14.0"), Ok(14));
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("").is_err());
        assert!(parse_count("-3").is_err());
        assert!(parse_count("nan").is_err());
        // 117.5 tiles of 36K = 235 blocks of 18K.
        assert_eq!(bram36_tiles_to_18k("117.5"), Ok(235));
        assert!(bram36_tiles_to_18k("0.25").is_err());
    }
}
