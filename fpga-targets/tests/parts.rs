//! The AMD/Xilinx and Intel parts an hls4ml user names (issue 12): every one resolves under the
//! spellings hls4ml and Vivado use, another package of the same device is announced, and an
//! unknown device is an error that suggests devices of its family and size — never a silent
//! substitution.

use fpga_targets::{DspPrimitive, Target, TargetError, Targets};

fn fpga<'a>(db: &'a Targets, q: &str) -> &'a fpga_targets::FpgaPart {
    match db.get(q) {
        Ok(Target::Fpga(p)) => p,
        other => panic!("{q}: {other:?}"),
    }
}

#[test]
fn parts_hls4ml_users_name_resolve_exactly() {
    let db = Targets::builtin();
    // (as a user writes it, the entry it must be, LUT, DSP) — LUT/DSP as each entry's source
    // states them (DS190, DS891, DS180, DS890, Vivado's part data; see part_sources.rs for the
    // quoted rows). The U50's 871,680 is Vivado's exact count; its data sheet rounds to 872K.
    let cases: &[(&str, &str, u64, u64)] = &[
        // hls4ml's own spelling of the Pynq-Z2 part (VivadoAccelerator supported_boards.json
        // writes xc7z020clg400-1; users write the hyphenated form too).
        ("xc7z020-clg400-1", "xc7z020clg400-1", 53_200, 220),
        ("xc7z020clg400-1", "xc7z020clg400-1", 53_200, 220),
        ("xc7z007s-clg400-1", "xc7z007sclg400-1", 14_400, 66),
        ("xc7z010clg400-1", "xc7z010clg400-1", 17_600, 80),
        ("xc7z100ffg900-2", "xc7z100ffg900-2", 277_400, 2_020),
        ("xczu3eg-sbva484-1-e", "xczu3eg-sbva484-1-e", 70_560, 360),
        (
            "xczu7ev-ffvc1156-2-e",
            "xczu7ev-ffvc1156-2-e",
            230_400,
            1_728,
        ),
        ("xck26-sfvc784-2LV-c", "xck26-sfvc784-2LV-c", 117_120, 1_248),
        ("kv260", "xck26-sfvc784-2LV-c", 117_120, 1_248),
        (
            "xczu28dr-ffvg1517-2-e",
            "xczu28dr-ffvg1517-2-e",
            425_280,
            4_272,
        ),
        ("xc7a200tsbg484-1", "xc7a200tsbg484-1", 134_600, 740),
        ("xc7a35t-csg324-1", "xc7a35tcsg324-1", 20_800, 90),
        (
            "xcku15p-ffva1156-2-e",
            "xcku15p-ffva1156-2-e",
            522_720,
            1_968,
        ),
        (
            "xcvu9p-flga2104-2L-e",
            "xcvu9p-flga2104-2L-e",
            1_182_240,
            6_840,
        ),
        (
            "xcvu13p-flga2577-2-e",
            "xcvu13p-flga2577-2-e",
            1_728_000,
            12_288,
        ),
        ("xcu50-fsvh2104-2-e", "xcu50-fsvh2104-2-e", 871_680, 5_952),
        ("alveo-u50", "xcu50-fsvh2104-2-e", 871_680, 5_952),
        ("alveo_u55c", "xcu55c-fsvh2892-2L-e", 1_303_680, 9_024),
        (
            "xilinx_u55c_gen3x16_xdma_3_202210_1",
            "xcu55c-fsvh2892-2L-e",
            1_303_680,
            9_024,
        ),
        (
            "xilinx_u280_gen3x16_xdma_1_202211_1",
            "xcu280-fsvh2892-2L-e",
            1_303_680,
            9_024,
        ),
        (
            "xcu200-fsgd2104-2-e",
            "xcu200-fsgd2104-2-e",
            1_182_240,
            6_840,
        ),
        (
            "xcu250-figd2104-2L-e",
            "xcu250-figd2104-2L-e",
            1_728_000,
            12_288,
        ),
        (
            "xcvc1902-vsva2197-2MP-e-S",
            "xcvc1902-vsva2197-2MP-e-S",
            899_840,
            1_968,
        ),
        ("vck190", "xcvc1902-vsva2197-2MP-e-S", 899_840, 1_968),
        (
            "xcve2302-sfva784-1LP-e-S",
            "xcve2302-sfva784-1LP-e-S",
            150_272,
            464,
        ),
        (
            "xcvm1802-vsva2197-2MP-e-S",
            "xcvm1802-vsva2197-2MP-e-S",
            899_840,
            1_968,
        ),
        ("v80", "xcv80-lsva4737-2MHP-e-S", 2_574_208, 10_848),
        // hls4ml's Quartus and oneAPI default parts.
        ("Arria10", "10AX115N2F40E2LG", 854_400, 1_518),
        ("Agilex7", "AGFB014R24A2E2V", 974_400, 4_510),
        ("stratix10", "1SG280LU2F50E2VG", 1_866_240, 5_760),
    ];
    for &(q, want, lut, dsp) in cases {
        let r = db.resolve(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(r.target.name(), want, "{q}");
        assert!(r.note.is_none(), "{q}: {:?}", r.note);
        let p = fpga(db, q);
        assert_eq!((p.lut, p.dsp), (lut, dsp), "{q}");
    }
    // Versal has DSP58, 7-series DSP48E1, UltraScale(+) DSP48E2.
    assert_eq!(fpga(db, "vck190").dsp_primitive, DspPrimitive::DSP58);
    assert_eq!(fpga(db, "xc7a200t").dsp_primitive, DspPrimitive::DSP48E1);
    assert_eq!(fpga(db, "xczu7ev").dsp_primitive, DspPrimitive::DSP48E2);
}

#[test]
fn every_entry_has_sane_counts_and_a_vendor_source() {
    let db = Targets::builtin();
    for p in db.fpgas() {
        // FF = 2 x LUT on every AMD family since 7-series (8 FF per 4 LUT6... per slice: 8 FF /
        // 4 LUT in 7-series, 16 FF / 8 LUT in UltraScale, 64 FF / 32 LUT per Versal CLB) and 4
        // registers per 2 ALUTs in Intel ALMs.
        assert!(
            (p.ff as f64 / p.lut as f64 - 2.0).abs() < 0.01,
            "{}: FF {} vs LUT {}",
            p.name,
            p.ff,
            p.lut
        );
        assert!(
            p.bram_18k % 2 == 0 || p.family.starts_with("Intel"),
            "{}: BRAM_18K is 2 x BRAM36",
            p.name
        );
        assert!(
            p.source.contains("http") || p.source.contains("domain-notes"),
            "{}",
            p.name
        );
    }
}

#[test]
fn another_package_of_a_known_device_is_announced() {
    let db = Targets::builtin();
    // hls4ml's example qkeras_3layer_config.yml names xcvu9p-flga2577-2-e.
    let r = db.resolve("xcvu9p-flga2577-2-e").unwrap();
    assert_eq!(r.target.name(), "xcvu9p-flga2104-2L-e");
    let note = r.note.unwrap();
    assert!(
        note.contains("xcvu9p-flga2577-2-e") && note.contains("xcvu9p-flga2104-2L-e"),
        "{note}"
    );
    assert!(note.contains("package flga2577 → flga2104"), "{note}");
    assert!(note.contains("speed grade 2 → 2l"), "{note}");
    // Another speed grade only.
    let r = db.resolve("xc7z020clg400-2").unwrap();
    assert_eq!(r.target.name(), "xc7z020clg400-1");
    assert!(r.note.unwrap().contains("speed grade 2 → 1"));
    // The device alone, or with its own package: no note.
    assert!(db.resolve("xczu7ev").unwrap().note.is_none());
    assert!(db.resolve("xczu7ev-ffvc1156").unwrap().note.is_none());
}

#[test]
fn unknown_devices_suggest_their_family_and_size_and_never_substitute() {
    let db = Targets::builtin();
    // xczu7ev is known now; it must be itself, not xczu9eg.
    assert_eq!(
        db.get("xczu7ev-ffvc1156-2-e").unwrap().name(),
        "xczu7ev-ffvc1156-2-e"
    );
    // A Zynq US+ size with no entry: an error, suggesting Zynq US+ parts of the nearest size.
    match db.resolve("xczu8ev-ffvc1156-2-e") {
        Err(e @ TargetError::Unknown { .. }) => {
            let TargetError::Unknown { close, .. } = &e else {
                unreachable!()
            };
            assert!(close.iter().all(|c| c.starts_with("xczu")), "{close:?}");
            assert!(
                close[0].starts_with("xczu7") || close[0].starts_with("xczu9"),
                "{close:?}"
            );
            assert!(e.to_string().contains("did you mean"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // A 7-series style name of an unknown size.
    match db.resolve("xc7a300tffg1156-1") {
        Err(TargetError::Unknown { close, .. }) => {
            assert!(close.iter().all(|c| c.starts_with("xc7a")), "{close:?}");
            assert!(close[0].starts_with("xc7a200t"), "{close:?}");
        }
        other => panic!("{other:?}"),
    }
    // A digit continuing a known device is a different device.
    assert!(db.resolve("xc7z0201clg400-1").is_err());
}
