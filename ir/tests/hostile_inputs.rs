//! Hostile values in model and config files that would reach generated code: a part holding a
//! Tcl command substitution or a newline, in hls4ml config YAML and in the DSL. Issue 18 found
//! them accepted and written into project.tcl; each frontend must refuse them, naming the file
//! and the field.

use ir::frontend::{apply_config, dsl};

const MLP: &str = "network \"t\"\nx = input(4)\nfc1 = x -> dense(3, relu)\n";

#[test]
fn yaml_part_with_tcl_substitution_is_refused_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let y = dir.path().join("cfg.yml");
    for bad in [
        "'[exec touch /tmp/pwned]'",
        "\"xcu250\\n#error x\"",
        "'a\"; exec id; #'",
    ] {
        std::fs::write(&y, format!("Part: {bad}\n")).unwrap();
        let mut net = dsl::parse(MLP).unwrap();
        let e = apply_config(&mut net, &y).unwrap_err().to_string();
        assert!(e.contains("cfg.yml: Part: "), "{e}");
        assert!(e.contains("is not an FPGA part name"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        assert_eq!(net.config.part, ir::HlsConfig::default().part);
    }
    std::fs::write(&y, "Part: xcu250-figd2104-2L-e\n").unwrap();
    let mut net = dsl::parse(MLP).unwrap();
    apply_config(&mut net, &y).unwrap();
    assert_eq!(net.config.part, "xcu250-figd2104-2L-e");
}

#[test]
fn dsl_part_with_tcl_substitution_is_refused_with_the_line() {
    for bad in ["\"[exec touch /tmp/pwned]\"", "\"xcu250\\n#error x\""] {
        let src = format!("network \"t\"\nconfig {{ part: {bad} }}\nx = input(4)\n");
        let e = dsl::parse(&src).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(
            e.contains("setting 'part'") && e.contains("not an FPGA part name"),
            "{e}"
        );
    }
    let ok = dsl::parse("network \"t\"\nconfig { part: xc7z020clg400-1 }\nx = input(4)\n").unwrap();
    assert_eq!(ok.config.part, "xc7z020clg400-1");
}
