//! Hostile values in dataset inputs (issue 18): a generator part holding a Tcl command
//! substitution, which `dataset generate --part` or a generator config would otherwise carry
//! into every project's project.tcl.

use dataset_tools::generate::GenConfig;

#[test]
fn generator_part_with_tcl_substitution_is_refused() {
    // What `dataset generate --part` does: set the part, then validate.
    let mut cfg = GenConfig::default();
    cfg.part = "xcu250\"; [exec touch /tmp/pwned]; #".into();
    let e = cfg.validate().unwrap_err();
    assert!(
        e.starts_with("part: ") && e.contains("not an FPGA part name"),
        "{e}"
    );

    // The same from a config file, which names the file.
    let dir = tempfile::tempdir().unwrap();
    let y = dir.path().join("gen.yaml");
    std::fs::write(&y, "part: \"xcu250\\n#error x\"\n").unwrap();
    let e = GenConfig::from_path(&y).unwrap_err().to_string();
    assert!(
        e.contains("gen.yaml") && e.contains("not an FPGA part name"),
        "{e}"
    );

    assert!(GenConfig::default().validate().is_ok());
}
