//! Serving workloads on hand-worked cases (H100 SXM: 132 SMs, 989.4 TFLOP/s bf16, 3.35 TB/s):
//! variable-length batches (per-sequence tiles, wave quantisation), sliding windows, paged K/V.

mod attention {
    use estimator::attention::algorithms::Tile;
    use estimator::attention::gpu_bound::gpu_bound;
    use estimator::attention::serving::{serving_bound, Sequence, ServingBatch};
    use estimator::attention::{AttentionShape, Dtype, TargetSpec};
    use fpga_targets::Targets;

    fn h100() -> TargetSpec {
        TargetSpec::from_target(
            Targets::builtin().get("h100").unwrap(),
            Dtype::Bf16,
            0.5,
            None,
        )
        .unwrap()
    }

    fn batch(seqs: &[(usize, usize)], heads: usize, kv_heads: usize) -> ServingBatch {
        ServingBatch {
            seqs: seqs
                .iter()
                .map(|&(q_len, kv_len)| Sequence { q_len, kv_len })
                .collect(),
            heads,
            kv_heads,
            d_qk: 128,
            d_v: 128,
            causal: false,
            window: None,
            page_size: None,
            dtype: Dtype::Bf16,
            kv_dtype: None,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a / b - 1.0).abs() < 1e-9
    }

    /// Two sequences, 16384 and 640 tokens, one head, d = 128, 128×128 tiles, no split: 128
    /// blocks of 128 rows × 16384 keys (w_A = 512·128·16384 = 1 073 741 824 FLOP) and 5 of
    /// 128 × 640 (w_B = 41 943 040), 133 blocks on 132 SMs. Balanced, the FLOPs take
    /// (128·w_A + 5·w_B) / 989.4e12 = 139.12 µs; but one SM runs a whole long block, w_A at
    /// 989.4e12 / 132 FLOP/s = 143.25 µs (the 2 smallest of all 133 blocks, 2·w_B, bound less).
    #[test]
    fn variable_lengths_are_bound_by_their_largest_block() {
        let h = h100();
        let b = batch(&[(16384, 16384), (640, 640)], 1, 1);
        b.validate().unwrap();
        let r = serving_bound(&b, &h, Tile::new(128, 128), Some(1), 0.0).unwrap();
        assert_eq!(r.thread_blocks, 133);
        let (wa, wb) = (1_073_741_824.0, 41_943_040.0);
        assert!(close(r.units.tensor_s, (128.0 * wa + 5.0 * wb) / 989.4e12));
        assert!(
            close(r.parallel_s, wa * 132.0 / 989.4e12),
            "{}",
            r.parallel_s
        );
        assert_eq!(r.binding, "parallelism");
        // Compulsory bytes: 17024 tokens × (Q 128 + O 128 + LSE 1 + K 128 + V 128) × 2 B.
        assert_eq!(r.hbm_bytes, 17024.0 * 513.0 * 2.0);
        // Two long sequences and a short one: 257 blocks; the 133 largest are long, so some SM
        // runs two of them: 2·w_A per SM = 286.5 µs where balance says 277.8 µs.
        let b = batch(&[(16384, 16384), (16384, 16384), (128, 128)], 1, 1);
        let r = serving_bound(&b, &h, Tile::new(128, 128), Some(1), 0.0).unwrap();
        assert_eq!(r.thread_blocks, 257);
        assert!(close(r.parallel_s, 2.0 * wa * 132.0 / 989.4e12));
    }

    /// Equal sequences give the uniform view's compute and parallel terms; its memory term (the
    /// exact L2 count) is never below the compulsory bytes used for mixed batches.
    #[test]
    fn equal_sequences_match_the_uniform_bound() {
        let h = h100();
        let b = batch(&[(4096, 4096), (4096, 4096)], 16, 16);
        let r = serving_bound(&b, &h, Tile::new(128, 128), Some(1), 0.0).unwrap();
        let s = AttentionShape::mha(2, 16, 4096, 128);
        let u = gpu_bound(&s, &h, Tile::new(128, 128), Some(1), 0.0).unwrap();
        assert!(close(r.units.compute_s, u.units.compute_s));
        assert!(close(r.parallel_s, u.parallel_s));
        assert_eq!(r.thread_blocks, u.thread_blocks);
        assert!(u.hbm_bytes >= r.hbm_bytes);
        assert!(close(b.flops(), s.flops()));
    }

    /// Causal, N = L = 4096, window 1024, one head: query p sees min(p + 1, 1024) keys, so
    /// Σ_{p<1024}(p + 1) + 3072·1024 = 524 800 + 3 145 728 = 3 670 528 scores (full causal:
    /// 8 390 656). Row block i of 128 rows visits tiles max(0, i − 8) ..= i: i + 1 tiles below
    /// i = 8 and 9 from there on, 36 + 24·9 = 252 (row, tile) visits per row of 128.
    #[test]
    fn sliding_window_counts_scores_and_tiles() {
        let h = h100();
        let mut b = batch(&[(4096, 4096)], 1, 1);
        b.causal = true;
        b.window = Some(1024);
        b.validate().unwrap();
        assert!(close(b.flops(), 512.0 * 3_670_528.0));
        let rb = b.row_blocks(&b.seqs[0], Tile::new(128, 128));
        assert_eq!(rb.len(), 32);
        let live: Vec<usize> = rb.iter().map(|r| r.2).collect();
        assert_eq!(&live[..9], &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert!(live[9..].iter().all(|&l| l == 9));
        assert_eq!(rb.iter().map(|r| r.1).sum::<u64>(), 3_670_528);
        let r = serving_bound(&b, &h, Tile::new(128, 128), Some(1), 0.0).unwrap();
        // exps: scores + one rescale per (row, tile) visit.
        let exps = 3_670_528.0 + 128.0 * 252.0;
        assert!(close(r.units.exp_s, exps / (132.0 * 16.0 * 1830e6)));
    }

    /// Decode with GQA (32 query, 8 K/V heads), window 4096 over a 100 000-token cache in
    /// pages of 256: keys 95 904 ..= 99 999 lie on pages 374 ..= 390, 17 pages = 4352 tokens
    /// read (4096 without pages). K/V: 8 heads × 4352 × 256 × 2 B = 17 825 792 B; Q: 4 packed
    /// rows × 128 × 8 heads and O + LSE: 32 × 129, 2 B each: 16 448 B. Memory: 17 842 240 B /
    /// 3.35 TB/s = 5.326 µs, above the 1.8 µs launch floor. The cache holds ⌈100 000/256⌉ =
    /// 391 pages = 100 096 tokens: 100 096 × 8 × 256 × 2 B + Q and O 32 × 256 × 2 B.
    #[test]
    fn paged_window_decode_reads_whole_pages() {
        let h = h100();
        let mut b = batch(&[(1, 100_000)], 32, 8);
        b.causal = true;
        b.window = Some(4096);
        let plain = serving_bound(&b, &h, Tile::new(64, 128), Some(1), 1.8e-6).unwrap();
        assert_eq!(plain.kv_tokens_read, 8 * 4096);
        b.page_size = Some(256);
        let r = serving_bound(&b, &h, Tile::new(64, 128), Some(1), 1.8e-6).unwrap();
        assert_eq!(r.kv_tokens_read, 8 * 4352);
        assert_eq!(r.hbm_bytes, 17_842_240.0);
        assert_eq!(plain.hbm_bytes, 16_793_664.0);
        assert_eq!(r.binding, "memory");
        assert!(close(r.time_s, 17_842_240.0 / 3.35e12));
        assert_eq!(r.needed_bytes, 410_009_600.0);
        assert!(r.fits);
    }

    /// Bad batches are refused naming the field.
    #[test]
    fn bad_batches_name_the_field() {
        let mut b = batch(&[(8, 8)], 4, 4);
        b.window = Some(4);
        let e = b.validate().unwrap_err().to_string();
        assert!(e.starts_with("window:"), "{e}");
        let mut b = batch(&[(8, 8), (9, 4)], 4, 4);
        b.causal = true;
        let e = b.validate().unwrap_err().to_string();
        assert!(e.starts_with("seq_lens[1]:"), "{e}");
        let mut b = batch(&[(8, 8)], 4, 4);
        b.page_size = Some(0);
        assert!(b.validate().is_err());
        // Limits that keep the arithmetic and the per-block passes bounded.
        let e = batch(&[(8, 8)], 1 << 17, 1)
            .validate()
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("heads:"), "{e}");
        let e = batch(&[(1 << 24, 1 << 24); 8], 1, 1)
            .validate()
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("seq_lens:") && e.contains("packed query rows"),
            "{e}"
        );
    }
}
