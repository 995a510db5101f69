//! The transformer-block view on a hand-worked decode step: Llama-3-8B shapes (d_model 4096,
//! 32 heads, 8 KV heads, head dim 128, SwiGLU FFN 14336), batch 1, one token against 8192
//! cached keys, bf16 on H100 SXM. Every GEMM of one token is weight-bound: its time is
//! (weights + activations) bytes / 3.35 TB/s.

mod attention {
    use estimator::attention::block::{block, BlockShape};
    use estimator::attention::{AttentionShape, Dtype, TargetSpec};
    use fpga_targets::Targets;

    #[test]
    fn decode_step_is_weight_bound() {
        let spec = TargetSpec::from_target(
            Targets::builtin().get("h100").unwrap(),
            Dtype::Bf16,
            0.5,
            None,
        )
        .unwrap();
        let mut s = AttentionShape::mha(1, 32, 1, 128);
        s.kv_heads = 8;
        s.kv_seq = 8192;
        let b = BlockShape {
            d_model: 4096,
            ffn: 14336,
            gated: true,
        };
        let r = block(&b, &s, &spec, 0.0).unwrap();
        let bw = 3.35e12;
        let want = |k: f64, n: f64| (k * n + (k + n)) * 2.0 / bw;
        let names: Vec<&str> = r.parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "qkv projection",
                "attention",
                "output projection",
                "ffn up",
                "ffn down",
                "norms + residuals"
            ]
        );
        let t = |i: usize| r.parts[i].time_s;
        assert!((t(0) / want(4096.0, 4096.0 + 2048.0) - 1.0).abs() < 1e-12);
        assert!((t(2) / want(4096.0, 4096.0) - 1.0).abs() < 1e-12);
        assert!((t(3) / want(4096.0, 2.0 * 14336.0) - 1.0).abs() < 1e-12);
        assert!((t(4) / want(14336.0, 4096.0) - 1.0).abs() < 1e-12);
        for i in [0, 2, 3, 4] {
            assert_eq!(r.parts[i].binding, "memory");
        }
        // Attention reads the 8 KV heads' cache once: 8·8192·256·2 B = 33.6 MB.
        assert!(r.parts[1].bytes >= 8.0 * 8192.0 * 256.0 * 2.0);
        let sum: f64 = r.parts.iter().map(|p| p.time_s).sum();
        assert_eq!(r.total_s, sum);
    }
}
