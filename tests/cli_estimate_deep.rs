//! Issue 18: `presynth estimate` on very deep networks stays linear in memory and within the
//! target of 200 MB for 100k layers, i.e. under 2 KiB per layer, in every output format. The
//! slope is measured between a 2k- and a 20k-layer Dense(16) chain as the child's peak
//! resident set (getrusage): before the fix it was 2.8 KiB per layer for JSON (the report rows
//! held beside every layer's estimate and analysis) and 5.5 KiB for the table (comfy-table
//! holding every cell), 292 MB and 568 MB at 100k layers in a release build.
//! The streamed table is also checked to be the table comfy-table prints, row for row.
//! The other per-layer paths are held to the same slope: `estimate --explain` (it kept every
//! layer's estimate for its lines: 4.0 KiB per layer before, 400 MB at 100k in a debug build),
//! `inspect` (rows, a comfy table and the whole JSON as one string: 357 MB at 100k in a release
//! build) and `sweep` (every point kept its per-layer estimates and the points ran two at a
//! time: 18 KiB per layer, 1.7 GB at 100k in a debug build). `--explain` names each row's
//! hls4ml layers only up to 10,000 layers (`HLS_LAYERS_MAX` in src/cli/estimate_explain.rs: the
//! lowered graph peaks near 1.2 KiB per layer), so its 20k-layer run measures the estimate path.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// A chain of `n` layers: an input of 16 and Dense(16, relu) layers.
fn deep(dir: &Path, n: usize) -> std::path::PathBuf {
    let mut s = String::from("network deep\nconfig {\n  part: xcu250-figd2104-2L-e\n}\n");
    s.push_str("input(16, name=\"in\")\n");
    for i in 1..n {
        s.push_str(&format!("  -> dense(16, relu, name=\"fc{i}\")\n"));
    }
    let p = dir.join(format!("deep{n}.psn"));
    std::fs::write(&p, s).unwrap();
    p
}

/// Peak resident set of `presynth estimate MODEL --format FORMAT`, in bytes (stdout discarded).
fn peak_rss(model: &Path, format: &str) -> u64 {
    peak_rss_of(&["estimate", model.to_str().unwrap(), "--format", format])
}

/// Peak resident set of `presynth ARGS`, in bytes (stdout discarded).
// The child is reaped by wait4, which also gives its own rusage (getrusage(RUSAGE_CHILDREN)
// would mix in the children of the other tests running in this process).
#[allow(clippy::zombie_processes)]
fn peak_rss_of(args: &[&str]) -> u64 {
    let child = Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args(args)
        // Two rayon threads (as CI): a sweep holds one copy of the network per point in
        // flight, up to estimator::sweep::LAYERS_IN_FLIGHT layers, whatever the core count.
        .env("RAYON_NUM_THREADS", "2")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; status and usage are valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    let status = std::process::ExitStatus::from_raw(status);
    assert!(status.success(), "{args:?}: {status}");
    usage.ru_maxrss as u64 * 1024 // kilobytes on Linux
}

#[test]
fn estimate_memory_per_layer_is_under_2_kib_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (small, big) = (deep(dir.path(), 2_000), deep(dir.path(), 20_000));
    for format in ["json", "table", "csv"] {
        let (a, b) = (peak_rss(&small, format), peak_rss(&big, format));
        let per_layer = b.saturating_sub(a) as f64 / 18_000.0;
        assert!(
            per_layer < 2048.0,
            "{format}: {per_layer:.0} bytes per layer ({a} bytes at 2k layers, {b} at 20k): \
             100k layers would pass 200 MB"
        );
    }
}

#[test]
fn explain_inspect_and_sweep_memory_per_layer_is_under_2_kib() {
    let dir = tempfile::tempdir().unwrap();
    let (small, big) = (deep(dir.path(), 2_000), deep(dir.path(), 20_000));
    let runs: [&[&str]; 6] = [
        &["estimate", "--explain", "--format", "json"],
        &["estimate", "--explain"],
        &["inspect", "--format", "json"],
        &["inspect"],
        &["inspect", "--format", "csv"],
        // The default axis, six reuse factors (model,1,2,4,8,16), estimated two at a time.
        &["sweep", "--format", "json"],
    ];
    for run in runs {
        let with = |m: &Path| {
            let mut a = vec![run[0], m.to_str().unwrap()];
            a.extend(&run[1..]);
            peak_rss_of(&a)
        };
        let (a, b) = (with(&small), with(&big));
        let per_layer = b.saturating_sub(a) as f64 / 18_000.0;
        assert!(
            per_layer < 2048.0,
            "{run:?}: {per_layer:.0} bytes per layer ({a} bytes at 2k layers, {b} at 20k): \
             100k layers would pass 200 MB"
        );
    }
}

#[test]
fn inspect_streams_the_same_table_and_rows_as_comfy() {
    // 6,000 layers: over the 5,000 rows from which the inspect table is streamed; compared
    // with a 4,000-layer chain printed through comfy-table where they overlap, as above.
    let dir = tempfile::tempdir().unwrap();
    let run = |n: usize, format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_presynth"))
            .args([
                "inspect",
                deep(dir.path(), n).to_str().unwrap(),
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let (comfy, streamed) = (run(4_000, "table"), run(6_000, "table"));
    let rows = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with('│') && l.contains("Dense"))
            .map(str::to_string)
            .collect()
    };
    let (c, s) = (rows(&comfy), rows(&streamed));
    assert_eq!((c.len(), s.len()), (3_999, 5_999));
    assert_eq!(c[..], s[..3_999]);
    // The totals row: 16·16 + 16 = 272 parameters and 256 MACs per Dense layer.
    let total = |s: &str, n: u64| {
        let t = s.lines().find(|l| l.contains("total")).unwrap().to_string();
        assert!(t.contains(&(272 * n).to_string()), "{t}");
        assert!(t.contains(&(256 * n).to_string()), "{t}");
    };
    total(&comfy, 3_999);
    total(&streamed, 5_999);
    // The JSON (written row by row) has every layer and the same totals.
    let v: serde_json::Value = serde_json::from_str(&run(6_000, "json")).unwrap();
    assert_eq!(v["layers"].as_array().unwrap().len(), 6_000);
    assert_eq!(v["total_params"], 272 * 5_999);
    assert_eq!(v["layers"][5_999]["name"], "fc5999");
}

#[test]
fn a_streamed_table_is_the_table_comfy_prints() {
    // 6,000 layers: over the 5,000 rows from which the per-layer table is streamed. Its rows
    // are compared with those of a 4,000-layer chain (printed through comfy-table) where they
    // overlap; the longest names have six characters in both, so the columns match.
    let dir = tempfile::tempdir().unwrap();
    let run = |n: usize| {
        let out = Command::new(env!("CARGO_BIN_EXE_presynth"))
            .args(["estimate", deep(dir.path(), n).to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let (comfy, streamed) = (run(4_000), run(6_000));
    let rows = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with('│') && l.contains("Dense"))
            .map(str::to_string)
            .collect()
    };
    let (c, s) = (rows(&comfy), rows(&streamed));
    assert_eq!(c.len(), 3_999);
    assert_eq!(s.len(), 5_999);
    assert_eq!(c[..], s[..3_999]);
    // Header and borders are the same too.
    let head = |s: &str| s.lines().skip(3).take(3).collect::<Vec<_>>().join("\n");
    assert_eq!(head(&comfy), head(&streamed));
    assert_eq!(comfy.lines().filter(|l| l.starts_with('└')).count(), 2);
    assert_eq!(streamed.lines().filter(|l| l.starts_with('└')).count(), 2);
}
