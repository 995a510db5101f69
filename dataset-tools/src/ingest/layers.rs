//! Per-layer figures of a synthesised hls4ml project and the settings it was built with.
//!
//! hls4ml turns each layer into one HLS function; C synthesis reports every call of it as an
//! *instance* of a *module*. The top report `<top>_prj/solution1/syn/report/<top>_csynth.rpt`
//! (Vivado HLS 2018.2–2020.1 and Vitis HLS write the same tables) lists them twice: under
//! Performance Estimates › Detail › Instance (latency and interval of each instance) and under
//! Utilization Estimates › Detail › Instance (BRAM_18K, DSP, FF, LUT, URAM of each instance); an
//! io_stream (dataflow) top also has a FIFO table with the streams between layers. This module
//! reads those tables ([`parse_layers_str`]), joins the two by instance name, and takes the
//! hls4ml layer index from the `config<N>` part of module names where hls4ml ≥ 0.6 put it there.
//! [`read_project_settings`] reads the project's `hls4ml_config.yml` (io_type, strategy, reuse
//! factor, precisions) through the IR's config reader. [`read_layer_names`] maps the layer
//! indices to hls4ml's layer names through `firmware/parameters.h`, where hls4ml writes each
//! layer's name as a comment above its `struct ..config<N>`.
//!
//! A missing table (a report with no instances) is an empty list, a malformed row an error
//! naming the file, the table and the row.

use super::parse_count;
use super::project::find_csynth;
use crate::error::{DatasetError, Result};
use frontends::{read_settings, ConfigSettings};
use std::path::{Path, PathBuf};

/// The figures of one instance (one layer call) of the top function.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerFigures {
    /// Instance name, e.g. `grp_dense_latency_..._fu_207` or `conv_1d_cl_..._config2_U0`.
    pub instance: String,
    /// The module (HLS function) it instantiates.
    pub module: String,
    /// hls4ml's layer index (`config<N>` in the module name), when the name carries one.
    pub config_index: Option<u32>,
    /// Latency and interval in cycles; `None` where the report says `?` or the instance is
    /// missing from the latency table.
    pub latency_min: Option<u64>,
    pub latency_max: Option<u64>,
    pub interval_min: Option<u64>,
    pub interval_max: Option<u64>,
    /// The pipeline type column (`function`, `dataflow`, `no`, `loop auto-rewind ...`).
    pub pipeline: Option<String>,
    pub bram_18k: u64,
    pub dsp: u64,
    pub ff: u64,
    pub lut: u64,
    /// `None` when the report has no URAM column.
    pub uram: Option<u64>,
}

/// One stream FIFO of a dataflow (io_stream) top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FifoFigures {
    pub name: String,
    pub bram_18k: u64,
    pub ff: u64,
    pub lut: u64,
    pub depth: u64,
    pub bits: u64,
}

/// The per-layer breakdown of one project's top report.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerBreakdown {
    pub report: PathBuf,
    /// In the order of the utilisation table (sorted by instance name, as the tools write it).
    pub layers: Vec<LayerFigures>,
    pub fifos: Vec<FifoFigures>,
}

/// The settings of a project: its `hls4ml_config.yml`, read without the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSettings {
    pub config_path: PathBuf,
    pub settings: ConfigSettings,
}

fn err(path: &Path, field: impl Into<String>, message: impl Into<String>) -> DatasetError {
    DatasetError::Report {
        path: path.to_path_buf(),
        field: field.into(),
        message: message.into(),
    }
}

fn cells(line: &str) -> Vec<&str> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(str::trim)
        .collect()
}

/// The table lines (starting with `|`) of the `* <table>:` block that follows `+ Detail:` in
/// the report section whose banner line contains `section`. `None` when the block is absent
/// or says `N/A`.
fn detail_table<'a>(text: &'a str, section: &str, table: &str) -> Option<Vec<&'a str>> {
    let start = text
        .lines()
        .position(|l| l.starts_with("== ") && l.contains(section))?;
    let lines: Vec<&str> = text.lines().skip(start + 1).collect();
    let end = lines
        .iter()
        .position(|l| l.starts_with("== "))
        .unwrap_or(lines.len());
    let body = &lines[..end];
    let detail = body.iter().position(|l| l.trim() == "+ Detail:")?;
    let head = format!("* {table}:");
    let at = body[detail..]
        .iter()
        .position(|l| l.trim() == head)
        .map(|i| detail + i + 1)?;
    let mut rows = Vec::new();
    for l in &body[at..] {
        let t = l.trim();
        if t.starts_with('|') {
            rows.push(*l);
        } else if t.starts_with('+') {
            continue;
        } else {
            break;
        }
    }
    (!rows.is_empty()).then_some(rows)
}

fn opt_count(s: &str) -> Option<u64> {
    parse_count(s).ok()
}

/// The hls4ml layer index in a module name: the number after the last `config`.
fn config_index(module: &str) -> Option<u32> {
    let at = module.rfind("config")?;
    let digits: String = module[at + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Parse the instance and FIFO tables of a csynth text report; `path` is used in errors.
pub fn parse_layers_str(text: &str, path: &Path) -> Result<LayerBreakdown> {
    if !text.contains("Utilization Estimates") {
        return Err(err(
            path,
            "Utilization Estimates",
            "section missing (not a csynth report, or truncated)",
        ));
    }
    // Utilisation of each instance: header row names the columns.
    let mut layers = Vec::new();
    if let Some(rows) = detail_table(text, "Utilization Estimates", "Instance") {
        let header = rows
            .iter()
            .map(|r| cells(r))
            .find(|c| c.first() == Some(&"Instance"))
            .ok_or_else(|| {
                err(
                    path,
                    "Utilization Estimates/Detail/Instance",
                    "no header row",
                )
            })?;
        let col = |name: &str| header.iter().position(|c| *c == name);
        let dsp_col = col("DSP48E").or_else(|| col("DSP"));
        let (Some(bram), Some(dsp), Some(ff), Some(lut)) =
            (col("BRAM_18K"), dsp_col, col("FF"), col("LUT"))
        else {
            return Err(err(
                path,
                "Utilization Estimates/Detail/Instance",
                format!("header {header:?} lacks BRAM_18K, DSP, FF or LUT"),
            ));
        };
        let uram = col("URAM");
        for r in &rows {
            let c = cells(r);
            if c.len() != header.len() || c[0] == "Instance" || c[0] == "Total" || c[0].is_empty() {
                continue;
            }
            let field = format!("Utilization Estimates/Detail/Instance/{}", c[0]);
            let num = |i: usize| parse_count(c[i]).map_err(|m| err(path, &field, m));
            layers.push(LayerFigures {
                instance: c[0].to_string(),
                module: c[1].to_string(),
                config_index: config_index(c[1]),
                latency_min: None,
                latency_max: None,
                interval_min: None,
                interval_max: None,
                pipeline: None,
                bram_18k: num(bram)?,
                dsp: num(dsp)?,
                ff: num(ff)?,
                lut: num(lut)?,
                uram: match uram {
                    Some(i) => Some(num(i)?),
                    None => None,
                },
            });
        }
    }
    // Latency of each instance: instance, module, latency min/max, [absolute min/max],
    // interval min/max, pipeline type.
    if let Some(rows) = detail_table(text, "Performance Estimates", "Instance") {
        for r in rows {
            let c = cells(r);
            if c.len() < 7 || c[0].is_empty() || c[0] == "Instance" {
                continue;
            }
            let (ii_min, ii_max) = match c.len() {
                7 => (c[4], c[5]),
                9 => (c[6], c[7]),
                n => {
                    return Err(err(
                        path,
                        format!("Performance Estimates/Detail/Instance/{}", c[0]),
                        format!("{n} cells (expected 7 or 9)"),
                    ))
                }
            };
            let Some(l) = layers.iter_mut().find(|l| l.instance == c[0]) else {
                continue;
            };
            l.latency_min = opt_count(c[2]);
            l.latency_max = opt_count(c[3]);
            l.interval_min = opt_count(ii_min);
            l.interval_max = opt_count(ii_max);
            let p = c[c.len() - 1];
            l.pipeline = (!p.is_empty()).then(|| p.to_string());
        }
    }
    let mut fifos = Vec::new();
    if let Some(rows) = detail_table(text, "Utilization Estimates", "FIFO") {
        let header = rows
            .iter()
            .map(|r| cells(r))
            .find(|c| c.first() == Some(&"Name"))
            .ok_or_else(|| err(path, "Utilization Estimates/Detail/FIFO", "no header row"))?;
        let col = |name: &str| header.iter().position(|c| *c == name);
        let (Some(bram), Some(ff), Some(lut), Some(depth), Some(bits)) = (
            col("BRAM_18K"),
            col("FF"),
            col("LUT"),
            col("Depth"),
            col("Bits"),
        ) else {
            return Err(err(
                path,
                "Utilization Estimates/Detail/FIFO",
                format!("header {header:?} lacks BRAM_18K, FF, LUT, Depth or Bits"),
            ));
        };
        for r in &rows {
            let c = cells(r);
            if c.len() != header.len() || c[0] == "Name" || c[0] == "Total" {
                continue;
            }
            let field = format!("Utilization Estimates/Detail/FIFO/{}", c[0]);
            let num = |i: usize| parse_count(c[i]).map_err(|m| err(path, &field, m));
            fifos.push(FifoFigures {
                name: c[0].to_string(),
                bram_18k: num(bram)?,
                ff: num(ff)?,
                lut: num(lut)?,
                depth: num(depth)?,
                bits: num(bits)?,
            });
        }
    }
    Ok(LayerBreakdown {
        report: path.to_path_buf(),
        layers,
        fifos,
    })
}

/// Read the per-layer breakdown of a synthesised project directory (the one holding
/// `<top>_prj/`). `Ok(None)` when the project has no csynth report; an error when the XML is
/// there but the text report `<top>_csynth.rpt` beside it is not.
pub fn read_layers(project: &Path) -> Result<Option<LayerBreakdown>> {
    let Some((_, xml)) = find_csynth(project) else {
        return Ok(None);
    };
    let name = xml.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let rpt_name = match name.strip_suffix(".xml") {
        Some(stem) if stem != "csynth" => format!("{stem}.rpt"),
        _ => {
            // Only `csynth.xml`: the top's text report is `<top>_csynth.rpt`.
            let top = super::reports::parse_csynth_xml(&xml)?.top;
            format!("{top}_csynth.rpt")
        }
    };
    let rpt = xml.with_file_name(rpt_name);
    let text = std::fs::read_to_string(&rpt).map_err(|e| DatasetError::io(&rpt, e))?;
    parse_layers_str(&text, &rpt).map(Some)
}

/// hls4ml's layer names by layer index, from the `// <name>` comment hls4ml writes above each
/// `struct <prefix>config<N>` of a layer in `parameters.h` (the first struct of an index wins:
/// `config2_mult` is the same layer as `config2`).
pub fn parse_layer_names(text: &str) -> std::collections::BTreeMap<u32, String> {
    let mut names = std::collections::BTreeMap::new();
    let mut comment: Option<&str> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(c) = t.strip_prefix("//") {
            let c = c.trim();
            // a layer name is one word (hls4ml's names); other comments reset nothing
            if !c.is_empty() && !c.contains(char::is_whitespace) {
                comment = Some(c);
            }
        } else if let Some(rest) = t.strip_prefix("struct ") {
            let ident: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if let (Some(n), Some(name)) = (config_index(&ident), comment) {
                names.entry(n).or_insert_with(|| name.to_string());
            }
        } else if !t.is_empty() {
            // a struct's body or other code: the comment stays for the next struct only if
            // nothing but struct lines follow it
            if !t.starts_with("static") && !t.starts_with("typedef") && !t.starts_with('}') {
                comment = None;
            }
        }
    }
    names
}

/// [`parse_layer_names`] of the project's `firmware/parameters.h`; empty when it has none.
pub fn read_layer_names(project: &Path) -> Result<std::collections::BTreeMap<u32, String>> {
    let path = project.join("firmware").join("parameters.h");
    if !path.is_file() {
        return Ok(Default::default());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| DatasetError::io(&path, e))?;
    Ok(parse_layer_names(&text))
}

/// Read the project's `hls4ml_config.yml`; `Ok(None)` when it has none.
pub fn read_project_settings(project: &Path) -> Result<Option<ProjectSettings>> {
    let path = project.join("hls4ml_config.yml");
    if !path.is_file() {
        return Ok(None);
    }
    let settings = read_settings(&path).map_err(|e| DatasetError::Config {
        path: path.clone(),
        message: e.to_string(),
    })?;
    Ok(Some(ProjectSettings {
        config_path: path,
        settings,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_names_from_parameters_h() {
        // The form hls4ml writes: each layer's name as a comment above its config struct(s).
        let text = "#include \"ap_fixed.h\"\n\n// hls-fpga-machine-learning insert layer-config\n// fc1\nstruct config2 : nnet::dense_config {\n    static const unsigned n_in = 16;\n    typedef ap_fixed<16,6> accum_t;\n};\n\n// fc1_relu\nstruct relu_config3 : nnet::activ_config {\n    static const unsigned n_in = 64;\n};\n\n// conv\nstruct config4_mult : nnet::dense_config {\n};\nstruct config4 : nnet::conv2d_config {\n};\n";
        let names = parse_layer_names(text);
        assert_eq!(names.get(&2).map(String::as_str), Some("fc1"));
        assert_eq!(names.get(&3).map(String::as_str), Some("fc1_relu"));
        assert_eq!(names.get(&4).map(String::as_str), Some("conv"));
        assert_eq!(names.len(), 3);
    }
}
