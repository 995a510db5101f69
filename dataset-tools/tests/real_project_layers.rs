//! The per-layer reader and the project-settings reader on three real hls4ml projects
//! (tests/fixtures/real-projects, provenance and the values below in its README): Vivado HLS
//! 2019.2 io_parallel, Vitis HLS 2024.1 io_stream Conv1D, Vivado HLS 2020.1 io_stream with a
//! top named `Encoder`. Every expected number was read by hand from the report's Detail tables.

use dataset_tools::ingest::layers::{parse_layers_str, read_layers, read_project_settings};
use dataset_tools::ingest::project::{ingest_tree, NO_CONFIG_NOTE};
use ir::{IoType, Strategy};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/real-projects")
        .join(name)
}

#[test]
fn vivado_2019_2_io_parallel_layers() {
    let b = read_layers(&fixture("vivado2019.2-parallel-rf2"))
        .unwrap()
        .unwrap();
    assert_eq!(b.layers.len(), 8);
    assert!(b.fifos.is_empty());
    // The Instance rows sum to the report's Instance Total row: 4 BRAM, 1486 DSP, 6358 FF, 84766 LUT.
    let sum = |f: fn(&dataset_tools::ingest::layers::LayerFigures) -> u64| {
        b.layers.iter().map(f).sum::<u64>()
    };
    assert_eq!(
        (
            sum(|l| l.bram_18k),
            sum(|l| l.dsp),
            sum(|l| l.ff),
            sum(|l| l.lut)
        ),
        (4, 1486, 6358, 84766)
    );
    let sm = b
        .layers
        .iter()
        .find(|l| l.module.starts_with("softmax_stable"))
        .unwrap();
    assert_eq!(sm.config_index, Some(13));
    assert_eq!(
        (sm.bram_18k, sm.dsp, sm.ff, sm.lut, sm.uram),
        (4, 5, 236, 664, Some(0))
    );
    assert_eq!(
        (
            sm.latency_min,
            sm.latency_max,
            sm.interval_min,
            sm.interval_max
        ),
        (Some(4), Some(4), Some(1), Some(1))
    );
    let out = b
        .layers
        .iter()
        .find(|l| l.config_index == Some(11))
        .unwrap();
    assert_eq!((out.dsp, out.ff, out.lut), (80, 517, 4167));
    // RF 2: each dense layer has latency 1 and interval 2.
    assert_eq!((out.latency_max, out.interval_max), (Some(1), Some(2)));
    assert_eq!(out.pipeline.as_deref(), Some("function"));
    // hls4ml 0.x names the first dense layers without a config index.
    assert_eq!(
        b.layers.iter().filter(|l| l.config_index.is_none()).count(),
        3
    );

    let s = read_project_settings(&fixture("vivado2019.2-parallel-rf2"))
        .unwrap()
        .unwrap();
    let m = &s.settings.model;
    assert_eq!(
        (m.io_type, m.strategy, m.reuse_factor),
        (IoType::Parallel, Strategy::Latency, 2)
    );
    assert_eq!(m.precision.to_string(), "ap_fixed<16,6>");
    assert_eq!(
        (m.part.as_str(), m.backend.as_str()),
        ("xcu250-figd2104-2L-e", "Vivado")
    );
}

#[test]
fn vitis_2024_1_io_stream_layers_and_fifos() {
    let b = read_layers(&fixture("vitis2024.1-stream-conv1d"))
        .unwrap()
        .unwrap();
    assert_eq!(b.layers.len(), 6);
    let conv = b.layers.iter().find(|l| l.config_index == Some(2)).unwrap();
    assert!(conv.module.starts_with("conv_1d_cl"));
    assert_eq!(
        (conv.bram_18k, conv.dsp, conv.ff, conv.lut),
        (0, 370, 3097, 11875)
    );
    assert_eq!(
        (
            conv.latency_min,
            conv.latency_max,
            conv.interval_min,
            conv.interval_max
        ),
        (Some(393), Some(393), Some(390), Some(390))
    );
    assert!(conv
        .pipeline
        .as_deref()
        .unwrap()
        .starts_with("loop auto-rewind"));
    let sm = b.layers.iter().find(|l| l.config_index == Some(7)).unwrap();
    assert_eq!((sm.bram_18k, sm.dsp, sm.latency_max), (5, 6, Some(8)));
    // FIFO table: five streams, 24 BRAM_18K in all (the report's FIFO Total row).
    assert_eq!(b.fifos.len(), 5);
    assert_eq!(b.fifos.iter().map(|f| f.bram_18k).sum::<u64>(), 24);
    let l2 = b.fifos.iter().find(|f| f.name == "layer2_out_U").unwrap();
    assert_eq!((l2.bram_18k, l2.ff, l2.depth, l2.bits), (8, 537, 128, 256));

    let s = read_project_settings(&fixture("vitis2024.1-stream-conv1d"))
        .unwrap()
        .unwrap();
    assert_eq!(s.settings.model.io_type, IoType::Stream);
    assert_eq!(s.settings.model.backend, "Vitis");
}

#[test]
fn vivado_2020_1_top_not_named_myproject() {
    let b = read_layers(&fixture("vivado2020.1-stream-resource"))
        .unwrap()
        .unwrap();
    assert_eq!(b.layers.len(), 10);
    let dense = b
        .layers
        .iter()
        .find(|l| l.config_index == Some(15))
        .unwrap();
    assert_eq!(
        (dense.bram_18k, dense.dsp, dense.ff, dense.lut),
        (114, 512, 49371, 146143)
    );
    assert_eq!((dense.latency_min, dense.latency_max), (Some(24), Some(25)));
    // Instance rows sum to the Instance row of the summary: 168 BRAM, 813 DSP, 78382 FF, 237565 LUT.
    assert_eq!(b.layers.iter().map(|l| l.dsp).sum::<u64>(), 813);
    assert_eq!(b.layers.iter().map(|l| l.lut).sum::<u64>(), 237565);
    // Its config spells precision variables `Bias`/`Weight`, which hls4ml 1.3.0 does not read
    // (case-sensitive keys): ignored as hls4ml ignored them when it built this project, so the
    // settings are the config's Model section and top level (hls4ml_config.yml lines 116-125:
    // ap_fixed<24, 16, AP_RND, AP_SAT>, RF 2, Resource, io_stream, xcku15p, 5 ns, Vivado).
    let s = read_project_settings(&fixture("vivado2020.1-stream-resource"))
        .unwrap()
        .unwrap()
        .settings
        .model;
    assert_eq!(
        (s.io_type, s.reuse_factor, s.strategy),
        (IoType::Stream, 2, Strategy::Resource)
    );
    assert_eq!(s.precision.to_string(), "ap_fixed<24,16,AP_RND,AP_SAT>");
    assert_eq!(
        (s.part.as_str(), s.clock_period_ns, s.backend.as_str()),
        ("xcku15p-ffve1517-1-i", 5.0, "Vivado")
    );
}

#[test]
fn ingest_reads_the_project_config() {
    let mut recs = Vec::new();
    let skipped = ingest_tree(&fixture(""), &mut |r| {
        recs.push(r);
        Ok(())
    })
    .unwrap();
    // Every project's config reads (the Encoder's capitalised precision keys are ignored, as
    // hls4ml ignores them).
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(recs.len(), 3);
    let enc = recs
        .iter()
        .find(|r| r.id == "vivado2020.1-stream-resource")
        .unwrap();
    assert_eq!((enc.hls.io_type, enc.hls.reuse_factor), (IoType::Stream, 2));
    let par = recs
        .iter()
        .find(|r| r.id == "vivado2019.2-parallel-rf2")
        .unwrap();
    assert_eq!(
        (par.hls.io_type, par.hls.reuse_factor),
        (IoType::Parallel, 2)
    );
    assert_eq!(par.hls.backend, "Vivado");
    let st = recs
        .iter()
        .find(|r| r.id == "vitis2024.1-stream-conv1d")
        .unwrap();
    assert_eq!(st.hls.io_type, IoType::Stream);
    assert!(!st.provenance.notes.iter().any(|n| n == NO_CONFIG_NOTE));
    // Labels come from the top csynth.xml: 395 cycles, II 390, 467 DSP (the report's Total).
    let c = st.csynth.as_ref().unwrap();
    assert_eq!(
        (c.latency_worst_cycles, c.ii_max, c.dsp),
        (395, Some(390), Some(467))
    );
}

#[test]
fn malformed_tables_are_errors_naming_the_row() {
    let text = std::fs::read_to_string(
        fixture("vivado2019.2-parallel-rf2")
            .join("myproject_prj/solution1/syn/report/myproject_csynth.rpt"),
    )
    .unwrap();
    let bad = text.replacen("|      5|   236|    664|", "|      x|   236|    664|", 1);
    assert_ne!(bad, text);
    let e = parse_layers_str(&bad, Path::new("r.rpt"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("r.rpt") && e.contains("Detail/Instance/grp_softmax"),
        "{e}"
    );
    let e = parse_layers_str("no report here", Path::new("r.rpt"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("Utilization Estimates"), "{e}");
}
