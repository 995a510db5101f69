//! The built-in data against domain-notes §2, lookups, user-file merging and user-file errors.

use std::io::Write;

use fpga_targets::{DspPrimitive, GpuPrecision, Target, TargetError, Targets};

/// (part, LUT, FF, DSP, BRAM_18K, URAM, primitive), transcribed by hand from
/// docs/domain-notes.md §2.2, rows tagged [V] (BRAM_18K is the number in brackets).
const DOC_FPGA_V: &[(&str, u64, u64, u64, u64, u64, DspPrimitive)] = &[
    (
        "xc7z020clg400-1",
        53_200,
        106_400,
        220,
        280,
        0,
        DspPrimitive::DSP48E1,
    ),
    (
        "xczu9eg-ffvb1156-2-e",
        274_080,
        548_160,
        2_520,
        1_824,
        0,
        DspPrimitive::DSP48E2,
    ),
    (
        "xcu200-fsgd2104-2-e",
        1_182_240,
        2_364_480,
        6_840,
        4_320,
        960,
        DspPrimitive::DSP48E2,
    ),
    (
        "xcvu9p-flga2104-2L-e",
        1_182_240,
        2_364_480,
        6_840,
        4_320,
        960,
        DspPrimitive::DSP48E2,
    ),
    (
        "xcu250-figd2104-2L-e",
        1_728_000,
        3_456_000,
        12_288,
        5_376,
        1_280,
        DspPrimitive::DSP48E2,
    ),
    (
        "xcvu13p-flga2577-2-e",
        1_728_000,
        3_456_000,
        12_288,
        5_376,
        1_280,
        DspPrimitive::DSP48E2,
    ),
    (
        "xcu280-fsvh2892-2L-e",
        1_303_680,
        2_607_360,
        9_024,
        4_032,
        960,
        DspPrimitive::DSP48E2,
    ),
];

/// (gpu, SMs, FP32, TF32, BF16, FP8 or 0, bandwidth GB/s), from domain-notes §2.1 rows whose
/// compute and bandwidth figures are tagged [V] (A100 40/80, H100 SXM, H200).
const DOC_GPU_V: &[(&str, u32, f64, f64, f64, f64, f64)] = &[
    ("a100-40gb", 108, 19.5, 156.0, 312.0, 0.0, 1555.0),
    ("a100-80gb", 108, 19.5, 156.0, 312.0, 0.0, 2039.0),
    ("h100-sxm", 132, 66.9, 494.7, 989.4, 1978.9, 3350.0),
    ("h200", 132, 66.9, 494.7, 989.4, 1978.9, 4800.0),
];

fn fpga<'a>(db: &'a Targets, name: &str) -> &'a fpga_targets::FpgaPart {
    match db.get(name).unwrap() {
        Target::Fpga(p) => p,
        other => panic!("{name} is not an FPGA: {other:?}"),
    }
}

#[test]
fn verified_fpga_counts_equal_domain_notes() {
    let db = Targets::builtin();
    for &(name, lut, ff, dsp, bram, uram, prim) in DOC_FPGA_V {
        let p = fpga(db, name);
        assert_eq!(p.name, name);
        assert_eq!(
            (p.lut, p.ff, p.dsp, p.bram_18k, p.uram),
            (lut, ff, dsp, bram, uram),
            "{name}"
        );
        assert_eq!(p.dsp_primitive, prim, "{name}");
        assert!(p.verified, "{name} is [V] in the notes");
    }
}

#[test]
fn unverified_entries_are_marked() {
    // domain-notes §2: VC1902 (no Versal table re-read, issue 12), L4 [S]/[U]. (KU115 was [U]
    // until issue 12 re-read it from DS890 Table 5; U55C until issue 14 checked it against the
    // Vitis HLS part data in data/real-projects, fpga-targets/tests/part_sources.rs.)
    let db = Targets::builtin();
    for name in ["xcvc1902-vsva2197-2MP-e-S", "l4"] {
        assert!(!db.get(name).unwrap().verified(), "{name}");
    }
    assert!(db.get("xcu55c-fsvh2892-2L-e").unwrap().verified());
    // Board memory bandwidths are verified only where a vendor document was re-read: the HBM
    // cards at 32 x 14.375 GB/s and the DDR Alveo cards at 4 x 19.2 GB/s ("77 GB/s"), both
    // from UG1393 'HBM Configuration and Use'.
    for p in db.fpgas() {
        if let Some(m) = &p.memory {
            let want = match p.name.as_str() {
                "xcu280-fsvh2892-2L-e" | "xcu55c-fsvh2892-2L-e" => Some(32.0 * 14.375),
                "xcu250-figd2104-2L-e" | "xcu200-fsgd2104-2-e" => Some(4.0 * 19.2),
                _ => None,
            };
            match want {
                Some(bw) => {
                    assert!(m.verified && m.source.contains("UG1393"), "{}", p.name);
                    assert!((m.bandwidth_gbps - bw).abs() < 1e-9, "{}", p.name);
                }
                None => assert!(!m.verified, "{}", p.name),
            }
        }
    }
    let h100 = match db.get("h100").unwrap() {
        Target::Gpu(g) => g,
        _ => panic!(),
    };
    assert!(h100
        .unverified_fields
        .contains(&"smem_per_sm_kib".to_string()));
}

#[test]
fn verified_gpu_numbers_equal_domain_notes() {
    let db = Targets::builtin();
    for &(name, sms, fp32, tf32, bf16, fp8, bw) in DOC_GPU_V {
        let Target::Gpu(g) = db.get(name).unwrap() else {
            panic!("{name}")
        };
        assert_eq!(g.sms, sms, "{name}");
        assert_eq!(g.peak_tflops(GpuPrecision::Fp32), Some(fp32), "{name}");
        assert_eq!(g.peak_tflops(GpuPrecision::Tf32), Some(tf32), "{name}");
        assert_eq!(g.peak_tflops(GpuPrecision::Bf16), Some(bf16), "{name}");
        assert_eq!(
            g.peak_tflops(GpuPrecision::Fp8).unwrap_or(0.0),
            fp8,
            "{name}"
        );
        assert_eq!(g.bandwidth_gbps, bw, "{name}");
        assert!(g.verified, "{name}");
    }
}

#[test]
fn every_required_entry_exists_with_a_source() {
    let db = Targets::builtin();
    let required = [
        "xc7z020clg400-1",
        "xczu9eg-ffvb1156-2-e",
        "xcu200-fsgd2104-2-e",
        "xcvu9p-flga2104-2L-e",
        "xcu250-figd2104-2L-e",
        "xcvu13p-flga2577-2-e",
        "xcu280-fsvh2892-2L-e",
        "xcu55c-fsvh2892-2L-e",
        "xcku115-flvb2104-2-i",
        "a100-40gb",
        "a100-80gb",
        "h100-sxm",
        "h200",
        "l4",
        "h100-pcie",
        "h100-nvl",
        "b200",
        "mi300x",
        "l40s",
        "a10",
        "tpu-v5e",
    ];
    for name in required {
        let t = db.get(name).unwrap();
        assert_eq!(t.name(), name);
        assert!(t.source().len() > 10, "{name} has no source");
    }
    // More parts live in tests/parts.rs; every entry has a source.
    assert!(db.iter().count() >= required.len());
    assert!(db.iter().all(|t| t.source().len() > 10));
}

/// The clock each GPU entry states is the one its dense tensor peak is quoted at:
/// SMs × dense FLOP per clock per SM × clock = peak within 1 % (per-SM rates from the
/// NVIDIA/AMD architecture whitepapers: 2048 on sm_80, 1024 on sm_86/89, 4096 on sm_90, 8192 on
/// sm_100, 2048 per CDNA3 CU, 4 MXUs × 128² × 2 on a TPU v5e core). A typo in any of the three
/// numbers breaks the exponential-unit ceiling derived from the clock.
#[test]
fn gpu_clock_matches_its_tensor_peak() {
    let db = Targets::builtin();
    for g in db.gpus() {
        let per_clk = match g.arch.as_deref() {
            Some("sm_80") | Some("cdna3") => 2048.0,
            Some("sm_86") | Some("sm_89") => 1024.0,
            Some("sm_90") => 4096.0,
            Some("sm_100") => 8192.0,
            Some("tpu-v5e") => 4.0 * 128.0 * 128.0 * 2.0,
            other => panic!("{}: unknown arch {other:?}", g.name),
        };
        let clock = g
            .clock_mhz
            .unwrap_or_else(|| panic!("{} has no clock", g.name));
        let peak = f64::from(g.sms) * per_clk * clock * 1e6 / 1e12;
        assert!(
            (peak / g.bf16_tflops - 1.0).abs() < 0.01,
            "{}: {peak} vs {}",
            g.name,
            g.bf16_tflops
        );
    }
}

#[test]
fn aliases_and_partial_names_resolve() {
    let db = Targets::builtin();
    let cases = [
        ("alveo-u200", "xcu200-fsgd2104-2-e"),
        ("ALVEO-U250", "xcu250-figd2104-2L-e"),
        ("alveo-u280", "xcu280-fsvh2892-2L-e"),
        ("alveo-u55c", "xcu55c-fsvh2892-2L-e"),
        ("pynq-z2", "xc7z020clg400-1"),
        ("zcu102", "xczu9eg-ffvb1156-2-e"),
        ("vcu118", "xcvu9p-flga2104-2L-e"),
        ("h100", "h100-sxm"),
        ("a100", "a100-80gb"),
        ("XCU250-FIGD2104-2L-E", "xcu250-figd2104-2L-e"),
        // without speed grade
        ("xcu250-figd2104", "xcu250-figd2104-2L-e"),
        ("xc7z020clg400", "xc7z020clg400-1"),
        ("xcku115", "xcku115-flvb2104-2-i"),
    ];
    for (q, want) in cases {
        assert_eq!(db.get(q).unwrap().name(), want, "{q}");
    }
}

#[test]
fn ambiguous_and_unknown_names_list_candidates() {
    let db = Targets::builtin();
    match db.get("xcvu") {
        Err(TargetError::Ambiguous { candidates, .. }) => {
            assert!(candidates.contains(&"xcvu9p-flga2104-2L-e".to_string()));
            assert!(candidates.contains(&"xcvu13p-flga2577-2-e".to_string()));
        }
        other => panic!("{other:?}"),
    }
    match db.get("alveo-u25") {
        Err(e @ TargetError::Unknown { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("alveo-u250"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(db.get("h1000"), Err(TargetError::Unknown { close, .. }) if close.contains(&"h100".to_string()))
    );
}

fn write_tmp(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn user_file_adds_and_overrides_entries() {
    let f = write_tmp(
        r#"
[[fpga]]
name = "xcvu19p-fsva3824-2-e"
aliases = ["vu19p"]
family = "Virtex UltraScale+"
lut = 4085760
ff = 8171520
dsp = 3840
bram_18k = 4320
uram = 320
dsp_primitive = "DSP48E2"
source = "my datasheet"
verified = false

[[gpu]]
name = "l4"
sms = 58
fp32_tflops = 30.3
tf32_tflops = 60.0
bf16_tflops = 121.0
fp16_tflops = 121.0
memory_kind = "GDDR6"
memory_gb = 24.0
bandwidth_gbps = 250.0
l2_kib = 49152
smem_per_sm_kib = 99
source = "measured"
verified = true
"#,
    );
    let db = Targets::load_with(Some(f.path())).unwrap();
    assert_eq!(fpga(&db, "vu19p").dsp, 3840);
    let Target::Gpu(l4) = db.get("l4").unwrap() else {
        panic!()
    };
    assert_eq!(l4.bandwidth_gbps, 250.0);
    assert_eq!(db.iter().count(), Targets::builtin().iter().count() + 1);
    // The built-in database is untouched.
    let Target::Gpu(l4) = Targets::builtin().get("l4").unwrap() else {
        panic!()
    };
    assert_eq!(l4.bandwidth_gbps, 300.0);
}

#[test]
fn malformed_user_files_name_the_file_and_field() {
    let missing = write_tmp(
        "[[fpga]]\nname = \"x\"\nfamily = \"f\"\nff = 1\ndsp = 1\nbram_18k = 1\nuram = 0\ndsp_primitive = \"DSP48E2\"\nsource = \"s\"\nverified = true\n",
    );
    let e = Targets::load_with(Some(missing.path())).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, TargetError::Parse { .. }), "{msg}");
    assert!(msg.contains(&missing.path().display().to_string()), "{msg}");
    assert!(msg.contains("lut"), "{msg}");

    let typo = write_tmp("[[gpu]]\nname = \"g\"\nsmz = 3\n");
    let msg = Targets::load_with(Some(typo.path()))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("smz"), "{msg}");

    let zero = write_tmp(
        "[[fpga]]\nname = \"x\"\nfamily = \"f\"\nlut = 10\nff = 1\ndsp = 0\nbram_18k = 1\nuram = 0\ndsp_primitive = \"DSP48E2\"\nsource = \"s\"\nverified = true\n",
    );
    match Targets::load_with(Some(zero.path())).unwrap_err() {
        TargetError::Invalid { entry, field, .. } => {
            assert_eq!((entry.as_str(), field.as_str()), ("x", "dsp"))
        }
        other => panic!("{other:?}"),
    }

    let bad_prim = write_tmp(
        "[[fpga]]\nname = \"x\"\nfamily = \"f\"\nlut = 10\nff = 1\ndsp = 2\nbram_18k = 1\nuram = 0\ndsp_primitive = \"DSP99\"\nsource = \"s\"\nverified = true\n",
    );
    let msg = Targets::load_with(Some(bad_prim.path()))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("DSP99"), "{msg}");

    let clash = write_tmp(
        "[[fpga]]\nname = \"x\"\naliases = [\"zcu102\"]\nfamily = \"f\"\nlut = 10\nff = 1\ndsp = 2\nbram_18k = 1\nuram = 0\ndsp_primitive = \"DSP48E2\"\nsource = \"s\"\nverified = true\n",
    );
    match Targets::load_with(Some(clash.path())).unwrap_err() {
        TargetError::Invalid { field, reason, .. } => {
            assert_eq!(field, "aliases");
            assert!(reason.contains("xczu9eg"), "{reason}");
        }
        other => panic!("{other:?}"),
    }

    let missing_file = std::path::Path::new("/nonexistent/targets.toml");
    assert!(matches!(
        Targets::load_with(Some(missing_file)),
        Err(TargetError::Io { .. })
    ));
}

#[test]
fn dsp_widths_match_measured_counts() {
    // domain-notes §2.2: Pynq-Z2 (DSP48E1) measured 16x16 -> 1, 32x32 -> 4; hls4ml #31: 18 bits
    // fit one DSP, 19 need two.
    assert_eq!(DspPrimitive::DSP48E1.dsps_per_multiply(16), 1);
    assert_eq!(DspPrimitive::DSP48E1.dsps_per_multiply(32), 4);
    assert_eq!(DspPrimitive::DSP48E2.dsps_per_multiply(18), 1);
    assert_eq!(DspPrimitive::DSP48E2.dsps_per_multiply(19), 2);
}

#[test]
fn other_package_of_a_known_die_resolves_to_that_die() {
    // hls4ml's example qkeras_3layer_config.yml names xcvu9p-flga2577-2-e: the same VU9P die as
    // the xcvu9p-flga2104-2L-e entry (resources are the die's), so it must resolve to it.
    let t = Targets::builtin();
    let a = t.get("xcvu9p-flga2577-2-e").unwrap();
    assert_eq!(a.name(), "xcvu9p-flga2104-2L-e");
    // ... and says so (tests/parts.rs checks the note's content).
    assert!(t.resolve("xcvu9p-flga2577-2-e").unwrap().note.is_some());
    // A die we do not know still fails with close names.
    assert!(t.get("xcvu23p-vsva1365-2-e").is_err());
}
