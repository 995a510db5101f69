//! Slurm job arrays over a dataset (`dataset jobs`): the scripts, the validation and quoting of
//! everything written into them, the cluster's limits (`scontrol show config`), the queue
//! (`squeue`) and submission (`sbatch`).
//!
//! `DIR/jobs/tasks.txt` lists the ids of the projects not done yet. Array task `i` (of `K`)
//! runs `presynth dataset task DIR --task i --tasks K`, which synthesises lines `i, i+K, ...` of
//! the list one after the other through [`crate::synth::run_task`]: each project under its lock,
//! done only when the tool exited 0 and the reports parse, one log line per project, exit 1 when
//! any failed (Slurm shows FAILED). More tasks than the cluster's `MaxArraySize` are split
//! into several arrays (`synth.sbatch`, `synth.1.sbatch`, ...), each with its task offset.
//! Every array of one dataset has the same job name (`presynth-<hash of the dataset path>`),
//! which is how `squeue` finds the arrays still queued or running for it.

use crate::error::{DatasetError, Result};
use crate::fsutil::write_atomic;
use crate::synth::{is_done, list_projects, SynthOptions, JOBS_DIR, TASK_LIST};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Slurm's default `MaxArraySize`, used when `scontrol` cannot tell.
pub const DEFAULT_MAX_ARRAY_SIZE: usize = 1001;

/// Options of the Slurm job array.
#[derive(Debug, Clone)]
pub struct SlurmOptions {
    pub synth: SynthOptions,
    /// Number of array tasks wanted; each takes every K-th project of the task list.
    pub array_size: usize,
    /// The cluster's `MaxArraySize`: an array's task ids must stay below it.
    pub max_array_size: usize,
    /// `--time` per array task, in one of Slurm's formats (see [`check_time`]).
    pub time: String,
    pub partition: Option<String>,
    pub account: Option<String>,
    pub qos: Option<String>,
    /// `--mem`, e.g. `16G`.
    pub mem: Option<String>,
    pub cpus_per_task: usize,
    /// `module load NAME` before the tool, in order.
    pub modules: Vec<String>,
    /// A shell file sourced before the tool runs.
    pub setup: Option<PathBuf>,
    /// More `#SBATCH` options, each one option (`--gres=...`).
    pub sbatch_args: Vec<String>,
    /// The presynth binary the tasks run (must be reachable from the compute nodes).
    pub presynth: PathBuf,
}

/// One `sbatch` script: array tasks `first_task .. first_task + count` of the whole job.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ArrayChunk {
    pub script: PathBuf,
    pub first_task: usize,
    pub count: usize,
}

/// What [`write_slurm`] wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SlurmFiles {
    /// The first (often the only) array script.
    pub script: PathBuf,
    pub chunks: Vec<ArrayChunk>,
    pub task_list: PathBuf,
    /// Projects listed (not done yet).
    pub tasks: usize,
    pub skipped_done: usize,
    /// Array tasks in all.
    pub array_size: usize,
    pub max_array_size: usize,
    /// The job name of every array of this dataset.
    pub job_name: String,
}

fn invalid(option: &str, value: &str, expected: &str) -> DatasetError {
    DatasetError::Invalid(format!("{option} {value:?}: expected {expected}"))
}

/// Check a time limit against the formats `sbatch --time` accepts: `M`, `M:S`, `H:M:S`, `D-H`,
/// `D-H:M`, `D-H:M:S` (decimal numbers) or `INFINITE`/`UNLIMITED`.
pub fn check_time(time: &str) -> Result<()> {
    time_seconds("--time", time).map(|_| ())
}

/// A time in `sbatch --time`'s formats (see [`check_time`]) in seconds; `None` for
/// `INFINITE`/`UNLIMITED`. `option` names the option in the error.
pub fn time_seconds(option: &str, time: &str) -> Result<Option<u64>> {
    let expected = "a Slurm time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, \
                    INFINITE or UNLIMITED (e.g. 2:00:00 for two hours)";
    if matches!(time, "INFINITE" | "UNLIMITED") {
        return Ok(None);
    }
    let num = |s: &str| {
        (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    let fields = |s: &str| -> Option<Vec<u64>> {
        let parts: Vec<Option<u64>> = s.split(':').map(num).collect();
        if (1..=3).contains(&parts.len()) {
            parts.into_iter().collect()
        } else {
            None
        }
    };
    // Slurm: "M", "M:S", "H:M:S"; after "D-": "H", "H:M", "H:M:S".
    let secs = match time.split_once('-') {
        Some((days, rest)) => num(days).zip(fields(rest)).map(|(d, f)| {
            let (h, m, s) = (
                f[0],
                f.get(1).copied().unwrap_or(0),
                f.get(2).copied().unwrap_or(0),
            );
            ((d * 24 + h) * 60 + m) * 60 + s
        }),
        None => fields(time).and_then(|f| match f[..] {
            [m] => Some(m * 60),
            [m, s] => Some(m * 60 + s),
            [h, m, s] => Some((h * 60 + m) * 60 + s),
            _ => None,
        }),
    };
    match secs {
        Some(s) => Ok(Some(s)),
        None => Err(invalid(option, time, expected)),
    }
}

/// Check a partition, account or QoS name (comma lists allowed): letters, digits and `_ . - + @`,
/// not starting with `-`.
pub fn check_name(option: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-+@,".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            option,
            name,
            "a Slurm name (letters, digits, _ . - + @, comma-separated)",
        ))
    }
}

/// Check a `--mem` value: a whole number with an optional unit K, M, G or T.
pub fn check_mem(mem: &str) -> Result<()> {
    let digits = mem.trim_end_matches(['K', 'M', 'G', 'T', 'k', 'm', 'g', 't']);
    let unit_len = mem.len() - digits.len();
    let ok = unit_len <= 1
        && !digits.is_empty()
        && digits.len() <= 15
        && digits.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "--mem",
            mem,
            "a size: a whole number of megabytes, or with a unit K, M, G or T (e.g. 16G)",
        ))
    }
}

/// Check a module name for `module load`: letters, digits and `_ . / - + : @`, not starting
/// with `-`.
pub fn check_module(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./-+:@".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "--module",
            name,
            "a module name (letters, digits, _ . / - + : @), e.g. vitis/2023.1",
        ))
    }
}

/// Options the scripts set themselves (array layout, output file, job name): refused in
/// `--sbatch-arg`, where they would break chunking, logs or the queue check.
const MANAGED: &[&str] = &["--array", "-a", "--output", "-o", "--job-name", "-J"];

/// Check one `--sbatch-arg`: a single option starting with `-`, printable, no newline, and not
/// one of the options the scripts set themselves.
pub fn check_sbatch_arg(arg: &str) -> Result<()> {
    let name = arg.split(['=', ' ']).next().unwrap_or("");
    if MANAGED.contains(&name) {
        return Err(DatasetError::Invalid(format!(
            "--sbatch-arg {arg:?}: {name} is set by presynth itself (array chunks, log files and \
             the job name the queue check uses)"
        )));
    }
    let ok = arg.starts_with('-') && arg.len() > 1 && !arg.chars().any(|c| c.is_control());
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "--sbatch-arg",
            arg,
            "one sbatch option on one line, starting with - (e.g. --gres=gpu:1)",
        ))
    }
}

/// Quote `s` for a POSIX shell: a single-quoted word (`'` written as `'\''`).
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A directory for a double-quoted `#SBATCH` value: sbatch strips the quotes and expands `%`
/// patterns, so `"`, `\`, `%` and control characters are refused.
fn sbatch_dir<'a>(option: &str, p: &'a Path) -> Result<&'a str> {
    let s = p.to_str().ok_or_else(|| {
        DatasetError::Invalid(format!("{}: {option}: the path is not UTF-8", p.display()))
    })?;
    if s.chars()
        .any(|c| c.is_control() || matches!(c, '"' | '\\' | '%'))
    {
        return Err(DatasetError::Invalid(format!(
            "{s:?}: cannot be written as sbatch {option}: the path holds a quote, backslash, % \
             or control character; move the dataset to a plainer path"
        )));
    }
    Ok(s)
}

/// A path for the scripts' shell lines (single-quoted); control characters are refused so that
/// comments and log lines stay one line.
fn shell_path(p: &Path) -> Result<String> {
    let s = p
        .to_str()
        .ok_or_else(|| DatasetError::Invalid(format!("{}: the path is not UTF-8", p.display())))?;
    if s.chars().any(|c| c.is_control()) {
        return Err(DatasetError::Invalid(format!(
            "{s:?}: the path holds a control character (newline?); it cannot go into a job script"
        )));
    }
    Ok(sh_quote(s))
}

impl SlurmOptions {
    /// Validate everything that goes into the scripts.
    pub fn validate(&self) -> Result<()> {
        check_time(&self.time)?;
        for (opt, v) in [
            ("--partition", &self.partition),
            ("--account", &self.account),
            ("--qos", &self.qos),
        ] {
            if let Some(v) = v {
                check_name(opt, v)?;
            }
        }
        if let Some(m) = &self.mem {
            check_mem(m)?;
        }
        if self.cpus_per_task == 0 {
            return Err(DatasetError::Invalid(
                "--cpus-per-task 0: expected at least 1".into(),
            ));
        }
        for m in &self.modules {
            check_module(m)?;
        }
        for a in &self.sbatch_args {
            check_sbatch_arg(a)?;
        }
        if let Some(s) = &self.setup {
            if !s.is_file() {
                return Err(DatasetError::io(
                    s,
                    std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "--setup: expected a shell file to source before the tool",
                    ),
                ));
            }
        }
        if self.max_array_size == 0 {
            return Err(DatasetError::Invalid(
                "MaxArraySize 0: expected at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// The job name shared by every array of the dataset at `abs` (its absolute path):
/// `presynth-` and 12 hex digits of a stable hash of the path.
pub fn job_name(abs: &Path) -> String {
    let h = crate::rng::stable_hash(&abs.to_string_lossy(), 0x51A7);
    format!("presynth-{:012x}", h & 0xffff_ffff_ffff)
}

/// The dataset's absolute path with symlinks resolved, so that every spelling of it gives the
/// same job name.
pub fn dataset_path(dataset: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(dataset).map_err(|e| DatasetError::io(dataset, e))
}

/// `DIR/jobs/synth.sbatch` for the first array, `synth.<c>.sbatch` for chunk `c` > 0.
fn chunk_script(jobs: &Path, c: usize) -> PathBuf {
    if c == 0 {
        jobs.join("synth.sbatch")
    } else {
        jobs.join(format!("synth.{c}.sbatch"))
    }
}

/// Split `tasks` array tasks into arrays of at most `max` tasks: `(first task, count)` each.
pub fn chunks(tasks: usize, max: usize) -> Vec<(usize, usize)> {
    let max = max.max(1);
    (0..tasks.div_ceil(max))
        .map(|c| (c * max, max.min(tasks - c * max)))
        .collect()
}

/// `dataset jobs --scheduler slurm`: write `jobs/tasks.txt` (the ids of the not-done projects)
/// and the array scripts (see the module doc). Submitting them again after a preemption, a
/// cancellation or a failure redoes only what is not done.
pub fn write_slurm(dataset: &Path, opts: &SlurmOptions) -> Result<SlurmFiles> {
    opts.validate()?;
    let abs = dataset_path(dataset)?;
    let projects = list_projects(&abs)?;
    let mut todo = Vec::new();
    for p in projects.iter().filter(|p| !is_done(p)) {
        let id = p.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
            DatasetError::Invalid(format!("{}: the name is not UTF-8", p.display()))
        })?;
        crate::record::check_project_id(id).map_err(|message| DatasetError::Report {
            path: p.clone(),
            field: "project directory".into(),
            message,
        })?;
        todo.push(id.to_string());
    }
    let jobs = abs.join(JOBS_DIR);
    std::fs::create_dir_all(&jobs).map_err(|e| DatasetError::io(&jobs, e))?;
    let output = format!("\"{}/slurm-%A_%a.out\"", sbatch_dir("--output", &jobs)?);
    let ds_q = shell_path(&abs)?;
    let presynth_q = shell_path(&opts.presynth)?;
    let setup_q = match &opts.setup {
        Some(s) => Some((
            shell_path(&std::path::absolute(s).map_err(|e| DatasetError::io(s, e))?)?,
            s.display().to_string(),
        )),
        None => None,
    };
    let list = jobs.join(TASK_LIST);
    let text: String = todo.iter().map(|id| format!("{id}\n")).collect();
    write_atomic(&list, text.as_bytes())?;

    let k = opts.array_size.max(1).min(todo.len().max(1));
    let name = job_name(&abs);
    let parts = chunks(k, opts.max_array_size);
    let mut header = vec![
        format!("--job-name={name}"),
        String::new(), // --array, per chunk
        format!("--time={}", opts.time),
        format!("--cpus-per-task={}", opts.cpus_per_task),
        "--requeue".to_string(),
        format!("--output={output}"),
    ];
    for (opt, v) in [
        ("partition", &opts.partition),
        ("account", &opts.account),
        ("qos", &opts.qos),
        ("mem", &opts.mem),
    ] {
        if let Some(v) = v {
            header.push(format!("--{opt}={v}"));
        }
    }
    header.extend(opts.sbatch_args.iter().cloned());
    let mut prelude = String::new();
    for m in &opts.modules {
        prelude.push_str(&format!(
            "module load {q} || {{ echo \"presynth: module load {m} failed\" >&2; exit 1; }}\n",
            q = sh_quote(m)
        ));
    }
    if let Some((q, shown)) = &setup_q {
        prelude.push_str(&format!(
            ". {q} || {{ echo {msg} >&2; exit 1; }}\n",
            msg = sh_quote(&format!("presynth: sourcing {shown} failed"))
        ));
    }
    let vsynth = if opts.synth.vsynth { " --vsynth" } else { "" };
    // The per-project limit travels to each task as H:MM:SS (digits and colons only).
    let timeout = opts.synth.timeout.map_or(String::new(), |d| {
        let s = d.as_secs();
        format!(" --timeout {}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    });
    let mut out = Vec::new();
    for (c, &(first, count)) in parts.iter().enumerate() {
        header[1] = format!("--array=0-{}", count - 1);
        let sbatch_lines: String = header.iter().map(|h| format!("#SBATCH {h}\n")).collect();
        let script = format!(
            "#!/bin/bash\n{sbatch_lines}\
# Written by presynth dataset jobs: {n} projects over {k} array tasks; this array runs tasks\n\
# {first}..{last} (array {cn} of {cc}). Task i synthesises lines i, i+{k}, ... of\n\
# jobs/tasks.txt one after the other, each under its project's lock (a project being\n\
# synthesised by another task or array is left to it), writes one line per project to its\n\
# output file, and exits 1 when any of its projects failed. Resubmitting redoes only what is\n\
# not done: see the restart procedure in `presynth dataset jobs --help`.\n\
if [ -z \"${{SLURM_ARRAY_TASK_ID:-}}\" ]; then\n    \
echo 'presynth: submit this script with sbatch (SLURM_ARRAY_TASK_ID is not set)' >&2\n    exit 2\nfi\n\
{prelude}\
exec {presynth_q} dataset task {ds_q} --task \"$(({first} + SLURM_ARRAY_TASK_ID))\" --tasks {k} \
--tool {tool}{vsynth}{timeout} < /dev/null\n",
            n = todo.len(),
            last = first + count - 1,
            cn = c + 1,
            cc = parts.len(),
            tool = opts.synth.tool.command(),
        );
        let path = chunk_script(&jobs, c);
        write_atomic(&path, script.as_bytes())?;
        set_executable(&path)?;
        out.push(ArrayChunk {
            script: path,
            first_task: first,
            count,
        });
    }
    // Scripts of an earlier, larger split would submit stale arrays: remove them.
    let mut c = parts.len();
    while chunk_script(&jobs, c.max(1)).exists() {
        let _ = std::fs::remove_file(chunk_script(&jobs, c.max(1)));
        c += 1;
    }
    Ok(SlurmFiles {
        script: out[0].script.clone(),
        chunks: out,
        task_list: list,
        tasks: todo.len(),
        skipped_done: projects.len() - todo.len(),
        array_size: k,
        max_array_size: opts.max_array_size,
        job_name: name,
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

/// Run a scheduler command; `Ok(None)` when it is not installed.
fn run_cmd(cmd: &str, args: &[&str]) -> Result<Option<String>> {
    let out = match Command::new(cmd).args(args).output() {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(DatasetError::Scheduler {
                command: cmd.into(),
                message: e.to_string(),
            })
        }
    };
    if !out.status.success() {
        // Slurm's clients explain themselves in their last line (`squeue: fatal: ...`).
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(DatasetError::Scheduler {
            command: format!("{cmd} {}", args.join(" ")),
            message: format!("{} ({})", last.trim(), out.status),
        });
    }
    Ok(Some(String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// `MaxArraySize` from the text of `scontrol show config`.
pub fn parse_max_array_size(config: &str) -> Option<usize> {
    config.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "MaxArraySize")
            .then(|| v.trim().parse().ok())
            .flatten()
    })
}

/// The cluster's `MaxArraySize` from `scontrol show config`; `None` when scontrol is missing or
/// cannot reach the controller.
pub fn query_max_array_size() -> Option<usize> {
    run_cmd("scontrol", &["show", "config"])
        .ok()
        .flatten()
        .and_then(|t| parse_max_array_size(&t))
}

/// One line of `squeue --format=%i|%T`: a job or a pending array range (`12_[3-7]`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueuedJob {
    pub id: String,
    pub state: String,
    /// Array tasks the line stands for (a pending range counts each task).
    pub tasks: usize,
}

/// The number of tasks an squeue job id stands for: `12_[0-99%10]` is 100, `12_[1,4-5]` is 3,
/// `12_7` or `12` is 1.
fn tasks_in(id: &str) -> usize {
    let Some(inner) = id.split_once("_[").and_then(|(_, r)| r.strip_suffix(']')) else {
        return 1;
    };
    let inner = inner.split('%').next().unwrap_or("");
    inner
        .split(',')
        .map(|part| match part.split_once('-') {
            Some((a, b)) => match (a.parse::<usize>(), b.parse::<usize>()) {
                (Ok(a), Ok(b)) if b >= a => b - a + 1,
                _ => 1,
            },
            None => 1,
        })
        .sum()
}

/// Parse `squeue --noheader --format=%i|%T`.
pub fn parse_squeue(text: &str) -> Vec<QueuedJob> {
    text.lines()
        .filter_map(|l| {
            let (id, state) = l.trim().split_once('|')?;
            Some(QueuedJob {
                id: id.to_string(),
                state: state.to_string(),
                tasks: tasks_in(id),
            })
        })
        .collect()
}

/// The jobs queued or running under `job_name`; `Ok(None)` when squeue is not installed.
pub fn queued_jobs(job_name: &str) -> Result<Option<Vec<QueuedJob>>> {
    let name = format!("--name={job_name}");
    Ok(run_cmd("squeue", &["--noheader", &name, "--format=%i|%T"])?.map(|t| parse_squeue(&t)))
}

/// The refusal to write or submit while arrays of this dataset (`jobs`, from [`queued_jobs`])
/// are still queued or running: a second array would only wait on the first one's locks, and
/// rewriting the task list would hand the pending tasks other projects.
pub fn still_queued(job_name: &str, dataset: &Path, jobs: &[QueuedJob]) -> DatasetError {
    let list: Vec<String> = jobs
        .iter()
        .take(5)
        .map(|j| format!("{} {}", j.id, j.state))
        .collect();
    DatasetError::Scheduler {
        command: "squeue".into(),
        message: format!(
            "an array for {} is still queued or running ({}{}; job name {job_name}): wait for \
             it to end, or `scancel --name={job_name}`, then run `presynth dataset jobs` again",
            dataset.display(),
            list.join(", "),
            if jobs.len() > 5 { ", ..." } else { "" }
        ),
    }
}

/// Submit every array of `files` with `sbatch --parsable`; returns the job ids.
pub fn submit(files: &SlurmFiles) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for c in &files.chunks {
        let script = c.script.to_string_lossy();
        let out = run_cmd("sbatch", &["--parsable", &script])?.ok_or_else(|| {
            DatasetError::Scheduler {
                command: "sbatch".into(),
                message: "not found on PATH (is this a Slurm login node?)".into(),
            }
        })?;
        let id = out.trim().split(';').next().unwrap_or("").to_string();
        ids.push(id);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Tool;

    #[test]
    fn times_convert_to_seconds_as_sbatch_reads_them() {
        // sbatch(1): "minutes", "minutes:seconds", "hours:minutes:seconds", "days-hours",
        // "days-hours:minutes" and "days-hours:minutes:seconds".
        for (t, secs) in [
            ("30", Some(1800)),
            ("30:15", Some(1815)),
            ("2:00:00", Some(7200)),
            ("1-0", Some(86_400)),
            ("1-12", Some(129_600)),
            ("1-12:30", Some(131_400)),
            ("1-12:30:05", Some(131_405)),
            ("UNLIMITED", None),
        ] {
            assert_eq!(time_seconds("--timeout", t).unwrap(), secs, "{t}");
        }
        let e = time_seconds("--timeout", "2h").unwrap_err().to_string();
        assert!(e.contains("--timeout \"2h\": expected a Slurm time"), "{e}");
    }

    #[test]
    fn time_accepts_slurms_formats_only() {
        // The formats of `sbatch --time` (sbatch(1)).
        for t in [
            "30",
            "30:00",
            "2:00:00",
            "1-0",
            "1-12",
            "1-12:30",
            "1-12:30:00",
            "INFINITE",
            "UNLIMITED",
            "0",
        ] {
            assert!(check_time(t).is_ok(), "{t}");
        }
        for t in [
            "2 hours",
            "2h",
            "",
            "1:00:00\necho X",
            "1:2:3:4",
            "-1",
            "1-",
            "1-2:3:4:5",
            "1:00:00;id",
            "$(id)",
        ] {
            let e = check_time(t).unwrap_err().to_string();
            assert!(e.contains("--time") && e.contains("HH:MM:SS"), "{e}");
        }
    }

    #[test]
    fn names_mem_modules_and_sbatch_args_are_checked() {
        assert!(check_name("--partition", "gpu,cpu").is_ok());
        assert!(check_name("--account", "proj-42_x").is_ok());
        for bad in ["", "a b", "x\ny", "-x", "a;b", "$(id)"] {
            assert!(check_name("--qos", bad).is_err(), "{bad:?}");
        }
        for ok in ["16G", "4000", "512m"] {
            assert!(check_mem(ok).is_ok(), "{ok}");
        }
        for bad in ["", "G", "16GB", "1.5G", "16G\n"] {
            assert!(check_mem(bad).is_err(), "{bad:?}");
        }
        assert!(check_module("vitis/2023.1").is_ok());
        for bad in ["", "vitis 2023", "x;rm", "-f", "a\nb"] {
            assert!(check_module(bad).is_err(), "{bad:?}");
        }
        assert!(check_sbatch_arg("--gres=gpu:1").is_ok());
        assert!(check_sbatch_arg("--constraint=\"a|b\"").is_ok());
        for bad in [
            "gres=x",
            "--x\necho y",
            "--array=0-3",
            "-J x",
            "--output=/tmp/x",
        ] {
            assert!(check_sbatch_arg(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn shell_quoting_survives_hostile_text() {
        // Checked by running the quoted word through sh: it prints the text back unchanged.
        for s in ["a b", "it's", "$(echo pwned)", "`id`", "x\"y", "; rm -rf /"] {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", sh_quote(s)))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), s);
        }
    }

    #[test]
    fn chunks_respect_max_array_size() {
        // 1100 tasks with MaxArraySize 1001 (Slurm's default: ids 0..=1000): 1001 + 99.
        assert_eq!(chunks(1100, 1001), vec![(0, 1001), (1001, 99)]);
        assert_eq!(chunks(8, 1001), vec![(0, 8)]);
        assert_eq!(chunks(10, 4), vec![(0, 4), (4, 4), (8, 2)]);
    }

    #[test]
    fn max_array_size_and_queue_are_parsed() {
        let cfg = "MaxArraySize            = 1001\nMaxJobCount             = 10000\n";
        assert_eq!(parse_max_array_size(cfg), Some(1001));
        assert_eq!(parse_max_array_size("MaxJobCount = 3\n"), None);
        let q = parse_squeue("12_[3-7%2]|PENDING\n12_1|RUNNING\n13|PENDING\n14_[1,4-5]|PENDING\n");
        assert_eq!(
            q.iter().map(|j| j.tasks).collect::<Vec<_>>(),
            vec![5, 1, 1, 3]
        );
        assert_eq!(q[1].state, "RUNNING");
    }

    fn opts(dir: &Path) -> SlurmOptions {
        SlurmOptions {
            synth: SynthOptions {
                tool: Tool::VitisHls,
                vsynth: false,
                timeout: Some(std::time::Duration::from_secs(5400)),
            },
            array_size: 2000,
            max_array_size: 1001,
            time: "1:00:00".into(),
            partition: Some("batch".into()),
            account: None,
            qos: None,
            mem: Some("8G".into()),
            cpus_per_task: 2,
            modules: vec!["vitis/2023.1".into()],
            setup: None,
            sbatch_args: vec!["--gres=none".into()],
            presynth: dir.join("bin dir/presynth"),
        }
    }

    fn dataset(n: usize, root: &Path) -> PathBuf {
        let ds = root.join("my data set");
        for i in 0..n {
            let p = ds.join("projects").join(format!("p{i:04}"));
            std::fs::create_dir_all(&p).unwrap();
            std::fs::write(p.join("build_prj.tcl"), "").unwrap();
        }
        ds
    }

    #[test]
    fn arrays_beyond_max_array_size_are_chunked_with_offsets() {
        let d = tempfile::tempdir().unwrap();
        let ds = dataset(1100, d.path());
        let f = write_slurm(&ds, &opts(d.path())).unwrap();
        assert_eq!((f.tasks, f.array_size, f.chunks.len()), (1100, 1100, 2));
        let s0 = std::fs::read_to_string(&f.chunks[0].script).unwrap();
        let s1 = std::fs::read_to_string(&f.chunks[1].script).unwrap();
        assert!(s0.contains("#SBATCH --array=0-1000\n"), "{s0}");
        assert!(s1.contains("#SBATCH --array=0-98\n"), "{s1}");
        assert!(s1.contains("--task \"$((1001 + SLURM_ARRAY_TASK_ID))\" --tasks 1100"));
        // A later, smaller split removes the second script.
        let mut o = opts(d.path());
        o.array_size = 10;
        let f = write_slurm(&ds, &o).unwrap();
        assert_eq!(f.chunks.len(), 1);
        assert!(!ds.join("jobs/synth.1.sbatch").exists());
    }

    #[test]
    fn scripts_quote_paths_with_spaces_and_carry_the_site_options() {
        let d = tempfile::tempdir().unwrap();
        let ds = dataset(3, d.path());
        let setup = d.path().join("site setup.sh");
        std::fs::write(&setup, "export X=1\n").unwrap();
        let mut o = opts(d.path());
        o.setup = Some(setup.clone());
        let f = write_slurm(&ds, &o).unwrap();
        let s = std::fs::read_to_string(&f.script).unwrap();
        let abs = std::fs::canonicalize(&ds).unwrap();
        let jobs = abs.join("jobs");
        assert!(
            s.contains(&format!(
                "#SBATCH --output=\"{}/slurm-%A_%a.out\"\n",
                jobs.display()
            )),
            "{s}"
        );
        for line in [
            "#SBATCH --partition=batch\n",
            "#SBATCH --mem=8G\n",
            "#SBATCH --cpus-per-task=2\n",
            "#SBATCH --gres=none\n",
            "#SBATCH --time=1:00:00\n",
            "module load 'vitis/2023.1' ||",
        ] {
            assert!(s.contains(line), "{line:?} missing:\n{s}");
        }
        assert!(s.contains(&format!(". {} ||", sh_quote(setup.to_str().unwrap()))));
        assert!(s.contains(&format!(
            "exec {} dataset task {} ",
            sh_quote(d.path().join("bin dir/presynth").to_str().unwrap()),
            sh_quote(abs.to_str().unwrap())
        )));
        // The per-project limit (5400 s in the options) reaches each task.
        assert!(
            s.contains("--tool vitis_hls --timeout 1:30:00 < /dev/null\n"),
            "{s}"
        );
        // bash reads the script without a syntax error.
        let st = Command::new("bash")
            .arg("-n")
            .arg(&f.script)
            .status()
            .unwrap();
        assert!(st.success());
    }

    #[test]
    fn hostile_values_never_reach_a_script() {
        let d = tempfile::tempdir().unwrap();
        let ds = dataset(1, d.path());
        let mut o = opts(d.path());
        o.time = "1:00:00\necho X".into();
        assert!(write_slurm(&ds, &o).is_err());
        assert!(!ds.join("jobs/synth.sbatch").exists());
        let mut o = opts(d.path());
        o.modules = vec!["x; rm -rf ~".into()];
        assert!(write_slurm(&ds, &o).is_err());
        let mut o = opts(d.path());
        o.sbatch_args = vec!["--comment=x\nrm -rf ~".into()];
        assert!(write_slurm(&ds, &o).is_err());
        let bad = d.path().join("50%");
        std::fs::create_dir_all(bad.join("projects/p")).unwrap();
        std::fs::write(bad.join("projects/p/build_prj.tcl"), "").unwrap();
        let e = write_slurm(&bad, &opts(d.path())).unwrap_err().to_string();
        assert!(e.contains("--output"), "{e}");
    }

    #[test]
    fn job_name_is_stable_per_dataset() {
        let a = job_name(Path::new("/data/ds"));
        assert_eq!(a, job_name(Path::new("/data/ds")));
        assert_ne!(a, job_name(Path::new("/data/ds2")));
        assert!(a.starts_with("presynth-") && a.len() == "presynth-".len() + 12);
    }
}
