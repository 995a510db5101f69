//! The real models of hls4ml's example-models repository (examples/hls4ml-examples):
//! every one parses with its weights, and its parameter count equals both the count in that
//! folder's README and the number of values in its weights file, counted here directly with the
//! HDF5 library (independently of the frontend's weight reader). QKeras precisions follow
//! hls4ml 1.3.0's rules (hls4ml/model/quantizers.py and hls4ml/utils/config.py).

use frontends::{apply_config, load_model};
use ir::{Activation, FixedType, LayerKind, Network, Strategy};
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hls4ml-examples")
}

/// Number of values in every dataset of an HDF5 file, walking all groups.
fn h5_value_count(path: &Path) -> usize {
    fn walk(g: &hdf5::Group) -> usize {
        let here: usize = g.datasets().unwrap().iter().map(|d| d.size()).sum();
        here + g.groups().unwrap().iter().map(walk).sum::<usize>()
    }
    walk(&hdf5::File::open(path).unwrap().group("/").unwrap())
}

/// Number of exact zeros in every dataset of an HDF5 file.
fn h5_zero_count(path: &Path) -> usize {
    fn walk(g: &hdf5::Group) -> usize {
        let here: usize = g
            .datasets()
            .unwrap()
            .iter()
            .map(|d| {
                d.read_raw::<f32>()
                    .unwrap()
                    .iter()
                    .filter(|v| **v == 0.0)
                    .count()
            })
            .sum();
        here + g.groups().unwrap().iter().map(walk).sum::<usize>()
    }
    walk(&hdf5::File::open(path).unwrap().group("/").unwrap())
}

fn weight_values(n: &Network) -> usize {
    n.layers()
        .iter()
        .flat_map(|l| &l.weights)
        .map(|(_, t)| t.len())
        .sum()
}

#[test]
fn every_example_model_matches_its_weights_file() {
    // Counts from examples/hls4ml-examples/README.md.
    let cases = [
        ("KERAS_1layer", "KERAS_1layer_weights.h5", 385),
        ("KERAS_3layer", "KERAS_3layer_weights.h5", 4389),
        (
            "KERAS_3layer",
            "KERAS_3layer_70pruned_retrained_weights.h5",
            4389,
        ),
        (
            "KERAS_3layer",
            "KERAS_3layer_95pruned_retrained_weights.h5",
            4389,
        ),
        ("KERAS_conv1d_small", "KERAS_conv1d_small_weights.h5", 171),
        ("KERAS_conv1d", "KERAS_conv1d_weights.h5", 251281),
        (
            "KERAS_dense_16x100x100x100x100x100x5",
            "KERAS_dense_16x100x100x100x100x100x5_weights.h5",
            42605,
        ),
        (
            "jetTagger_Conv2D_Small_NoBatchNorm",
            "jetTagger_Conv2D_Small_NoBatchNorm_weights.h5",
            867,
        ),
        ("qkeras_3layer", "qkeras_3layer_weights.h5", 4389),
        ("qkeras_mnist_dense", "qkeras_mnist_dense_weights.h5", 15910),
    ];
    let dir = examples().join("keras");
    for (model, weights, readme_count) in cases {
        let wpath = dir.join(weights);
        let net = load_model(&dir.join(format!("{model}.json")), Some(&wpath), None)
            .unwrap_or_else(|e| panic!("{model} + {weights}: {e}"));
        let in_file = h5_value_count(&wpath);
        assert_eq!(
            in_file, readme_count,
            "{weights}: values in the file vs README"
        );
        assert_eq!(
            net.total_params() as usize,
            in_file,
            "{model} + {weights}: parameter count"
        );
        assert_eq!(
            weight_values(&net),
            in_file,
            "{model} + {weights}: weight values attached"
        );
        let zeros: usize = net
            .layers()
            .iter()
            .flat_map(|l| &l.weights)
            .map(|(_, t)| t.zeros())
            .sum();
        // QKeras weights are quantized as hls4ml writes them, which makes more of them zero
        if !model.starts_with("qkeras") {
            assert_eq!(
                zeros,
                h5_zero_count(&wpath),
                "{model} + {weights}: zero weights"
            );
        } else {
            assert!(zeros >= h5_zero_count(&wpath), "{model}: zero weights");
        }
    }
}

#[test]
fn default_weights_file_beside_the_json_is_used() {
    let dir = examples().join("keras");
    let net = load_model(&dir.join("KERAS_3layer.json"), None, None).unwrap();
    // the name the JSON's config gives the model
    assert_eq!(net.name, "model_1");
    assert_eq!(weight_values(&net), 4389);
    // first kernel value, read directly from the file
    let f = hdf5::File::open(dir.join("KERAS_3layer_weights.h5")).unwrap();
    let k = f
        .dataset("fc1_relu/fc1_relu/kernel:0")
        .unwrap()
        .read_raw::<f32>()
        .unwrap();
    let fc1 = net.layer(net.find("fc1_relu").unwrap());
    let t = fc1.weight("kernel").unwrap();
    assert_eq!(t.shape, vec![16, 64]);
    assert_eq!(t.data, k);
    assert_eq!(fc1.activation, Activation::Relu);
}

#[test]
fn pruned_weights_keep_their_zeros() {
    let dir = examples().join("keras");
    let w = dir.join("KERAS_3layer_95pruned_retrained_weights.h5");
    let net = load_model(&dir.join("KERAS_3layer.json"), Some(&w), None).unwrap();
    let zeros: usize = net
        .layers()
        .iter()
        .flat_map(|l| &l.weights)
        .map(|(_, t)| t.zeros())
        .sum();
    // 95 % pruned: most kernel values are exactly zero
    assert!(zeros * 100 > 4389 * 80, "only {zeros} zeros");
}

#[test]
fn conv_and_dropout_examples_have_keras_shapes() {
    let dir = examples().join("keras");
    let net = load_model(
        &dir.join("jetTagger_Conv2D_Small_NoBatchNorm.json"),
        None,
        None,
    )
    .unwrap();
    let shape = |n: &str| net.layer(net.find(n).unwrap()).output_shape.clone();
    // 25x25x1, 3x3 kernel stride 3 same → ceil(25/3) = 9; then 5x5 stride 2 same → 5
    assert_eq!(shape("cnn2D_1_relu"), vec![9, 9, 5]);
    assert_eq!(shape("cnn2D_2_relu"), vec![5, 5, 2]);
    assert_eq!(shape("flatten_1"), vec![50]);
    assert!(
        matches!(net.layer(net.find("dropout_1").unwrap()).kind, LayerKind::Dropout(ir::ops::Dropout { rate }) if rate == 0.25)
    );
    let c1 = load_model(&dir.join("KERAS_conv1d.json"), None, None).unwrap();
    assert_eq!(
        c1.layer(c1.find("conv3_relu").unwrap()).output_shape,
        vec![100, 32]
    );
}

#[test]
fn qkeras_precisions_follow_hls4ml() {
    let dir = examples().join("keras");
    let net = load_model(&dir.join("qkeras_3layer.json"), None, None).unwrap();
    let l = |n: &str| net.layer(net.find(n).unwrap()).clone();
    let t = |s: &str| s.parse::<FixedType>().unwrap();
    // quantized_bits(6,0) weights and biases: ap_fixed<6, 0+1> (QKerasQuantizer._get_type)
    for name in ["fc1", "fc2", "fc3", "output"] {
        assert_eq!(
            l(name).settings.precision.weight,
            Some(t("ap_fixed<6,1>")),
            "{name}"
        );
        assert_eq!(
            l(name).settings.precision.bias,
            Some(t("ap_fixed<6,1>")),
            "{name}"
        );
        assert!(matches!(l(name).kind, LayerKind::Dense(_)));
    }
    // QActivation quantized_relu(6,0): hls4ml's converter (get_activation_quantizer) sets no
    // type, so without a config (= granularity 'model') the model default applies; the
    // quantizer's ap_ufixed<6,0,AP_RND_CONV,AP_SAT> comes only from a granularity='name' config
    for name in ["relu1", "relu2", "relu3"] {
        assert_eq!(l(name).kind, LayerKind::Activation(Activation::Relu));
        assert_eq!(l(name).settings.precision.result, None);
    }
    // the weights are the quantized_bits(6,0) values hls4ml writes: multiples of 1/32 in [-1, 31/32]
    for name in ["fc1", "fc2", "fc3", "output"] {
        for w in &l(name).weights {
            assert!(
                w.1.data
                    .iter()
                    .all(|v| (v * 32.0).fract() == 0.0 && (-1.0..=0.96875).contains(v)),
                "{name} {}",
                w.0
            );
        }
    }
    assert_eq!(
        l("softmax").kind,
        LayerKind::Activation(Activation::Softmax)
    );
    assert_eq!(net.layer(net.inputs[0]).name, "fc1_input");

    let m = load_model(&dir.join("qkeras_mnist_dense.json"), None, None).unwrap();
    let l = |n: &str| m.layer(m.find(n).unwrap()).clone();
    // quantized_po2(4): hls4ml's ExponentPrecisionType(width=4), printed int<4>
    assert_eq!(
        l("q_dense_2").settings.precision.weight,
        Some(t("ap_int<4>"))
    );
    assert_eq!(
        l("q_dense_2").settings.precision.bias,
        Some(t("ap_fixed<2,1>"))
    );
    assert_eq!(
        l("q_dense_3").settings.precision.weight,
        Some(t("ap_fixed<4,1>"))
    );
    // QActivations: no type of their own under the default (model-granularity) config
    assert_eq!(l("q_activation_2").settings.precision.result, None);
    assert_eq!(l("q_activation_3").settings.precision.result, None);
}

#[test]
fn qkeras_v3_archive_matches_the_keras2_json() {
    let dir = examples().join("keras");
    let v3 = load_model(&dir.join("qkeras-v3_3layer.keras"), None, None).unwrap();
    let v2 = load_model(&dir.join("qkeras_3layer.json"), None, None).unwrap();
    assert_eq!(v3.total_params(), 4389);
    assert_eq!(weight_values(&v3), 4389);
    // same layers, kinds, settings and shapes; the weights come from different trainings
    assert!(v3.same_structure(&v2, false));
    // the archive's own weights, read directly: layers/q_dense/vars/0 is fc1's kernel
    let ar = zip::ZipArchive::new(std::fs::File::open(dir.join("qkeras-v3_3layer.keras")).unwrap());
    let mut ar = ar.unwrap();
    let mut tmp = tempfile::NamedTempFile::new().unwrap();
    std::io::copy(&mut ar.by_name("model.weights.h5").unwrap(), &mut tmp).unwrap();
    let f = hdf5::File::open(tmp.path()).unwrap();
    let k = f
        .dataset("layers/q_dense/vars/0")
        .unwrap()
        .read_raw::<f32>()
        .unwrap();
    // quantized as hls4ml writes them (QKeras quantized_bits(6,0,alpha=1)): round half to
    // even to a multiple of 1/32, clipped to [-32/32, 31/32]
    let quantized: Vec<f32> = k
        .iter()
        .map(|x| ((x * 32.0).round_ties_even().clamp(-32.0, 31.0)) / 32.0)
        .collect();
    assert_eq!(
        v3.layer(v3.find("fc1").unwrap())
            .weight("kernel")
            .unwrap()
            .data,
        quantized
    );
}

#[test]
fn hls4ml_config_files_apply() {
    let ex = examples();
    let dir = ex.join("keras");
    let cfgs = ex.join("config-files");
    let net = load_model(
        &dir.join("qkeras_3layer.json"),
        None,
        Some(&cfgs.join("qkeras_3layer_config.yml")),
    )
    .unwrap();
    assert_eq!(net.config.part, "xcvu9p-flga2577-2-e");
    assert_eq!(net.config.backend, "Vivado");
    assert_eq!(net.config.clock_period_ns, 5.0);
    assert_eq!(net.config.precision.to_string(), "ap_fixed<16,6>");
    let l = |n: &str| net.layer(net.find(n).unwrap()).settings.clone();
    // the file overrides relu1's result type with the one an older hls4ml wrote
    assert_eq!(
        l("relu1").precision.result.unwrap().to_string(),
        "ap_fixed<7,1,AP_RND_CONV,AP_SAT>"
    );
    assert_eq!(l("fc1").reuse_factor, Some(1));
    assert_eq!(
        l("softmax").precision.result.unwrap().to_string(),
        "ap_fixed<16,6>"
    );

    let mut m = load_model(&dir.join("qkeras_mnist_dense.json"), None, None).unwrap();
    apply_config(&mut m, &cfgs.join("qkeras_mnist_dense_config.yml")).unwrap();
    assert_eq!(m.config.strategy, Strategy::Resource);
    let l = |n: &str| m.layer(m.find(n).unwrap()).settings.clone();
    assert_eq!(l("q_dense_2").reuse_factor, Some(112));
    assert_eq!(
        l("q_dense_2").precision.weight.unwrap().to_string(),
        "ap_int<5>"
    );
    assert_eq!(l("q_dense_3").strategy, Some(Strategy::Latency));
    assert_eq!(
        l("q_activation_3").precision.result.unwrap().to_string(),
        "ap_fixed<4,2>"
    );
}
