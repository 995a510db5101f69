//! data/real-projects/rows.csv against its report files, read by the crate's own parsers (an
//! implementation independent of scripts/check_real_projects.py, which checks every row in
//! Python): every `xml` row's C-synthesis figures, part, clock and tool version, and every
//! post-synthesis figure, must be what the report file says.

use dataset_tools::ingest::reports::{parse_csynth_xml, parse_vivado_synth};
use std::collections::HashMap;
use std::path::Path;

#[test]
fn every_xml_row_matches_its_report() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/real-projects");
    let mut rdr = csv::Reader::from_path(dir.join("rows.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let (mut xml_rows, mut post_rows) = (0, 0);
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.unwrap();
        let row: HashMap<&str, &str> = headers.iter().zip(rec.iter()).collect();
        let id = row["row_id"];
        let n = |k: &str| -> u64 {
            row[k]
                .parse()
                .unwrap_or_else(|_| panic!("row {} ({id}): {k} = {:?}", i + 2, row[k]))
        };
        if row["csynth_format"] == "xml" {
            xml_rows += 1;
            let c = parse_csynth_xml(&dir.join(row["csynth_report"])).unwrap();
            let got = (
                c.latency_best_cycles,
                c.latency_worst_cycles,
                c.interval_min,
                c.interval_max,
                c.used.lut,
                c.used.ff,
                c.used.dsp,
                c.used.bram_18k,
            );
            let want = (
                n("lat_min"),
                n("lat_max"),
                n("ii_min"),
                n("ii_max"),
                n("lut"),
                n("ff"),
                n("dsp"),
                n("bram_18k"),
            );
            assert_eq!(got, want, "{id}: figures (lat, ii, lut, ff, dsp, bram)");
            assert_eq!(c.part, row["part"], "{id}: part");
            assert_eq!(c.version, row["tool_version"], "{id}: tool version");
            assert_eq!(
                c.target_clock_ns,
                row["clock_ns"].parse::<f64>().unwrap(),
                "{id}: clock"
            );
        }
        if !row["post_synth_report"].is_empty() {
            post_rows += 1;
            let v = parse_vivado_synth(&dir.join(row["post_synth_report"])).unwrap();
            assert_eq!(
                (v.lut, v.ff, v.dsp, v.bram_18k),
                (n("ps_lut"), n("ps_ff"), n("ps_dsp"), n("ps_bram_18k")),
                "{id}: post-synthesis figures"
            );
        }
    }
    // The corpus as committed: 32 project rows with csynth.xml, 20 with post-synthesis reports.
    assert!(xml_rows >= 32, "{xml_rows} xml rows");
    assert!(post_rows >= 20, "{post_rows} post-synthesis rows");
}
