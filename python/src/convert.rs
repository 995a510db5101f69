//! Reports flattened to one row each for a pandas DataFrame (from their JSON values), and the
//! rows turned into the columns `pandas.DataFrame(...)` takes.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Turns JSON values into Python objects, creating each distinct dict key once: thousands of
/// reports share a few dozen keys, and a string made once saves an allocation per key.
pub struct Converter<'py> {
    py: Python<'py>,
    keys: HashMap<String, Bound<'py, PyString>>,
}

impl<'py> Converter<'py> {
    pub fn new(py: Python<'py>) -> Self {
        Converter {
            py,
            keys: HashMap::new(),
        }
    }

    fn key(&mut self, k: &str) -> Bound<'py, PyString> {
        if let Some(s) = self.keys.get(k) {
            return s.clone();
        }
        let s = PyString::new(self.py, k);
        self.keys.insert(k.to_string(), s.clone());
        s
    }

    pub fn convert(&mut self, v: &Value) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        Ok(match v {
            Value::Null => py.None().into_bound(py),
            Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => i.into_pyobject(py)?.into_any(),
                (None, Some(u)) => u.into_pyobject(py)?.into_any(),
                (None, None) => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
            },
            Value::String(s) => PyString::new(py, s).into_any(),
            Value::Array(a) => {
                let items = a
                    .iter()
                    .map(|x| self.convert(x))
                    .collect::<PyResult<Vec<_>>>()?;
                PyList::new(py, items)?.into_any()
            }
            Value::Object(m) => {
                let d = PyDict::new(py);
                for (k, x) in m {
                    d.set_item(self.key(k), self.convert(x)?)?;
                }
                d.into_any()
            }
        })
    }
}

/// One DataFrame row of a report: nested objects flattened with `.` (`total.lut`,
/// `post_synthesis.dsp`, `utilization.lut`), lists of strings joined with `; `
/// (`warnings`), the per-layer list left out.
pub fn flatten(v: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Value::Object(m) = v {
        flatten_into("", m, &mut out);
    }
    out
}

fn flatten_into(prefix: &str, m: &Map<String, Value>, out: &mut Vec<(String, Value)>) {
    for (k, x) in m {
        if prefix.is_empty() && k == "layers" {
            continue;
        }
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match x {
            Value::Object(inner) => flatten_into(&key, inner, out),
            Value::Array(a) if a.iter().all(Value::is_string) => {
                let s: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                out.push((key, Value::String(s.join("; "))));
            }
            other => out.push((key, other.clone())),
        }
    }
}

/// Rows as columns (`{column: [value per row]}`, columns in first-seen order, None where a
/// row lacks a column), what `pandas.DataFrame(...)` takes; rows are added one at a time.
pub struct Columns<'py> {
    py: Python<'py>,
    capacity: usize,
    rows: usize,
    cols: Vec<(String, Vec<Bound<'py, PyAny>>)>,
    conv: Converter<'py>,
}

impl<'py> Columns<'py> {
    pub fn new(py: Python<'py>, capacity: usize) -> Self {
        Columns {
            py,
            capacity,
            rows: 0,
            cols: Vec::new(),
            conv: Converter::new(py),
        }
    }

    pub fn push(&mut self, row: &[(String, Value)]) -> PyResult<()> {
        for (j, (k, v)) in row.iter().enumerate() {
            // Rows of one schema have their keys in the same order: look further only when not.
            let c = match self.cols.get(j) {
                Some((name, _)) if name == k => j,
                _ => match self.cols.iter().position(|(name, _)| name == k) {
                    Some(c) => c,
                    None => {
                        let mut col = Vec::with_capacity(self.capacity);
                        col.resize(self.rows, self.py.None().into_bound(self.py));
                        self.cols.push((k.clone(), col));
                        self.cols.len() - 1
                    }
                },
            };
            let v = self.conv.convert(v)?;
            self.cols[c].1.push(v);
        }
        self.rows += 1;
        for (_, col) in &mut self.cols {
            if col.len() < self.rows {
                col.push(self.py.None().into_bound(self.py));
            }
        }
        Ok(())
    }

    pub fn finish(self) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(self.py);
        for (name, col) in self.cols {
            d.set_item(name, PyList::new(self.py, col)?)?;
        }
        Ok(d)
    }
}
