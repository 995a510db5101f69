//! One reader for the attention analyser's data files (`estimator/data/attention_*.csv`): CSV
//! with `#` comment lines and a header, each record deserialised by serde into the file's row
//! type, then checked by the row type itself. Every error names the file, the 1-based record
//! and the field: a missing or empty required field, a value of the wrong type, or a value
//! outside what the row type accepts.

use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;

use super::shape::Dtype;

/// An error in one of the attention data files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} record {record}: {what}")]
pub struct TableError {
    pub file: String,
    /// 1-based record number (comment lines and the header not counted); 0 = the header.
    pub record: usize,
    /// The field, where the error is about one.
    pub field: Option<String>,
    /// "missing field NAME", "field NAME: ..." or the CSV reader's own message.
    pub what: String,
}

impl TableError {
    fn new(file: &str, record: usize, field: Option<&str>, what: String) -> TableError {
        TableError {
            file: file.to_string(),
            record,
            field: field.map(str::to_string),
            what,
        }
    }

    /// An error about `field` of `record`.
    pub fn field(file: &str, record: usize, field: &str, message: impl std::fmt::Display) -> Self {
        Self::new(
            file,
            record,
            Some(field),
            format!("field {field}: {message}"),
        )
    }
}

/// A row type of an attention data file.
pub trait TableRow: DeserializeOwned {
    /// Columns that may be left empty (every other column must hold a value).
    const OPTIONAL: &'static [&'static str] = &[];

    /// What the types alone do not check: `Err((field, message))`.
    fn check(&self) -> Result<(), (&'static str, String)> {
        Ok(())
    }
}

/// Reads `text`, the contents of the data file `file`, into rows of `T`.
pub fn read<T: TableRow>(file: &str, text: &str) -> Result<Vec<T>, TableError> {
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| TableError::new(file, 0, None, format!("header: {e}")))?
        .clone();
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let n = i + 1;
        let rec = rec.map_err(|e| TableError::new(file, n, None, e.to_string()))?;
        for (k, name) in headers.iter().enumerate() {
            if !T::OPTIONAL.contains(&name) && rec.get(k).is_none_or(str::is_empty) {
                return Err(TableError::new(
                    file,
                    n,
                    Some(name),
                    format!("missing field {name}"),
                ));
            }
        }
        let row: T = rec
            .deserialize(Some(&headers))
            .map_err(|e| match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => {
                    let name = err
                        .field()
                        .and_then(|k| headers.get(k as usize))
                        .unwrap_or("row");
                    TableError::field(file, n, name, err.kind())
                }
                _ => TableError::new(file, n, None, e.to_string()),
            })?;
        row.check()
            .map_err(|(name, message)| TableError::field(file, n, name, message))?;
        out.push(row);
    }
    Ok(out)
}

/// Parses a compiled-in table once; a bad row is a data error that the tests catch, so it
/// panics with the file, record and field.
pub fn builtin<T: TableRow>(file: &str, text: &str) -> Vec<T> {
    read(file, text).unwrap_or_else(|e| panic!("{e}"))
}

/// `|`-separated architectures ("sm_80|sm_90").
pub fn arch_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let s = String::deserialize(d)?;
    Ok(s.split('|').map(|a| a.trim().to_string()).collect())
}

/// Which masks a kernel-table row applies to. Any other word reads as `Other`, which the row
/// checks refuse by field name ([`check_mask`]; serde's own error for an unknown variant does
/// not say which column it came from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mask {
    Any,
    Causal,
    Noncausal,
    #[serde(other)]
    Other,
}

impl Mask {
    pub fn admits(self, causal: bool) -> bool {
        match self {
            Mask::Any => true,
            Mask::Causal => causal,
            Mask::Noncausal => !causal,
            Mask::Other => false,
        }
    }
}

/// The check of a `mask` column.
pub fn check_mask(mask: Mask) -> Result<(), (&'static str, String)> {
    match mask {
        Mask::Other => Err(("mask", "must be any, causal or noncausal".into())),
        Mask::Any | Mask::Causal | Mask::Noncausal => Ok(()),
    }
}

/// The key the per-kernel tables select rows by: kernel, `|`-separated architectures, element
/// bytes, head-dim ceiling and mask (the first matching row wins). Implemented by
/// [`kernel_keyed!`] for a row type with fields of those names.
pub trait KernelKeyed {
    /// Whether this row is the one for `kernel` on `arch` with this type, head dim and mask.
    fn selects(&self, kernel: &str, arch: &str, dtype: Dtype, d: usize, causal: bool) -> bool;
}

/// Implements [`KernelKeyed`] for a row type with the fields `kernel: String`,
/// `arch: Vec<String>`, `elem_bytes: u64`, `d_max: usize` and `mask: Mask`.
macro_rules! kernel_keyed {
    ($row:ty) => {
        impl $crate::attention::table::KernelKeyed for $row {
            fn selects(
                &self,
                kernel: &str,
                arch: &str,
                dtype: $crate::attention::shape::Dtype,
                d: usize,
                causal: bool,
            ) -> bool {
                self.kernel == kernel
                    && self.arch.iter().any(|a| a == arch)
                    && self.elem_bytes == dtype.bytes()
                    && d <= self.d_max
                    && self.mask.admits(causal)
            }
        }
    };
}
pub(crate) use kernel_keyed;
