//! The one reader of the attention analyser's data files (estimator/src/attention/table.rs):
//! the four built-in files parse to the rows they hold (counted by hand from the files), and
//! a bad record in any of them is refused with the file, the 1-based record (comment lines
//! and the header not counted) and the field.

mod attention {
    use estimator::attention::table::TableError;
    use estimator::attention::{calibration, mma_path, smem_path, tiles};

    fn named(e: &TableError, file: &str, record: usize, field: &str) {
        assert_eq!(e.file, file, "{e}");
        assert_eq!(e.record, record, "{e}");
        assert_eq!(e.field.as_deref(), Some(field), "{e}");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("{file} record {record}: ")) && text.contains(field),
            "{text}"
        );
    }

    /// Data rows (non-comment lines after the header) in each file: 22 tiles, 4 operand
    /// paths, 3 instruction paths, 77 measurements.
    #[test]
    fn built_in_tables_parse_whole() {
        assert_eq!(tiles::table().len(), 22);
        assert_eq!(smem_path::table().len(), 4);
        assert_eq!(mma_path::table().len(), 3);
        assert_eq!(calibration::points().len(), 77);
        // `|`-separated architectures and the mask column come through serde.
        let r = &tiles::table()[0];
        assert_eq!(r.arch, ["sm_80", "sm_90", "sm_100", "sm_86", "sm_89"]);
        assert_eq!((r.br, r.bc), (128, 128));
    }

    #[test]
    fn bad_records_name_file_record_and_field() {
        let head = "# a comment line\nkernel,arch,elem_bytes,d_max,mask,br,bc\n";
        let good = "fa2,sm_80,2,64,any,128,128\n";
        // Wrong type in record 2.
        let e = tiles::parse(&format!("{head}{good}fa2,sm_80,2,64,any,128,x\n")).unwrap_err();
        named(&e, "attention_kernel_tiles.csv", 2, "bc");
        // An empty required field.
        let e = tiles::parse(&format!("{head}fa2,,2,64,any,128,128\n")).unwrap_err();
        named(&e, "attention_kernel_tiles.csv", 1, "arch");
        assert!(e.to_string().contains("missing field arch"), "{e}");
        // A short record: the missing trailing field is named.
        let e = tiles::parse(&format!("{head}{good}{good}fa2,sm_80,2,64,any,128\n")).unwrap_err();
        named(&e, "attention_kernel_tiles.csv", 3, "bc");
        // A mask outside any/causal/noncausal.
        let e = tiles::parse(&format!("{head}fa2,sm_80,2,64,diagonal,128,128\n")).unwrap_err();
        named(&e, "attention_kernel_tiles.csv", 1, "mask");
        assert!(e.to_string().contains("any, causal or noncausal"), "{e}");
        // The row type's own check.
        let e = tiles::parse(&format!("{head}fa2,sm_80,2,64,any,0,128\n")).unwrap_err();
        named(&e, "attention_kernel_tiles.csv", 1, "br");

        let head = "kernel,arch,elem_bytes,d_max,mask,q_reads,kv_readers,p_reads\n";
        let e = smem_path::parse(&format!("{head}fa2,sm_90,2,128,any,1,-4,0\n")).unwrap_err();
        named(&e, "attention_smem_operands.csv", 1, "kv_readers");

        let head = "kernel,arch,instruction,peak_fraction,citation\n";
        let e = mma_path::parse(&format!(
            "{head}fa2,sm_90,mma.sync,0.5,x\nfa2,sm_90,mma.sync,1.5,x\n"
        ))
        .unwrap_err();
        named(&e, "attention_mma_paths.csv", 2, "peak_fraction");
        let e = mma_path::parse(&format!("{head}fa2,sm_90,mma.sync,0.5\n")).unwrap_err();
        named(&e, "attention_mma_paths.csv", 1, "citation");

        let head = "kernel,gpu,dtype,batch,heads,kv_heads,seq,kv_seq,head_dim,causal,measured_tflops,measured_ms,citation\n";
        let ok = "fa3,h100-sxm,bf16,2,16,16,8192,8192,128,false,646,,c\n";
        let pts = calibration::parse(&format!("{head}{ok}")).unwrap();
        // 646 TFLOP/s of 4·2·16·8192²·128 FLOP.
        let flops = 4.0 * 2.0 * 16.0 * 8192.0 * 8192.0 * 128.0;
        assert!((pts[0].measured_s / (flops / 646e12) - 1.0).abs() < 1e-12);
        let table = |text: String| match calibration::parse(&text).unwrap_err() {
            estimator::attention::AttentionError::Table(e) => e,
            other => panic!("{other}"),
        };
        let e = table(format!(
            "{head}{ok}fa3,h100-sxm,bf16,2,16,16,8192,8192,128,yes,646,,c\n"
        ));
        named(&e, "attention_measured.csv", 2, "causal");
        let e = table(format!(
            "{head}fa3,h100-sxm,bf16,2,16,16,8192,8192,128,false,,,c\n"
        ));
        named(&e, "attention_measured.csv", 1, "measured_ms");
        let e = table(format!(
            "{head}fa3,h100-sxm,bf17,2,16,16,8192,8192,128,false,646,,c\n"
        ));
        named(&e, "attention_measured.csv", 1, "dtype");
        let e = table(format!(
            "{head}fa3,h100-sxm,bf16,2,16,16,8192,8192,128,false,646,,\n"
        ));
        named(&e, "attention_measured.csv", 1, "citation");
    }
}
