//! The job arrays of `presynth dataset jobs` on a REAL Slurm (issue 19): a one-node cluster of
//! Debian's slurm-wlm and munge (installed by scripts/setup.sh) is started for the test in a
//! temporary directory — its own slurm.conf (this machine's name and CPUs from `slurmd -C`,
//! free ports, state, spool and logs in the temp dir), a fresh munge key, munged, slurmctld
//! and slurmd — and stopped when the test ends, also when it fails (a guard cancels the jobs,
//! shuts the daemons down and kills what is left). Synthesis is the stand-in of
//! tests/fixtures/stand-in, put on PATH for the jobs through sbatch's default `--export=ALL`.
//!
//! Checked on Slurm: every record arrives once; a failing project makes its task FAILED
//! (`scontrol show job`: there is no accounting storage for sacct, so `MinJobAge` keeps the
//! finished jobs' records); a cancelled task is redone on resubmission and nothing else is; a
//! second submission is refused while the first array is queued, and an array submitted by
//! hand beside it runs no project twice; a requeued (preempted) task runs again and finishes;
//! a dataset path with spaces. With
//! `PRESYNTH_SLURM_BENCH=1` it also times arrays of 100 projects at several array sizes.
//!
//! Where Slurm cannot start (not installed, not root) the test prints SKIPPED with the reason,
//! and fails under CI=true.

mod common;

use common::{run_counts, small_dataset, stand_in_path, BIN};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Skip loudly, or fail under CI.
fn skip(reason: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("slurm_real cannot run under CI=true: {reason}");
    }
    eprintln!("SKIPPED slurm_real: {reason}");
}

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A private one-node Slurm cluster; stopped on drop.
struct Cluster {
    dir: tempfile::TempDir,
    conf: PathBuf,
    sock: PathBuf,
}

impl Cluster {
    fn start() -> Result<Cluster, String> {
        for c in [
            "munged",
            "slurmctld",
            "slurmd",
            "sbatch",
            "squeue",
            "scontrol",
            "scancel",
            "sinfo",
        ] {
            if !have(c) {
                return Err(format!(
                    "{c} is not installed (scripts/setup.sh installs slurm-wlm and munge)"
                ));
            }
        }
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Err("slurmd and munged are started as root here; this is not root".into());
        }
        let dir = tempfile::Builder::new()
            .prefix("slurm")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let d = dir.path();
        for sub in ["state", "spool", "log", "munge"] {
            std::fs::create_dir_all(d.join(sub)).map_err(|e| e.to_string())?;
        }
        use std::os::unix::fs::PermissionsExt;
        let perm = |p: &Path, m: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
        };
        perm(&d.join("munge"), 0o700);
        let mut key = vec![0u8; 1024];
        use std::io::Read;
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut key))
            .map_err(|e| e.to_string())?;
        let keyfile = d.join("munge/munge.key");
        std::fs::write(&keyfile, &key).map_err(|e| e.to_string())?;
        perm(&keyfile, 0o400);
        let sock = d.join("munge/munge.sock");
        let conf = d.join("slurm.conf");
        let cluster = Cluster { dir, conf, sock };
        let d = cluster.dir.path();
        let st = Command::new("munged")
            .arg("--force")
            .arg(format!("--socket={}", cluster.sock.display()))
            .arg(format!("--key-file={}", keyfile.display()))
            .arg(format!(
                "--log-file={}",
                d.join("munge/munged.log").display()
            ))
            .arg(format!(
                "--pid-file={}",
                d.join("munge/munged.pid").display()
            ))
            .arg(format!("--seed-file={}", d.join("munge/seed").display()))
            .status()
            .map_err(|e| e.to_string())?;
        if !st.success() {
            return Err(format!("munged did not start ({st})"));
        }
        // This node as slurmd sees it.
        let node = Command::new("slurmd")
            .arg("-C")
            .output()
            .map_err(|e| e.to_string())?;
        let node = String::from_utf8_lossy(&node.stdout).into_owned();
        let field = |k: &str| {
            node.split_whitespace()
                .find_map(|w| w.strip_prefix(&format!("{k}=")).map(str::to_string))
        };
        let (Some(name), Some(cpus)) = (field("NodeName"), field("CPUs")) else {
            return Err(format!("slurmd -C did not describe this node: {node}"));
        };
        // cred_expire=10: a requeued job waits this long before it may start again (default
        // 120 s).
        let proctrack = std::env::var("PRESYNTH_SLURM_PROCTRACK")
            .unwrap_or_else(|_| "proctrack/linuxproc".into());
        let conf = format!(
            "ClusterName=presynthtest\n\
             SlurmctldHost={name}\n\
             SlurmUser=root\nSlurmdUser=root\n\
             SlurmctldPort={}\nSlurmdPort={}\n\
             AuthType=auth/munge\nAuthInfo=socket={sock},cred_expire=10\nCredType=cred/munge\n\
             StateSaveLocation={d}/state\nSlurmdSpoolDir={d}/spool\n\
             SlurmctldPidFile={d}/slurmctld.pid\nSlurmdPidFile={d}/slurmd.pid\n\
             SlurmctldLogFile={d}/log/slurmctld.log\nSlurmdLogFile={d}/log/slurmd.log\n\
             ProctrackType={proctrack}\nTaskPlugin=task/none\n\
             SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n\
             SchedulerType=sched/backfill\n\
             JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n\
             ReturnToService=2\nMinJobAge=3600\nMaxArraySize=1001\n\
             SlurmctldTimeout=30\nSlurmdTimeout=30\nKillWait=5\n\
             NodeName={name} CPUs={cpus} RealMemory=500 State=UNKNOWN\n\
             PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
            free_port(),
            free_port(),
            sock = cluster.sock.display(),
            d = d.display(),
        );
        std::fs::write(&cluster.conf, conf).map_err(|e| e.to_string())?;
        for daemon in ["slurmctld", "slurmd"] {
            let out = Command::new(daemon)
                .env("SLURM_CONF", &cluster.conf)
                .output()
                .map_err(|e| e.to_string())?;
            if !out.status.success() {
                return Err(format!(
                    "{daemon} did not start: {}{}",
                    String::from_utf8_lossy(&out.stderr),
                    cluster.log_tail()
                ));
            }
        }
        let t = Instant::now();
        loop {
            let state = cluster.run("sinfo", &["--noheader", "--format=%T"]);
            let state = String::from_utf8_lossy(&state.stdout).trim().to_string();
            if state == "idle" {
                break;
            }
            if t.elapsed() > Duration::from_secs(60) {
                return Err(format!(
                    "the node never became idle (sinfo: {state:?}){}",
                    cluster.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Ok(cluster)
    }

    fn log_tail(&self) -> String {
        let mut s = String::new();
        for f in ["log/slurmctld.log", "log/slurmd.log", "munge/munged.log"] {
            let text = std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            s.push_str(&format!(
                "\n--- {f}:\n{}",
                lines[lines.len().saturating_sub(8)..].join("\n")
            ));
        }
        s
    }

    /// A Slurm client command against this cluster.
    fn run(&self, cmd: &str, args: &[&str]) -> Output {
        Command::new(cmd)
            .args(args)
            .env("SLURM_CONF", &self.conf)
            .output()
            .unwrap()
    }

    /// presynth with this cluster, the stand-in on PATH and `env`.
    fn presynth(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(BIN)
            .args(args)
            .env("SLURM_CONF", &self.conf)
            .env("PATH", stand_in_path())
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }

    fn presynth_json(&self, args: &[&str], env: &[(&str, &str)]) -> Value {
        let out = self.presynth(args, env);
        assert!(
            out.status.success(),
            "presynth {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The (job id, state) lines squeue shows for `name`.
    fn queue(&self, name: &str) -> Vec<String> {
        let out = self.run(
            "squeue",
            &["--noheader", &format!("--name={name}"), "--format=%i|%T"],
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Wait until no job named `name` is queued or running.
    fn wait_empty(&self, name: &str, limit: Duration) -> Duration {
        let t = Instant::now();
        while !self.queue(name).is_empty() {
            assert!(
                t.elapsed() < limit,
                "jobs {name} still queued after {limit:?}: {:?}{}",
                self.queue(name),
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        t.elapsed()
    }

    /// Wait until array task `task` of `job` runs, then a little longer (so that it has
    /// started its first project).
    fn wait_running(&self, name: &str, job: &str, task: usize, limit: Duration) {
        let t = Instant::now();
        let want = format!("{job}_{task}|RUNNING");
        while !self.queue(name).iter().any(|l| l == &want) {
            assert!(
                t.elapsed() < limit,
                "task {task} never ran: {:?}",
                self.queue(name)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(700));
    }

    /// Array task id -> (JobState, ExitCode) from `scontrol show job <array job>`.
    fn task_states(&self, job: &str) -> std::collections::BTreeMap<usize, (String, String)> {
        let out = self.run("scontrol", &["show", "job", job]);
        let text = String::from_utf8_lossy(&out.stdout);
        let mut m = std::collections::BTreeMap::new();
        for block in text.split("\n\n") {
            let get = |k: &str| {
                block
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix(&format!("{k}=")).map(str::to_string))
            };
            if let (Some(t), Some(s), Some(e)) =
                (get("ArrayTaskId"), get("JobState"), get("ExitCode"))
            {
                if let Ok(t) = t.parse() {
                    m.insert(t, (s, e));
                }
            }
        }
        m
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.run("scancel", &["--full", "--user=root"]);
        std::thread::sleep(Duration::from_millis(500));
        let _ = self.run("scontrol", &["shutdown"]);
        let d = self.dir.path().to_path_buf();
        let pid = |f: &str| {
            std::fs::read_to_string(d.join(f))
                .ok()
                .and_then(|t| t.trim().parse::<i32>().ok())
        };
        let pids: Vec<i32> = ["slurmctld.pid", "slurmd.pid", "munge/munged.pid"]
            .iter()
            .filter_map(|f| pid(f))
            .collect();
        let alive = |p: i32| Path::new(&format!("/proc/{p}")).exists();
        let t = Instant::now();
        while pids[..pids.len().saturating_sub(1)]
            .iter()
            .any(|&p| alive(p))
            && t.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        for &p in &pids {
            if alive(p) {
                // SAFETY: signalling a daemon this test started, by the pid it wrote.
                unsafe {
                    libc::kill(p, libc::SIGTERM);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(300));
        for &p in &pids {
            if alive(p) {
                // SAFETY: as above.
                unsafe {
                    libc::kill(p, libc::SIGKILL);
                }
            }
        }
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn ids(ds: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(ds.join("projects"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn done(ds: &Path) -> usize {
    ids(ds)
        .iter()
        .filter(|id| {
            ds.join("projects")
                .join(id)
                .join(".presynth/done")
                .is_file()
        })
        .count()
}

/// `dataset jobs --submit`: (json, job name, first job id).
fn submit(c: &Cluster, ds: &Path, array: &str, env: &[(&str, &str)]) -> (Value, String, String) {
    let j = c.presynth_json(
        &[
            "dataset",
            "jobs",
            s(ds),
            "--array-size",
            array,
            "--time",
            "10",
            "--submit",
            "--format",
            "json",
        ],
        env,
    );
    let name = j["job_name"].as_str().unwrap().to_string();
    let id = j["submitted"][0].as_str().unwrap().to_string();
    (j, name, id)
}

/// All Slurm output files of a dataset, concatenated.
fn slurm_logs(ds: &Path) -> String {
    let mut s = String::new();
    for e in std::fs::read_dir(ds.join("jobs")).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("slurm-")
        {
            s.push_str(&std::fs::read_to_string(p).unwrap());
        }
    }
    s
}

/// Every project of `listed` ran once (stand-in run log `runs`), except those of an
/// interrupted task (`interrupted`), which ran once or twice (killed mid-project, then redone).
fn assert_only_interrupted_ran_again(runs: &Path, listed: &[String], interrupted: &[String]) {
    let counts = run_counts(runs);
    for id in listed {
        let n = counts.get(id).copied().unwrap_or(0);
        if interrupted.contains(id) {
            assert!((1..=2).contains(&n), "{id}: {n} runs");
        } else {
            assert_eq!(n, 1, "{id} ran {n} times");
        }
    }
}

#[test]
fn job_arrays_on_a_real_slurm() {
    let c = match Cluster::start() {
        Ok(c) => c,
        Err(reason) => return skip(&reason),
    };
    let root = c.dir.path().join("data sets");
    let limit = Duration::from_secs(180);

    // 1. Every record arrives once; logs name each project; tasks COMPLETED 0:0.
    let ds = root.join("basic");
    small_dataset(&ds, 12);
    let runs = root.join("basic-runs.txt");
    let (j, name, job) = submit(&c, &ds, "4", &[("PRESYNTH_STANDIN_RUNS", s(&runs))]);
    assert_eq!(
        (j["tasks"].as_u64(), j["array_size"].as_u64()),
        (Some(12), Some(4))
    );
    assert_eq!(
        j["max_array_size"].as_u64(),
        Some(1001),
        "read from scontrol"
    );
    c.wait_empty(&name, limit);
    assert_eq!(done(&ds), 12);
    let counts = run_counts(&runs);
    assert_eq!(counts.len(), 12);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    let states = c.task_states(&job);
    assert_eq!(states.len(), 4, "{states:?}");
    assert!(
        states
            .values()
            .all(|(st, ex)| st == "COMPLETED" && ex == "0:0"),
        "{states:?}"
    );
    let logs = slurm_logs(&ds);
    for id in ids(&ds) {
        assert_eq!(
            logs.matches(&format!("presynth: {id}: done")).count(),
            1,
            "{logs}"
        );
    }
    let lab = root.join("basic-labelled");
    let i = c.presynth_json(
        &[
            "dataset",
            "ingest",
            s(&ds),
            "-o",
            s(&lab),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        (i["records"].as_u64(), i["success"].as_u64()),
        (Some(12), Some(12))
    );

    // 2. A failing project: its task is FAILED with exit code 1, the others COMPLETED, and the
    //    Slurm log names it; the next submission retries only it.
    let ds = root.join("failing");
    small_dataset(&ds, 4);
    let bad = ids(&ds)[2].clone();
    let fail = format!("{bad}$");
    let (_, name, job) = submit(&c, &ds, "2", &[("PRESYNTH_STANDIN_FAIL", &fail)]);
    c.wait_empty(&name, limit);
    let states = c.task_states(&job);
    // Line 2 of the task list belongs to task 0 of 2.
    assert_eq!(states[&0], ("FAILED".into(), "1:0".into()), "{states:?}");
    assert_eq!(states[&1], ("COMPLETED".into(), "0:0".into()), "{states:?}");
    assert!(slurm_logs(&ds).contains(&format!("presynth: {bad}: FAILED")));
    let st = c.presynth_json(&["dataset", "status", s(&ds), "--format", "json"], &[]);
    assert_eq!(
        (st["done"].as_u64(), st["failed"].as_u64()),
        (Some(3), Some(1))
    );
    let (j, name, _) = submit(&c, &ds, "2", &[]);
    assert_eq!(j["tasks"].as_u64(), Some(1));
    c.wait_empty(&name, limit);
    assert_eq!(done(&ds), 4);

    // 3. Submitting twice: refused while the first array is queued; an array submitted by hand
    //    beside it (sbatch directly) runs no project twice.
    let ds = root.join("twice");
    small_dataset(&ds, 8);
    let runs = root.join("twice-runs.txt");
    let env = [
        ("PRESYNTH_STANDIN_RUNS", s(&runs)),
        ("PRESYNTH_STANDIN_SLEEP", "1"),
    ];
    let (_, name, _) = submit(&c, &ds, "4", &env);
    let again = c.presynth(
        &["dataset", "jobs", s(&ds), "--array-size", "4", "--submit"],
        &env,
    );
    assert!(!again.status.success(), "a second submission was accepted");
    assert!(String::from_utf8_lossy(&again.stderr).contains("still queued or running"));
    let st = c.presynth_json(&["dataset", "status", s(&ds), "--format", "json"], &[]);
    let queued = st["tasks_pending"].as_u64().unwrap() + st["tasks_running"].as_u64().unwrap();
    assert!(queued > 0, "{st}");
    let by_hand = Command::new("sbatch")
        .arg(ds.join("jobs/synth.sbatch"))
        .env("SLURM_CONF", &c.conf)
        .env("PATH", stand_in_path())
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(by_hand.status.success());
    c.wait_empty(&name, limit);
    assert_eq!(done(&ds), 8);
    let counts = run_counts(&runs);
    assert_eq!(counts.len(), 8);
    assert!(
        counts.values().all(|&n| n == 1),
        "a project ran twice: {counts:?}"
    );

    // 4. Cancel a running task, resubmit: only its projects are redone.
    let ds = root.join("cancel");
    small_dataset(&ds, 6);
    let runs = root.join("cancel-runs.txt");
    let env = [
        ("PRESYNTH_STANDIN_RUNS", s(&runs)),
        ("PRESYNTH_STANDIN_SLEEP", "2"),
    ];
    let (_, name, job) = submit(&c, &ds, "3", &env);
    let listed = ids(&ds);
    c.wait_running(&name, &job, 1, limit);
    let out = c.run("scancel", &[&format!("{job}_1")]);
    assert!(out.status.success());
    c.wait_empty(&name, limit);
    let states = c.task_states(&job);
    assert_eq!(states[&1].0, "CANCELLED", "{states:?}");
    // Task 1 of 3 had lines 1 and 4.
    let cancelled = [listed[1].clone(), listed[4].clone()];
    for id in &listed {
        let is_done = ds
            .join("projects")
            .join(id)
            .join(".presynth/done")
            .is_file();
        assert_eq!(is_done, !cancelled.contains(id), "{id}");
    }
    let (j, name, _) = submit(&c, &ds, "3", &env);
    assert_eq!(j["tasks"].as_u64(), Some(2));
    let list = std::fs::read_to_string(ds.join("jobs/tasks.txt")).unwrap();
    assert_eq!(
        list.lines().collect::<Vec<_>>(),
        cancelled.iter().map(String::as_str).collect::<Vec<_>>()
    );
    c.wait_empty(&name, limit);
    assert_eq!(done(&ds), 6);
    assert_only_interrupted_ran_again(&runs, &listed, &cancelled);

    // 5. A requeued (preempted) running task runs again and finishes its projects; the other
    //    task's projects run once.
    let ds = root.join("requeue");
    small_dataset(&ds, 4);
    let runs = root.join("requeue-runs.txt");
    let env = [
        ("PRESYNTH_STANDIN_RUNS", s(&runs)),
        ("PRESYNTH_STANDIN_SLEEP", "2"),
    ];
    let (_, name, job) = submit(&c, &ds, "2", &env);
    let listed = ids(&ds);
    c.wait_running(&name, &job, 0, limit);
    let out = c.run("scontrol", &["requeue", &format!("{job}_0")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    c.wait_empty(&name, limit);
    assert_eq!(done(&ds), 4);
    let shown = c.run("scontrol", &["show", "job", &format!("{job}_0")]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("Restarts=1"));
    // Task 0 of 2 has lines 0 and 2; its first project was interrupted and redone.
    let requeued = [listed[0].clone(), listed[2].clone()];
    assert_only_interrupted_ran_again(&runs, &listed, &requeued);

    // 6. Optional timing: arrays of 100 stand-in projects at several array sizes.
    if std::env::var("PRESYNTH_SLURM_BENCH").is_ok_and(|v| v == "1") {
        for k in ["1", "10", "50", "100"] {
            let ds = root.join(format!("bench-{k}"));
            small_dataset(&ds, 100);
            let t = Instant::now();
            let (_, name, _) = submit(&c, &ds, k, &[]);
            c.wait_empty(&name, Duration::from_secs(900));
            assert_eq!(done(&ds), 100);
            println!(
                "BENCH slurm array: 100 projects, array size {k}: {:.1} s from submission to an empty queue",
                t.elapsed().as_secs_f64()
            );
        }
    }
}
