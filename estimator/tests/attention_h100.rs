//! The roofline time is a bound: measured FlashAttention-2/3 forward throughputs on H100 SXM,
//! BF16/FP16, head dim 128 (docs/domain-notes.md §1.4, FA3 paper figures, batch ×
//! seqlen = 16k, hidden 2048 → 16 heads) never exceed the analyser's attainable FLOP/s.

mod attention {
    use estimator::attention::{analyse, AnalysisOptions, AttentionShape, Dtype, TargetSpec};
    use fpga_targets::Targets;

    /// (causal, kernel, TFLOP/s at seqlen 512, 1k, 2k, 4k, 8k, 16k), transcribed from the
    /// domain-notes §1.4 table rows "128, non-causal" and "128, causal".
    const MEASURED: &[(bool, &str, [f64; 6])] = &[
        (false, "FA2", [309.0, 350.0, 362.0, 368.0, 370.0, 370.0]),
        (false, "FA3", [467.0, 565.0, 625.0, 638.0, 646.0, 648.0]),
        (true, "FA2", [191.0, 260.0, 298.0, 319.0, 333.0, 335.0]),
        (true, "FA3", [292.0, 423.0, 521.0, 579.0, 602.0, 616.0]),
    ];
    const SEQS: [usize; 6] = [512, 1024, 2048, 4096, 8192, 16384];

    #[test]
    fn measured_fa_throughput_never_exceeds_attainable() {
        let h100 = Targets::builtin().get("h100").unwrap();
        let spec = TargetSpec::from_target(h100, Dtype::Bf16, 0.5, None).unwrap();
        println!(
            "kernel  mask        seq   measured TF/s  attainable TF/s  measured/attainable  regime"
        );
        for &(causal, kernel, tflops) in MEASURED {
            for (&n, &measured) in SEQS.iter().zip(&tflops) {
                let mut s = AttentionShape::mha(16 * 1024 / n, 2048 / 128, n, 128);
                s.causal = causal;
                let r = analyse(&s, &spec, AnalysisOptions::default()).unwrap();
                let best = r.best.as_ref().unwrap();
                let attainable = best.attainable_flops / 1e12;
                let ratio = measured / attainable;
                println!(
                    "{kernel:6}  {:10}  {n:5}  {measured:13.0}  {attainable:15.1}  {ratio:19.3}  {} ({})",
                    if causal { "causal" } else { "non-causal" },
                    r.algorithms[&best.algorithm].regime.as_deref().unwrap_or("-"),
                    best.algorithm
                );
                assert!(
                    ratio <= 1.0,
                    "{kernel} causal={causal} N={n}: {measured} > {attainable}"
                );
            }
        }
    }
}
