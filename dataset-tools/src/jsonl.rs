//! Streaming JSONL of [`Record`]s: one record per line, read and written one at a time so that
//! memory stays flat for datasets of any size. A dataset directory keeps its records in
//! [`RECORDS_FILE`].

use crate::error::{DatasetError, Result};
use crate::record::Record;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The records file of a dataset directory.
pub const RECORDS_FILE: &str = "records.jsonl";

/// The records file of `path`: `path` itself if it is a file, else `path/records.jsonl`.
pub fn records_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(RECORDS_FILE)
    } else {
        path.to_path_buf()
    }
}

/// Serialise one record as one JSON line (with the trailing newline) into `buf`.
pub fn encode_into(record: &Record, buf: &mut Vec<u8>) {
    serde_json::to_writer(&mut *buf, record).expect("a record always serialises");
    buf.push(b'\n');
}

/// Writes records to a JSONL file, one per line.
pub struct Writer<W: Write> {
    out: W,
    path: PathBuf,
    count: u64,
    buf: Vec<u8>,
}

impl Writer<BufWriter<File>> {
    /// Create (truncate) a JSONL file.
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let f = File::create(&path).map_err(|e| DatasetError::io(&path, e))?;
        Ok(Writer::new(BufWriter::with_capacity(1 << 20, f), path))
    }
}

impl<W: Write> Writer<W> {
    /// Wrap a writer; `path` is only used in error messages.
    pub fn new(out: W, path: impl Into<PathBuf>) -> Self {
        Writer {
            out,
            path: path.into(),
            count: 0,
            buf: Vec::with_capacity(4096),
        }
    }

    pub fn write(&mut self, record: &Record) -> Result<()> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        encode_into(record, &mut buf);
        let r = self.write_encoded(&buf);
        self.buf = buf;
        r
    }

    /// Write lines already encoded with [`encode_into`] (one or more whole lines).
    pub fn write_encoded(&mut self, lines: &[u8]) -> Result<()> {
        self.out
            .write_all(lines)
            .map_err(|e| DatasetError::io(&self.path, e))?;
        self.count += lines.iter().filter(|b| **b == b'\n').count() as u64;
        Ok(())
    }

    /// Number of records written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Flush and return the inner writer.
    pub fn finish(mut self) -> Result<W> {
        self.out
            .flush()
            .map_err(|e| DatasetError::io(&self.path, e))?;
        Ok(self.out)
    }
}

/// Reads records from a JSONL file lazily; each item is the record or an error naming the
/// file and line. Blank lines are skipped.
pub struct Reader<R: BufRead> {
    input: R,
    path: PathBuf,
    line: u64,
    buf: String,
}

impl Reader<BufReader<File>> {
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = records_path(path.as_ref());
        let f = ir::limits::open_regular(&path, ir::limits::MAX_TABLE_BYTES)
            .map_err(|e| DatasetError::io(&path, e))?;
        Ok(Reader::new(BufReader::with_capacity(1 << 20, f), path))
    }
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R, path: impl Into<PathBuf>) -> Self {
        Reader {
            input,
            path: path.into(),
            line: 0,
            buf: String::new(),
        }
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = Result<Record>;
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            match ir::limits::read_line_bounded(
                &mut self.input,
                &mut self.buf,
                ir::limits::MAX_LINE_BYTES,
            ) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(DatasetError::io(&self.path, e))),
            }
            self.line += 1;
            let text = self.buf.trim();
            if text.is_empty() {
                continue;
            }
            let parsed = serde_json::from_str::<Record>(text)
                .map_err(|e| e.to_string())
                .and_then(|mut r| {
                    r.reindex();
                    r.validate().map(|_| r)
                });
            return Some(parsed.map_err(|message| DatasetError::Json {
                path: self.path.clone(),
                line: self.line,
                message,
            }));
        }
    }
}

/// Read every record of a JSONL file (or a dataset directory) into memory.
pub fn read_all(path: impl AsRef<Path>) -> Result<Vec<Record>> {
    Reader::open(path)?.collect()
}

/// Write records to a JSONL file.
pub fn write_all<'a>(
    path: impl AsRef<Path>,
    records: impl IntoIterator<Item = &'a Record>,
) -> Result<u64> {
    let mut w = Writer::create(path)?;
    for r in records {
        w.write(r)?;
    }
    let n = w.count();
    w.finish()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Family, Provenance};

    fn rec(id: &str) -> Record {
        Record {
            id: id.into(),
            family: Family::Other,
            architecture: "x".into(),
            network: None,
            hls: Default::default(),
            weight_precision: None,
            success: None,
            failure: None,
            csynth: None,
            post_synth: None,
            provenance: Provenance::default(),
        }
    }

    #[test]
    fn round_trip_and_line_numbers_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.jsonl");
        assert_eq!(write_all(&p, &[rec("a"), rec("b")]).unwrap(), 2);
        let back = read_all(&p).unwrap();
        assert_eq!(
            back.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        // Corrupt line 3: the error must name the file and the line.
        let mut text = std::fs::read_to_string(&p).unwrap();
        text.push_str("{\"id\": 3}\n");
        std::fs::write(&p, text).unwrap();
        let err = read_all(&p).unwrap_err().to_string();
        assert!(err.contains("r.jsonl:3:"), "{err}");
    }
}
