//! JSON values (the reports serialised as the CLI prints them) to Python objects, and reports
//! flattened to one row each for a pandas DataFrame.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::{Map, Value};

/// A JSON value as the Python object `json.loads` would give.
pub fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
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
            let l = PyList::empty(py);
            for x in a {
                l.append(to_py(py, x)?)?;
            }
            l.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
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

/// Rows as columns (`{column: [value per row]}`, columns in first-seen order, missing cells
/// None), what `pandas.DataFrame(...)` takes.
pub fn columns<'py>(
    py: Python<'py>,
    rows: &[Vec<(String, Value)>],
) -> PyResult<Bound<'py, PyDict>> {
    let mut names: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in rows {
        for (k, _) in r {
            if seen.insert(k.as_str()) {
                names.push(k);
            }
        }
    }
    let d = PyDict::new(py);
    for name in names {
        let col = PyList::empty(py);
        for r in rows {
            match r.iter().find(|(k, _)| k == name) {
                Some((_, v)) => col.append(to_py(py, v)?)?,
                None => col.append(py.None())?,
            }
        }
        d.set_item(name, col)?;
    }
    Ok(d)
}
