//! Parsers of the synthesis report files: the HLS C-synthesis report `<top>_csynth.xml`
//! (Vivado HLS and Vitis HLS write the same schema; Vitis names the DSP element `DSP`, Vivado
//! HLS `DSP48E`) read with quick-xml, and Vivado's post-synthesis `report_utilization` text
//! (`vivado_synth.rpt`). A missing, empty or non-numeric field, or a truncated file, is an
//! error naming the file and the field: never a zero.

use super::{count_from_f64, parse_count, parse_f64};
use crate::error::{DatasetError, Result};
use quick_xml::events::Event;
use std::collections::HashMap;
use std::path::Path;

/// A resource count block (`Resources` or `AvailableResources`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Resources {
    pub bram_18k: u64,
    pub dsp: u64,
    pub ff: u64,
    pub lut: u64,
    /// `None` when the report has no URAM element.
    pub uram: Option<u64>,
}

/// What `<top>_csynth.xml` says.
#[derive(Debug, Clone, PartialEq)]
pub struct CsynthReport {
    /// `ReportVersion/Version`, e.g. `2020.1`.
    pub version: String,
    pub part: String,
    pub top: String,
    pub target_clock_ns: f64,
    pub clock_uncertainty_ns: Option<f64>,
    pub estimated_clock_ns: f64,
    pub latency_best_cycles: u64,
    pub latency_worst_cycles: u64,
    pub interval_min: u64,
    pub interval_max: u64,
    pub used: Resources,
    pub available: Resources,
}

/// What `vivado_synth.rpt` (report_utilization after synthesis) says.
#[derive(Debug, Clone, PartialEq)]
pub struct VivadoSynthReport {
    /// The `Tool Version` line, e.g. `2020.1` from `Vivado v.2020.1 (lin64) ...`.
    pub version: Option<String>,
    /// The `Device` line, e.g. `7z020clg400-1`.
    pub device: Option<String>,
    pub lut: u64,
    pub ff: u64,
    pub dsp: u64,
    /// "Block RAM Tile" used, in 18K blocks (the report counts 36K tiles in half steps: ×2).
    pub bram_18k: u64,
    /// `None` when the report has no URAM row (7-series parts).
    pub uram: Option<u64>,
}

fn report_err(path: &Path, field: &str, message: impl Into<String>) -> DatasetError {
    DatasetError::Report {
        path: path.to_path_buf(),
        field: field.to_string(),
        message: message.into(),
    }
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| DatasetError::io(path, e))
}

/// Parse a `<top>_csynth.xml` file.
pub fn parse_csynth_xml(path: &Path) -> Result<CsynthReport> {
    parse_csynth_xml_str(&read_text(path)?, path)
}

const SECTIONS: &[&str] = &[
    "ReportVersion",
    "UserAssignments",
    "PerformanceEstimates",
    "AreaEstimates",
];

/// Parse csynth XML text; `path` is used in errors.
pub fn parse_csynth_xml_str(text: &str, path: &Path) -> Result<CsynthReport> {
    // Collect the text of every leaf element by its slash-joined path under the root.
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<String> = Vec::new();
    let mut values: HashMap<String, String> = HashMap::new();
    let mut saw_root = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                saw_root = true;
                stack.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Ok(Event::End(_)) => {
                stack.pop();
            }
            Ok(Event::Text(t)) => {
                // Only the sections read below (skips the large InterfaceSummary).
                if stack.len() > 2 && SECTIONS.contains(&stack[1].as_str()) {
                    let key = stack[1..].join("/");
                    let v = t
                        .unescape()
                        .map_err(|e| report_err(path, &key, format!("bad text: {e}")))?;
                    values.entry(key).or_insert_with(|| v.into_owned());
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let at = if stack.is_empty() {
                    "(document)".to_string()
                } else {
                    stack[1..].join("/")
                };
                return Err(report_err(
                    path,
                    &at,
                    format!("malformed XML at byte {}: {e}", reader.buffer_position()),
                ));
            }
        }
    }
    if !saw_root {
        return Err(report_err(path, "(document)", "empty file: no XML element"));
    }
    if let Some(open) = stack.last() {
        return Err(report_err(
            path,
            &stack[1..].join("/"),
            format!("truncated file: element <{open}> is never closed"),
        ));
    }
    let get = |key: &str| -> Result<&str> {
        values
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| report_err(path, key, "missing"))
    };
    let num =
        |key: &str| -> Result<f64> { parse_f64(get(key)?).map_err(|m| report_err(path, key, m)) };
    let count =
        |key: &str| -> Result<u64> { parse_count(get(key)?).map_err(|m| report_err(path, key, m)) };
    let resources = |block: &str| -> Result<Resources> {
        let dsp_key = [format!("{block}/DSP48E"), format!("{block}/DSP")]
            .into_iter()
            .find(|k| values.contains_key(k))
            .unwrap_or_else(|| format!("{block}/DSP"));
        let uram_key = format!("{block}/URAM");
        Ok(Resources {
            bram_18k: count(&format!("{block}/BRAM_18K"))?,
            dsp: count(&dsp_key)?,
            ff: count(&format!("{block}/FF"))?,
            lut: count(&format!("{block}/LUT"))?,
            uram: match values.contains_key(&uram_key) {
                true => Some(count(&uram_key)?),
                false => None,
            },
        })
    };
    const LAT: &str = "PerformanceEstimates/SummaryOfOverallLatency";
    Ok(CsynthReport {
        version: get("ReportVersion/Version")?.to_string(),
        part: get("UserAssignments/Part")?.to_string(),
        top: get("UserAssignments/TopModelName")?.to_string(),
        target_clock_ns: num("UserAssignments/TargetClockPeriod")?,
        clock_uncertainty_ns: match values.contains_key("UserAssignments/ClockUncertainty") {
            true => Some(num("UserAssignments/ClockUncertainty")?),
            false => None,
        },
        estimated_clock_ns: num(
            "PerformanceEstimates/SummaryOfTimingAnalysis/EstimatedClockPeriod",
        )?,
        latency_best_cycles: count(&format!("{LAT}/Best-caseLatency"))?,
        latency_worst_cycles: count(&format!("{LAT}/Worst-caseLatency"))?,
        interval_min: count(&format!("{LAT}/Interval-min"))?,
        interval_max: count(&format!("{LAT}/Interval-max"))?,
        used: resources("AreaEstimates/Resources")?,
        available: resources("AreaEstimates/AvailableResources")?,
    })
}

/// Parse a `vivado_synth.rpt` utilisation report.
pub fn parse_vivado_synth(path: &Path) -> Result<VivadoSynthReport> {
    parse_vivado_synth_str(&read_text(path)?, path)
}

/// Parse utilisation report text; `path` is used in errors. The "Used" column of the rows
/// `Slice LUTs`/`CLB LUTs`, `Slice Registers`/`CLB Registers`, `Block RAM Tile`, `DSPs` and
/// `URAM` is read (the same rows hls4ml's report parser reads).
pub fn parse_vivado_synth_str(text: &str, path: &Path) -> Result<VivadoSynthReport> {
    let mut version = None;
    let mut device = None;
    let mut used: HashMap<&'static str, String> = HashMap::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("| Tool Version") {
            let v = rest.trim_start_matches([' ', ':']).trim();
            version = v
                .split_whitespace()
                .find_map(|w| w.strip_prefix("v."))
                .map(str::to_string)
                .or_else(|| Some(v.to_string()));
            continue;
        }
        if let Some(rest) = t.strip_prefix("| Device") {
            device = Some(rest.trim_start_matches([' ', ':']).trim().to_string());
            continue;
        }
        if !t.starts_with('|') {
            continue;
        }
        let cells: Vec<&str> = t.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 2 {
            continue;
        }
        let site = cells[0].trim_end_matches('*').trim();
        let key = match site {
            "Slice LUTs" | "CLB LUTs" => "LUT",
            "Slice Registers" | "CLB Registers" => "FF",
            "Block RAM Tile" => "Block RAM Tile",
            "DSPs" => "DSPs",
            "URAM" => "URAM",
            _ => continue,
        };
        used.entry(key).or_insert_with(|| cells[1].to_string());
    }
    let field = |key: &'static str| -> Result<&str> {
        used.get(key).map(String::as_str).ok_or_else(|| {
            report_err(
                path,
                key,
                "row missing (truncated or not a utilisation report?)",
            )
        })
    };
    let count = |key: &'static str| -> Result<u64> {
        parse_count(field(key)?).map_err(|m| report_err(path, key, m))
    };
    let tiles =
        parse_f64(field("Block RAM Tile")?).map_err(|m| report_err(path, "Block RAM Tile", m))?;
    let bram_18k = count_from_f64(tiles * 2.0).ok_or_else(|| {
        report_err(
            path,
            "Block RAM Tile",
            format!("{tiles} is not a whole number of half tiles"),
        )
    })?;
    Ok(VivadoSynthReport {
        version,
        device,
        lut: count("LUT")?,
        ff: count("FF")?,
        dsp: count("DSPs")?,
        bram_18k,
        uram: match used.contains_key("URAM") {
            true => Some(count("URAM")?),
            false => None,
        },
    })
}
