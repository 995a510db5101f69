//! FPGA roofline numbers worked by hand (issue 14): BRAM/URAM data bytes without parity, two
//! INT8 products per DSP48E2, LUT multipliers in the peak, the LUT softmax, Pynq-Z2's DDR.

mod attention {
    use estimator::attention::units::Work;
    use estimator::attention::{Dtype, TargetSpec};
    use fpga_targets::Targets;

    fn spec(name: &str, dtype: Dtype) -> TargetSpec {
        TargetSpec::from_target(Targets::builtin().get(name).unwrap(), dtype, 0.5, None).unwrap()
    }

    /// Alveo U250, 8-bit, in the dynamic region of its xdma_201830_2 shell (11 508 DSP48E2,
    /// 1 379 740 LUTs, 4 000 BRAM_18K, 1 280 URAM; fpga-targets/data/targets.toml):
    /// 11508 × 2 products + 1 379 740 LUTs / (115·64/81) LUTs per 8×8 LUT multiplier, at
    /// 300 MHz, 2 FLOP each; fast memory half of 4000 × 2048 B + 1280 × 32768 B.
    #[test]
    fn u250_int8_peak_and_data_bytes() {
        let s = spec("alveo-u250", Dtype::Fixed(8));
        let lut_mult = 115.0 * 64.0 / 81.0;
        let want = 2.0 * (11508.0 * 2.0 + 1_379_740.0 / lut_mult) * 300e6;
        assert!(
            (s.peak_flops / want - 1.0).abs() < 1e-12,
            "{} {want}",
            s.peak_flops
        );
        assert_eq!(s.fast_mem_bytes, (4000 * 2048 + 1280 * 32768) / 2);
        assert!(s
            .basis
            .iter()
            .any(|b| b.contains("shell: dynamic region of xilinx_u250_xdma_201830_2")));
        // 16-bit: one product per DSP48E2 (27×18), LUT multipliers 4× the 8-bit area.
        let s16 = spec("alveo-u250", Dtype::Fixed(16));
        let want16 = 2.0 * (11508.0 + 1_379_740.0 / (115.0 * 256.0 / 81.0)) * 300e6;
        assert!((s16.peak_flops / want16 - 1.0).abs() < 1e-12);
        // The U280 in its default shell's region (8 496 DSP48E2, 1 163 520 LUTs, FINN's
        // Vivado-observed SLR sums) instead of the whole device (9 024 DSP, 1 303 680 LUTs).
        let vu = spec("u280", Dtype::Fixed(8));
        let want_vu = 2.0 * (8496.0 * 2.0 + 1_163_520.0 / lut_mult) * 300e6;
        assert!(
            (vu.peak_flops / want_vu - 1.0).abs() < 1e-12,
            "{}",
            vu.peak_flops
        );
        // The U55C's platforminfo lists no URAM: its 3 552 BRAM_18K of the region and the
        // device's 960 URAM hold the data, half of it fast memory.
        let c = spec("u55c", Dtype::Fixed(8));
        assert_eq!(c.fast_mem_bytes, (3552 * 2048 + 960 * 32768) / 2);
        assert!(c
            .basis
            .iter()
            .any(|b| b.contains("shell: dynamic region of xilinx_u55c_gen3x16_xdma_3_202210_1")));
    }

    /// VCK190, 8-bit: the AI Engine array beside the DSP58s. 400 tiles × 128 INT8 MACs ×
    /// 1.25 GHz = 6.4e13 MAC/s; DSP58s 1968 × 2 products and 899 840 LUTs / (115·64/81) at the
    /// default 200 MHz. The AI Engines may take the softmax too, so with d = 1 (4 matrix FLOPs,
    /// 2 products per score) the time is the products over all three pools, not the LUT
    /// softmax: 2e9 products / (6.4e13 + 1968·2·2e8 + 899840·2e8 / (115·64/81)).
    #[test]
    fn vck190_ai_engines_are_a_compute_ceiling() {
        let s = spec("vck190", Dtype::Fixed(8));
        let c = 115.0 * 64.0 / 81.0;
        let rate = 6.4e13 + 1968.0 * 2.0 * 2e8 + 899_840.0 * 2e8 / c;
        assert!(
            (s.peak_flops / (2.0 * rate) - 1.0).abs() < 1e-12,
            "{}",
            s.peak_flops
        );
        let scores = 1e9;
        let t = s
            .units
            .times(&Work::attention(4.0 * scores, scores, 0.0, 1));
        assert!((t.compute_s / (2.0 * scores / rate) - 1.0).abs() < 1e-12);
        assert_eq!(t.exp_s, 0.0);
        assert!(s
            .basis
            .iter()
            .any(|b| b.contains("AI Engine: 400 tiles x 128")));
        // FP32 operands: 8 MACs per tile per clock.
        let f = spec("vck190", Dtype::Fp32);
        let aie32 = 400.0 * 8.0 * 1.25e9;
        assert!(f.peak_flops > 2.0 * aie32);
    }

    /// The softmax is not free: with d = 1 each score has 2·2 = 4 matrix FLOPs (2 multiplies)
    /// but 3 w-bit LUT adds; on a Pynq-Z2 (220 DSP48E1, 53 200 LUTs, 100 MHz, 16-bit) the
    /// LUT-shared time exceeds the products-only time.
    #[test]
    fn softmax_costs_luts() {
        let s = spec("pynq-z2", Dtype::Fixed(16));
        let scores = 1e9;
        let w = Work::attention(4.0 * scores, scores, 0.0, 1);
        let t = s.units.times(&w);
        let m = 2.0 * scores;
        let c = 115.0 * 256.0 / 81.0;
        let lut_work = 3.0 * 16.0 * scores;
        let want = (m * c + lut_work) / (220.0 * 100e6 * c + 53_200.0 * 100e6);
        assert!((t.compute_s / want - 1.0).abs() < 1e-12);
        assert!(t.compute_s > t.tensor_s);
        assert_eq!(t.binding, "fabric");
    }

    /// Pynq-Z2 DDR3: 16-bit bus at 1050 Mb/s per pin = 2.1 GB/s.
    #[test]
    fn pynq_z2_bandwidth() {
        assert_eq!(
            spec("pynq-z2", Dtype::Fixed(16)).bandwidth_bytes_per_s,
            2.1e9
        );
    }

    /// No review notes of the database reach the user (issue 14: "[U] Hopper Tuning Guide not
    /// re-read" leaked into the report), for every built-in target.
    #[test]
    fn basis_lines_carry_no_review_notes() {
        for t in Targets::builtin().iter() {
            let dt = match t {
                fpga_targets::Target::Fpga(_) => Dtype::Fixed(16),
                fpga_targets::Target::Gpu(_) => Dtype::Bf16,
            };
            let Ok(s) = TargetSpec::from_target(t, dt, 0.5, Some(1.0)) else {
                continue;
            };
            for line in &s.basis {
                for bad in ["[U]", "[V]", "[S]", "not re-read", "not verified"] {
                    assert!(!line.contains(bad), "{}: {line}", t.name());
                }
            }
        }
    }

    /// Versal HBM (Alveo V80) and AI Core (VCK190) now carry their board memory: 8-bit
    /// attention on the V80 is bounded by 820 GB/s of HBM2e and by 10 848 DSP58 × 2 INT8
    /// products + 2 574 208 LUTs / (115·64/81) per LUT multiplier at the default 200 MHz; the
    /// VCK190's DDR4 UDIMM is 64 bit × 3200 MT/s = 25.6 GB/s.
    #[test]
    fn versal_boards_have_memory_and_dsp58_peaks() {
        let v80 = spec("v80", Dtype::Fixed(8));
        assert_eq!(v80.bandwidth_bytes_per_s, 820e9);
        let want = 2.0 * (10848.0 * 2.0 + 2_574_208.0 / (115.0 * 64.0 / 81.0)) * 200e6;
        assert!(
            (v80.peak_flops / want - 1.0).abs() < 1e-12,
            "{}",
            v80.peak_flops
        );
        let vck = spec("vck190", Dtype::Fixed(8));
        assert_eq!(vck.bandwidth_bytes_per_s, 25.6e9);
        assert!(vck.basis.iter().any(|b| b.contains("DDR4 UDIMM")));
    }
}
