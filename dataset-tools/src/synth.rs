//! Running synthesis over a dataset's projects: the per-project step ([`synth_project`]) that
//! the local runner ([`run_local`]) and every Slurm array task ([`run_task`], whose scripts
//! [`crate::slurm`] writes) share, and the markers it leaves.
//!
//! A dataset directory holds `projects/<record id>/` (hls4ml projects). A project is *done*
//! when `.presynth/done` exists. That marker is written (by an atomic rename) only when the tool
//! exited 0 AND its reports parse completely (csynth XML, plus `vivado_synth.rpt` when logic
//! synthesis was asked for), so a run killed at any point (preemption, `scancel`) leaves the
//! project not-done and it is redone. Reports of an earlier run are removed before the tool
//! starts, so they can never pass for this run's. Any other ending gets `.presynth/failed` (exit
//! status, what is wrong with the reports, the log's tail), retried by the next run and recorded
//! as a failure by ingest. The tool runs under the project's lock ([`crate::lock`]), so two runs
//! never synthesise one project at once, with its stdin from `/dev/null`.

use crate::error::{DatasetError, Result};
use crate::fsutil::write_atomic;
use crate::ingest::reports::{parse_csynth_xml, parse_vivado_synth};
use crate::proc::Ended;
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The HLS tool to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    VitisHls,
    VivadoHls,
}

impl Tool {
    pub fn command(self) -> &'static str {
        match self {
            Tool::VitisHls => "vitis_hls",
            Tool::VivadoHls => "vivado_hls",
        }
    }
}

impl std::str::FromStr for Tool {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "vitis_hls" | "vitis" => Ok(Tool::VitisHls),
            "vivado_hls" | "vivado" => Ok(Tool::VivadoHls),
            _ => Err(format!(
                "unknown tool '{s}' (expected vitis_hls or vivado_hls)"
            )),
        }
    }
}

/// What to synthesise.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub tool: Tool,
    /// Also run Vivado logic synthesis (hls4ml's `vsynth`, which needs `export`).
    pub vsynth: bool,
    /// The longest one project's tool run may take; past it the tool's process tree is ended
    /// and the project is recorded as timed out (retried by the next run, like a failure).
    pub timeout: Option<Duration>,
}

pub const PROJECTS_DIR: &str = "projects";
pub const MARKER_DIR: &str = ".presynth";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";
pub const LOG: &str = "synth.log";
/// The post-synthesis report hls4ml's `vsynth` leaves in the project.
pub const VIVADO_SYNTH_RPT: &str = "vivado_synth.rpt";
/// The Slurm task list (one project id a line), under `DIR/jobs/`.
pub const TASK_LIST: &str = "tasks.txt";
pub const JOBS_DIR: &str = "jobs";

/// The project directories of a dataset (sorted): the subdirectories of `DIR/projects` that
/// hold a `build_prj.tcl`.
pub fn list_projects(dataset: &Path) -> Result<Vec<PathBuf>> {
    let root = dataset.join(PROJECTS_DIR);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&root).map_err(|e| DatasetError::io(&root, e))? {
        let p = entry.map_err(|e| DatasetError::io(&root, e))?.path();
        if p.join("build_prj.tcl").is_file() {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

pub fn is_done(project: &Path) -> bool {
    project.join(MARKER_DIR).join(DONE).is_file()
}

/// The text of the done marker: the tool, its exit status and whether logic synthesis was run.
fn done_text(opts: &SynthOptions) -> String {
    format!(
        "{}\nexit status 0\nvsynth {}\n",
        opts.tool.command(),
        opts.vsynth as u8
    )
}

/// Whether the done marker says logic synthesis was run (`vsynth 1`); `None` without a marker
/// or for a marker written before that line existed.
pub fn done_with_vsynth(project: &Path) -> Option<bool> {
    let text = std::fs::read_to_string(project.join(MARKER_DIR).join(DONE)).ok()?;
    text.lines().find_map(|l| match l.trim() {
        "vsynth 1" => Some(true),
        "vsynth 0" => Some(false),
        _ => None,
    })
}

/// The hls4ml project (top function) name from `project.tcl` (`set project_name "..."`),
/// else `myproject`.
pub fn project_name(project: &Path) -> String {
    std::fs::read_to_string(project.join("project.tcl"))
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.trim()
                    .strip_prefix("set project_name")
                    .map(|v| v.trim().trim_matches('"').to_string())
            })
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "myproject".to_string())
}

/// The csynth report a finished run leaves (Vivado HLS and Vitis HLS use the same path).
pub fn csynth_report_path(project: &Path) -> PathBuf {
    let top = project_name(project);
    project
        .join(format!("{top}_prj"))
        .join("solution1/syn/report")
        .join(format!("{top}_csynth.xml"))
}

/// Check that the reports the options ask for exist and parse completely: the csynth XML
/// (every field ingest reads) and, with `vsynth`, `vivado_synth.rpt`.
pub fn check_reports(project: &Path, opts: &SynthOptions) -> Result<()> {
    parse_csynth_xml(&csynth_report_path(project))?;
    if opts.vsynth {
        parse_vivado_synth(&project.join(VIVADO_SYNTH_RPT))?;
    }
    Ok(())
}

/// The hls4ml build options: C synthesis only (plus export and logic synthesis with `vsynth`).
pub fn build_opt_tcl(vsynth: bool) -> String {
    let v = vsynth as u8;
    format!(
        "array set opt {{\n    reset      1\n    csim       0\n    synth      1\n    cosim      0\n    \
         validation 0\n    export     {v}\n    vsynth     {v}\n    fifo_opt   0\n}}\n"
    )
}

/// The shell command that synthesises the project in the current directory.
pub fn shell_command(opts: &SynthOptions) -> String {
    let v = opts.vsynth as u8;
    match opts.tool {
        // Vitis: build_prj.tcl sources build_opt.tcl (written before the run).
        Tool::VitisHls => "vitis_hls -f build_prj.tcl".to_string(),
        Tool::VivadoHls => format!(
            "vivado_hls -f build_prj.tcl \"reset=1 csim=0 synth=1 cosim=0 validation=0 export={v} vsynth={v}\""
        ),
    }
}

/// Outcome of synthesising one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectOutcome {
    AlreadyDone,
    Done,
    /// Another process holds the project's lock (it is being synthesised); the holder.
    Busy(String),
    Failed(String),
    /// The tool ran past [`SynthOptions::timeout`] and was ended; the reason as recorded.
    TimedOut(String),
}

/// How long a busy lock is retried before the project is left to its holder.
const LOCK_WAIT: Duration = Duration::from_millis(500);

/// The last `n` lines of a file.
fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Remove what an earlier run may have left: its reports (so that they cannot pass for this
/// run's) and the temporaries of writers that were killed (we hold the lock: none is live).
fn clear_previous_run(project: &Path) {
    let _ = std::fs::remove_file(csynth_report_path(project));
    let _ = std::fs::remove_file(project.join(VIVADO_SYNTH_RPT));
    for dir in [project.to_path_buf(), project.join(MARKER_DIR)] {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.filter_map(|e| e.ok()) {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.contains(".tmp-") && e.path().is_file() {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Synthesise one project (unless done or locked by another run): under its lock, run the tool
/// (stdin `/dev/null`, output in `.presynth/synth.log`), then write the done marker if it exited
/// 0 and its reports parse completely, else the failed marker with the reason.
pub fn synth_project(project: &Path, opts: &SynthOptions) -> Result<ProjectOutcome> {
    if is_done(project) {
        return Ok(ProjectOutcome::AlreadyDone);
    }
    let Some(_lock) = crate::lock::try_lock(project, LOCK_WAIT)? else {
        return Ok(ProjectOutcome::Busy(crate::lock::holder(project)));
    };
    // The holder we waited for may have finished it.
    if is_done(project) {
        return Ok(ProjectOutcome::AlreadyDone);
    }
    let markers = project.join(MARKER_DIR);
    match std::fs::remove_file(markers.join(FAILED)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(DatasetError::io(markers.join(FAILED), e))
        }
        _ => {}
    }
    clear_previous_run(project);
    if opts.tool == Tool::VitisHls {
        write_atomic(
            &project.join("build_opt.tcl"),
            build_opt_tcl(opts.vsynth).as_bytes(),
        )?;
    }
    let log_path = markers.join(LOG);
    let log = std::fs::File::create(&log_path).map_err(|e| DatasetError::io(&log_path, e))?;
    let log_err = log
        .try_clone()
        .map_err(|e| DatasetError::io(&log_path, e))?;
    let ended = Command::new("sh")
        .arg("-c")
        .arg(shell_command(opts))
        .current_dir(project)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .and_then(|mut child| crate::proc::wait_with_limit(&mut child, opts.timeout));
    let (ok, exit) = match ended {
        Ok(Ended::Exited(s)) => (
            s.success(),
            s.code().map_or("killed by a signal".to_string(), |c| {
                format!("exit status {c}")
            }),
        ),
        Ok(Ended::TimedOut) => {
            let limit = opts.timeout.map_or(0.0, |d| d.as_secs_f64());
            let reason = format!(
                "timed out: {} ran longer than the {limit:.0} s limit (--timeout) and was \
                 stopped; log tail:\n{}",
                opts.tool.command(),
                tail(&log_path, 5)
            );
            write_atomic(&markers.join(FAILED), reason.as_bytes())?;
            return Ok(ProjectOutcome::TimedOut(reason));
        }
        Err(e) => (false, format!("could not start sh: {e}")),
    };
    let problem = if !ok {
        format!("{} {exit}", opts.tool.command())
    } else {
        match check_reports(project, opts) {
            Ok(()) => {
                write_atomic(&markers.join(DONE), done_text(opts).as_bytes())?;
                return Ok(ProjectOutcome::Done);
            }
            Err(e) => format!(
                "{} {exit}, but its reports are incomplete: {e}",
                opts.tool.command()
            ),
        }
    };
    let reason = format!("{problem}; log tail:\n{}", tail(&log_path, 5));
    write_atomic(&markers.join(FAILED), reason.as_bytes())?;
    Ok(ProjectOutcome::Failed(reason))
}

/// Counts of a local run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunSummary {
    pub projects: usize,
    pub already_done: usize,
    pub done: usize,
    /// Locked by another run at the time (it synthesises them).
    pub busy: usize,
    pub failed: usize,
    /// Stopped at the time limit (also recorded in the project's failed marker).
    pub timed_out: usize,
}

/// `dataset run`: synthesise every not-done project of `dataset`, `jobs` at a time, with a
/// progress bar when `progress`.
pub fn run_local(
    dataset: &Path,
    opts: &SynthOptions,
    jobs: usize,
    progress: bool,
) -> Result<RunSummary> {
    let projects = list_projects(dataset)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(|e| DatasetError::Invalid(format!("thread pool: {e}")))?;
    let bar = crate::progress::bar(projects.len() as u64, "projects", progress);
    let outcomes: Vec<Result<ProjectOutcome>> = pool.install(|| {
        projects
            .par_iter()
            .map(|p| {
                let r = synth_project(p, opts);
                bar.inc(1);
                r
            })
            .collect()
    });
    bar.finish_and_clear();
    let mut s = RunSummary {
        projects: projects.len(),
        ..Default::default()
    };
    for o in outcomes {
        match o? {
            ProjectOutcome::AlreadyDone => s.already_done += 1,
            ProjectOutcome::Done => s.done += 1,
            ProjectOutcome::Busy(_) => s.busy += 1,
            ProjectOutcome::Failed(_) => s.failed += 1,
            ProjectOutcome::TimedOut(_) => s.timed_out += 1,
        }
    }
    Ok(s)
}

/// What one array task did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TaskSummary {
    pub task: usize,
    pub tasks: usize,
    pub projects: usize,
    pub done: usize,
    pub already_done: usize,
    pub busy: usize,
    /// The ids of the projects that failed.
    pub failed: Vec<String>,
    /// The ids of the projects stopped at the time limit.
    pub timed_out: Vec<String>,
}

/// ` (a, b, c)`, or nothing for no ids.
fn id_list(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(" ({})", ids.join(", "))
    }
}

/// The project ids of the task list `DIR/jobs/tasks.txt`, each checked to be a plain directory
/// name (an id holding `/` or `..` would reach outside the dataset).
pub fn read_task_list(dataset: &Path) -> Result<Vec<String>> {
    let path = dataset.join(JOBS_DIR).join(TASK_LIST);
    let text = std::fs::read_to_string(&path).map_err(|e| DatasetError::io(&path, e))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| {
            crate::record::check_project_id(l)
                .map(|()| l.to_string())
                .map_err(|message| DatasetError::Field {
                    path: path.clone(),
                    row: i as u64 + 1,
                    field: "project id".into(),
                    message,
                })
        })
        .collect()
}

/// One Slurm array task: synthesise the projects at lines `task`, `task + tasks`, ... of the
/// task list, one after the other, writing one line per project and a summary to `log` (the
/// Slurm output file). The caller exits non-zero when any failed, so Slurm records FAILED.
pub fn run_task(
    dataset: &Path,
    task: usize,
    tasks: usize,
    opts: &SynthOptions,
    log: &mut dyn Write,
) -> Result<TaskSummary> {
    if tasks == 0 || task >= tasks {
        return Err(DatasetError::Invalid(format!(
            "array task {task} of {tasks}: expected a task index below the task count"
        )));
    }
    let ids = read_task_list(dataset)?;
    let mut s = TaskSummary {
        task,
        tasks,
        ..Default::default()
    };
    let w = |log: &mut dyn Write, line: String| {
        let _ = writeln!(log, "{line}");
        let _ = log.flush();
    };
    for id in ids.iter().skip(task).step_by(tasks) {
        s.projects += 1;
        let project = dataset.join(PROJECTS_DIR).join(id);
        let t = Instant::now();
        match synth_project(&project, opts) {
            Ok(ProjectOutcome::Done) => {
                s.done += 1;
                w(
                    log,
                    format!("presynth: {id}: done in {:.1} s", t.elapsed().as_secs_f64()),
                );
            }
            Ok(ProjectOutcome::AlreadyDone) => {
                s.already_done += 1;
                w(log, format!("presynth: {id}: already done"));
            }
            Ok(ProjectOutcome::Busy(holder)) => {
                s.busy += 1;
                w(
                    log,
                    format!("presynth: {id}: skipped, being synthesised by {holder}"),
                );
            }
            Ok(ProjectOutcome::Failed(reason)) => {
                w(
                    log,
                    format!(
                        "presynth: {id}: FAILED after {:.1} s: {}",
                        t.elapsed().as_secs_f64(),
                        reason.lines().next().unwrap_or("")
                    ),
                );
                s.failed.push(id.clone());
            }
            Ok(ProjectOutcome::TimedOut(reason)) => {
                w(
                    log,
                    format!(
                        "presynth: {id}: TIMED OUT after {:.1} s: {}",
                        t.elapsed().as_secs_f64(),
                        reason.lines().next().unwrap_or("")
                    ),
                );
                s.timed_out.push(id.clone());
            }
            Err(e) => {
                w(log, format!("presynth: {id}: FAILED: {e}"));
                s.failed.push(id.clone());
            }
        }
    }
    w(
        log,
        format!(
            "presynth: task {task} of {tasks}: {} projects: {} done, {} already done, {} being \
             synthesised elsewhere, {} failed{}, {} timed out{}",
            s.projects,
            s.done,
            s.already_done,
            s.busy,
            s.failed.len(),
            id_list(&s.failed),
            s.timed_out.len(),
            id_list(&s.timed_out),
        ),
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_follow_hls4ml_build_options() {
        // hls4ml's Vivado backend runs `vivado_hls -f build_prj.tcl "reset=.. csim=.. synth=..
        // cosim=.. validation=.. export=.. vsynth=.."`; the Vitis backend writes the same options
        // into build_opt.tcl (`array set opt {...}`), which build_prj.tcl sources.
        let viv = SynthOptions {
            tool: Tool::VivadoHls,
            vsynth: true,
            timeout: None,
        };
        assert_eq!(
            shell_command(&viv),
            "vivado_hls -f build_prj.tcl \"reset=1 csim=0 synth=1 cosim=0 validation=0 export=1 vsynth=1\""
        );
        let vit = SynthOptions {
            tool: Tool::VitisHls,
            vsynth: false,
            timeout: None,
        };
        assert_eq!(shell_command(&vit), "vitis_hls -f build_prj.tcl");
        let opt = build_opt_tcl(false);
        assert!(
            opt.contains("csim       0")
                && opt.contains("synth      1")
                && opt.contains("vsynth     0")
        );
    }

    #[test]
    fn project_name_comes_from_project_tcl() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(project_name(d.path()), "myproject");
        std::fs::write(
            d.path().join("project.tcl"),
            "variable project_name\nset project_name \"top2\"\n",
        )
        .unwrap();
        assert_eq!(project_name(d.path()), "top2");
        assert!(
            csynth_report_path(d.path()).ends_with("top2_prj/solution1/syn/report/top2_csynth.xml")
        );
    }
}
