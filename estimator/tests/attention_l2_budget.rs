//! Issue 18 (found by fuzzing `presynth attention`): the exact L2 count is quadratic in the
//! sequence length, and a causal sweep to 2^19 keys ran for minutes. Past a step budget the
//! K/V reads become the compulsory ones. Checked here against the exact count itself: the
//! compulsory reads are never more than the exact ones (so the time stays a lower bound), the
//! requested words are the same, they are equal where one wave holds every block of a problem
//! and L2 holds a unit (the hand-worked 2 × 1024 case of attention_l2.rs), and a 2^20-key
//! causal problem is counted within the budget, quickly.

mod attention {
    use estimator::attention::l2::{flash2_l2, flash2_l2_within};
    use estimator::attention::{AttentionShape, Tile};

    fn problem(heads: usize, seq: usize, d: usize, causal: bool) -> estimator::attention::Problem {
        let mut s = AttentionShape::mha(1, heads, seq, d);
        s.causal = causal;
        s.problem()
    }

    #[test]
    fn compulsory_reads_never_exceed_the_exact_count() {
        let mut cases = 0;
        for &(heads, n, d, causal) in &[
            (1, 64, 8, false),
            (1, 64, 8, true),
            (2, 100, 4, true),
            (3, 33, 6, false),
        ] {
            let p = problem(heads, n, d, causal);
            for problems in [1u64, 3, 7] {
                for &(br, bc) in &[(8, 8), (16, 8), (5, 11), (64, 16)] {
                    for wave in [1usize, 2, 5, 16] {
                        for cap in [0u64, 100, 700, 5000, 1 << 20] {
                            let t = Tile::new(br, bc);
                            let exact = flash2_l2(&p, problems, t, wave, cap);
                            let floor = flash2_l2_within(&p, problems, t, wave, cap, 0);
                            assert!(exact.exact && !floor.exact);
                            assert!(
                                floor.hbm_reads <= exact.hbm_reads,
                                "{p:?} {t:?} {wave} {cap}"
                            );
                            assert_eq!(floor.hbm_writes, exact.hbm_writes);
                            assert_eq!(floor.kv_requested, exact.kv_requested);
                            assert_eq!(floor.waves, exact.waves);
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert!(cases > 500);
        // Equal where the exact count reads each problem's K/V once: 2 problems, N = L = 64,
        // d = 8, 16×16 tiles, waves of 4 blocks (one problem each), L2 of one unit.
        let p = problem(1, 64, 8, false);
        let t = Tile::new(16, 16);
        let (exact, floor) = (
            flash2_l2(&p, 2, t, 4, 256),
            flash2_l2_within(&p, 2, t, 4, 256, 0),
        );
        assert_eq!(
            floor,
            estimator::attention::l2::L2Traffic {
                exact: false,
                ..exact
            }
        );
        assert_eq!(floor.hbm_reads - 2 * 64 * 8, 2 * 1024);
    }

    #[test]
    fn a_million_key_causal_problem_is_counted_within_the_budget() {
        // The fuzz input: 37 heads, d = 128, causal, 2^20 keys; a 128×16 tile (one the
        // best-tile search tries), waves of 132: (2297 waves + 37) × 65536 K/V blocks of steps.
        let p = problem(37, 1 << 20, 128, true);
        let t = Tile::new(128, 16);
        let start = std::time::Instant::now();
        let r = flash2_l2(&p, 37, t, 132, 50 << 20);
        assert!(!r.exact);
        // 37 problems (one per head). Compulsory K/V: 2^20 keys × (128 + 128) words per head.
        assert_eq!(r.hbm_reads - (37u64 << 20) * 128, 37 * (1u64 << 20) * 256);
        assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
    }
}
