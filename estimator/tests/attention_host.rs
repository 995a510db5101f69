//! The host pieces: the rayon f32 attention kernel against naive f64 attention, the GEMM
//! against a direct product, and the OS cache-size parsing.

mod attention {
    use estimator::attention::host::{count_cpus, parse_size, read_caches};
    use estimator::attention::kernel::{attention_f32, gemm_abt};
    use estimator::attention::simulator::math::{naive, random_inputs};
    use estimator::attention::AttentionShape;

    #[test]
    fn host_kernel_matches_naive_attention() {
        for causal in [false, true] {
            for (seq, kv, heads, kvh, d) in [
                (70usize, 70usize, 1usize, 1usize, 16usize),
                (33, 90, 4, 2, 24),
            ] {
                let mut s = AttentionShape::mha(1, heads, seq, d);
                s.kv_seq = kv;
                s.kv_heads = kvh;
                s.causal = causal;
                let p = s.problem();
                let inp = random_inputs(&p, 3, 1.0);
                let want = naive(&p, &inp);
                let f = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
                let got = attention_f32(
                    &p,
                    1,
                    &f(&inp.q.data),
                    &f(&inp.k.data),
                    &f(&inp.v.data),
                    16,
                    24,
                );
                let err = got
                    .iter()
                    .zip(&want.data)
                    .map(|(a, b)| (*a as f64 - b).abs())
                    .fold(0.0, f64::max);
                assert!(err < 1e-5, "causal={causal} seq={seq}: {err}");
            }
        }
    }

    #[test]
    fn gemm_matches_direct_product() {
        let (m, n, k) = (70, 65, 19);
        let a: Vec<f32> = (0..m * k).map(|i| (i % 9) as f32 - 4.0).collect();
        let b: Vec<f32> = (0..n * k).map(|i| (i % 5) as f32 - 2.0).collect();
        let c = gemm_abt(&a, &b, m, n, k);
        for i in 0..m {
            for j in 0..n {
                let want: f32 = (0..k).map(|t| a[i * k + t] * b[j * k + t]).sum();
                assert_eq!(c[i * n + j], want);
            }
        }
    }

    #[test]
    fn cache_sizes_parse_like_sysfs() {
        assert_eq!(parse_size("32K"), Some(32 * 1024));
        assert_eq!(parse_size("1M"), Some(1 << 20));
        assert_eq!(parse_size("x"), None);
        assert_eq!(count_cpus("0-3,8,10-11"), 7);
        let dir = tempfile::tempdir().unwrap();
        for (i, (level, kind, size, shared)) in [
            (1, "Data", "48K", "0,64"),
            (1, "Instruction", "32K", "0"),
            (2, "Unified", "2048K", "0-1"),
        ]
        .iter()
        .enumerate()
        {
            let d = dir.path().join(format!("index{i}"));
            std::fs::create_dir(&d).unwrap();
            std::fs::write(d.join("level"), format!("{level}\n")).unwrap();
            std::fs::write(d.join("type"), format!("{kind}\n")).unwrap();
            std::fs::write(d.join("size"), format!("{size}\n")).unwrap();
            std::fs::write(d.join("shared_cpu_list"), format!("{shared}\n")).unwrap();
        }
        let c = read_caches(dir.path());
        assert_eq!(c.len(), 3);
        let l2 = c.iter().find(|c| c.level == 2).unwrap();
        assert_eq!((l2.size_bytes, l2.shared_by), (2048 * 1024, 2));
    }
}
