//! Project emission for a manifest: streams the records, gives each network Keras-default
//! random weights (seeded by the record id, so re-emitting gives the same files), and hands
//! batches to an emitter: the one place projects are written. The CLI passes
//! `hls_codegen::emit_batch` (which writes each project atomically, in parallel); this crate
//! does not depend on hls-codegen.

use crate::error::Result;
use crate::jsonl::Reader;
use crate::netbuild::fill_random_weights;
use crate::rng::stable_hash;
use crate::synth::PROJECTS_DIR;
use std::path::{Path, PathBuf};

/// One project to write.
pub struct EmitJob {
    pub record_id: String,
    pub network: ir::Network,
    pub dir: PathBuf,
}

/// Writes a batch of projects; returns `(project dir, error)` for each one that failed.
pub type BatchEmitter<'a> = dyn FnMut(Vec<EmitJob>) -> Vec<(PathBuf, String)> + 'a;

/// What [`emit_projects`] did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct EmitSummary {
    pub written: u64,
    /// Records without a network (nothing to emit).
    pub no_network: u64,
    pub failed: Vec<(PathBuf, String)>,
}

/// Emit the project of every record of `manifest` into `dataset/projects/<id>/`, `batch`
/// records at a time, with a progress bar when `progress`.
pub fn emit_projects(
    manifest: &Path,
    dataset: &Path,
    batch: usize,
    emitter: &mut BatchEmitter,
    progress: Option<u64>,
) -> Result<EmitSummary> {
    let projects = dataset.join(PROJECTS_DIR);
    std::fs::create_dir_all(&projects).map_err(|e| crate::DatasetError::io(&projects, e))?;
    let bar = crate::progress::bar(progress.unwrap_or(0), "projects", progress.is_some());
    let mut summary = EmitSummary::default();
    let mut jobs = Vec::with_capacity(batch);
    let mut flush = |jobs: &mut Vec<EmitJob>, summary: &mut EmitSummary| {
        let n = jobs.len() as u64;
        let failed = emitter(std::mem::take(jobs));
        summary.written += n - failed.len() as u64;
        summary.failed.extend(failed);
        bar.inc(n);
    };
    for r in Reader::open(manifest)? {
        let r = r?;
        let Some(mut network) = r.network else {
            summary.no_network += 1;
            continue;
        };
        let dir = crate::record::check_project_id(&r.id)
            .map(|()| projects.join(&r.id))
            .map_err(|message| crate::DatasetError::Report {
                path: manifest.to_path_buf(),
                field: "id".into(),
                message,
            })?;
        fill_random_weights(&mut network, stable_hash(&r.id, 0x5EED))?;
        jobs.push(EmitJob {
            dir,
            record_id: r.id,
            network,
        });
        if jobs.len() >= batch.max(1) {
            flush(&mut jobs, &mut summary);
        }
    }
    if !jobs.is_empty() {
        flush(&mut jobs, &mut summary);
    }
    bar.finish_and_clear();
    Ok(summary)
}
