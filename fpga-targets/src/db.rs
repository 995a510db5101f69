//! The database: loading (built-in data plus user files), validation and name lookup.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::TargetError;
use crate::model::{FpgaPart, Gpu, Target};
use crate::part_name::{family_key, guess_device, PartName};

/// The answer to a lookup: the entry, and a note (`Some`) when it stands in for another
/// package / speed / temperature grade of the same device, saying what differs. Show it.
#[derive(Debug, Clone)]
pub struct Resolution<'a> {
    pub target: &'a Target,
    pub note: Option<String>,
}

/// Environment variable naming an extra user targets file, merged by [`Targets::load_with`].
pub const TARGETS_ENV: &str = "PRESYNTH_TARGETS";

const BUILTIN_TOML: &str = include_str!("../data/targets.toml");
const BUILTIN_NAME: &str = "<built-in data/targets.toml>";

/// The shape of a targets file: `[[fpga]]` and `[[gpu]]` arrays of tables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    #[serde(default)]
    fpga: Vec<FpgaPart>,
    #[serde(default)]
    gpu: Vec<Gpu>,
}

/// A set of targets with case-insensitive lookup by name, alias or unambiguous part prefix.
#[derive(Debug, Clone)]
pub struct Targets {
    entries: Vec<Target>,
}

impl Targets {
    /// The built-in database (parsed once, on first use).
    pub fn builtin() -> &'static Targets {
        static DB: OnceLock<Targets> = OnceLock::new();
        DB.get_or_init(|| {
            let mut db = Targets {
                entries: Vec::new(),
            };
            // The embedded file is checked by this crate's tests; failing here is a build defect.
            db.merge_str(BUILTIN_TOML, Path::new(BUILTIN_NAME))
                .expect("built-in data/targets.toml is valid");
            db
        })
    }

    /// The built-in entries, then the file named by `PRESYNTH_TARGETS` (if set), then
    /// `user_file` (if given). A user entry whose name equals an existing one replaces it.
    pub fn load_with(user_file: Option<&Path>) -> Result<Targets, TargetError> {
        let mut db = Targets::builtin().clone();
        if let Some(env) = std::env::var_os(TARGETS_ENV).filter(|v| !v.is_empty()) {
            db.merge_file(Path::new(&env))?;
        }
        if let Some(path) = user_file {
            db.merge_file(path)?;
        }
        Ok(db)
    }

    /// Reads `path` and merges its entries (see [`Targets::load_with`]).
    pub fn merge_file(&mut self, path: &Path) -> Result<(), TargetError> {
        let text = std::fs::read_to_string(path).map_err(|source| TargetError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.merge_str(&text, path)
    }

    /// Parses `text` (named `path` in errors) and merges its entries.
    pub fn merge_str(&mut self, text: &str, path: &Path) -> Result<(), TargetError> {
        let file: DataFile = toml::from_str(text).map_err(|e| TargetError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let new: Vec<Target> = file
            .fpga
            .into_iter()
            .map(Target::Fpga)
            .chain(file.gpu.into_iter().map(Target::Gpu))
            .collect();
        for t in &new {
            validate(t, path)?;
        }
        let mut merged = self.entries.clone();
        for t in new {
            match merged
                .iter()
                .position(|e| e.name().eq_ignore_ascii_case(t.name()))
            {
                Some(i) => merged[i] = t,
                None => merged.push(t),
            }
        }
        check_unique_names(&merged, path)?;
        self.entries = merged;
        Ok(())
    }

    /// All entries, built-in first, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Target> {
        self.entries.iter()
    }

    pub fn fpgas(&self) -> impl Iterator<Item = &FpgaPart> {
        self.entries.iter().filter_map(|t| match t {
            Target::Fpga(p) => Some(p),
            Target::Gpu(_) => None,
        })
    }

    pub fn gpus(&self) -> impl Iterator<Item = &Gpu> {
        self.entries.iter().filter_map(|t| match t {
            Target::Gpu(g) => Some(g),
            Target::Fpga(_) => None,
        })
    }

    /// Looks up a name, an alias, or an FPGA part name as Vivado and hls4ml spell it (with or
    /// without the hyphen before the package, any speed and temperature grade), all
    /// case-insensitively. Another package or grade of a known device answers with that
    /// device's entry: use [`Targets::resolve`] to learn when that happened.
    pub fn get(&self, query: &str) -> Result<&Target, TargetError> {
        self.resolve(query).map(|r| r.target)
    }

    /// [`Targets::get`], saying when the entry stands in for another package or grade of the
    /// same device (`xcvu9p-flga2577-2-e` → the `xcvu9p-flga2104-2L-e` entry). An unknown
    /// device is an error that suggests devices of the same family and nearest size; it is
    /// never replaced by another device.
    pub fn resolve(&self, query: &str) -> Result<Resolution<'_>, TargetError> {
        let q = normalise(query);
        if let Some(t) = self.entries.iter().find(|t| {
            t.name().eq_ignore_ascii_case(&q)
                || t.aliases().iter().any(|a| a.eq_ignore_ascii_case(&q))
        }) {
            return Ok(Resolution {
                target: t,
                note: None,
            });
        }
        // A part name of a known device: the longest device the query starts with.
        let mut best: Option<(&Target, PartName, PartName)> = None;
        for t in &self.entries {
            let Target::Fpga(p) = t else { continue };
            let dev = p.device_name();
            let Some(asked) = PartName::split(&q, &dev) else {
                continue;
            };
            let Some(own) = PartName::split(&p.name.to_ascii_lowercase(), &dev) else {
                continue;
            };
            let better = match &best {
                None => true,
                Some((_, a, o)) => {
                    dev.len() > a.device.len()
                        || (dev.len() == a.device.len()
                            && asked.differences(&own).len() < a.differences(o).len())
                }
            };
            if better {
                best = Some((t, asked, own));
            }
        }
        if let Some((t, asked, own)) = best {
            let diff = asked.differences(&own);
            let note = (!diff.is_empty()).then(|| {
                format!(
                    "no entry for {query}; using {} (same {} device, so the same LUT/FF/DSP/BRAM/URAM; {})",
                    t.name(),
                    asked.device,
                    diff.join(", ")
                )
            });
            return Ok(Resolution { target: t, note });
        }
        if q.len() >= 4 {
            let hits: Vec<&Target> = self
                .entries
                .iter()
                .filter(|t| matches!(t, Target::Fpga(_)))
                .filter(|t| t.name().to_ascii_lowercase().starts_with(&q))
                .collect();
            match hits.as_slice() {
                [one] => {
                    return Ok(Resolution {
                        target: one,
                        note: None,
                    })
                }
                [] => {}
                many => {
                    return Err(TargetError::Ambiguous {
                        name: query.to_string(),
                        candidates: many.iter().map(|t| t.name().to_string()).collect(),
                    })
                }
            }
        }
        let close = match self.same_family(&q) {
            f if !f.is_empty() => f,
            _ => self.close_names(&q),
        };
        Err(TargetError::Unknown {
            name: query.to_string(),
            close,
        })
    }

    /// Up to five FPGA entries of the query's family (`xczu…`, `xc7a…`), nearest in size first,
    /// then the same variant suffix (`ev` for `xczu8ev`).
    fn same_family(&self, q: &str) -> Vec<String> {
        let dev = guess_device(q);
        let Some((key, size)) = family_key(&dev) else {
            return Vec::new();
        };
        // The letters after the size: `ev` of `xczu7ev`, `t` of `xc7a200t`.
        let suffix = |d: &str| {
            d.get(key.len()..)
                .unwrap_or("")
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .to_string()
        };
        let want = suffix(&dev);
        let mut hits: Vec<(u64, bool, u64, String)> = self
            .fpgas()
            .filter_map(|p| {
                let d = p.device_name();
                let (k, n) = family_key(&d)?;
                (k == key).then(|| (n.abs_diff(size), suffix(&d) != want, n, p.name.clone()))
            })
            .collect();
        hits.sort();
        hits.into_iter().take(5).map(|(_, _, _, n)| n).collect()
    }

    /// Up to five known names or aliases nearest to `q` (edit distance, or containment).
    fn close_names(&self, q: &str) -> Vec<String> {
        let mut scored: Vec<(usize, String)> = Vec::new();
        for t in &self.entries {
            for n in std::iter::once(t.name()).chain(t.aliases().iter().map(String::as_str)) {
                let lower = n.to_ascii_lowercase();
                let dist = edit_distance(q, &lower);
                let contains = !q.is_empty() && (lower.contains(q) || q.contains(lower.as_str()));
                if dist <= (q.len() / 3).max(2) || contains {
                    let score = if contains { dist.min(1) } else { dist };
                    scored.push((score, n.to_string()));
                }
            }
        }
        scored.sort();
        scored.dedup_by(|a, b| a.1 == b.1);
        scored.into_iter().take(5).map(|(_, n)| n).collect()
    }
}

/// Lower case, trimmed; an Alveo platform name (`xilinx_u55c_gen3x16_xdma_3_202210_1`) becomes
/// its card (`u55c`) and `_` in board names becomes `-` (`alveo_u250` → `alveo-u250`).
fn normalise(query: &str) -> String {
    let q = query.trim().to_ascii_lowercase();
    if let Some(rest) = q.strip_prefix("xilinx_") {
        if let Some((card, _)) = rest.split_once('_') {
            return card.to_string();
        }
    }
    if q.starts_with("xc") {
        q
    } else {
        q.replace('_', "-")
    }
}

fn invalid(path: &Path, entry: &str, field: &str, reason: &str) -> TargetError {
    TargetError::Invalid {
        path: PathBuf::from(path),
        entry: entry.to_string(),
        field: field.to_string(),
        reason: reason.to_string(),
    }
}

/// Rejects values no real part has: empty names, zero counts, non-positive rates.
fn validate(t: &Target, path: &Path) -> Result<(), TargetError> {
    let name = t.name();
    if name.trim().is_empty() {
        return Err(invalid(path, name, "name", "must not be empty"));
    }
    if t.source().trim().is_empty() {
        return Err(invalid(
            path,
            name,
            "source",
            "must say where the numbers come from",
        ));
    }
    let positive = |field: &str, v: f64| {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(invalid(
                path,
                name,
                field,
                &format!("expected a positive number, got {v}"),
            ))
        }
    };
    match t {
        Target::Fpga(p) => {
            positive("lut", p.lut as f64)?;
            positive("ff", p.ff as f64)?;
            positive("dsp", p.dsp as f64)?;
            if p.bram_18k + p.uram == 0 {
                return Err(invalid(
                    path,
                    name,
                    "bram_18k",
                    "a part without BRAM or URAM",
                ));
            }
            if let Some(c) = &p.clock {
                positive("clock.mhz", c.mhz)?;
            }
            if let Some(m) = &p.memory {
                positive("memory.bandwidth_gbps", m.bandwidth_gbps)?;
            }
            for (i, sh) in p.shells.iter().enumerate() {
                let within = [
                    ("lut", sh.lut, p.lut),
                    ("ff", sh.ff, p.ff),
                    ("dsp", sh.dsp, p.dsp),
                    ("bram_18k", sh.bram_18k, p.bram_18k),
                    ("uram", sh.uram.unwrap_or(0), p.uram),
                ];
                for (field, v, whole) in within {
                    let f = format!("shell[{i}].{field}");
                    if field != "uram" || sh.uram.is_some() {
                        positive(&f, v as f64)?;
                    }
                    if v > whole {
                        return Err(invalid(
                            path,
                            name,
                            &f,
                            &format!("{v} exceeds the whole device's {whole}"),
                        ));
                    }
                }
                if sh.platform.trim().is_empty() || sh.source.trim().is_empty() {
                    return Err(invalid(
                        path,
                        name,
                        &format!("shell[{i}]"),
                        "needs a platform name and a source",
                    ));
                }
            }
            if let Some(a) = &p.ai_engine {
                positive("ai_engine.tiles", f64::from(a.tiles))?;
                positive("ai_engine.clock_mhz", a.clock_mhz)?;
                positive("ai_engine.int8_macs_per_tile_clk", a.int8_macs_per_tile_clk)?;
                positive(
                    "ai_engine.int16_macs_per_tile_clk",
                    a.int16_macs_per_tile_clk,
                )?;
                positive("ai_engine.fp32_macs_per_tile_clk", a.fp32_macs_per_tile_clk)?;
            }
        }
        Target::Gpu(g) => {
            positive("sms", g.sms as f64)?;
            for (field, v) in [
                ("fp32_tflops", g.fp32_tflops),
                ("tf32_tflops", g.tf32_tflops),
                ("fp8_tflops", g.fp8_tflops),
                ("clock_mhz", g.clock_mhz),
                ("sfu_per_sm_clk", g.sfu_per_sm_clk),
                ("l2_kib", g.l2_kib.map(|v| v as f64)),
                ("smem_per_block_kib", g.smem_per_block_kib.map(|v| v as f64)),
                ("regs_per_sm", g.regs_per_sm.map(|v| v as f64)),
            ] {
                if let Some(v) = v {
                    positive(field, v)?;
                }
            }
            positive("bf16_tflops", g.bf16_tflops)?;
            positive("fp16_tflops", g.fp16_tflops)?;
            positive("memory_gb", g.memory_gb)?;
            positive("bandwidth_gbps", g.bandwidth_gbps)?;
            positive("smem_per_sm_kib", g.smem_per_sm_kib as f64)?;
        }
    }
    Ok(())
}

/// Every name and alias must identify one entry.
fn check_unique_names(entries: &[Target], path: &Path) -> Result<(), TargetError> {
    let mut seen: Vec<(String, &str)> = Vec::new();
    for t in entries {
        for n in std::iter::once(t.name()).chain(t.aliases().iter().map(String::as_str)) {
            let key = n.to_ascii_lowercase();
            if let Some((_, owner)) = seen.iter().find(|(k, o)| *k == key && *o != t.name()) {
                return Err(invalid(
                    path,
                    t.name(),
                    "aliases",
                    &format!("`{n}` already names `{owner}`"),
                ));
            }
            seen.push((key, t.name()));
        }
    }
    Ok(())
}

/// Levenshtein distance over bytes (names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
