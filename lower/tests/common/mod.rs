//! Reading hls4ml 1.3.0's golden HGQ2 projects (tests/fixtures/hgq2/<case>): files of the
//! case, the typedefs of its defines.h, the per-element casts of a generated quantizer
//! function, its weights files and the numbers of a config struct of parameters.h; JSON
//! arrays of the state the reference scripts dumped.
#![allow(dead_code)] // each test crate uses its own share

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/hgq2")
        .join(case)
}

pub fn read(case: &str, file: &str) -> String {
    let p = case_dir(case).join(file);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// defines.h's `typedef <type> <name>;` lines by name.
pub fn typedefs(case: &str) -> BTreeMap<String, String> {
    read(case, "firmware/defines.h")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("typedef "))
        .filter_map(|l| {
            let l = l.trim_end_matches(';');
            let (t, n) = l.rsplit_once(' ')?;
            Some((n.to_string(), t.to_string()))
        })
        .collect()
}

/// The per-element casts of the generated function `name` (None for `out[j] = 0;`).
pub fn generated_casts(case: &str, name: &str) -> Vec<Option<String>> {
    let text = read(case, "firmware/nnet_code_gen.generated.h");
    let start = text
        .find(&format!("void {name}("))
        .unwrap_or_else(|| panic!("{case}: no generated function {name}"));
    let body = &text[start..];
    let body = &body[..body.find("\n}").unwrap()];
    body.lines()
        .filter_map(|l| l.trim().strip_prefix("out["))
        .map(|l| {
            let rhs = l.split_once("= ").unwrap().1;
            rhs.split_once("(inp[").map(|(t, _)| t.to_string())
        })
        .collect()
}

/// hls4ml's weights/<name>.txt values (its `WriteWeightsTxt` file, comma separated).
pub fn weights_txt(case: &str, name: &str) -> Vec<f64> {
    read(case, &format!("firmware/weights/{name}.txt"))
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect()
}

/// `static const unsigned <key> = N;` of parameters.h's struct `name`.
pub fn config_number(case: &str, name: &str, key: &str) -> u64 {
    let text = read(case, "firmware/parameters.h");
    let start = text
        .find(&format!("struct {name} "))
        .unwrap_or_else(|| panic!("{case}: no struct {name}"));
    let body = &text[start..];
    let body = &body[..body.find("};").unwrap()];
    body.lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix(&format!("static const unsigned {key} = "))
        })
        .unwrap_or_else(|| panic!("{case}: {name} has no {key}"))
        .trim_end_matches(';')
        .parse()
        .unwrap()
}

/// A JSON array of integers.
pub fn ints(v: &serde_json::Value) -> Vec<i32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap() as i32)
        .collect()
}

/// A JSON array of numbers.
pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// `ours` (typedef name, C++ type) against the golden `typedefs`: the lines that differ (or
/// are not in defines.h) and the golden names `ours` does not have.
pub fn typedef_differences(
    golden: &BTreeMap<String, String>,
    ours: &[(String, String)],
) -> (Vec<String>, Vec<String>) {
    let mut differ = Vec::new();
    for (name, t) in ours {
        match golden.get(name) {
            Some(g) if g == t => {}
            Some(g) => differ.push(format!("{name}: ours {t}, hls4ml {g}")),
            None => differ.push(format!("{name}: not in defines.h")),
        }
    }
    let derived: std::collections::BTreeSet<&str> = ours.iter().map(|(n, _)| n.as_str()).collect();
    let missing = golden
        .keys()
        .filter(|n| !derived.contains(n.as_str()))
        .cloned()
        .collect();
    (differ, missing)
}
