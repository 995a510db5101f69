//! The report parsers must read exactly the values that tests/fixtures/vivado-reports/README.md
//! lists for the real Vivado HLS 2020.1 / Vivado 2020.1 reports there (hls4ml's own parser test
//! fixtures), and must name the file and field for truncated or corrupted reports.

use dataset_tools::ingest::reports::{
    parse_csynth_xml, parse_csynth_xml_str, parse_vivado_synth, parse_vivado_synth_str,
};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/vivado-reports/"
    ))
    .join(name)
}

#[test]
fn csynth_xml_fixture_values() {
    let r = parse_csynth_xml(&fixture("myproject_csynth.xml")).unwrap();
    // README: best/worst latency 10 cycles, interval 8/8, est. clock 4.049 ns, target 5.00 ns,
    // uncertainty 0.62 ns; BRAM_18K 0 of 280, DSP 73 of 220, FF 7969 of 106400,
    // LUT 2532 of 53200, URAM 0 of 0.
    assert_eq!((r.latency_best_cycles, r.latency_worst_cycles), (10, 10));
    assert_eq!((r.interval_min, r.interval_max), (8, 8));
    assert_eq!(r.estimated_clock_ns, 4.049);
    assert_eq!(r.target_clock_ns, 5.0);
    assert_eq!(r.clock_uncertainty_ns, Some(0.62));
    assert_eq!(
        (
            r.used.bram_18k,
            r.used.dsp,
            r.used.ff,
            r.used.lut,
            r.used.uram
        ),
        (0, 73, 7969, 2532, Some(0))
    );
    assert_eq!(
        (
            r.available.bram_18k,
            r.available.dsp,
            r.available.ff,
            r.available.lut,
            r.available.uram
        ),
        (280, 220, 106400, 53200, Some(0))
    );
    // The header of the same file: Vivado HLS 2020.1, xc7z020-clg400-1, top myproject.
    assert_eq!(r.version, "2020.1");
    assert_eq!(r.part, "xc7z020-clg400-1");
    assert_eq!(r.top, "myproject");
}

#[test]
fn vivado_synth_fixture_values() {
    let r = parse_vivado_synth(&fixture("vivado_synth.rpt")).unwrap();
    // README: BRAM_18K 0, DSP48E 66, FF 2428, LUT 1526, URAM not present.
    assert_eq!(
        (r.bram_18k, r.dsp, r.ff, r.lut, r.uram),
        (0, 66, 2428, 1526, None)
    );
    assert_eq!(r.version.as_deref(), Some("2020.1"));
    assert_eq!(r.device.as_deref(), Some("7z020clg400-1"));
}

#[test]
fn truncated_csynth_names_file_and_field() {
    let text = std::fs::read_to_string(fixture("myproject_csynth.xml")).unwrap();
    // Cut inside the latency block: the file ends with elements still open.
    let cut = text.find("<Interval-min>").unwrap();
    let p = Path::new("/x/truncated_csynth.xml");
    let e = parse_csynth_xml_str(&text[..cut], p)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("truncated_csynth.xml") && e.contains("truncated"),
        "{e}"
    );
    assert!(e.contains("SummaryOfOverallLatency"), "{e}");
    // A non-numeric value: named by its field path.
    let bad = text.replace("<LUT>2532</LUT>", "<LUT>many</LUT>");
    let e = parse_csynth_xml_str(&bad, p).unwrap_err().to_string();
    assert!(
        e.contains("AreaEstimates/Resources/LUT") && e.contains("many"),
        "{e}"
    );
    // A missing field.
    let bad = text.replace("<Worst-caseLatency>10</Worst-caseLatency>", "");
    let e = parse_csynth_xml_str(&bad, p).unwrap_err().to_string();
    assert!(
        e.contains("Worst-caseLatency") && e.contains("missing"),
        "{e}"
    );
    // An empty file.
    assert!(parse_csynth_xml_str("", p)
        .unwrap_err()
        .to_string()
        .contains("empty"));
}

#[test]
fn vitis_style_dsp_element_and_half_bram_tiles() {
    // Vitis HLS writes <DSP> instead of <DSP48E>.
    let text = std::fs::read_to_string(fixture("myproject_csynth.xml")).unwrap();
    let vitis = text.replace("DSP48E>", "DSP>");
    let r = parse_csynth_xml_str(&vitis, Path::new("v.xml")).unwrap();
    assert_eq!(r.used.dsp, 73);
    // A Block RAM Tile count of 1.5 (36K tiles) is 3 blocks of 18K.
    let rpt = std::fs::read_to_string(fixture("vivado_synth.rpt")).unwrap();
    let half = rpt.replacen("| Block RAM Tile |    0 |", "| Block RAM Tile |  1.5 |", 1);
    assert_ne!(half, rpt);
    assert_eq!(
        parse_vivado_synth_str(&half, Path::new("r.rpt"))
            .unwrap()
            .bram_18k,
        3
    );
}

#[test]
fn truncated_utilisation_report_names_the_missing_row() {
    let rpt = std::fs::read_to_string(fixture("vivado_synth.rpt")).unwrap();
    let cut = rpt.rfind("3. DSP").unwrap(); // the section, not the table of contents
    let e = parse_vivado_synth_str(&rpt[..cut], Path::new("/p/vivado_synth.rpt"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("vivado_synth.rpt") && e.contains("DSPs"), "{e}");
}
