//! Running synthesis over a dataset's projects: the layout and markers shared by the Slurm job
//! array ([`write_slurm`]) and the local runner ([`run_local`]).
//!
//! A dataset directory holds `projects/<record id>/` (hls4ml projects). A project is *done*
//! when `.presynth/done` exists; that marker is written only after the reports exist (csynth
//! XML, plus `vivado_synth.rpt` when logic synthesis was asked for), by an atomic rename, so a
//! run killed at any point (preemption) leaves the project not-done and it is simply redone.
//! A project whose tool run ended without reports gets `.presynth/failed` (exit status and the
//! log's tail) so that ingestion records a failure instead of guessing.

use crate::error::{DatasetError, Result};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

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
}

pub const PROJECTS_DIR: &str = "projects";
pub const MARKER_DIR: &str = ".presynth";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";
pub const LOG: &str = "synth.log";

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

/// Whether the reports the options ask for exist.
pub fn reports_exist(project: &Path, opts: &SynthOptions) -> bool {
    csynth_report_path(project).is_file()
        && (!opts.vsynth || project.join("vivado_synth.rpt").is_file())
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

fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| DatasetError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| DatasetError::io(path, e))
}

/// Outcome of synthesising one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectOutcome {
    AlreadyDone,
    Done,
    Failed(String),
}

/// Synthesise one project (unless done): run the tool with its output in
/// `.presynth/synth.log`, then write the done marker if the reports exist, else the failed
/// marker.
pub fn synth_project(project: &Path, opts: &SynthOptions) -> Result<ProjectOutcome> {
    if is_done(project) {
        return Ok(ProjectOutcome::AlreadyDone);
    }
    let markers = project.join(MARKER_DIR);
    std::fs::create_dir_all(&markers).map_err(|e| DatasetError::io(&markers, e))?;
    let _ = std::fs::remove_file(markers.join(FAILED));
    if opts.tool == Tool::VitisHls {
        write_atomic(&project.join("build_opt.tcl"), &build_opt_tcl(opts.vsynth))?;
    }
    let log_path = markers.join(LOG);
    let log = std::fs::File::create(&log_path).map_err(|e| DatasetError::io(&log_path, e))?;
    let log_err = log
        .try_clone()
        .map_err(|e| DatasetError::io(&log_path, e))?;
    let status = Command::new("sh")
        .arg("-c")
        .arg(shell_command(opts))
        .current_dir(project)
        .stdout(log)
        .stderr(log_err)
        .status();
    let exit = match status {
        Ok(s) => s.code().map_or("killed by a signal".to_string(), |c| {
            format!("exit status {c}")
        }),
        Err(e) => format!("could not start {}: {e}", opts.tool.command()),
    };
    if reports_exist(project, opts) {
        write_atomic(
            &markers.join(DONE),
            &format!("{}\n{exit}\n", opts.tool.command()),
        )?;
        Ok(ProjectOutcome::Done)
    } else {
        let tail: String = std::fs::read_to_string(&log_path)
            .unwrap_or_default()
            .lines()
            .rev()
            .take(5)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        let reason = format!(
            "{} {exit}; no reports; log tail:\n{tail}",
            opts.tool.command()
        );
        write_atomic(&markers.join(FAILED), &reason)?;
        Ok(ProjectOutcome::Failed(reason))
    }
}

/// Counts of a local run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunSummary {
    pub projects: usize,
    pub already_done: usize,
    pub done: usize,
    pub failed: usize,
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
            ProjectOutcome::Failed(_) => s.failed += 1,
        }
    }
    Ok(s)
}

/// Options of the Slurm job array.
#[derive(Debug, Clone)]
pub struct SlurmOptions {
    pub synth: SynthOptions,
    /// Number of array tasks; each takes every K-th project of the task list.
    pub array_size: usize,
    /// `--time` per array task, e.g. `2:00:00`.
    pub time: String,
}

/// What [`write_slurm`] wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SlurmFiles {
    pub script: PathBuf,
    pub task_script: PathBuf,
    pub task_list: PathBuf,
    /// Projects listed (not done yet).
    pub tasks: usize,
    pub skipped_done: usize,
    pub array_size: usize,
}

/// `dataset jobs --scheduler slurm`: write `jobs/tasks.txt` (the not-done projects, absolute
/// paths), `jobs/run_task.sh` (synthesise one project; skip it if done; done marker only after
/// the reports exist) and `jobs/synth.sbatch` (the job array). Submitting the array again after
/// a preemption redoes only what is not done.
pub fn write_slurm(dataset: &Path, opts: &SlurmOptions) -> Result<SlurmFiles> {
    let projects = list_projects(dataset)?;
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let todo: Vec<PathBuf> = projects
        .iter()
        .filter(|p| !is_done(p))
        .map(|p| abs(p))
        .collect();
    let jobs = dataset.join("jobs");
    std::fs::create_dir_all(&jobs).map_err(|e| DatasetError::io(&jobs, e))?;
    let list = jobs.join("tasks.txt");
    let mut text = String::new();
    for p in &todo {
        text.push_str(&p.display().to_string());
        text.push('\n');
    }
    write_atomic(&list, &text)?;
    let k = opts.array_size.max(1).min(todo.len().max(1));
    let v = opts.synth.vsynth as u8;
    let vsynth_check = if opts.synth.vsynth {
        " && [ -f vivado_synth.rpt ]"
    } else {
        ""
    };
    let build_opt = if opts.synth.tool == Tool::VitisHls {
        format!(
            "cat > build_opt.tcl <<'EOF'\n{}EOF\n",
            build_opt_tcl(opts.synth.vsynth)
        )
    } else {
        String::new()
    };
    let task = format!(
        r#"#!/bin/sh
# Synthesise one hls4ml project (written by presynth dataset jobs). Skips a project that is
# done; writes .presynth/done only after the reports exist (atomic rename), so a preempted run
# leaves no marker and is redone on resubmission. vsynth={v}
set -u
prj="$1"
cd "$prj" || exit 1
[ -f {MARKER_DIR}/{DONE} ] && exit 0
mkdir -p {MARKER_DIR}
rm -f {MARKER_DIR}/{FAILED}
name=$(sed -n 's/^set project_name "\(.*\)"/\1/p' project.tcl 2>/dev/null | head -n 1)
[ -n "$name" ] || name=myproject
{build_opt}{cmd} > {MARKER_DIR}/{LOG} 2>&1
rc=$?
if [ -f "${{name}}_prj/solution1/syn/report/${{name}}_csynth.xml" ]{vsynth_check}; then
    printf '%s\nexit status %s\n' {tool} "$rc" > {MARKER_DIR}/{DONE}.tmp && mv {MARKER_DIR}/{DONE}.tmp {MARKER_DIR}/{DONE}
else
    {{ printf '%s exit status %s; no reports; log tail:\n' {tool} "$rc"; tail -n 5 {MARKER_DIR}/{LOG}; }} > {MARKER_DIR}/{FAILED}.tmp && mv {MARKER_DIR}/{FAILED}.tmp {MARKER_DIR}/{FAILED}
fi
exit 0
"#,
        cmd = shell_command(&opts.synth),
        tool = opts.synth.tool.command(),
    );
    let task_script = jobs.join("run_task.sh");
    write_atomic(&task_script, &task)?;
    set_executable(&task_script)?;
    let sbatch = format!(
        r#"#!/bin/bash
#SBATCH --job-name=presynth-synth
#SBATCH --array=0-{last}
#SBATCH --time={time}
#SBATCH --cpus-per-task=1
#SBATCH --requeue
#SBATCH --output={jobs_dir}/slurm-%A_%a.out
# Written by presynth dataset jobs: {n} projects over {k} array tasks. Each task takes every
# {k}-th line of tasks.txt starting at its index and skips projects already done, so
# resubmitting this script after a preemption or timeout loses nothing.
tasks="{list}"
i=0
while IFS= read -r prj; do
    if [ $((i % {k})) -eq "$SLURM_ARRAY_TASK_ID" ]; then
        "{task}" "$prj"
    fi
    i=$((i + 1))
done < "$tasks"
"#,
        last = k - 1,
        time = opts.time,
        jobs_dir = abs(&jobs).display(),
        n = todo.len(),
        list = abs(&list).display(),
        task = abs(&task_script).display(),
    );
    let script = jobs.join("synth.sbatch");
    write_atomic(&script, &sbatch)?;
    set_executable(&script)?;
    Ok(SlurmFiles {
        script,
        task_script,
        task_list: list,
        tasks: todo.len(),
        skipped_done: projects.len() - todo.len(),
        array_size: k,
    })
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| DatasetError::io(path, e))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> Result<()> {
    Ok(())
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
        };
        assert_eq!(
            shell_command(&viv),
            "vivado_hls -f build_prj.tcl \"reset=1 csim=0 synth=1 cosim=0 validation=0 export=1 vsynth=1\""
        );
        let vit = SynthOptions {
            tool: Tool::VitisHls,
            vsynth: false,
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
