//! End-to-end tests of `presynth targets`: JSON with the domain-notes §2 numbers, filters and
//! user files.

use std::process::Command;

fn presynth(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args(args)
        .env_remove("PRESYNTH_TARGETS")
        .output()
        .unwrap()
}

#[test]
fn json_lists_parts_and_gpus_with_sources() {
    let out = presynth(&["targets", "--format", "json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    let u250 = arr
        .iter()
        .find(|t| t["name"] == "xcu250-figd2104-2L-e")
        .unwrap();
    // domain-notes §2.2 [V]: 12,288 DSPs, 5,376 BRAM_18K.
    assert_eq!(
        (
            u250["kind"].as_str(),
            u250["dsp"].as_u64(),
            u250["bram_18k"].as_u64()
        ),
        (Some("fpga"), Some(12288), Some(5376))
    );
    assert!(arr
        .iter()
        .all(|t| t["source"].is_string() && t["verified"].is_boolean()));
    let out = presynth(&["targets", "--kind", "gpu", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().all(|t| t["kind"] == "gpu"));
    // A100 40/80, H100 SXM/PCIe/NVL, H200, B200, MI300X, L40S, A10, L4, TPU v5e.
    assert_eq!(v.as_array().unwrap().len(), 12);
}

#[test]
fn user_file_and_env_var_add_entries() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("mine.toml");
    std::fs::write(
        &f,
        "[[fpga]]\nname = \"xcvu19p-fsva3824-2-e\"\nfamily = \"Virtex UltraScale+\"\nlut = 4085760\nff = 8171520\ndsp = 3840\nbram_18k = 4320\nuram = 320\ndsp_primitive = \"DSP48E2\"\nsource = \"mine\"\nverified = false\n",
    )
    .unwrap();
    let out = presynth(&["targets", "--file", f.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("xcvu19p-fsva3824-2-e"));
    let out = Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args(["targets", "--format", "csv"])
        .env("PRESYNTH_TARGETS", &f)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("xcvu19p-fsva3824-2-e"));
    std::fs::write(&f, "[[fpga]]\nname = 3\n").unwrap();
    let out = presynth(&["targets", "--file", f.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mine.toml") && err.contains("name"), "{err}");
}

#[test]
fn table_shows_whether_each_part_was_verified() {
    // Issue 12: the table's "verified" column says yes/no per entry and names the fields an
    // entry leaves unchecked. The U50 was re-read (Vivado HLS part data, DS890 Table 13); the
    // VE2302's Versal table was not, and it lists its unchecked fields.
    let out = presynth(&["targets", "--kind", "fpga"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let row = |name: &str| {
        text.lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{text}"))
            .to_string()
    };
    let u50 = row("xcu50-fsvh2104-2-e");
    assert!(u50.contains("871680") && u50.contains(" yes "), "{u50}");
    let ve = row("xcve2302-sfva784-1LP-e-S");
    assert!(ve.contains("no (not: ff, bram_18k, uram)"), "{ve}");
}

/// Alveo shell regions and the VC1902's AI Engine array reach `presynth targets` (table and
/// JSON), with their sources (fpga-targets/data/targets.toml).
#[test]
fn shells_and_ai_engines_are_listed() {
    let out = presynth(&["targets", "--kind", "fpga"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("xilinx_u200_gen3x16_xdma_2_202110_1: 979040 LUT, 5880 DSP"),
        "{text}"
    );
    assert!(text.contains("AIE 400 tiles x 1250 MHz"), "{text}");
    let out = presynth(&["targets", "--kind", "fpga", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let find = |n: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == n)
            .unwrap()
            .clone()
    };
    let vck = find("xcvc1902-vsva2197-2MP-e-S");
    assert_eq!(vck["ai_engine"]["tiles"], 400);
    assert_eq!(vck["ai_engine"]["int8_macs_per_tile_clk"], 128.0);
    assert!(vck["ai_engine"]["source"]
        .as_str()
        .unwrap()
        .contains("UG1079"));
    assert_eq!(find("xcu250-figd2104-2L-e")["shell"][0]["dsp"], 11508);
}
