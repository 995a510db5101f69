//! Alveo shell (platform) regions (U200, U250, U280, U55C, U50) and the VC1902's AI Engine
//! array as data: the built-in entries against their cited sources (sums worked by hand
//! below), and bad user entries.

use std::io::Write;

use fpga_targets::{FpgaPart, Target, TargetError, Targets};

fn fpga<'a>(db: &'a Targets, q: &str) -> &'a FpgaPart {
    match db.get(q).unwrap() {
        Target::Fpga(p) => p,
        Target::Gpu(g) => panic!("{} is a GPU", g.name),
    }
}

/// U200: the UG1702 example's totals (979,040 LUT, 5,880 DSP, 1,860 BRAM36, 800 URAM) are the
/// default; the ThunderGP xdma_201830_2 per-SLR rows sum to 354,831 + 159,854 + 354,962 =
/// 869,647 LUT and 2,265 + 1,317 + 2,265 = 5,847 DSP. U250: 4 SLRs of 2,877 DSP = 11,508,
/// 345,171 + 344,533 + 344,878 + 345,158 = 1,379,740 LUT, 4 × 500 BRAM36 = 4,000 BRAM_18K.
#[test]
fn alveo_shells_leave_the_dynamic_region() {
    let db = Targets::builtin();
    let u200 = fpga(db, "u200");
    assert_eq!(u200.shells.len(), 2);
    assert_eq!(
        u200.kernel_resources(),
        (
            979_040,
            1_958_080,
            5_880,
            3_720,
            800,
            Some("xilinx_u200_gen3x16_xdma_2_202110_1")
        )
    );
    let old = &u200.shells[1];
    assert_eq!((old.lut, old.dsp, old.bram_18k), (869_647, 5_847, 3_204));
    let u250 = fpga(db, "u250");
    let s = &u250.shells[0];
    assert_eq!(
        (s.lut, s.ff, s.dsp, s.bram_18k, s.uram),
        (1_379_740, 2_814_332, 11_508, 4_000, Some(1_280))
    );
    // U280 (FINN platforms.py, SLR sums): Vivado-observed 400,800 + 382,080 + 380,640 =
    // 1,163,520 LUT, 2,736 + 2,880 + 2,880 = 8,496 DSP, 2 × (600 + 576 + 576) = 3,504
    // BRAM_18K; UG1120's 369k + 333k + 367k = 1,069,000 LUT, 2,733 + 2,877 + 2,880 = 8,490 DSP,
    // 2 × (507 + 468 + 512) = 2,974 BRAM_18K. The larger region is the default.
    let u280 = fpga(db, "u280");
    assert_eq!(u280.shells.len(), 2);
    let r = u280.kernel_resources();
    assert_eq!(
        (r.0, r.1, r.2, r.3, r.4),
        (1_163_520, 2_327_040, 8_496, 3_504, 960)
    );
    let ug = &u280.shells[1];
    assert_eq!((ug.lut, ug.dsp, ug.bram_18k), (1_069_000, 8_490, 2_974));
    // U55C (platforminfo of gen3x16_xdma_3_202210_1): 386,880 + 364,320 + 395,040 =
    // 1,146,240 LUT, 2,664 + 2,784 + 2,928 = 8,376 DSP, 2 × (600 + 576 + 600) = 3,552
    // BRAM_18K; no URAM listed, so the device's 960 applies.
    let u55c = fpga(db, "u55c");
    assert_eq!(
        u55c.kernel_resources(),
        (
            1_146_240,
            2_292_480,
            8_376,
            3_552,
            960,
            Some("xilinx_u55c_gen3x16_xdma_3_202210_1")
        )
    );
    // U50: 374,400 + 368,160 = 742,560 LUT, 2,592 + 2,760 = 5,352 DSP, 2 × 2 × 564 = 2,256
    // BRAM_18K, 2 × 304 = 608 URAM (UG1120: 2 × 365k LUT, 2 × 2,580 DSP).
    let u50 = fpga(db, "u50");
    let r = u50.kernel_resources();
    assert_eq!(
        (r.0, r.1, r.2, r.3, r.4),
        (742_560, 1_485_120, 5_352, 2_256, 608)
    );
    assert_eq!((u50.shells[1].lut, u50.shells[1].dsp), (730_000, 5_160));
    // Every shell leaves less than the whole device; parts without one keep the device.
    for t in db.iter() {
        if let Target::Fpga(p) = t {
            for sh in &p.shells {
                assert!(sh.lut < p.lut && sh.dsp < p.dsp && sh.bram_18k <= p.bram_18k);
            }
        }
    }
    let zcu = fpga(db, "zcu102");
    assert_eq!(zcu.kernel_resources().0, zcu.lut);
    assert_eq!(zcu.kernel_resources().5, None);
}

/// VC1902: 400 tiles × 128 INT8 MACs × 1.25 GHz = 64 T MAC/s (128 TOP/s); 16-bit: 32 MACs →
/// 16 T MAC/s; FP32: 8 → 4 T MAC/s. (The Vitis AI DPU on the VCK190 quotes 61.4 TOPS INT8
/// peak for the part of the array it uses, below 128.)
#[test]
fn vc1902_ai_engine_array() {
    let p = fpga(Targets::builtin(), "vck190");
    let a = p.ai_engine.as_ref().unwrap();
    assert_eq!(a.macs_per_s(8), 400.0 * 128.0 * 1.25e9);
    assert_eq!(a.macs_per_s(16), 400.0 * 32.0 * 1.25e9);
    assert_eq!(a.macs_per_s(32), 400.0 * 8.0 * 1.25e9);
    assert!(2.0 * a.macs_per_s(8) > 61.4e12);
    assert!(fpga(Targets::builtin(), "u250").ai_engine.is_none());
}

fn write_tmp(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

const PART: &str = r#"
[[fpga]]
name = "xcfake1-test"
family = "Test"
lut = 1000
ff = 2000
dsp = 10
bram_18k = 20
uram = 0
dsp_primitive = "DSP48E2"
source = "test"
verified = false
"#;

#[test]
fn bad_shells_and_ai_engines_are_named() {
    let big = write_tmp(&format!(
        "{PART}[[fpga.shell]]\nplatform = \"p\"\nlut = 2000\nff = 1\ndsp = 1\nbram_18k = 1\nsource = \"s\"\nverified = false\n"
    ));
    match Targets::load_with(Some(big.path())).unwrap_err() {
        TargetError::Invalid {
            entry,
            field,
            reason,
            ..
        } => {
            assert_eq!(entry, "xcfake1-test");
            assert_eq!(field, "shell[0].lut");
            assert!(reason.contains("exceeds"), "{reason}");
        }
        e => panic!("{e}"),
    }
    let typo = write_tmp(&format!(
        "{PART}[[fpga.shell]]\nplatform = \"p\"\nluts = 2\nff = 1\ndsp = 1\nbram_18k = 1\nsource = \"s\"\nverified = false\n"
    ));
    let msg = Targets::load_with(Some(typo.path()))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("luts"), "{msg}");
    let aie = write_tmp(&format!(
        "{PART}[fpga.ai_engine]\ntiles = 0\nclock_mhz = 1000.0\nint8_macs_per_tile_clk = 128.0\nint16_macs_per_tile_clk = 32.0\nfp32_macs_per_tile_clk = 8.0\nsource = \"s\"\nverified = false\n"
    ));
    match Targets::load_with(Some(aie.path())).unwrap_err() {
        TargetError::Invalid { field, .. } => assert_eq!(field, "ai_engine.tiles"),
        e => panic!("{e}"),
    }
}
