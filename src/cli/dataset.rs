//! `presynth dataset <generate|jobs|task|status|run|ingest|split|export|stats>`: batch synthesis
//! datasets (dataset-tools) — generate random architectures with wa-hls4ml's distributions and
//! emit their hls4ml projects (hls-codegen), run synthesis (Slurm job arrays, whose tasks run
//! `dataset task`, or locally) and follow it (`dataset status`), ingest
//! reports / wa-hls4ml JSON / CSV exports into canonical JSONL records, split by architecture,
//! export flat CSV, and summarise.

use super::common::{table, Format};
use anyhow::{bail, Context};
use dataset_tools::emit::{emit_projects, EmitJob};
use dataset_tools::generate::{generate_dir, FamilyChoice, GenConfig};
use dataset_tools::slurm::{self, write_slurm, SlurmOptions};
use dataset_tools::synth::{run_local, run_task, SynthOptions, Tool};
use dataset_tools::{jsonl, progress, DatasetError};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example (a round trip):\n  presynth dataset generate --count 300 --seed 1 --family mixed --out ds --emit-projects\n  \
presynth dataset run ds --jobs 8                 # or: presynth dataset jobs ds --scheduler slurm\n  \
presynth dataset ingest ds -o labelled\n  \
presynth dataset split labelled --by architecture --ratios 0.8,0.1,0.1 --seed 1\n  \
presynth dataset export labelled --format csv -o labelled.csv\n  \
presynth dataset stats labelled"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// Random architectures + HLS settings (wa-hls4ml distributions) as a JSONL manifest
    Generate(GenerateArgs),
    /// Write (and with --submit, submit) Slurm job arrays that synthesise every project
    Jobs(JobsArgs),
    /// Run one Slurm array task (what the scripts of `dataset jobs` call)
    Task(TaskArgs),
    /// Done / failed / running / missing projects, and the dataset's arrays in the Slurm queue
    Status(StatusArgs),
    /// Synthesise every project on this machine, J at a time
    Run(RunArgs),
    /// Turn synthesis results into canonical records (project trees, wa-hls4ml JSON, CSV)
    Ingest(IngestArgs),
    /// Split records by architecture (never by row)
    Split(SplitArgs),
    /// Export records as flat CSV
    Export(ExportArgs),
    /// Counts, label ranges, failures and SVG histograms
    Stats(StatsArgs),
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth dataset generate --count 680000 --seed 1 --family mixed --out ds\n  \
presynth dataset generate --count 200 --seed 7 --family dense --out ds --emit-projects\n  \
presynth dataset generate --count 1000 --config dist.yaml --out ds\n\n\
The same seed and options give byte-identical records.jsonl on any number of cores.\n\
--config takes YAML or TOML with any of the fields of generate.yaml (written into every dataset)."
)]
pub struct GenerateArgs {
    /// Number of models (records)
    #[arg(long)]
    pub count: u64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// dense, conv1d, conv2d or mixed (overrides the config file)
    #[arg(long)]
    pub family: Option<String>,
    /// Output dataset directory (written atomically; must not exist or be empty)
    #[arg(short, long)]
    pub out: PathBuf,
    /// Distributions file (YAML or TOML)
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// FPGA part (overrides the config file)
    #[arg(long)]
    pub part: Option<String>,
    /// Also write one hls4ml project per record into OUT/projects/<id>/
    #[arg(long)]
    pub emit_projects: bool,
    /// hls4ml package or templates directory (for --emit-projects)
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// How template files get into each project: copy, hardlink or symlink
    #[arg(long, default_value = "hardlink")]
    pub link: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheduler {
    Slurm,
}

#[derive(clap::Args, Debug)]
#[command(after_help = JOBS_HELP)]
pub struct JobsArgs {
    /// Dataset directory (with projects/)
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Scheduler::Slurm)]
    pub scheduler: Scheduler,
    /// vitis_hls or vivado_hls
    #[arg(long, default_value = "vitis_hls")]
    pub tool: String,
    /// Number of array tasks (split into several arrays beyond the cluster's MaxArraySize)
    #[arg(long, default_value_t = 100)]
    pub array_size: usize,
    /// The cluster's MaxArraySize [default: from `scontrol show config`, else 1001]
    #[arg(long)]
    pub max_array_size: Option<usize>,
    /// Time limit per array task: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS
    #[arg(long, default_value = "2:00:00")]
    pub time: String,
    /// Slurm partition(s)
    #[arg(long)]
    pub partition: Option<String>,
    /// Slurm account to charge
    #[arg(long)]
    pub account: Option<String>,
    /// Slurm quality of service
    #[arg(long)]
    pub qos: Option<String>,
    /// Memory per task, e.g. 16G
    #[arg(long)]
    pub mem: Option<String>,
    /// CPUs per array task
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: usize,
    /// `module load NAME` before the tool (repeatable, in order)
    #[arg(long = "module", value_name = "NAME")]
    pub modules: Vec<String>,
    /// Shell file sourced before the tool (e.g. Vitis's settings64.sh)
    #[arg(long, value_name = "FILE")]
    pub setup: Option<PathBuf>,
    /// Any other sbatch option, one per use, e.g. --sbatch-arg=--constraint=avx2
    #[arg(long = "sbatch-arg", value_name = "OPTION", allow_hyphen_values = true)]
    pub sbatch_args: Vec<String>,
    /// Submit the arrays with sbatch (refused while an array of this dataset is queued or running)
    #[arg(long)]
    pub submit: bool,
    /// Also run Vivado logic synthesis (vivado_synth.rpt)
    #[arg(long)]
    pub vsynth: bool,
    /// Time limit per project's synthesis (Slurm's formats: MM, HH:MM:SS, D-HH...); a run past
    /// it is stopped and the project recorded as timed out (retried by the next run)
    #[arg(long, value_name = "TIME")]
    pub timeout: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

const JOBS_HELP: &str = "Examples:
  presynth dataset jobs ds --tool vitis_hls --array-size 500 --time 4:00:00 \\
      --partition batch --mem 16G --module vitis/2023.1 --submit
  presynth dataset status ds

Each array task runs `presynth dataset task` (this binary, by its absolute path: it must be
reachable from the compute nodes) over every K-th project of ds/jobs/tasks.txt. A project is
done (.presynth/done) only when the tool exited 0 and its reports parse; it runs under a lock
(.presynth/lock), so two arrays, or a requeued task and a resubmission, never synthesise it
twice; the tool's stdin is /dev/null. A task whose project failed exits 1 (Slurm: FAILED) and
names it in jobs/slurm-<job>_<task>.out, one line per project.

Restart procedure (after a preemption, a timeout, scancel, failures or a node crash):
  1. presynth dataset status ds        # done / failed / running / missing, and the queue
  2. wait until no array of ds is queued or running (or: scancel --name=<job name> it shows)
  3. presynth dataset jobs ds ... --submit
     lists only the projects not done (failed ones are retried) and submits them; it refuses
     while an array of ds is still in the queue. A project killed mid-run has no done marker
     and is redone; its lock died with its process, so nothing is ever stuck.";

#[derive(clap::Args, Debug)]
pub struct TaskArgs {
    /// Dataset directory (with projects/ and jobs/tasks.txt)
    pub dir: PathBuf,
    /// This task's index (0-based)
    #[arg(long)]
    pub task: usize,
    /// Number of tasks the task list is spread over
    #[arg(long)]
    pub tasks: usize,
    /// vitis_hls or vivado_hls
    #[arg(long, default_value = "vitis_hls")]
    pub tool: String,
    /// Also run Vivado logic synthesis
    #[arg(long)]
    pub vsynth: bool,
    /// Time limit per project's synthesis (Slurm's formats: MM, HH:MM:SS, D-HH...); a run past
    /// it is stopped and the project recorded as timed out (retried by the next run)
    #[arg(long, value_name = "TIME")]
    pub timeout: Option<String>,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  presynth dataset status ds\n  \
presynth dataset status ds --format json\n\n\
running = the project's lock is held now; the queue columns come from squeue (when installed).")]
pub struct StatusArgs {
    /// Dataset directory (with projects/)
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  presynth dataset run ds --jobs 8\n  \
presynth dataset run ds --jobs 4 --tool vivado_hls --vsynth\n\n\
Projects already done are skipped, so an interrupted run can simply be started again.")]
pub struct RunArgs {
    /// Dataset directory (with projects/)
    pub dir: PathBuf,
    /// Projects synthesised at the same time
    #[arg(long, short, default_value_t = 1)]
    pub jobs: usize,
    /// vitis_hls or vivado_hls (must be on PATH)
    #[arg(long, default_value = "vitis_hls")]
    pub tool: String,
    /// Also run Vivado logic synthesis
    #[arg(long)]
    pub vsynth: bool,
    /// Time limit per project's synthesis (Slurm's formats: MM, HH:MM:SS, D-HH...); a run past
    /// it is stopped and the project recorded as timed out (retried by the next run)
    #[arg(long, value_name = "TIME")]
    pub timeout: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth dataset ingest ds -o labelled           # a synthesised dataset (records.jsonl + projects/)\n  \
presynth dataset ingest data -o csvdata   # wa-hls4ml CSV exports\n  \
presynth dataset ingest train_2layer_merged.json -o wa   # wa-hls4ml JSON records\n  \
presynth dataset ingest runs/ -o out                # any tree of synthesised hls4ml projects\n\n\
Bad or truncated reports are listed with file and field, counted and skipped (OUT/skipped.txt)."
)]
pub struct IngestArgs {
    /// Sources: dataset directories, project trees, .csv or .json files, or directories of them
    #[arg(required = true)]
    pub sources: Vec<PathBuf>,
    /// Output dataset directory (records.jsonl; written atomically)
    #[arg(short, long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitBy {
    Architecture,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth dataset split ds --by architecture --ratios 0.8,0.1,0.1 --seed 1\n  \
presynth dataset split ds/records.jsonl --ratios 0.9,0.1 -o splits\n\n\
Writes train/val/test.jsonl (train/test for two ratios). Every model of one architecture lands in\n\
the same split, whatever its precision, reuse factor or strategy."
)]
pub struct SplitArgs {
    /// Dataset directory or JSONL file
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = SplitBy::Architecture)]
    pub by: SplitBy,
    #[arg(long, default_value = "0.8,0.1,0.1")]
    pub ratios: String,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output directory (default DIR/splits)
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth dataset export ds --format csv -o ds.csv\n  \
presynth dataset export ds/splits/train.jsonl --format csv > train.csv\n\n\
Missing labels are empty cells. pandas: pd.read_csv('ds.csv')."
)]
pub struct ExportArgs {
    /// Dataset directory or JSONL file
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Output file (default: stdout)
    #[arg(short, long)]
    pub out: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  presynth dataset stats ds\n  \
presynth dataset stats ds --svg plots --format json")]
pub struct StatsArgs {
    /// Dataset directory or JSONL file
    pub dir: PathBuf,
    /// Directory for the SVG histograms (default: DIR/stats when DIR is a directory)
    #[arg(long)]
    pub svg: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Sub::Generate(a) => generate(a),
        Sub::Jobs(a) => jobs(a),
        Sub::Task(a) => task(a),
        Sub::Status(a) => status(a),
        Sub::Run(a) => run_synth(a),
        Sub::Ingest(a) => ingest(a),
        Sub::Split(a) => split(a),
        Sub::Export(a) => export(a),
        Sub::Stats(a) => stats(a),
    }
}

fn interactive(format: Format) -> bool {
    format == Format::Table && std::io::stderr().is_terminal()
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn no_csv(format: Format, cmd: &str) -> anyhow::Result<()> {
    if format == Format::Csv {
        bail!("--format csv is not offered by `dataset {cmd}`; use --format json");
    }
    Ok(())
}

/// Project emission through hls-codegen's batch writer: the one place projects are written.
fn codegen_emitter(
    templates: Option<&Path>,
    link: &str,
) -> anyhow::Result<impl FnMut(Vec<EmitJob>) -> Vec<(PathBuf, String)>> {
    let templates = hls_codegen::Templates::discover(templates)?;
    let link = hls_codegen::LinkMode::parse(link)
        .with_context(|| format!("--link '{link}': expected copy, hardlink or symlink"))?;
    let opts = hls_codegen::EmitOptions {
        project: hls_codegen::ProjectOptions::default(),
        link,
        overwrite: false,
    };
    Ok(move |jobs: Vec<EmitJob>| {
        let batch = jobs.into_iter().map(|j| hls_codegen::BatchJob {
            network: j.network,
            dir: j.dir,
        });
        hls_codegen::emit_batch(batch, &templates, &opts).failed
    })
}

/// Projects hls-codegen could not write, one `id: reason` a line.
const EMIT_FAILURES: &str = "emit-failures.txt";

fn generate(a: GenerateArgs) -> anyhow::Result<()> {
    no_csv(a.format, "generate")?;
    let mut cfg = match &a.config {
        Some(p) => GenConfig::from_path(p)?,
        None => GenConfig::default(),
    };
    if let Some(f) = &a.family {
        cfg.family = f
            .parse::<FamilyChoice>()
            .map_err(|e| anyhow::anyhow!("--family: {e}"))?;
    }
    if let Some(p) = &a.part {
        cfg.part = p.clone();
    }
    cfg.validate()
        .map_err(|e| anyhow::anyhow!("invalid distributions: {e}"))?;
    let show = interactive(a.format);
    let bar = progress::bar(a.count, "records", show);
    let mut emitter = if a.emit_projects {
        Some(codegen_emitter(a.templates.as_deref(), &a.link)?)
    } else {
        None
    };
    let mut emitted = None;
    let mut emit_failed = 0usize;
    let t = Instant::now();
    let summary = generate_dir(
        &cfg,
        a.seed,
        a.count,
        &a.out,
        &|n| bar.set_position(n),
        &mut |tmp| {
            bar.finish_and_clear();
            if let Some(e) = emitter.as_mut() {
                let manifest = tmp.join(jsonl::RECORDS_FILE);
                let s = emit_projects(&manifest, tmp, 256, e, show.then_some(a.count))?;
                if !s.failed.is_empty() {
                    // Keep the dataset; list the projects that could not be written.
                    let text: String = s
                        .failed
                        .iter()
                        .map(|(d, m)| {
                            let id = d
                                .file_name()
                                .map(|n| n.to_string_lossy())
                                .unwrap_or_default();
                            format!("{id}: {m}\n")
                        })
                        .collect();
                    let p = tmp.join(EMIT_FAILURES);
                    std::fs::write(&p, text).map_err(|e| DatasetError::io(&p, e))?;
                    emit_failed = s.failed.len();
                }
                emitted = Some(s.written);
            }
            Ok(())
        },
    )?;
    let total = t.elapsed().as_secs_f64();
    if emit_failed > 0 {
        bail!(
            "wrote {} records to {}, but {emit_failed} of {} projects could not be written \
             (listed with the reason in {})",
            summary.records,
            summary.dir.display(),
            summary.records,
            summary.dir.join(EMIT_FAILURES).display()
        );
    }
    #[derive(serde::Serialize)]
    struct Out {
        dir: String,
        records: u64,
        seed: u64,
        family: FamilyChoice,
        manifest_bytes: u64,
        manifest_seconds: f64,
        projects: Option<u64>,
        total_seconds: f64,
    }
    let out = Out {
        dir: summary.dir.display().to_string(),
        records: summary.records,
        seed: summary.seed,
        family: cfg.family,
        manifest_bytes: summary.manifest_bytes,
        manifest_seconds: summary.manifest_seconds,
        projects: emitted,
        total_seconds: total,
    };
    if a.format == Format::Json {
        return print_json(&out);
    }
    println!(
        "wrote {} records ({:?}, seed {}) to {} in {:.2} s ({:.0} records/s, {:.1} MB){}",
        out.records,
        cfg.family,
        out.seed,
        out.dir,
        out.manifest_seconds,
        out.records as f64 / out.manifest_seconds.max(1e-9),
        out.manifest_bytes as f64 / 1e6,
        match emitted {
            Some(n) => format!(", {n} projects in {total:.2} s total"),
            None => String::new(),
        }
    );
    Ok(())
}

fn synth_opts(tool: &str, vsynth: bool, timeout: Option<&str>) -> anyhow::Result<SynthOptions> {
    let tool: Tool = tool
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--tool: {e}"))?;
    let timeout = match timeout {
        Some(t) => slurm::time_seconds("--timeout", t)?.map(std::time::Duration::from_secs),
        None => None,
    };
    if timeout == Some(std::time::Duration::ZERO) {
        bail!("--timeout 0: expected a positive time limit (or UNLIMITED)");
    }
    Ok(SynthOptions {
        tool,
        vsynth,
        timeout,
    })
}

fn jobs(a: JobsArgs) -> anyhow::Result<()> {
    no_csv(a.format, "jobs")?;
    let Scheduler::Slurm = a.scheduler;
    let abs = slurm::dataset_path(&a.dir)?;
    let name = slurm::job_name(&abs);
    let (max_array_size, max_from) = match a.max_array_size {
        Some(m) => (m, "--max-array-size"),
        None => match slurm::query_max_array_size() {
            Some(m) => (m, "scontrol show config"),
            None => (slurm::DEFAULT_MAX_ARRAY_SIZE, "Slurm's default"),
        },
    };
    let presynth = std::env::current_exe().context("the path of this presynth binary")?;
    let opts = SlurmOptions {
        synth: synth_opts(&a.tool, a.vsynth, a.timeout.as_deref())?,
        array_size: a.array_size,
        max_array_size,
        time: a.time.clone(),
        partition: a.partition.clone(),
        account: a.account.clone(),
        qos: a.qos.clone(),
        mem: a.mem.clone(),
        cpus_per_task: a.cpus_per_task,
        modules: a.modules.clone(),
        setup: a.setup.clone(),
        sbatch_args: a.sbatch_args.clone(),
        presynth,
    };
    opts.validate()?;
    // Rewriting the task list under a queued array would hand its pending tasks other projects.
    match slurm::queued_jobs(&name) {
        Ok(Some(q)) if !q.is_empty() => return Err(slurm::still_queued(&name, &abs, &q).into()),
        Ok(_) => {}
        Err(e) if a.submit => return Err(e).context("cannot check the Slurm queue"),
        Err(e) => eprintln!("warning: cannot check the Slurm queue ({e})"),
    }
    let files = write_slurm(&a.dir, &opts)?;
    let submitted = if a.submit && files.tasks > 0 {
        slurm::submit(&files)?
    } else {
        Vec::new()
    };
    if a.format == Format::Json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            files: &'a slurm::SlurmFiles,
            submitted: &'a [String],
        }
        return print_json(&Out {
            files: &files,
            submitted: &submitted,
        });
    }
    println!(
        "{} projects to synthesise ({} already done) over {} array tasks in {} array(s) \
         (MaxArraySize {max_array_size}, from {max_from}); job name {}\n  task list: {}",
        files.tasks,
        files.skipped_done,
        files.array_size,
        files.chunks.len(),
        files.job_name,
        files.task_list.display()
    );
    for c in &files.chunks {
        println!("  submit: sbatch '{}'", c.script.display());
    }
    if !submitted.is_empty() {
        println!("submitted: job(s) {}", submitted.join(", "));
    }
    Ok(())
}

fn task(a: TaskArgs) -> anyhow::Result<()> {
    let opts = synth_opts(&a.tool, a.vsynth, a.timeout.as_deref())?;
    let mut out = std::io::stdout().lock();
    let s = run_task(&a.dir, a.task, a.tasks, &opts, &mut out)?;
    if !s.failed.is_empty() || !s.timed_out.is_empty() {
        let ids: Vec<&str> = s
            .failed
            .iter()
            .chain(&s.timed_out)
            .map(String::as_str)
            .collect();
        bail!(
            "{} of {} projects of task {} failed and {} timed out: {} (reasons in \
             projects/<id>/.presynth/failed)",
            s.failed.len(),
            s.projects,
            s.task,
            s.timed_out.len(),
            ids.join(", ")
        );
    }
    Ok(())
}

fn status(a: StatusArgs) -> anyhow::Result<()> {
    no_csv(a.format, "status")?;
    let s = dataset_tools::status::status(&a.dir)?;
    let name = slurm::job_name(&slurm::dataset_path(&a.dir)?);
    let (queue, queue_error) = match slurm::queued_jobs(&name) {
        Ok(q) => (q, None),
        Err(e) => (None, Some(e.to_string())),
    };
    let count = |state: &str| {
        queue.as_ref().map(|q| {
            q.iter()
                .filter(|j| j.state == state)
                .map(|j| j.tasks)
                .sum::<usize>()
        })
    };
    let (pending, running) = (count("PENDING"), count("RUNNING"));
    if a.format == Format::Json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            status: &'a dataset_tools::status::Status,
            job_name: String,
            queue: Option<Vec<slurm::QueuedJob>>,
            queue_error: Option<String>,
            tasks_pending: Option<usize>,
            tasks_running: Option<usize>,
        }
        return print_json(&Out {
            status: &s,
            job_name: name,
            queue,
            queue_error,
            tasks_pending: pending,
            tasks_running: running,
        });
    }
    let mut t = table(&["projects", "done", "failed", "running", "missing"]);
    t.add_row(vec![
        s.projects.to_string(),
        s.done.to_string(),
        s.failed.to_string(),
        s.running.to_string(),
        s.missing.to_string(),
    ]);
    println!("{t}");
    if !s.failed_ids.is_empty() {
        let shown: Vec<&str> = s.failed_ids.iter().take(10).map(String::as_str).collect();
        println!(
            "failed: {}{} (reasons in projects/<id>/.presynth/failed)",
            shown.join(", "),
            if s.failed_ids.len() > 10 { ", ..." } else { "" }
        );
    }
    match (&queue, queue_error) {
        (Some(q), _) => println!(
            "Slurm ({name}): {} array task(s) pending, {} running{}",
            pending.unwrap_or(0),
            running.unwrap_or(0),
            if q.is_empty() { "; none queued" } else { "" }
        ),
        (None, Some(e)) => println!("Slurm: cannot read the queue ({e})"),
        (None, None) => println!("Slurm: squeue is not installed here"),
    }
    Ok(())
}

fn run_synth(a: RunArgs) -> anyhow::Result<()> {
    no_csv(a.format, "run")?;
    let opts = synth_opts(&a.tool, a.vsynth, a.timeout.as_deref())?;
    require_tool(opts.tool.command())?;
    let t = Instant::now();
    let s = run_local(&a.dir, &opts, a.jobs, interactive(a.format))?;
    if a.format == Format::Json {
        print_json(&s)?;
        return nothing_synthesised(&s);
    }
    println!(
        "{} projects: {} synthesised, {} failed, {} timed out, {} already done, {} being \
         synthesised by another run ({:.1} s)",
        s.projects,
        s.done,
        s.failed,
        s.timed_out,
        s.already_done,
        s.busy,
        t.elapsed().as_secs_f64()
    );
    nothing_synthesised(&s)
}

/// The synthesis tool must be on PATH before a run starts: otherwise every project would fail
/// the same way, one by one.
fn require_tool(cmd: &str) -> anyhow::Result<()> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(cmd).is_file()))
        .unwrap_or(false);
    if !on_path {
        anyhow::bail!(
            "{cmd} is not on PATH: `dataset run` runs it for every project; make it available \
             first (the tool's settings64.sh, or `module load` on a cluster), or pick the tool \
             with --tool"
        );
    }
    Ok(())
}

/// A run in which projects were tried and none synthesised is a failure (exit status 1), so
/// that scripts and CI notice; the per-project reasons are in `projects/*/.presynth/failed`.
fn nothing_synthesised(s: &dataset_tools::synth::RunSummary) -> anyhow::Result<()> {
    let tried = s.failed + s.timed_out;
    if tried > 0 && s.done == 0 && s.already_done == 0 {
        anyhow::bail!(
            "nothing synthesised: all {tried} projects tried failed ({} timed out; reasons in \
             projects/*/.presynth/failed)",
            s.timed_out
        );
    }
    Ok(())
}

fn ingest(a: IngestArgs) -> anyhow::Result<()> {
    no_csv(a.format, "ingest")?;
    dataset_tools::fsutil::check_free(&a.out)?;
    let t = Instant::now();
    #[derive(serde::Serialize)]
    struct SourceRow {
        source: String,
        records: usize,
        success: usize,
        failed: usize,
        skipped: usize,
    }
    let mut rows = Vec::new();
    let mut skipped_all: Vec<DatasetError> = Vec::new();
    let tmp = dataset_tools::fsutil::TempDir::beside(&a.out)?;
    let mut writer = jsonl::Writer::create(tmp.path().join(jsonl::RECORDS_FILE))?;
    let (mut total, mut success, mut failed) = (0usize, 0usize, 0usize);
    // Each source once (by its resolved path), each record id once: the first source wins.
    let mut seen_sources: Vec<PathBuf> = Vec::new();
    let mut seen_ids: std::collections::HashMap<String, usize> = Default::default();
    for (k, src) in a.sources.iter().enumerate() {
        let canon = std::fs::canonicalize(src).unwrap_or_else(|_| src.clone());
        if seen_sources.contains(&canon) {
            eprintln!("note: {} is listed twice; read once", src.display());
            continue;
        }
        seen_sources.push(canon);
        let (mut n, mut ok, mut bad) = (0usize, 0usize, 0usize);
        let mut dups: Vec<DatasetError> = Vec::new();
        let mut skipped = dataset_tools::ingest::stream_path(src, &mut |r| {
            if let Some(&first) = seen_ids.get(&r.id) {
                dups.push(DatasetError::Report {
                    path: src.clone(),
                    field: "id".into(),
                    message: format!(
                        "duplicate record id '{}' (already read from {}); skipped",
                        r.id,
                        a.sources[first].display()
                    ),
                });
                return Ok(());
            }
            seen_ids.insert(r.id.clone(), k);
            n += 1;
            match r.success {
                Some(true) => ok += 1,
                Some(false) => bad += 1,
                None => {}
            }
            writer.write(&r)
        })?;
        skipped.append(&mut dups);
        rows.push(SourceRow {
            source: src.display().to_string(),
            records: n,
            success: ok,
            failed: bad,
            skipped: skipped.len(),
        });
        total += n;
        success += ok;
        failed += bad;
        skipped_all.extend(skipped);
    }
    writer.finish()?;
    let skipped_text: String = skipped_all.iter().map(|e| format!("{e}\n")).collect();
    std::fs::write(tmp.path().join("skipped.txt"), &skipped_text)?;
    tmp.commit(&a.out)?;
    let secs = t.elapsed().as_secs_f64();
    let rate = total as f64 / secs.max(1e-9);
    if a.format == Format::Json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            out: String,
            records: usize,
            success: usize,
            failed: usize,
            skipped: usize,
            skipped_errors: Vec<String>,
            seconds: f64,
            records_per_second: f64,
            sources: &'a [SourceRow],
        }
        return print_json(&Out {
            out: a.out.display().to_string(),
            records: total,
            success,
            failed,
            skipped: skipped_all.len(),
            skipped_errors: skipped_all.iter().map(|e| e.to_string()).collect(),
            seconds: secs,
            records_per_second: rate,
            sources: &rows,
        });
    }
    let mut tbl = table(&["source", "records", "success", "failed", "skipped"]);
    for r in &rows {
        tbl.add_row(vec![
            r.source.clone(),
            r.records.to_string(),
            r.success.to_string(),
            r.failed.to_string(),
            r.skipped.to_string(),
        ]);
    }
    println!("{tbl}");
    for e in skipped_all.iter().take(20) {
        eprintln!("skipped: {e}");
    }
    if skipped_all.len() > 20 {
        eprintln!(
            "... {} more in {}/skipped.txt",
            skipped_all.len() - 20,
            a.out.display()
        );
    }
    println!(
        "wrote {} records to {} in {:.2} s ({:.0} records/s)",
        total,
        a.out.join(jsonl::RECORDS_FILE).display(),
        secs,
        rate
    );
    Ok(())
}

fn split(a: SplitArgs) -> anyhow::Result<()> {
    no_csv(a.format, "split")?;
    let SplitBy::Architecture = a.by;
    let ratios = dataset_tools::split::parse_ratios(&a.ratios)?;
    let out = match &a.out {
        Some(o) => o.clone(),
        None if a.dir.is_dir() => a.dir.join("splits"),
        None => bail!("--out is needed when the input is a file"),
    };
    dataset_tools::fsutil::check_free(&out)?;
    let counts = dataset_tools::split::split(&a.dir, &out, &ratios, a.seed)?;
    if a.format == Format::Json {
        return print_json(&counts);
    }
    let mut t = table(&["split", "records", "architectures", "file"]);
    for c in &counts {
        t.add_row(vec![
            c.name.clone(),
            c.records.to_string(),
            c.architectures.to_string(),
            c.path.display().to_string(),
        ]);
    }
    println!("{t}");
    Ok(())
}

fn export(a: ExportArgs) -> anyhow::Result<()> {
    let ExportFormat::Csv = a.format;
    let n = match &a.out {
        Some(p) => {
            // Written beside and renamed: a failed or killed export leaves no partial file.
            let mut tmp = dataset_tools::fsutil::TempFile::beside(p)?;
            let n =
                dataset_tools::export::export_csv(&a.dir, std::io::BufWriter::new(tmp.file()), p)?;
            tmp.commit(p)?;
            n
        }
        None => {
            let stdout = std::io::stdout().lock();
            dataset_tools::export::export_csv(&a.dir, stdout, Path::new("<stdout>"))?
        }
    };
    if let Some(p) = &a.out {
        eprintln!("wrote {n} rows to {}", p.display());
    }
    Ok(())
}

fn stats(a: StatsArgs) -> anyhow::Result<()> {
    no_csv(a.format, "stats")?;
    let svg = a
        .svg
        .clone()
        .or_else(|| a.dir.is_dir().then(|| a.dir.join("stats")));
    let s = dataset_tools::stats::stats(&a.dir, svg.as_deref())?;
    if a.format == Format::Json {
        return print_json(&s);
    }
    println!(
        "{} records: {} synthesised OK, {} failed, {} not synthesised; {} architectures",
        s.records, s.success, s.failed, s.not_synthesised, s.architectures
    );
    for (title, map) in [
        ("family", &s.by_family),
        ("strategy", &s.by_strategy),
        ("weight precision", &s.by_precision),
        ("part", &s.by_part),
    ] {
        let mut t = table(&[title, "records"]);
        for (k, v) in map {
            t.add_row(vec![k.clone(), v.to_string()]);
        }
        println!("{t}");
    }
    if !s.labels.is_empty() {
        let mut t = table(&["label", "count", "min", "max", "mean"]);
        for l in &s.labels {
            t.add_row(vec![
                l.label.clone(),
                l.count.to_string(),
                l.min.to_string(),
                l.max.to_string(),
                format!("{:.1}", l.mean),
            ]);
        }
        println!("{t}");
    }
    if let Some(dir) = &svg {
        if !s.histograms.is_empty() {
            println!("{} histograms in {}", s.histograms.len(), dir.display());
        }
    }
    Ok(())
}
