//! Ingestion of synthesised hls4ml project trees: the csynth XML at
//! `<top>_prj/solution1/syn/report/<top>_csynth.xml` (Vivado HLS and Vitis HLS), the tool from
//! `<top>_prj/vivado_hls.app` (Vivado HLS) or `hls.app` (Vitis HLS), and `vivado_synth.rpt`
//! (post-synthesis utilisation) when present. A project tree's `hls4ml_config.yml` gives its
//! records' io_type, strategy, reuse factor, precision and backend
//! ([`super::layers::read_project_settings`]); without one the record says so in its notes.
//!
//! Two modes: a dataset directory (`records.jsonl` + `projects/<id>/`) gets its manifest
//! records labelled; any other directory is walked for project trees, which become records
//! without a network. In a dataset, a project counts as synthesised only with its
//! `.presynth/done` marker (written by presynth's runners after the tool exited 0 and the
//! reports parsed) and complete reports (the post-synthesis report too when the marker says
//! logic synthesis ran): reports without the marker are an interrupted or failed run. A project
//! with a `.presynth/failed` marker becomes a failure record; any other project, or one with a
//! bad report, is reported and skipped.

use super::layers::{read_project_settings, ProjectSettings};
use super::reports::{parse_csynth_xml, parse_vivado_synth, CsynthReport, VivadoSynthReport};
use super::{Ingested, BRAM36_NOTE};
use crate::error::{DatasetError, Result};
use crate::jsonl::{Reader, RECORDS_FILE};
use crate::record::{CsynthLabels, Family, PostSynthLabels, Provenance, Record};
use crate::synth::{
    done_with_vsynth, is_done, project_name, FAILED, MARKER_DIR, PROJECTS_DIR, VIVADO_SYNTH_RPT,
};
use std::path::{Path, PathBuf};

/// The reports of one project, parsed.
#[derive(Debug, Clone)]
pub struct ProjectReports {
    pub csynth_path: PathBuf,
    pub csynth: CsynthReport,
    pub tool: String,
    pub vivado: Option<VivadoSynthReport>,
}

/// Where the project's csynth XML is: `<top>_prj/solution1/syn/report/<top>_csynth.xml`, with
/// `<top>` from `project.tcl`, else from the single `*_prj` directory.
pub(crate) fn find_csynth(project: &Path) -> Option<(PathBuf, PathBuf)> {
    let mut tops = vec![project_name(project)];
    if let Ok(rd) = std::fs::read_dir(project) {
        let mut more: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix("_prj"))
                    .map(str::to_string)
            })
            .collect();
        more.sort();
        tops.extend(more);
    }
    for top in tops {
        let prj = project.join(format!("{top}_prj"));
        let report = prj.join("solution1/syn/report");
        for name in [format!("{top}_csynth.xml"), "csynth.xml".to_string()] {
            let p = report.join(name);
            if p.is_file() {
                return Some((prj, p));
            }
        }
    }
    None
}

/// Parse the reports of one project. `Ok(None)` when there is no csynth report at all.
pub fn read_project(project: &Path) -> Result<Option<ProjectReports>> {
    let Some((prj, csynth_path)) = find_csynth(project) else {
        return Ok(None);
    };
    let csynth = parse_csynth_xml(&csynth_path)?;
    let tool = if prj.join("vivado_hls.app").is_file() {
        "vivado_hls"
    } else if prj.join("hls.app").is_file() {
        "vitis_hls"
    } else if csynth.version.as_str() >= "2020.2" {
        // Vivado HLS ended with 2020.1; later csynth reports are Vitis HLS.
        "vitis_hls"
    } else {
        "vivado_hls"
    };
    let rpt = project.join("vivado_synth.rpt");
    let vivado = if rpt.is_file() {
        Some(parse_vivado_synth(&rpt)?)
    } else {
        None
    };
    Ok(Some(ProjectReports {
        csynth_path,
        csynth,
        tool: tool.to_string(),
        vivado,
    }))
}

/// Put the labels and provenance of `reports` on `record`.
pub fn apply_reports(record: &mut Record, reports: &ProjectReports) {
    let c = &reports.csynth;
    record.success = Some(true);
    record.failure = None;
    record.csynth = Some(CsynthLabels {
        latency_best_cycles: c.latency_best_cycles,
        latency_worst_cycles: c.latency_worst_cycles,
        ii_min: Some(c.interval_min),
        ii_max: Some(c.interval_max),
        estimated_clock_ns: Some(c.estimated_clock_ns),
        lut: Some(c.used.lut),
        ff: Some(c.used.ff),
        dsp: Some(c.used.dsp),
        bram_18k: Some(c.used.bram_18k),
        uram: c.used.uram,
    });
    let p = &mut record.provenance;
    p.source = reports.csynth_path.display().to_string();
    p.row = None;
    p.tool = Some(reports.tool.clone());
    p.tool_version = Some(c.version.clone());
    p.part = Some(c.part.clone());
    p.clock_period_ns = Some(c.target_clock_ns);
    p.model_name = Some(c.top.clone());
    record.post_synth = reports.vivado.as_ref().map(|v| {
        if !p.notes.iter().any(|n| n == BRAM36_NOTE) {
            p.notes.push(BRAM36_NOTE.to_string());
        }
        PostSynthLabels {
            lut: v.lut,
            ff: v.ff,
            dsp: v.dsp,
            bram_18k: v.bram_18k,
            uram: v.uram,
        }
    });
}

/// The failure record of a project with a `.presynth/failed` marker, if it has one.
fn failed_marker(record: &mut Record, project: &Path) -> bool {
    let failed = project.join(MARKER_DIR).join(FAILED);
    match std::fs::read_to_string(&failed) {
        Ok(reason) => {
            record.set_failed(reason.trim().to_string());
            record.provenance.source = failed.display().to_string();
            true
        }
        Err(_) => false,
    }
}

/// Note on a record whose project has no `hls4ml_config.yml`.
pub const NO_CONFIG_NOTE: &str =
    "no hls4ml_config.yml in the project: HLS settings are hls4ml's defaults, not read";

/// Put the model-level settings of the project's config (io_type, strategy, reuse factor,
/// default precision, backend) on a record built from a project tree; without a config, say so
/// in the record's notes.
pub fn apply_settings(record: &mut Record, settings: Option<&ProjectSettings>) {
    match settings {
        Some(s) => {
            let m = &s.settings.model;
            record.hls.io_type = m.io_type;
            record.hls.strategy = m.strategy;
            record.hls.reuse_factor = m.reuse_factor;
            record.hls.precision = m.precision.clone();
            record.hls.backend = m.backend.clone();
        }
        None => {
            if !record.provenance.notes.iter().any(|n| n == NO_CONFIG_NOTE) {
                record.provenance.notes.push(NO_CONFIG_NOTE.to_string());
            }
        }
    }
}

/// Label one record from a project tree (no presynth markers needed). `Err` for a bad report or
/// a project that was neither synthesised nor marked failed.
fn label(mut record: Record, project: &Path) -> Result<Record> {
    match read_project(project)? {
        Some(reports) => {
            apply_reports(&mut record, &reports);
            Ok(record)
        }
        None if failed_marker(&mut record, project) => Ok(record),
        None => Err(DatasetError::Report {
            path: project.to_path_buf(),
            field: "solution1/syn/report/<top>_csynth.xml".into(),
            message: "no csynth report and no failure marker (not synthesised yet?)".into(),
        }),
    }
}

/// Label one record of a dataset from its project: a success only with the done marker and
/// complete reports, a failure with the failed marker, else `Err` (not synthesised yet, or an
/// interrupted run).
fn label_in_dataset(mut record: Record, project: &Path) -> Result<Record> {
    if !is_done(project) {
        if failed_marker(&mut record, project) {
            return Ok(record);
        }
        return Err(DatasetError::Report {
            path: project.to_path_buf(),
            field: format!("{MARKER_DIR}/done"),
            message: "no done marker and no failure marker: not synthesised yet, or the run was \
                      interrupted (rerun `presynth dataset run` or resubmit the Slurm jobs)"
                .into(),
        });
    }
    let Some(reports) = read_project(project)? else {
        return Err(DatasetError::Report {
            path: project.to_path_buf(),
            field: "solution1/syn/report/<top>_csynth.xml".into(),
            message: "the done marker is there but the csynth report is not".into(),
        });
    };
    if done_with_vsynth(project) == Some(true) && reports.vivado.is_none() {
        return Err(DatasetError::Report {
            path: project.join(VIVADO_SYNTH_RPT),
            field: "file".into(),
            message: "the done marker says logic synthesis ran, but its report is missing".into(),
        });
    }
    apply_reports(&mut record, &reports);
    Ok(record)
}

/// Ingest a dataset directory (manifest + `projects/<id>/`), calling `sink` for each labelled
/// record in manifest order; returns the errors of the skipped ones. Reports are parsed in
/// parallel, a batch of records at a time (memory stays flat).
pub fn ingest_dataset(
    dataset: &Path,
    sink: &mut dyn FnMut(Record) -> Result<()>,
) -> Result<Vec<DatasetError>> {
    use rayon::prelude::*;
    const BATCH: usize = 2048;
    let mut skipped = Vec::new();
    let mut reader = Reader::open(dataset.join(RECORDS_FILE))?;
    loop {
        let batch: Vec<Result<Record>> = reader.by_ref().take(BATCH).collect();
        if batch.is_empty() {
            break;
        }
        let labelled: Vec<Result<Record>> = batch
            .into_par_iter()
            .map(|rec| {
                let rec = rec?;
                let id = rec
                    .project_dir_name()
                    .map_err(|message| DatasetError::Report {
                        path: dataset.join(RECORDS_FILE),
                        field: "id".into(),
                        message,
                    })?;
                let project = dataset.join(PROJECTS_DIR).join(id);
                label_in_dataset(rec, &project)
            })
            .collect();
        for r in labelled {
            match r {
                Ok(r) => sink(r)?,
                Err(e) => skipped.push(e),
            }
        }
    }
    Ok(skipped)
}

/// Walk `root` for project trees (directories with a `*_prj/solution1/syn/report` inside, or
/// a failure marker) and turn each into a record without a network.
pub fn ingest_tree(
    root: &Path,
    sink: &mut dyn FnMut(Record) -> Result<()>,
) -> Result<Vec<DatasetError>> {
    let mut projects = Vec::new();
    walk(root, &mut projects)?;
    projects.sort();
    let mut skipped = Vec::new();
    for project in projects {
        let name = project
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| project.display().to_string());
        let rec = Record {
            id: name.clone(),
            family: Family::Other,
            architecture: format!("project({name})"),
            network: None,
            hls: ir::HlsConfig::default(),
            weight_precision: None,
            success: None,
            failure: None,
            csynth: None,
            post_synth: None,
            provenance: Provenance {
                source: project.display().to_string(),
                ..Provenance::default()
            },
        };
        match label(rec, &project) {
            Ok(mut r) => {
                match read_project_settings(&project) {
                    Ok(settings) => apply_settings(&mut r, settings.as_ref()),
                    Err(e) => {
                        skipped.push(e);
                        continue;
                    }
                }
                if let Some(part) = r.provenance.part.clone() {
                    r.hls.part = part;
                }
                if let Some(clock) = r.provenance.clock_period_ns {
                    r.hls.clock_period_ns = clock;
                }
                sink(r)?
            }
            Err(e) => skipped.push(e),
        }
    }
    Ok(skipped)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let is_project = std::fs::read_dir(dir)
        .map_err(|e| DatasetError::io(dir, e))?
        .filter_map(|e| e.ok())
        .any(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            (n.ends_with("_prj") && e.path().join("solution1").is_dir())
                || (n == MARKER_DIR && e.path().join(FAILED).is_file())
        });
    if is_project {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    for e in std::fs::read_dir(dir).map_err(|e| DatasetError::io(dir, e))? {
        let p = e.map_err(|e| DatasetError::io(dir, e))?.path();
        if p.is_dir() && !p.is_symlink() {
            walk(&p, out)?;
        }
    }
    Ok(())
}

/// Ingest either kind of directory into memory.
pub fn read(path: &Path) -> Result<Ingested> {
    let mut out = Ingested::default();
    let skipped = if path.join(RECORDS_FILE).is_file() {
        ingest_dataset(path, &mut |r| {
            out.records.push(r);
            Ok(())
        })?
    } else {
        ingest_tree(path, &mut |r| {
            out.records.push(r);
            Ok(())
        })?
    };
    out.skipped = skipped;
    Ok(out)
}
