//! Batch integrity of `presynth dataset run / jobs / task / status / ingest / export`: the
//! regression tests of issue 18 item 3 (a failed synthesis is never done, no project twice,
//! atomic outputs, ids never paths outside the dataset) and of issue 19 (task scripts that
//! Slurm sees fail, tool stdin, quoting and validation, chunked arrays, ingest needs the done
//! marker). Synthesis is the stand-in of tests/fixtures/stand-in (real Vivado HLS 2020.1 reports
//! copied into place); the array scripts are run here by bash with `SLURM_ARRAY_TASK_ID` set,
//! as Slurm would (tests/slurm_real.rs runs them on a real Slurm).

mod common;

use common::{cmd, json, presynth, run_counts, small_dataset, stand_in_path};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn projects(ds: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(ds.join("projects"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn done_count(ds: &Path) -> usize {
    projects(ds)
        .iter()
        .filter(|p| p.join(".presynth/done").is_file())
        .count()
}

/// Run array task `task` of `script` the way Slurm does (bash, SLURM_ARRAY_TASK_ID set).
fn run_script(script: &Path, task: usize, path: &str, env: &[(&str, &str)]) -> Output {
    Command::new("bash")
        .arg(script)
        .env("SLURM_ARRAY_TASK_ID", task.to_string())
        .env("PATH", path)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// `dataset ingest DS -o OUT --format json`.
fn ingest(ds: &Path, out: &Path) -> Value {
    json(
        &["dataset", "ingest", s(ds), "-o", s(out), "--format", "json"],
        &[],
    )
}

fn csynth(project: &Path) -> PathBuf {
    project.join("myproject_prj/solution1/syn/report/myproject_csynth.xml")
}

fn fixture(name: &str) -> PathBuf {
    common::root()
        .join("tests/fixtures/vivado-reports")
        .join(name)
}

#[test]
fn a_failed_tool_run_beside_an_earlier_runs_report_is_not_done() {
    // Issue 18.3: success was judged by a report existing, so a failed run over the truncated
    // report an interrupted run left got a done marker and was never retried.
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("ds");
    small_dataset(&ds, 3);
    let p = &projects(&ds)[0];
    std::fs::create_dir_all(csynth(p).parent().unwrap()).unwrap();
    let full = std::fs::read(fixture("myproject_csynth.xml")).unwrap();
    std::fs::write(csynth(p), &full[..900]).unwrap();
    let id = p.file_name().unwrap().to_str().unwrap();
    let r = json(
        &["dataset", "run", s(&ds), "--format", "json"],
        &[("PRESYNTH_STANDIN_FAIL", &format!("{id}$"))],
    );
    assert_eq!(
        (r["done"].as_u64(), r["failed"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(!p.join(".presynth/done").exists());
    let why = std::fs::read_to_string(p.join(".presynth/failed")).unwrap();
    assert!(why.contains("exit status 1"), "{why}");
    // The next run retries it and, with the tool working, marks it done.
    let r = json(&["dataset", "run", s(&ds), "--format", "json"], &[]);
    assert_eq!(
        (r["done"].as_u64(), r["already_done"].as_u64()),
        (Some(1), Some(2))
    );
}

#[test]
fn two_concurrent_runs_never_synthesise_a_project_twice() {
    // Issue 18.3: two runs on one dataset synthesised the same projects at once.
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("ds");
    small_dataset(&ds, 6);
    let runs = t.path().join("runs.txt");
    let env = [
        ("PRESYNTH_STANDIN_SLEEP", "0.5"),
        ("PRESYNTH_STANDIN_RUNS", s(&runs)),
    ];
    let spawn = || {
        cmd(
            &["dataset", "run", s(&ds), "--jobs", "3", "--format", "json"],
            &env,
        )
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success());
    let counts = run_counts(&runs);
    assert_eq!(counts.len(), 6, "{counts:?}");
    assert!(
        counts.values().all(|&n| n == 1),
        "a project ran twice: {counts:?}"
    );
    assert_eq!(done_count(&ds), 6);
    let ra: Value = serde_json::from_slice(&a.stdout).unwrap();
    let rb: Value = serde_json::from_slice(&b.stdout).unwrap();
    let done = ra["done"].as_u64().unwrap() + rb["done"].as_u64().unwrap();
    assert_eq!(done, 6, "{ra} {rb}");
}

#[test]
fn an_array_task_whose_tool_is_missing_fails_and_names_its_projects() {
    // Issue 19.1: run_task.sh ended with `exit 0`: with the tool missing (exit 127) every task
    // was COMPLETED 0:0 and the Slurm output was empty.
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("ds");
    small_dataset(&ds, 4);
    presynth(&["dataset", "jobs", s(&ds), "--array-size", "2"], &[]);
    let out = run_script(&ds.join("jobs/synth.sbatch"), 1, "/usr/bin:/bin", &[]);
    assert!(!out.status.success(), "the task hid the failures");
    let log = String::from_utf8_lossy(&out.stdout);
    let ids: Vec<String> = projects(&ds)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // Task 1 of 2 has lines 1 and 3.
    for id in [&ids[1], &ids[3]] {
        assert!(
            log.contains(&format!("presynth: {id}: FAILED")) && log.contains("exit status 127"),
            "{log}"
        );
    }
    assert!(!log.contains(&ids[0]), "{log}");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&ids[3]));
}

#[test]
fn a_tool_that_reads_stdin_cannot_eat_the_task_list() {
    // Issue 19.7: the tool ran inside `while read ... done < tasks.txt`; one that read stdin
    // swallowed the remaining tasks (2 of 8 ran, Slurm said COMPLETED).
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("ds");
    small_dataset(&ds, 8);
    presynth(&["dataset", "jobs", s(&ds), "--array-size", "1"], &[]);
    let out = run_script(
        &ds.join("jobs/synth.sbatch"),
        0,
        &stand_in_path(),
        &[("PRESYNTH_STANDIN_STDIN", "1")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(done_count(&ds), 8);
}

#[test]
fn a_dataset_path_with_spaces_runs_through_the_scripts() {
    // Issue 19.3: the unquoted `#SBATCH --output=` line broke on a space.
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("my data set");
    small_dataset(&ds, 3);
    presynth(&["dataset", "jobs", s(&ds), "--array-size", "1"], &[]);
    let script = std::fs::read_to_string(ds.join("jobs/synth.sbatch")).unwrap();
    let jobs = std::fs::canonicalize(&ds).unwrap().join("jobs");
    assert!(
        script.contains(&format!(
            "#SBATCH --output=\"{}/slurm-%A_%a.out\"",
            jobs.display()
        )),
        "{script}"
    );
    let out = run_script(&ds.join("jobs/synth.sbatch"), 0, &stand_in_path(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(done_count(&ds), 3);
}

#[test]
fn arrays_beyond_max_array_size_are_split_and_cover_every_project_once() {
    // Issue 19.4: --array-size was not checked against MaxArraySize (sbatch rejected the array).
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("ds");
    small_dataset(&ds, 10);
    let j = json(
        &[
            "dataset",
            "jobs",
            s(&ds),
            "--array-size",
            "10",
            "--max-array-size",
            "4",
            "--format",
            "json",
        ],
        &[],
    );
    let chunks = j["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 3, "{j}");
    let runs = t.path().join("runs.txt");
    for c in chunks {
        let script = PathBuf::from(c["script"].as_str().unwrap());
        let text = std::fs::read_to_string(&script).unwrap();
        let count = c["count"].as_u64().unwrap() as usize;
        assert!(text.contains(&format!("#SBATCH --array=0-{}\n", count - 1)));
        for task in 0..count {
            let out = run_script(
                &script,
                task,
                &stand_in_path(),
                &[("PRESYNTH_STANDIN_RUNS", s(&runs))],
            );
            assert!(out.status.success());
        }
    }
    let counts = run_counts(&runs);
    assert_eq!(counts.len(), 10);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
}

#[test]
fn jobs_refuse_hostile_or_malformed_options() {
    // Issue 18.1 / 19.6: `--time $'1:00:00\necho X'` wrote a shell line into the sbatch file;
    // "2 hours" and "2h" were accepted (sbatch rejects them).
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("ds");
    small_dataset(&ds, 1);
    for (args, what) in [
        (vec!["--time", "1:00:00\necho X"], "--time"),
        (vec!["--time", "2 hours"], "--time"),
        (vec!["--time", "2h"], "--time"),
        (vec!["--module", "vitis; rm -rf ~"], "--module"),
        (vec!["--mem", "16GB"], "--mem"),
        (vec!["--partition", "a b"], "--partition"),
        (vec!["--sbatch-arg", "--array=0-5000"], "--array"),
        (vec!["--setup", "/nonexistent/settings64.sh"], "--setup"),
    ] {
        let mut a = vec!["dataset", "jobs", s(&ds)];
        a.extend(args.iter().copied());
        let out = cmd(&a, &[]).output().unwrap();
        assert!(!out.status.success(), "{args:?} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(what), "{args:?}: {err}");
        assert!(
            !ds.join("jobs/synth.sbatch").exists(),
            "{args:?} wrote a script"
        );
    }
}

#[test]
fn ingest_counts_a_project_only_with_its_done_marker_and_complete_reports() {
    // Issue 19.8: a task cancelled after csynth.xml was written but before logic synthesis
    // finished was ingested as a success without post-synthesis labels.
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("ds");
    small_dataset(&ds, 3);
    json(
        &["dataset", "run", s(&ds), "--vsynth", "--format", "json"],
        &[],
    );
    let ps = projects(&ds);
    // Project 0: cancelled mid-run (the runner removed the marker and was killed after the
    // csynth report was written, before vivado_synth.rpt).
    std::fs::remove_file(ps[0].join(".presynth/done")).unwrap();
    std::fs::remove_file(ps[0].join("vivado_synth.rpt")).unwrap();
    // Project 1: its done marker says logic synthesis ran, but the report is gone.
    std::fs::remove_file(ps[1].join("vivado_synth.rpt")).unwrap();
    let out = t.path().join("lab");
    let i = ingest(&ds, &out);
    assert_eq!(
        (i["success"].as_u64(), i["skipped"].as_u64()),
        (Some(1), Some(2)),
        "{i}"
    );
    let errs = i["skipped_errors"].to_string();
    assert!(
        errs.contains("no done marker") && errs.contains("vivado_synth.rpt"),
        "{errs}"
    );
}

#[test]
fn ingest_of_one_dataset_twice_keeps_each_record_once() {
    // Issue 18: `dataset ingest ds ds` doubled every record.
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("ds");
    small_dataset(&ds, 4);
    json(&["dataset", "run", s(&ds), "--format", "json"], &[]);
    let out = t.path().join("twice");
    let i = json(
        &[
            "dataset",
            "ingest",
            s(&ds),
            s(&ds),
            "-o",
            s(&out),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(i["records"].as_u64(), Some(4));
    assert_eq!(common::lines(&out.join("records.jsonl")).len(), 4);
    // The same records through another path (the manifest): the duplicates are skipped,
    // named, and the first source's labelled records kept.
    let out = t.path().join("overlap");
    let manifest = ds.join("records.jsonl");
    let i = json(
        &[
            "dataset",
            "ingest",
            s(&ds),
            s(&manifest),
            "-o",
            s(&out),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        (i["records"].as_u64(), i["success"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(i["skipped"].as_u64(), Some(4));
    assert!(i["skipped_errors"][0]
        .as_str()
        .unwrap()
        .contains("duplicate record id"));
}

#[test]
fn a_record_id_that_is_a_path_cannot_read_outside_the_dataset() {
    // Issue 18.1: record ids were used as paths: an absolute id read reports outside.
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("ds");
    small_dataset(&ds, 2);
    json(&["dataset", "run", s(&ds), "--format", "json"], &[]);
    // A synthesised project outside the dataset, and a manifest record naming it.
    let outside = t.path().join("elsewhere");
    std::fs::rename(&projects(&ds)[0], &outside).unwrap();
    let manifest = ds.join("records.jsonl");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    first["id"] = Value::String(s(&outside).to_string());
    let rest: Vec<&str> = text.lines().skip(1).collect();
    std::fs::write(&manifest, format!("{first}\n{}\n", rest.join("\n"))).unwrap();
    let out = t.path().join("lab");
    let i = ingest(&ds, &out);
    assert_eq!(
        (i["success"].as_u64(), i["skipped"].as_u64()),
        (Some(1), Some(1)),
        "{i}"
    );
    assert!(i["skipped_errors"][0]
        .as_str()
        .unwrap()
        .contains("cannot name a project directory"));
}

#[test]
fn a_failed_export_leaves_the_previous_file_untouched() {
    // Issue 18: `dataset export` was not atomic (File::create truncated the output first).
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("ds");
    small_dataset(&ds, 3);
    let manifest = ds.join("records.jsonl");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("{\"id\": \"broken\"\n");
    let bad = t.path().join("bad.jsonl");
    std::fs::write(&bad, text).unwrap();
    let csv = t.path().join("out.csv");
    std::fs::write(&csv, "OLD\n").unwrap();
    let out = cmd(&["dataset", "export", s(&bad), "-o", s(&csv)], &[])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "OLD\n");
    let left: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "temporaries left: {left:?}");
    presynth(&["dataset", "export", s(&manifest), "-o", s(&csv)], &[]);
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 4);
}

#[test]
fn status_counts_done_failed_and_missing() {
    let t = tempfile::tempdir().unwrap();
    let ds = t.path().join("ds");
    small_dataset(&ds, 5);
    let st = json(&["dataset", "status", s(&ds), "--format", "json"], &[]);
    assert_eq!(
        (st["projects"].as_u64(), st["missing"].as_u64()),
        (Some(5), Some(5))
    );
    let first = projects(&ds)[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    json(
        &["dataset", "run", s(&ds), "--format", "json"],
        &[("PRESYNTH_STANDIN_FAIL", &format!("{first}$"))],
    );
    let st = json(&["dataset", "status", s(&ds), "--format", "json"], &[]);
    assert_eq!(
        (
            st["done"].as_u64(),
            st["failed"].as_u64(),
            st["running"].as_u64(),
            st["missing"].as_u64()
        ),
        (Some(4), Some(1), Some(0), Some(0))
    );
    assert_eq!(st["failed_ids"][0].as_str(), Some(first.as_str()));
}

/// Issue 11 item 6: a synthesis that hangs is stopped at `--timeout`, recorded as timed out
/// (not done, retried next run), and the run says so and exits non-zero; a later run without
/// the hang synthesises it.
#[test]
fn a_synthesis_past_its_time_limit_is_stopped_and_retried() {
    let d = tempfile::tempdir().unwrap();
    let ds = d.path().join("ds");
    small_dataset(&ds, 2);
    let t = std::time::Instant::now();
    let out = cmd(
        &[
            "dataset",
            "run",
            s(&ds),
            "--jobs",
            "2",
            "--timeout",
            "0:01",
            "--format",
            "json",
        ],
        &[("PRESYNTH_STANDIN_SLEEP", "60")],
    )
    .output()
    .unwrap();
    // Two 60 s syntheses, both stopped after 1 s (plus the SIGTERM grace at most).
    assert!(t.elapsed().as_secs() < 30, "{:?}", t.elapsed());
    assert!(!out.status.success());
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["timed_out"], 2, "{summary}");
    assert_eq!(summary["done"], 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 timed out"), "{stderr}");
    for p in projects(&ds) {
        assert!(!p.join(".presynth/done").exists());
        let reason = std::fs::read_to_string(p.join(".presynth/failed")).unwrap();
        assert!(
            reason.starts_with("timed out: vitis_hls ran longer than the 1 s limit"),
            "{reason}"
        );
    }
    // Without the hang the next run synthesises both.
    let again = json(&["dataset", "run", s(&ds), "--format", "json"], &[]);
    assert_eq!(again["done"], 2, "{again}");
    assert_eq!(done_count(&ds), 2);
}
