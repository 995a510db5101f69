//! Keras 3 networks made by scripts/make_keras_fixtures.py (fixtures in tests/fixtures/keras):
//! for each, the `.keras` archive, the `to_json()` file (with the archive's weights file given
//! separately) and, for some, the legacy `.h5` give equal IRs, and the parameter counts,
//! per-layer output shapes and weight values equal what Keras itself reported in
//! `NAME.expected.json` (`count_params()`, `layer.output.shape`, `variable.numpy()`).

mod common;

use frontends::load_model;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The directories of Keras 3 networks with Keras's own truth beside them: the fixtures, and
/// the transformer examples (scripts/make_transformer_examples.py).
fn dirs() -> [PathBuf; 2] {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("tests/fixtures/keras"),
        root.join("../examples/transformer"),
    ]
}

/// Every (directory, network name) with a `NAME.expected.json`.
fn models() -> Vec<(PathBuf, String)> {
    let mut v = Vec::new();
    for dir in dirs() {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| {
                let n = e.unwrap().file_name().into_string().unwrap();
                n.strip_suffix(".expected.json").map(str::to_string)
            })
            .collect();
        names.sort();
        v.extend(names.into_iter().map(|n| (dir.clone(), n)));
    }
    v
}

/// The archive's model.weights.h5, extracted, to load the JSON with.
fn extract_weights(keras: &Path) -> tempfile::NamedTempFile {
    let mut ar = zip::ZipArchive::new(std::fs::File::open(keras).unwrap()).unwrap();
    let mut tmp = tempfile::Builder::new()
        .suffix(".weights.h5")
        .tempfile()
        .unwrap();
    std::io::copy(&mut ar.by_name("model.weights.h5").unwrap(), &mut tmp).unwrap();
    tmp
}

#[test]
fn fixtures_cover_at_least_ten_networks_and_every_layer_kind() {
    let names = models();
    assert!(names.len() >= 10, "{names:?}");
    let mut kinds = std::collections::BTreeSet::new();
    for (dir, n) in &names {
        let net = load_model(&dir.join(format!("{n}.keras")), None, None).unwrap();
        for l in net.layers() {
            kinds.insert(l.kind.name());
            if l.kind.takes_activation() {
                kinds.insert(l.activation.name());
            }
            if let ir::LayerKind::Activation(a) = l.kind {
                kinds.insert(a.name());
            }
        }
    }
    for k in [
        "Input",
        "Dense",
        "Conv1D",
        "Conv2D",
        "MaxPooling1D",
        "MaxPooling2D",
        "AveragePooling1D",
        "AveragePooling2D",
        "GlobalAveragePooling1D",
        "GlobalAveragePooling2D",
        "GlobalMaxPooling1D",
        "GlobalMaxPooling2D",
        "BatchNormalization",
        "Activation",
        "Flatten",
        "Reshape",
        "Add",
        "Concatenate",
        "Dropout",
        "linear",
        "relu",
        "sigmoid",
        "tanh",
        "softmax",
        "leaky_relu",
        "MultiHeadAttention",
        "LayerNormalization",
        "EinsumDense",
        "Embedding",
        "LSTM",
        "GRU",
        "SimpleRNN",
        "Bidirectional",
        "PReLU",
        "Permute",
        "Dot",
    ] {
        assert!(kinds.contains(k), "no fixture has {k}: {kinds:?}");
    }
}

#[test]
fn keras_archives_match_keras_counts_shapes_and_weights() {
    for (dir, name) in models() {
        let exp: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.expected.json"))).unwrap(),
        )
        .unwrap();
        let keras = dir.join(format!("{name}.keras"));
        let net = load_model(&keras, None, None).unwrap_or_else(|e| panic!("{name}.keras: {e}"));
        assert_eq!(net.name, name);
        common::check_against_framework(&name, &net, &exp);
    }
}

#[test]
fn json_with_weights_equals_the_archive() {
    for (dir, name) in models() {
        let keras = dir.join(format!("{name}.keras"));
        let from_archive = load_model(&keras, None, None).unwrap();
        let bare = load_model(&dir.join(format!("{name}.json")), None, None)
            .unwrap_or_else(|e| panic!("{name}.json: {e}"));
        assert!(
            bare.layers().iter().all(|l| l.weights.is_empty()),
            "{name}: no weights expected"
        );
        assert!(
            bare.same_structure(&from_archive, false),
            "{name}: json vs keras structure"
        );
        let w = extract_weights(&keras);
        let with_w = load_model(&dir.join(format!("{name}.json")), Some(w.path()), None).unwrap();
        assert_eq!(with_w, from_archive, "{name}: json + weights vs keras");
    }
}

#[test]
fn legacy_h5_equals_the_archive() {
    let mut seen = 0;
    for (dir, name) in models() {
        let h5 = dir.join(format!("{name}.h5"));
        if !h5.exists() {
            continue;
        }
        seen += 1;
        let from_h5 = load_model(&h5, None, None).unwrap_or_else(|e| panic!("{name}.h5: {e}"));
        let from_archive = load_model(&dir.join(format!("{name}.keras")), None, None).unwrap();
        assert_eq!(from_h5, from_archive, "{name}: h5 vs keras");
    }
    assert!(seen >= 2, "expected at least two legacy .h5 fixtures");
}
