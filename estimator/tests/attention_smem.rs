//! The kernel view's shared-memory ceiling and whole-tile work on hand-worked cases
//! (estimator/src/attention/smem_path.rs, data in estimator/data/attention_smem_operands.csv).

mod attention {
    use estimator::attention::gpu_bound::{gpu_bound, kernel_bound};
    use estimator::attention::smem_path::{operands, parse, table};
    use estimator::attention::tiles::kernel_tile;
    use estimator::attention::{AttentionShape, Dtype, TargetSpec, Tile};
    use fpga_targets::Targets;

    fn h100(dtype: Dtype) -> TargetSpec {
        TargetSpec::from_target(Targets::builtin().get("h100").unwrap(), dtype, 0.5, None).unwrap()
    }

    fn rel(a: f64, b: f64) -> f64 {
        (a / b - 1.0).abs()
    }

    /// FlashAttention-2 at d = 256 on an H100 SXM (FA3 paper Fig. 5, B=2, H=8, N=8192): tile
    /// 64×64 with 4 warps, each warp ldmatrix-loading the whole K and V tile and its Q again
    /// every step. Per step 2·(64·256 + 4·64·(256 + 256)) = 294,912 B; 16 problems × 128 row
    /// blocks × 128 steps = 262,144 steps → 7.7309e10 B. SMEM bandwidth 132 × 128 B ×
    /// 1.98 GHz = 33.454 TB/s → 2.3109 ms, above the mma.sync time (4·2·8·8192²·256 FLOPs =
    /// 1.0995e12 at 2/3 × 989.4 T = 1.6669 ms). 2,048 blocks on 132 SMs: some SM runs 16 of
    /// them, so the time is 16 × 132 / 2,048 × 2.3109 = 2.3831 ms; the paper measures 297
    /// TFLOP/s = 3.702 ms.
    #[test]
    fn fa2_d256_is_bound_by_shared_memory_reads() {
        let s = AttentionShape::mha(2, 8, 8192, 256);
        let b = kernel_bound("fa2", &s, &h100(Dtype::Bf16), 0.0).unwrap();
        assert_eq!((b.br, b.bc), (64, 64));
        let bytes = 262_144.0 * 294_912.0;
        let bw = 132.0 * 128.0 * 1.98e9;
        assert!(rel(b.units.smem_s, bytes / bw) < 1e-9, "{}", b.units.smem_s);
        assert!(
            rel(b.units.tensor_s, 1.0995116e12 / (989.4e12 * 0.6667)) < 1e-6,
            "{}",
            b.units.tensor_s
        );
        assert_eq!(b.units.binding, "smem");
        assert_eq!(b.binding, "parallelism");
        assert!(rel(b.time_s, 16.0 * 132.0 / 2048.0 * bytes / bw) < 1e-9);
        let measured = 4.0 * 2.0 * 8.0 * 8192.0f64.powi(2) * 256.0 / 297e12;
        assert!(b.time_s < measured);
    }

    /// Where the operand path is not binding the ceiling changes nothing: FA2 at d = 128
    /// (128×64, 4 warps): 2·(128·128 + 4·64·256) = 163,840 B per 4·128·64·128 = 4,194,304
    /// FLOPs, 25.6 FLOP/B → 856 TFLOP/s of SMEM, above mma.sync's 659.6.
    #[test]
    fn fa2_d128_stays_bound_by_its_mma_path() {
        let s = AttentionShape::mha(2, 16, 8192, 128);
        let b = kernel_bound("fa2", &s, &h100(Dtype::Bf16), 0.0).unwrap();
        let flops = 4.0 * 2.0 * 16.0 * 8192.0f64.powi(2) * 128.0;
        let smem_flops = flops / b.units.smem_s;
        assert!(rel(smem_flops, 25.6 * 132.0 * 128.0 * 1.98e9) < 1e-9);
        assert_eq!(b.units.binding, "tensor");
    }

    /// A kernel computes whole tiles. FA3 at d = 128, causal, N = 1024 on one head: 128×128
    /// tiles, row block i visits i + 1 key blocks, so 128² · (1 + … + 8) = 589,824 scores go
    /// through the exponential (the 65,024 masked ones of the diagonal blocks included), plus
    /// one rescale per row per step, 128 · 36 = 4,608; the unmasked pairs alone are
    /// 1024·1025/2 = 524,800. The exponential rate is 132 × 16 × 1.83 GHz.
    #[test]
    fn kernel_view_counts_whole_tiles() {
        let mut s = AttentionShape::mha(1, 1, 1024, 128);
        s.causal = true;
        let spec = h100(Dtype::Bf16);
        let rate = 132.0 * 16.0 * 1.83e9;
        let k = kernel_bound("fa3", &s, &spec, 0.0).unwrap();
        assert_eq!((k.br, k.bc), (128, 128));
        assert!(rel(k.units.exp_s * rate, 589_824.0 + 4_608.0) < 1e-9);
        assert!(rel(k.units.tensor_s * 989.4e12, 4.0 * 128.0 * 589_824.0) < 1e-9);
        // The any-kernel bound with the same tile counts the unmasked pairs only.
        let g = gpu_bound(&s, &spec, Tile::new(128, 128), Some(1), 0.0).unwrap();
        assert!(rel(g.units.exp_s * rate, 524_800.0 + 4_608.0) < 1e-9);
        assert_eq!(g.units.smem_s, 0.0);
        // A partial last block: FA3 d = 64 non-causal, N = 1024 with 192×192 tiles computes
        // 6 × 192 rows against 6 × 192 keys = 1,327,104 scores, not 1,048,576.
        let s = AttentionShape::mha(1, 1, 1024, 64);
        let k = kernel_bound("fa3", &s, &spec, 0.0).unwrap();
        assert!(rel(k.units.exp_s * rate, 1_327_104.0 + 1152.0 * 6.0) < 1e-9);
    }

    /// Every FA2 tile has an operand row whose readers are the launch's warps (kNWarps: 4,
    /// 8 at d = 192 and at d = 256 on sm_80); FA3 (wgmma's own SMEM path) has none.
    #[test]
    fn operand_rows_match_the_kernel_launches() {
        for (arch, d, warps) in [
            ("sm_90", 32, 4.0),
            ("sm_90", 64, 4.0),
            ("sm_90", 128, 4.0),
            ("sm_90", 192, 8.0),
            ("sm_90", 256, 4.0),
            ("sm_80", 256, 8.0),
            ("sm_86", 128, 4.0),
        ] {
            assert!(kernel_tile("fa2", arch, Dtype::Bf16, d, false).is_some());
            let o = operands("fa2", arch, Dtype::Bf16, d, false).unwrap();
            assert_eq!(
                (o.kv_readers, o.q_reads, o.p_reads),
                (warps, 1.0, 0.0),
                "{arch} d={d}"
            );
        }
        assert!(table().iter().all(|r| r.kernel == "fa2"));
        assert!(operands("fa3", "sm_90", Dtype::Bf16, 128, false).is_none());
        let s = AttentionShape::mha(2, 16, 8192, 128);
        let b = kernel_bound("fa3", &s, &h100(Dtype::Bf16), 0.0).unwrap();
        assert_eq!(b.units.smem_s, 0.0);
    }

    /// What the kernels write (flash_api.cpp): FA3 returns BF16 O for FP8 inputs, and both
    /// store the log-sum-exp in FP32. 128 heads of N = 128 (one row block each, so 128 blocks,
    /// no split-KV, every K/V tile read once): per head FA3 FP8 d = 256 moves Q, K, V at 1 B
    /// (3 × 32,768), O at 2 B (65,536) and the LSE at 4 B (512) = 164,352 B; FA2 BF16 d = 128
    /// moves Q, K, V, O at 2 B (4 × 32,768) and the LSE at 4 B = 131,584 B.
    #[test]
    fn kernel_view_writes_o_and_lse_in_the_kernels_types() {
        let mut s = AttentionShape::mha(1, 128, 128, 256);
        s.dtype = Dtype::Fp8;
        let b = kernel_bound("fa3", &s, &h100(Dtype::Fp8), 0.0).unwrap();
        assert_eq!(b.splits, 1);
        assert_eq!(b.hbm_bytes, 128.0 * 164_352.0);
        let s = AttentionShape::mha(1, 128, 128, 128);
        let b = kernel_bound("fa2", &s, &h100(Dtype::Bf16), 0.0).unwrap();
        assert_eq!(b.hbm_bytes, 128.0 * 131_584.0);
    }

    #[test]
    fn bad_operand_rows_are_named() {
        let head = "kernel,arch,elem_bytes,d_max,mask,q_reads,kv_readers,p_reads\n";
        let e = parse(&format!("{head}fa2,sm_90,2,128,any,1,-4,0\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("record 1") && e.contains("kv_readers"), "{e}");
        let e = parse(&format!("{head}fa2,sm_90,2,128,diagonal,1,4,0\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("mask"), "{e}");
        let e = parse(&format!("{head}fa2,sm_90,2,128,any,1,4\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("record 1"), "{e}");
    }
}
