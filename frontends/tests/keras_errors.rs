//! Malformed Keras models, weights and hls4ml configs: each gives an error whose message names
//! the problem (checked on the message text), and none panics.

use frontends::{apply_config, load_model, FrontendError};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras")
}
fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hls4ml-examples/keras")
}

/// The Keras 3 to_json() of a 16-32-16-5 MLP (fixture mlp_relu.json).
fn mlp() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("mlp_relu.json")).unwrap())
        .unwrap()
}
/// The Keras 3 to_json() of a functional model with Add and Concatenate.
fn functional() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("functional_add_concat.json")).unwrap(),
    )
    .unwrap()
}
/// Layer `i`'s config object.
fn cfg(v: &mut Value, i: usize) -> &mut serde_json::Map<String, Value> {
    v["config"]["layers"][i]["config"].as_object_mut().unwrap()
}
fn layer_index(v: &Value, name: &str) -> usize {
    v["config"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .position(|l| l["config"]["name"] == name)
        .unwrap()
}

/// The weights of fixture NAME.keras, extracted to a file.
fn archive_weights(dir: &Path, name: &str) -> PathBuf {
    let mut ar = zip::ZipArchive::new(
        std::fs::File::open(fixtures().join(format!("{name}.keras"))).unwrap(),
    )
    .unwrap();
    let p = dir.join(format!("{name}.weights.h5"));
    let mut f = std::fs::File::create(&p).unwrap();
    std::io::copy(&mut ar.by_name("model.weights.h5").unwrap(), &mut f).unwrap();
    p
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

enum Input {
    Model {
        path: PathBuf,
        weights: Option<PathBuf>,
    },
    Config {
        model: PathBuf,
        yaml: PathBuf,
    },
}

fn run(input: &Input) -> Result<(), FrontendError> {
    match input {
        Input::Model { path, weights } => load_model(path, weights.as_deref(), None).map(|_| ()),
        Input::Config { model, yaml } => {
            let mut n = load_model(model, None, None)?;
            apply_config(&mut n, yaml)
        }
    }
}

#[test]
fn malformed_inputs_give_errors_that_name_the_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let model_json = |name: &str, v: &Value| Input::Model {
        path: write(d, &format!("{name}.json"), &v.to_string()),
        weights: None,
    };
    let yaml_case = |name: &str, text: &str| Input::Config {
        model: fixtures().join("mlp_relu.keras"),
        yaml: write(d, &format!("{name}.yml"), text),
    };
    let mut cases: Vec<(&str, Input, Vec<&str>)> = Vec::new();

    let text = std::fs::read_to_string(fixtures().join("mlp_relu.json")).unwrap();
    cases.push((
        "truncated JSON",
        Input::Model {
            path: write(d, "truncated.json", &text[..text.len() / 2]),
            weights: None,
        },
        vec!["truncated.json", "invalid JSON", "line 1"],
    ));

    let mut v = mlp();
    // ConvLSTM2D: hls4ml 1.3.0 does not convert it either (LSTM, GRU are read since issue 12)
    v["config"]["layers"][2]["class_name"] = json!("ConvLSTM2D");
    cases.push((
        "unknown layer class",
        model_json("convlstm", &v),
        vec!["layer 'fc2'", "unsupported layer kind ConvLSTM2D"],
    ));

    // Two unsupported classes: both named in one error, in model order.
    let mut v = mlp();
    v["config"]["layers"][1]["class_name"] = json!("ConvLSTM1D");
    v["config"]["layers"][2]["class_name"] = json!("ConvLSTM3D");
    cases.push((
        "two unknown layer classes",
        model_json("two", &v),
        vec![
            "2 unsupported layers",
            "'fc1' (ConvLSTM1D)",
            "'fc2' (ConvLSTM3D)",
        ],
    ));

    let mut v = mlp();
    cfg(&mut v, 1).insert("units".into(), json!(-4));
    cases.push((
        "negative units",
        model_json("neg", &v),
        vec!["layer 'fc1' (Dense) config.units", "positive integer", "-4"],
    ));

    let mut v = mlp();
    cfg(&mut v, 1).insert("units".into(), json!(0));
    cases.push((
        "zero units",
        model_json("zero", &v),
        vec!["config.units", "positive integer", "found 0"],
    ));

    let mut v = mlp();
    cfg(&mut v, 1).insert("units".into(), json!("32"));
    cases.push((
        "units of the wrong type",
        model_json("strunits", &v),
        vec!["config.units", "positive integer", "\"32\""],
    ));

    let mut v = mlp();
    cfg(&mut v, 1).insert("units".into(), json!(31));
    cases.push((
        "weights do not fit the layer",
        Input::Model {
            path: write(d, "shape.json", &v.to_string()),
            weights: Some(archive_weights(d, "mlp_relu")),
        },
        vec![
            "layer 'fc1' (Dense)",
            "shape mismatch",
            "weight 'kernel' has shape [16, 32], expected [16, 31]",
        ],
    ));

    let mut v = mlp();
    cfg(&mut v, 1).insert("use_bias".into(), json!(false));
    cases.push((
        "extra weight arrays",
        Input::Model {
            path: write(d, "nobias.json", &v.to_string()),
            weights: Some(archive_weights(d, "mlp_relu")),
        },
        vec![
            "layer 'fc1' (Dense) has 2 weight arrays",
            "expected 1 (kernel)",
        ],
    ));

    cases.push((
        "missing weights file",
        Input::Model {
            path: fixtures().join("mlp_relu.json"),
            weights: Some(d.join("nope_weights.h5")),
        },
        vec!["nope_weights.h5", "no such file"],
    ));

    cases.push((
        "weights for a layer the model does not have",
        Input::Model {
            path: examples().join("KERAS_3layer.json"),
            weights: Some(examples().join("KERAS_1layer_weights.h5")),
        },
        vec![
            "KERAS_1layer_weights.h5",
            "weights for layer 'output_sigmoid'",
            "not in the model",
        ],
    ));

    cases.push((
        "weights file that is not HDF5",
        Input::Model {
            path: fixtures().join("mlp_relu.json"),
            weights: Some(fixtures().join("mlp_relu.expected.json")),
        },
        vec!["mlp_relu.expected.json", "not a readable HDF5 file"],
    ));

    let mut v = mlp();
    v["config"]["layers"][1]["config"]["name"] = json!("renamed");
    cases.push((
        "layer without weights in the file",
        Input::Model {
            path: write(d, "renamed.json", &v.to_string()),
            weights: Some(examples().join("KERAS_3layer_weights.h5")),
        },
        vec![
            "KERAS_3layer_weights.h5",
            "weights for layer 'fc1_relu'",
            "not in the model",
        ],
    ));

    let mut v = functional();
    let i = layer_index(&v, "branch_a");
    v["config"]["layers"][i]["config"]["kernel_size"] = json!(3);
    v["config"]["layers"][i]["class_name"] = json!("Conv2D");
    v["config"]["layers"][i]["config"]["filters"] = json!(4);
    v["config"]["layers"][i]["config"]["data_format"] = json!("channels_first");
    cases.push((
        "channels_first",
        model_json("chfirst", &v),
        vec![
            "layer 'branch_a' (Conv2D)",
            "unsupported attribute data_format",
            "channels_first",
        ],
    ));

    let mut v = mlp();
    cfg(&mut v, 2).insert("activation".into(), json!("gelu"));
    cases.push((
        "unsupported activation",
        model_json("gelu", &v),
        vec![
            "layer 'fc2' (Dense)",
            "unsupported attribute activation",
            "'gelu'",
        ],
    ));

    let conv = json!({"class_name": "Sequential", "config": {"name": "c", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [null, 8, 8, 1]}},
        {"class_name": "Conv2D", "config": {"name": "c1", "filters": 2, "kernel_size": [3, 3], "dilation_rate": [2, 2]}}]}});
    cases.push((
        "dilation",
        model_json("dil", &conv),
        vec![
            "layer 'c1' (Conv2D)",
            "unsupported attribute dilation_rate",
            "[2, 2]",
        ],
    ));

    let mut v = functional();
    let i = layer_index(&v, "add");
    v["config"]["layers"][i]["inbound_nodes"][0]["args"][0][1]["config"]["keras_history"][0] =
        json!("ghost");
    cases.push((
        "inbound node to an unknown layer",
        model_json("ghost", &v),
        vec!["layer 'add' inbound_nodes", "'ghost'"],
    ));

    let mut v = mlp();
    v["config"]["layers"][1]
        .as_object_mut()
        .unwrap()
        .remove("class_name");
    cases.push((
        "layer without class_name",
        model_json("nocls", &v),
        vec!["model.config.layers[1].class_name", "expected a string"],
    ));

    let mut v = mlp();
    v["class_name"] = json!("Foo");
    cases.push((
        "unknown model class",
        model_json("foo", &v),
        vec![
            "model.class_name",
            "Sequential, Functional or Model",
            "'Foo'",
        ],
    ));

    let mut v = mlp();
    v["config"]["layers"] = json!([]);
    cases.push((
        "no layers",
        model_json("empty", &v),
        vec!["model.config.layers", "at least one layer"],
    ));

    let mut v = mlp();
    v["config"]["layers"] = json!("dense");
    cases.push((
        "layers of the wrong type",
        model_json("layerstr", &v),
        vec!["model.config.layers", "a list of layers", "a string"],
    ));

    let mut v = mlp();
    cfg(&mut v, 0).remove("batch_shape");
    cases.push((
        "input without shape",
        model_json("noshape", &v),
        vec!["config.batch_shape", "input shape"],
    ));

    let mut v = mlp();
    cfg(&mut v, 0).insert("batch_shape".into(), json!([null, null]));
    cases.push((
        "variable input length",
        model_json("nulldim", &v),
        vec!["unsupported attribute batch_shape", "must be fixed"],
    ));

    let mut v = mlp();
    cfg(&mut v, 0).insert("batch_shape".into(), json!([null, 100000, 100000]));
    cases.push((
        "huge input",
        model_json("huge", &v),
        vec!["unsupported attribute batch_shape", "values per sample"],
    ));

    let mut v = mlp();
    cfg(&mut v, 2).insert("units".into(), json!(1u64 << 40));
    cases.push((
        "huge units",
        model_json("hugeunits", &v),
        vec!["layer 'fc2' (Dense) config.units", "at most 16777216"],
    ));

    let wide = json!({"class_name": "Model", "config": {"name": "w", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 1048576, 1024]}, "inbound_nodes": []},
        {"class_name": "Dense", "config": {"name": "d", "units": 1048576}, "inbound_nodes": [[["in", 0, 0, {}]]]},
        {"class_name": "Concatenate", "config": {"name": "big"}, "inbound_nodes": [[["d", 0, 0, {}], ["d", 0, 0, {}]]]}],
        "input_layers": [["in", 0, 0]], "output_layers": [["big", 0, 0]]}});
    cases.push((
        "output too large",
        model_json("wide", &wide),
        vec![
            "layer 'big' (Concatenate)",
            "unsupported attribute size",
            "more than 1099511627776 values",
        ],
    ));

    let costly = json!({"class_name": "Sequential", "config": {"name": "k", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [null, 64, 64, 1]}},
        {"class_name": "Conv2D", "config": {"name": "huge_kernel", "filters": 1048576, "kernel_size": [1048576, 1048576], "padding": "same"}}]}});
    cases.push((
        "cost too large",
        model_json("costly", &costly),
        vec![
            "layer 'huge_kernel' (Conv2D)",
            "unsupported attribute size",
            "operations",
        ],
    ));

    let reshape = json!({"class_name": "Sequential", "config": {"name": "r", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [null, 16]}},
        {"class_name": "Reshape", "config": {"name": "rs", "target_shape": [7, 2]}}]}});
    cases.push((
        "impossible reshape",
        model_json("reshape", &reshape),
        vec!["layer 'rs' (Reshape)", "cannot reshape 16 elements"],
    ));

    let mut v = functional();
    let i = layer_index(&v, "branch_b");
    v["config"]["layers"][i]["config"]["units"] = json!(7);
    cases.push((
        "Add of different shapes",
        model_json("addshape", &v),
        vec![
            "layer 'add' (Add)",
            "operands have different shapes [8] and [7]",
        ],
    ));

    let mut v = functional();
    let i = layer_index(&v, "add");
    let node = v["config"]["layers"][i]["inbound_nodes"][0].clone();
    v["config"]["layers"][i]["inbound_nodes"] = json!([node.clone(), node]);
    cases.push((
        "shared layer",
        model_json("shared", &v),
        vec!["layer 'add'", "shared layers are not supported"],
    ));

    let q = json!({"class_name": "Sequential", "config": {"name": "q", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 4]}},
        {"class_name": "QActivation", "config": {"name": "qa", "activation": "ternary(threshold=0.5)"}}]}});
    cases.push((
        "QKeras activation hls4ml cannot write",
        model_json("qternary", &q),
        vec![
            "layer 'qa' (QActivation)",
            "unsupported attribute activation",
            "ternary",
            "not in hls4ml 1.3.0",
        ],
    ));

    let q = json!({"class_name": "Sequential", "config": {"name": "q", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 4]}},
        {"class_name": "QDense", "config": {"name": "qd", "units": 2,
         "kernel_quantizer": {"class_name": "quantized_bits", "config": {"bits": 4, "integer": 0, "alpha": "auto"}}}}]}});
    cases.push((
        "QKeras alpha",
        model_json("qalpha", &q),
        vec![
            "layer 'qd' (QDense)",
            "unsupported attribute kernel_quantizer",
            "alpha",
        ],
    ));

    // .keras archives
    let zpath = d.join("noconfig.keras");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
        z.start_file("metadata.json", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"{}").unwrap();
        z.finish().unwrap();
    }
    cases.push((
        "zip without config.json",
        Input::Model {
            path: zpath,
            weights: None,
        },
        vec!["noconfig.keras", "config.json", "no such member"],
    ));
    cases.push((
        "not a zip",
        Input::Model {
            path: write(d, "text.keras", "hello"),
            weights: None,
        },
        vec!["text.keras", "not a .keras zip archive"],
    ));
    cases.push((
        "weights-only h5 given as the model",
        Input::Model {
            path: examples().join("KERAS_1layer_weights.h5"),
            weights: None,
        },
        vec![
            "KERAS_1layer_weights.h5",
            "model_config attribute",
            "--weights",
        ],
    ));
    cases.push((
        "unknown extension",
        Input::Model {
            path: write(d, "model.tflite", "x"),
            weights: None,
        },
        vec!["model.tflite", "unknown model format"],
    ));
    cases.push((
        "--weights with a .keras",
        Input::Model {
            path: fixtures().join("mlp_relu.keras"),
            weights: Some(archive_weights(d, "mlp_relu")),
        },
        vec!["--weights", "Keras .json models only"],
    ));

    // hls4ml config YAML
    cases.push((
        "bad ap_fixed text",
        yaml_case(
            "badtype",
            "HLSConfig:\n  Model:\n    Precision: ap_fixed<16>\n",
        ),
        vec![
            "badtype.yml",
            "HLSConfig.Model.Precision",
            "ap_fixed<16>",
            "2 to 5 arguments",
        ],
    ));
    cases.push((
        "unknown layer in LayerName",
        yaml_case(
            "unknown",
            "HLSConfig:\n  LayerName:\n    fc9:\n      ReuseFactor: 2\n",
        ),
        vec![
            "unknown.yml",
            "HLSConfig.LayerName.fc9",
            "no layer named 'fc9'",
            "fc1",
        ],
    ));
    cases.push((
        "reuse factor zero",
        yaml_case("rf0", "Model:\n  ReuseFactor: 0\n"),
        vec![
            "rf0.yml",
            "Model.ReuseFactor",
            "positive integer",
            "found 0",
        ],
    ));
    cases.push((
        "unknown strategy",
        yaml_case("strat", "HLSConfig:\n  Model:\n    Strategy: Fast\n"),
        vec!["HLSConfig.Model.Strategy", "unknown strategy 'Fast'"],
    ));
    cases.push((
        "unknown IOType",
        yaml_case("io", "IOType: io_serial\n"),
        vec!["IOType", "unknown io_type 'io_serial'"],
    ));
    cases.push((
        "YAML syntax error",
        yaml_case("syntax", "HLSConfig:\n  Model: [unclosed\n"),
        vec!["syntax.yml", "invalid YAML", "line"],
    ));
    cases.push((
        "misspelt key",
        yaml_case(
            "typo",
            "HLSConfig:\n  LayerName:\n    fc1:\n      ReuseFactr: 2\n",
        ),
        vec![
            "HLSConfig.LayerName.fc1.ReuseFactr",
            "unknown key 'ReuseFactr'",
        ],
    ));
    cases.push((
        "precision of the wrong type",
        yaml_case(
            "ptype",
            "HLSConfig:\n  LayerName:\n    fc1:\n      Precision:\n        weight: 16\n",
        ),
        vec![
            "HLSConfig.LayerName.fc1.Precision.weight",
            "ap_fixed<16,6>",
            "a number",
        ],
    ));
    cases.push((
        "bad clock period",
        yaml_case("clock", "ClockPeriod: -3\n"),
        vec!["ClockPeriod", "positive number"],
    ));

    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (what, input, needles) in &cases {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(input)));
        match outcome {
            Err(_) => failures.push(format!("{what}: panicked")),
            Ok(Ok(())) => failures.push(format!("{what}: no error")),
            Ok(Err(e)) => {
                let msg = e.to_string();
                for n in needles {
                    if !msg.contains(n) {
                        failures.push(format!("{what}: message lacks {n:?}: {msg}"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Replace the `k`-th scalar or container (depth first) of a JSON value with `new`.
fn replace_nth(v: &mut Value, k: &mut usize, new: &Value) -> bool {
    if *k == 0 {
        *v = new.clone();
        return true;
    }
    *k -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| replace_nth(x, k, new)),
        Value::Object(o) => o.values_mut().any(|x| replace_nth(x, k, new)),
        _ => false,
    }
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any one value of a real model config replaced by a hostile one gives a network or an
    /// error, never a panic.
    #[test]
    fn mutated_model_configs_never_panic(which in 0usize..2, at in 0usize..100_000, pick in 0usize..12) {
        let nasty = [
            json!(null), json!(-1), json!(0), json!(1u64 << 40), json!(1e300), json!("x"), json!([]),
            json!({}), json!(true), json!([null, 0]), json!([[["nope", 0, 0, {}]]]), json!("quantized_bits(0)"),
        ];
        let mut v = if which == 0 { mlp() } else { functional() };
        let mut k = at % count_nodes(&v);
        replace_nth(&mut v, &mut k, &nasty[pick]);
        let tmp = tempfile::tempdir().unwrap();
        let p = write(tmp.path(), "m.json", &v.to_string());
        let _ = load_model(&p, None, None);
    }

    /// Truncated or byte-flipped JSON gives an error, never a panic.
    #[test]
    fn damaged_json_text_never_panics(cut in 0usize..10_000, at in 0usize..10_000, byte in proptest::prelude::any::<u8>()) {
        let mut t = std::fs::read(fixtures().join("functional_add_concat.json")).unwrap();
        let i = at % t.len();
        t[i] = byte;
        t.truncate(t.len() - cut % t.len());
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("m.json");
        std::fs::write(&p, &t).unwrap();
        let _ = load_model(&p, None, None);
    }
}
