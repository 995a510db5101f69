//! The GPU bound's parts on hand-worked cases: the kernels' tiles against their sources and the
//! real constraints, occupancy and wave quantisation, the exponential unit, the launch floor.

mod attention {
    use estimator::attention::gpu_bound::{gpu_bound, kernel_bound, LAUNCH_FLOOR_S};
    use estimator::attention::tiles::{kernel_tile, table, TileLimits};
    use estimator::attention::{AttentionShape, Dtype, TargetSpec, Tile};
    use fpga_targets::Targets;

    fn spec(name: &str, dtype: Dtype) -> TargetSpec {
        TargetSpec::from_target(Targets::builtin().get(name).unwrap(), dtype, 0.5, None).unwrap()
    }

    /// Tiles as written in the cited launch code (hopper/tile_size.h, FA2
    /// flash_fwd_launch_template.h).
    #[test]
    fn kernel_tiles_are_the_sources() {
        let t = |k, a, dt, d, c| kernel_tile(k, a, dt, d, c).map(|t| (t.a, t.b));
        assert_eq!(t("fa3", "sm_90", Dtype::Fp16, 128, false), Some((128, 176)));
        assert_eq!(t("fa3", "sm_90", Dtype::Bf16, 128, true), Some((128, 128)));
        assert_eq!(t("fa3", "sm_90", Dtype::Fp16, 64, false), Some((192, 192)));
        assert_eq!(t("fa3", "sm_90", Dtype::Fp16, 256, false), Some((128, 80)));
        assert_eq!(t("fa3", "sm_90", Dtype::Fp8, 256, false), Some((128, 128)));
        assert_eq!(t("fa3", "sm_80", Dtype::Fp16, 128, false), None);
        assert_eq!(t("fa2", "sm_80", Dtype::Fp16, 256, false), Some((128, 64)));
        assert_eq!(t("fa2", "sm_90", Dtype::Fp16, 256, false), Some((64, 64)));
        assert_eq!(t("fa2", "sm_89", Dtype::Fp16, 128, false), Some((128, 32)));
        assert_eq!(t("fa2", "sm_89", Dtype::Fp16, 128, true), Some((64, 64)));
    }

    /// Every tile a real kernel launches must satisfy the necessary conditions the best-tile
    /// search imposes (else the search would exclude tiles that run); the Br=411 does not.
    #[test]
    fn real_kernel_tiles_satisfy_the_constraints_and_411_does_not() {
        let gpus = [
            ("sm_80", "a100"),
            ("sm_86", "a10"),
            ("sm_89", "l4"),
            ("sm_90", "h100"),
        ];
        let mut checked = 0;
        for row in table() {
            for &(arch, gpu) in &gpus {
                if !row.arch.iter().any(|a| a == arch) {
                    continue;
                }
                let dt = if row.elem_bytes == 1 {
                    Dtype::Fp8
                } else {
                    Dtype::Fp16
                };
                let Ok(s) =
                    TargetSpec::from_target(Targets::builtin().get(gpu).unwrap(), dt, 0.5, None)
                else {
                    continue;
                };
                let lim = TileLimits::for_gpu(s.gpu.as_ref().unwrap(), dt);
                let p = AttentionShape::mha(1, 1, 4096, row.d_max).problem();
                let v = lim.violation(&p, Tile::new(row.br, row.bc));
                assert!(v.is_none(), "{row:?} on {gpu}: {v:?}");
                checked += 1;
            }
        }
        assert!(checked >= 20, "{checked}");
        let h = spec("h100", Dtype::Fp16);
        let lim = TileLimits::for_gpu(h.gpu.as_ref().unwrap(), Dtype::Fp16);
        let p = AttentionShape::mha(4, 16, 8448, 128).problem();
        assert!(lim.violation(&p, Tile::new(411, 16)).is_some());
        // FP32 accumulators: 448·(16+128+2) = 65408 ≤ 65536 registers fit, 512·146 does not.
        assert!(lim.violation(&p, Tile::new(448, 16)).is_none());
        assert!(lim
            .violation(&p, Tile::new(512, 16))
            .unwrap()
            .contains("registers"));
    }

    /// B=1, H=1, N=4096, d=128 on H100 with FA2's 128×64 tile and no split: 32 thread blocks
    /// for 132 SMs, so one SM does a whole block: 4·128·4096·128 FLOP at 989.4/132 TFLOP/s
    /// = 35.8 µs, 4× the 8.68 µs of the FLOP count at full peak.
    #[test]
    fn few_blocks_are_bound_by_one_sm() {
        let h = spec("h100", Dtype::Bf16);
        let s = AttentionShape::mha(1, 1, 4096, 128);
        let b = gpu_bound(&s, &h, Tile::new(128, 64), Some(1), 0.0).unwrap();
        let per_sm = 989.4e12 / 132.0;
        let want = 4.0 * 128.0 * 4096.0 * 128.0 / per_sm;
        assert_eq!(b.thread_blocks, 32);
        assert!(
            (b.time_s / want - 1.0).abs() < 1e-9,
            "{} vs {want}",
            b.time_s
        );
        assert_eq!(b.binding, "parallelism");
        // FA2's split heuristic: 32 < 0.8·132 → 5 splits, 160 items, 2 per SM: 2/5 of a block,
        // at FA2's mma.sync ceiling on Hopper (0.6667 of the peak, attention_mma_paths.csv).
        let k = kernel_bound("fa2", &s, &h, 0.0).unwrap();
        assert_eq!(k.splits, 5);
        assert!((k.time_s / (want * 2.0 / 5.0 / 0.6667) - 1.0).abs() < 1e-9);
    }

    /// A tail wave: 133 equal blocks on 132 SMs take two blocks' time.
    #[test]
    fn tail_wave_costs_a_whole_block() {
        let h = spec("h100", Dtype::Bf16);
        let s = AttentionShape::mha(1, 133, 128, 128);
        let b = gpu_bound(&s, &h, Tile::new(128, 128), Some(1), 0.0).unwrap();
        let block = 4.0 * 128.0 * 128.0 * 128.0 / (989.4e12 / 132.0);
        assert!((b.parallel_s / (2.0 * block) - 1.0).abs() < 1e-9);
    }

    /// d = 32: 128 matrix FLOPs per score against one exponential: the SFU (132 × 16 × 1.83 GHz
    /// = 3.865 T exp/s) caps the tensor throughput at 128 × 3.865 T ≈ 495 TFLOP/s.
    #[test]
    fn exponential_unit_caps_small_head_dims() {
        let h = spec("h100", Dtype::Bf16);
        let s = AttentionShape::mha(16, 32, 8192, 32);
        let b = kernel_bound("fa2", &s, &h, 0.0).unwrap();
        assert_eq!(b.units.binding, "exp");
        let tf = b.attainable_flops / 1e12;
        assert!(tf < 128.0 * 3.8648 && tf > 480.0, "{tf}");
    }

    /// The instruction path: FA2 issues mma.sync, which reaches 2/3 of the H100's wgmma peak,
    /// FA3 issues wgmma. B=1, H=132, N=8192, d=128, non-causal, bf16: 132·(8192/128) = 8448
    /// row blocks, exactly 64 per SM, so the tensor time is the FLOP count at the path's rate:
    /// 4·132·8192²·128 = 4.5365e15 FLOP / (989.4e12 · 0.6667) = 6.877 ms for FA2 and
    /// / 989.4e12 = 4.585 ms for FA3 (× 8272/8192 for its whole 176-key tiles); on an A100 mma.sync is the native path (no scaling).
    #[test]
    fn instruction_path_bounds_fa2_on_hopper() {
        use estimator::attention::mma_path::{parse, path};
        let h = spec("h100", Dtype::Bf16);
        let s = AttentionShape::mha(1, 132, 8192, 128);
        let flops = 4.0 * 132.0 * 8192.0 * 8192.0 * 128.0;
        let fa2 = kernel_bound("fa2", &s, &h, 0.0).unwrap();
        let fa3 = kernel_bound("fa3", &s, &h, 0.0).unwrap();
        assert_eq!(fa2.instruction.as_deref(), Some("mma.sync"));
        assert_eq!(fa3.instruction.as_deref(), Some("wgmma"));
        assert!((fa2.units.tensor_s / (flops / (989.4e12 * 0.6667)) - 1.0).abs() < 1e-9);
        // FA3's 176-key tiles cover 8192 keys in 47 whole tiles (8272 keys), which it computes.
        assert!((fa3.units.tensor_s / (flops * 8272.0 / 8192.0 / 989.4e12) - 1.0).abs() < 1e-9);
        assert_eq!(fa2.binding, "tensor");
        assert!((fa2.time_s / 6.877e-3 - 1.0).abs() < 1e-3, "{}", fa2.time_s);
        let a = spec("a100-80gb", Dtype::Bf16);
        let k = kernel_bound("fa2", &s, &a, 0.0).unwrap();
        assert_eq!(k.mma_flops_per_s, a.peak_flops);
        assert_eq!(path("fa2", "sm_100"), None);
        // A fraction outside (0, 1] is refused with its record and field.
        let bad = "kernel,arch,instruction,peak_fraction,citation\nfa2,sm_90,mma.sync,1.5,x\n";
        let e = parse(bad).unwrap_err().to_string();
        assert!(e.contains("record 1") && e.contains("peak_fraction"), "{e}");
    }

    /// A decode step (one query, 128 keys) moves ~64 KB: the launch floor binds.
    #[test]
    fn decode_step_is_bound_by_the_launch_floor() {
        let h = spec("h100", Dtype::Bf16);
        let mut s = AttentionShape::mha(1, 1, 1, 128);
        s.kv_seq = 128;
        let b = kernel_bound("fa2", &s, &h, LAUNCH_FLOOR_S).unwrap();
        assert_eq!(b.binding, "launch");
        assert_eq!(b.time_s, LAUNCH_FLOOR_S);
    }

    /// Decode against a 128 K-token cache (B=64, 32 query / 8 KV heads, d=128): the K/V cache
    /// is 64·8·131072·256 elements, 34.4 GB in bf16 and half in an FP8 cache; the memory term
    /// follows it. 32 KV heads in bf16 (137 GB) do not fit an 80 GB H100.
    #[test]
    fn kv_cache_dtype_and_capacity() {
        use estimator::attention::{analyse, AnalysisOptions};
        let h = spec("h100", Dtype::Bf16);
        let mut s = AttentionShape::mha(64, 32, 1, 128);
        s.kv_heads = 8;
        s.kv_seq = 131072;
        let kv = 64.0 * 8.0 * 131072.0 * 256.0;
        // Q and O in bf16, the log-sum-exp in FP32 (flash_api.cpp).
        let q_o_lse = 64.0 * 32.0 * (128.0 * 2.0 * 2.0 + 4.0);
        let b16 = kernel_bound("fa3", &s, &h, 0.0).unwrap();
        assert_eq!(b16.hbm_bytes, kv * 2.0 + q_o_lse);
        s.kv_dtype = Some(Dtype::Fp8);
        let b8 = kernel_bound("fa3", &s, &h, 0.0).unwrap();
        assert_eq!(b8.hbm_bytes, kv + q_o_lse);
        assert_eq!(b8.binding, "memory");
        let r = analyse(&s, &h, AnalysisOptions::default()).unwrap();
        assert!(r.gpu.unwrap().capacity.fits);
        s.kv_dtype = None;
        s.kv_heads = 32;
        let r = analyse(&s, &h, AnalysisOptions::default()).unwrap();
        let c = r.gpu.unwrap().capacity;
        assert!(!c.fits && c.needed_bytes > 137e9, "{c:?}");
    }
}
