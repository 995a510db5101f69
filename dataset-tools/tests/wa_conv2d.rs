//! The stored wa-hls4ml conv2d architectures (`ingest::wa_conv2d`) against independent truth:
//! - every number of each model's `model_string`, as the CSV export wrote it. The 10 in the
//!   shared sample are read from data/ (copied from the wa-hls4ml sources, see data/README.md); the 3 architectures the sample holds out
//!   (conv2d_101, conv2d_361, conv2d_501) are copied from the full export, jdweitz/wa-hls4ml
//!   `data/concatenated_conv2d_json_to_csv.csv` @ 2e49d33b2d425458b49eead37a41792b99cc9b51;
//! - the total parameter count Keras 3.15.1 gives (`Model.count_params()`) for the same layer
//!   list built with keras.layers (QConv2D/QDense hold the same weights as Conv2D/Dense);
//! - the shared CSV rows themselves: each gets its network, whose first and last widths are the
//!   row's `d_in` and `d_out`, at io_stream and the row's reuse factor.

use dataset_tools::ingest::shared_csv;
use dataset_tools::ingest::wa_conv2d::{model_string, Spec, SPECS};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/")).join(rel)
}

/// (name, model_string, Keras parameter count) of the 3 held-out architectures.
const HELD_OUT: [(&str, &str, u64); 3] = [
    ("conv2d_101", "4-16-256-32-64-32-16", 51_360),
    ("conv2d_361", "8-128-2560-64-32-64", 587_072),
    ("conv2d_501", "16-128-3072-16-32-64", 643_776),
];

/// Keras 3.15.1 `count_params()` of the other 10.
const KERAS_PARAMS: [(&str, u64); 10] = [
    ("conv2d_0", 215_904),
    ("conv2d_1", 23_224),
    ("conv2d_2", 66_016),
    ("conv2d_3", 91_232),
    ("conv2d_4", 67_232),
    ("conv2d_104", 427_296),
    ("conv2d_204", 270_368),
    ("conv2d_353", 346_104),
    ("conv2d_357", 153_744),
    ("conv2d_500", 613_472),
];

/// model_name -> (model_string, d_in, d_out) of every row of the shared conv2d CSV.
fn shared_rows() -> Vec<(String, String, usize, usize, u32)> {
    let mut r = csv::Reader::from_path(data("wa-hls4ml-jdweitz-csv-sample/conv2d.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (n, s, di, dout, rf) = (
        col("model_name"),
        col("model_string"),
        col("d_in"),
        col("d_out"),
        col("rf"),
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[n].to_string(),
                rec[s].to_string(),
                rec[di].parse().unwrap(),
                rec[dout].parse().unwrap(),
                rec[rf].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn all_13_architectures_reproduce_model_string_and_keras_params() {
    let mut truth: BTreeMap<String, (String, u64)> = HELD_OUT
        .iter()
        .map(|(n, s, p)| (n.to_string(), (s.to_string(), *p)))
        .collect();
    for (name, s, ..) in shared_rows() {
        let params = KERAS_PARAMS.iter().find(|(n, _)| *n == name).unwrap().1;
        let prev = truth.insert(name.clone(), (s.clone(), params));
        assert!(prev.is_none() || prev == Some((s, params)), "{name}");
    }
    assert_eq!(truth.len(), 13, "13 architectures in the export");
    assert_eq!(SPECS.len(), 13);
    for (name, (string, params)) in &truth {
        let spec = Spec::find(name).unwrap_or_else(|| panic!("{name} has no stored spec"));
        let net = spec.network(ir::HlsConfig::default()).unwrap();
        assert_eq!(&model_string(&net).unwrap(), string, "{name}");
        assert_eq!(net.total_params(), *params, "{name}: parameters vs Keras");
    }
}

#[test]
fn shared_conv2d_rows_carry_their_network() {
    let rows = shared_rows();
    let got = shared_csv::read_file(data("wa-hls4ml-jdweitz-csv-sample/conv2d.csv")).unwrap();
    assert_eq!(got.records.len(), rows.len());
    for (r, (name, string, d_in, d_out, rf)) in got.records.iter().zip(&rows) {
        let net = r
            .network
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no network"));
        let s = model_string(net).unwrap();
        assert_eq!(&s, string, "{name}");
        let widths: Vec<usize> = s.split('-').map(|w| w.parse().unwrap()).collect();
        assert_eq!(
            (widths[0], *widths.last().unwrap()),
            (*d_in, *d_out),
            "{name}"
        );
        assert_eq!(net.config.io_type, ir::IoType::Stream, "{name}");
        assert_eq!(net.config.reuse_factor, *rf, "{name}");
        let spec = Spec::find(name).unwrap();
        // Kernels are quantized_bits(bits, 1): hls4ml makes that ap_fixed<bits, 2>.
        assert_eq!(r.weight_bits(), spec.bits, "{name}");
        assert!(
            r.provenance
                .notes
                .iter()
                .any(|n| n.contains(spec.source.commit) && n.contains(spec.source.path)),
            "{name}: no citation in {:?}",
            r.provenance.notes
        );
    }
}
