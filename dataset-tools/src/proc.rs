//! Running the synthesis tool with a time limit: wait for the child until a deadline, and on
//! expiry end the whole process tree it started (HLS tools are launcher scripts that start
//! the real binary, which starts its own helpers), SIGTERM first and SIGKILL after a grace
//! period.
//!
//! The tool stays in presynth's process group on purpose, so that Ctrl-C at the terminal or
//! Slurm's signal to the job step still reaches it directly; the tree is therefore found
//! through `/proc/<pid>/task/<tid>/children` (Linux) rather than by killing a process group.

use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// How a waited-for child ended.
#[derive(Debug)]
pub enum Ended {
    /// It exited (or was killed by someone else) before the deadline.
    Exited(ExitStatus),
    /// The deadline passed; its process tree was terminated.
    TimedOut,
}

/// How often the child is polled while waiting.
const POLL: Duration = Duration::from_millis(100);
/// How long the tree gets between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(5);

/// Wait for `child`; with a `limit`, end its process tree when the limit passes.
pub fn wait_with_limit(child: &mut Child, limit: Option<Duration>) -> std::io::Result<Ended> {
    let Some(limit) = limit else {
        return child.wait().map(Ended::Exited);
    };
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Ended::Exited(status));
        }
        if Instant::now() >= deadline {
            terminate_tree(child)?;
            return Ok(Ended::TimedOut);
        }
        std::thread::sleep(POLL);
    }
}

/// SIGTERM the child and every descendant, wait up to [`GRACE`] for the child, then SIGKILL
/// whatever of the tree is left, and reap the child.
fn terminate_tree(child: &mut Child) -> std::io::Result<()> {
    let root = child.id() as libc::pid_t;
    let tree = descendants_and_self(root);
    signal_all(&tree, libc::SIGTERM);
    let until = Instant::now() + GRACE;
    while Instant::now() < until {
        if child.try_wait()?.is_some() && tree.iter().all(|&p| !alive(p)) {
            return Ok(());
        }
        std::thread::sleep(POLL);
    }
    // Children started during the grace period are included.
    let mut rest = descendants_and_self(root);
    rest.extend(tree);
    signal_all(&rest, libc::SIGKILL);
    child.wait().map(|_| ())
}

fn signal_all(pids: &[libc::pid_t], sig: libc::c_int) {
    for &p in pids {
        // SAFETY: kill(2) with a pid we read from /proc; a pid that already exited gets ESRCH.
        unsafe {
            libc::kill(p, sig);
        }
    }
}

fn alive(pid: libc::pid_t) -> bool {
    // A zombie still answers kill(pid, 0); its /proc stat says state Z.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// `root` and all its descendants (breadth first), read from `/proc/<pid>/task/*/children`.
pub fn descendants_and_self(root: libc::pid_t) -> Vec<libc::pid_t> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let pid = out[i];
        i += 1;
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.filter_map(|t| t.ok()) {
            let Ok(text) = std::fs::read_to_string(task.path().join("children")) else {
                continue;
            };
            for c in text.split_whitespace().filter_map(|c| c.parse().ok()) {
                // A pid can only appear once in a tree; the check guards against pid reuse
                // racing with the walk.
                if !out.contains(&c) && out.len() < 100_000 {
                    out.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn a_child_that_ends_in_time_is_waited_for() {
        let mut c = Command::new("sh").args(["-c", "exit 3"]).spawn().unwrap();
        match wait_with_limit(&mut c, Some(Duration::from_secs(20))).unwrap() {
            Ended::Exited(s) => assert_eq!(s.code(), Some(3)),
            Ended::TimedOut => panic!("a child exiting at once was reported as timed out"),
        }
    }

    #[test]
    fn the_whole_tree_is_ended_at_the_deadline() {
        // sh starts a grandchild that would outlive sh if only sh were killed; the grandchild
        // writes its pid so the test can check it is gone.
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("grandchild.pid");
        let script = format!("sleep 60 & echo $! > '{}'; wait", pidfile.display());
        let t = Instant::now();
        let mut c = Command::new("sh").args(["-c", &script]).spawn().unwrap();
        // Let sh start the grandchild.
        while !pidfile.exists() && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let ended = wait_with_limit(&mut c, Some(Duration::from_millis(300))).unwrap();
        assert!(matches!(ended, Ended::TimedOut));
        assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
        let grandchild: libc::pid_t = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // The grandchild was reparented and reaped by init (or is a zombie about to be).
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(grandchild) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(grandchild), "grandchild {grandchild} survived");
    }
}
