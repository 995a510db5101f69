//! Ingestion of synthesised project trees in the Vivado HLS and Vitis HLS layouts, built here
//! from the real reports of tests/fixtures/vivado-reports (values listed in its README).

use dataset_tools::ingest::project;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/vivado-reports/"
    ))
    .join(name)
}

fn layout(project: &Path, app: &str, xml_name: &str, rpt: Option<&str>) {
    let report = project.join("myproject_prj/solution1/syn/report");
    std::fs::create_dir_all(&report).unwrap();
    std::fs::copy(
        fixture("vivado_hls.app"),
        project.join("myproject_prj").join(app),
    )
    .unwrap();
    std::fs::copy(fixture("myproject_csynth.xml"), report.join(xml_name)).unwrap();
    if let Some(text) = rpt {
        std::fs::write(project.join("vivado_synth.rpt"), text).unwrap();
    }
}

#[test]
fn vivado_and_vitis_layouts_failures_and_bad_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let rpt = std::fs::read_to_string(fixture("vivado_synth.rpt")).unwrap();
    // Vivado HLS layout with post-synthesis utilisation.
    layout(
        &root.join("a_vivado"),
        "vivado_hls.app",
        "myproject_csynth.xml",
        Some(&rpt),
    );
    // Vitis HLS layout (hls.app), csynth only, nested one level deeper.
    layout(
        &root.join("runs/b_vitis"),
        "hls.app",
        "myproject_csynth.xml",
        None,
    );
    // Vitis also writes the top-level report as plain csynth.xml.
    layout(&root.join("runs/c_plain"), "hls.app", "csynth.xml", None);
    // Utilisation report cut before the DSP table: skipped, naming the file and the row.
    let cut = rpt.rfind("3. DSP").unwrap();
    layout(
        &root.join("d_truncated"),
        "vivado_hls.app",
        "myproject_csynth.xml",
        Some(&rpt[..cut]),
    );
    // A run that failed (marker written by `dataset run` / run_task.sh).
    std::fs::create_dir_all(root.join("e_failed/.presynth")).unwrap();
    std::fs::write(
        root.join("e_failed/.presynth/failed"),
        "vitis_hls exit status 1; no reports",
    )
    .unwrap();

    let got = project::read(root).unwrap();
    assert_eq!(got.skipped.len(), 1, "{:?}", got.skipped);
    let e = got.skipped[0].to_string();
    assert!(
        e.contains("d_truncated/vivado_synth.rpt") && e.contains("DSPs"),
        "{e}"
    );
    let ids: Vec<&str> = got.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a_vivado", "e_failed", "b_vitis", "c_plain"]);

    let a = &got.records[0];
    assert_eq!(a.provenance.tool.as_deref(), Some("vivado_hls"));
    assert_eq!(a.provenance.tool_version.as_deref(), Some("2020.1"));
    assert_eq!(a.provenance.part.as_deref(), Some("xc7z020-clg400-1"));
    assert_eq!(a.hls.part, "xc7z020-clg400-1");
    assert_eq!(a.provenance.clock_period_ns, Some(5.0));
    let c = a.csynth.as_ref().unwrap();
    assert_eq!(
        (
            c.latency_best_cycles,
            c.latency_worst_cycles,
            c.ii_min,
            c.ii_max
        ),
        (10, 10, Some(8), Some(8))
    );
    assert_eq!(
        (c.lut, c.ff, c.dsp, c.bram_18k, c.uram),
        (Some(2532), Some(7969), Some(73), Some(0), Some(0))
    );
    assert_eq!(c.estimated_clock_ns, Some(4.049));
    let p = a.post_synth.as_ref().unwrap();
    assert_eq!(
        (p.lut, p.ff, p.dsp, p.bram_18k, p.uram),
        (1526, 2428, 66, 0, None)
    );

    let f = &got.records[1];
    assert_eq!(f.success, Some(false));
    assert!(f.failure.as_deref().unwrap().contains("exit status 1"));
    assert!(f.csynth.is_none());

    for r in &got.records[2..] {
        assert_eq!(r.provenance.tool.as_deref(), Some("vitis_hls"));
        assert_eq!(r.csynth.as_ref().unwrap().lut, Some(2532));
        assert!(r.post_synth.is_none());
    }
}
