//! Names from a model that would be written into generated C++ or Tcl: a layer name holding a
//! newline and a preprocessor line, a part holding a Tcl command substitution. Issue 18 found
//! both copied verbatim (g++ compiled the `#error`, Vivado would run the `[exec ...]`); codegen
//! must refuse them, naming the layer and the file they would reach.

use hls_codegen::{lower, CodegenError, Overrides, ProjectOptions};

/// hls4ml's KERAS_3layer example (Dense layers fc1_relu, fc2_relu, fc3_relu with weights).
fn mlp() -> ir::Network {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let p = dir.join("examples/hls4ml-examples/keras/KERAS_3layer.json");
    frontends::load_model(&p, None, None).unwrap()
}

#[test]
fn a_layer_name_with_a_preprocessor_line_is_refused() {
    let mut net = mlp();
    let id = net.find("fc1_relu").unwrap();
    net.layer_mut(id).name = "fc1\n#error injected".to_string();
    net.reindex();
    let e = lower(&net, &ProjectOptions::default()).unwrap_err();
    assert!(matches!(e, CodegenError::BadLayerName { .. }), "{e:?}");
    let msg = e.to_string();
    // The name is quoted with its newline escaped, and the files it would reach are named.
    assert!(
        msg.contains(r#"layer "fc1\n#error injected" (Dense)"#),
        "{msg}"
    );
    assert!(
        msg.contains("firmware/defines.h") && msg.contains("firmware/myproject.cpp"),
        "{msg}"
    );
    assert!(!msg.contains('\n'), "{msg}");

    for bad in ["fc 1", "fc-1", "1fc", "fc1/*", "a.b", ""] {
        let mut net = mlp();
        let id = net.find("fc1_relu").unwrap();
        net.layer_mut(id).name = bad.to_string();
        net.reindex();
        assert!(
            matches!(
                lower(&net, &ProjectOptions::default()),
                Err(CodegenError::BadLayerName { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn a_part_with_tcl_substitution_is_refused() {
    for bad in [
        "xcu250-figd2104-2L-e\"; exec touch /tmp/presynth-pwned; #",
        "[exec touch /tmp/presynth-pwned]",
        "xcu250\n#x",
        "$env(HOME)",
    ] {
        let mut net = mlp();
        net.config.part = bad.to_string();
        let e = lower(&net, &ProjectOptions::default()).unwrap_err();
        assert!(matches!(e, CodegenError::BadPart { .. }), "{bad:?}: {e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains("project.tcl") && msg.contains("not an FPGA part name"),
            "{msg}"
        );

        // --part is checked where it enters, naming the option.
        let mut cfg = ir::HlsConfig::default();
        let ov = Overrides {
            part: Some(bad.to_string()),
            ..Default::default()
        };
        let e = ov.apply(&mut cfg).unwrap_err().to_string();
        assert!(e.starts_with("--part: "), "{e}");
        assert_eq!(cfg.part, ir::HlsConfig::default().part, "not applied");
    }
}

#[test]
fn real_names_and_parts_still_lower() {
    let mut net = mlp();
    net.config.part = "xc7z020clg400-1".into();
    let m = lower(&net, &ProjectOptions::default()).unwrap();
    assert_eq!(m.part, "xc7z020clg400-1");
    let tcl = hls_codegen::writer::scripts::project_tcl(&m);
    assert!(tcl.contains("set part \"xc7z020clg400-1\"\n"), "{tcl}");
}
