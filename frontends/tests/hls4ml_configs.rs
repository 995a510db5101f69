//! Configs and projects written by hls4ml 1.3.0 itself (tests/fixtures/hls4ml-configs, made by
//! scripts/make_hls4ml_configs.py): every config at every granularity loads on its example model,
//! every project loads from its model file and, without it, from its C++; parameter counts equal
//! Keras's `count_params()` (expected.json, written by the same script from Keras).

use frontends::hls4ml_yaml::apply_config_report;
use frontends::{load_model, load_model_report};
use ir::{FixedType, LayerKind, Strategy};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
fn fixtures() -> PathBuf {
    root().join("tests/fixtures/hls4ml-configs")
}
fn examples() -> PathBuf {
    root().join("examples/hls4ml-examples/keras")
}

/// Keras's count_params() for each example model, as the generating script recorded it.
fn keras_params() -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(fixtures().join("expected.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let m = v["count_params"].as_object().unwrap();
    m.iter()
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
        .collect()
}

#[test]
fn every_generated_config_loads_with_keras_parameter_counts() {
    let models = keras_params();
    assert_eq!(
        models.len(),
        6,
        "expected.json lists the six Keras examples"
    );
    let mut checked = 0;
    for (model, params) in &models {
        for g in ["model", "type", "name"] {
            let cfg = fixtures().join(format!("configs/{model}_{g}.yml"));
            let mut net = load_model(&examples().join(format!("{model}.json")), None, None)
                .unwrap_or_else(|e| panic!("{model}: {e}"));
            let report =
                apply_config_report(&mut net, &cfg).unwrap_or_else(|e| panic!("{model} {g}: {e}"));
            assert_eq!(net.total_params(), *params, "{model} {g}");
            // config_from_keras_model's Model section: fixed<16,6>, RF 1, Latency.
            assert_eq!(net.config.precision, FixedType::fixed(16, 6), "{model} {g}");
            assert_eq!(net.config.reuse_factor, 1);
            assert_eq!(net.config.strategy, Strategy::Latency);
            // Keys hls4ml writes that presynth does not use are listed, not refused.
            assert!(
                report.unused.iter().any(|k| k == "Model.BramFactor"),
                "{report:?}"
            );
            if g != "model" {
                assert!(
                    report.unused.iter().any(|k| k.ends_with(".Trace")),
                    "{model} {g}: {report:?}"
                );
            }
            if g == "name" && model.starts_with("KERAS_3layer") {
                assert!(report
                    .unused
                    .iter()
                    .any(|k| k == "LayerName.fc1_relu_relu.TableSize"));
                assert!(report
                    .unused
                    .iter()
                    .any(|k| k == "LayerName.output_softmax_softmax.Precision.exp_table"));
            }
            assert!(
                report.unknown.is_empty(),
                "{model} {g}: {:?}",
                report.unknown
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 18);
}

/// A name-granularity config with explicit types: they reach the layers (auto leaves them).
#[test]
fn name_granularity_types_reach_layers() {
    let mut net = load_model(&examples().join("KERAS_3layer.json"), None, None).unwrap();
    let text = std::fs::read_to_string(fixtures().join("configs/KERAS_3layer_name.yml"))
        .unwrap()
        .replace(
            "  fc2_relu:\n    Trace: false\n    Precision:\n      result: auto\n      weight: auto",
            "  fc2_relu:\n    Trace: false\n    Precision:\n      result: auto\n      weight: fixed<8,2,RND_CONV,SAT>",
        );
    assert!(text.contains("fixed<8,2,RND_CONV,SAT>"));
    frontends::hls4ml_yaml::apply_config_str(&mut net, &text, "x.yml").unwrap();
    let fc2 = net.layer(net.find("fc2_relu").unwrap());
    assert_eq!(
        fc2.settings.precision.weight.as_ref().unwrap().to_string(),
        "ap_fixed<8,2,AP_RND_CONV,AP_SAT>"
    );
    // `auto` everywhere else: nothing overridden.
    let fc1 = net.layer(net.find("fc1_relu").unwrap());
    assert_eq!(fc1.settings.precision.weight, None);
}

fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().to_string();
        if skip.contains(&name.as_str()) {
            continue;
        }
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(&name), skip);
        } else {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

#[test]
fn projects_load_from_their_model_file_and_from_their_cpp() {
    let params: std::collections::HashMap<String, u64> = keras_params().into_iter().collect();
    for model in ["KERAS_3layer", "KERAS_conv1d_small"] {
        let dir = fixtures().join(format!("projects/{model}"));
        // 1. The directory: KerasModel names /tmp/... of the machine that wrote it, which does
        //    not exist here; keras_model.keras beside the config is used, and the output says so.
        let (from_model, report) = load_model_report(&dir, None, None).unwrap();
        assert_eq!(from_model.total_params(), params[model], "{model}");
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains("does not exist") && n.contains("keras_model.keras")),
            "{report:?}"
        );
        assert!(report.unused.iter().any(|k| k == "ClockUncertainty"));
        assert!(report.unused.iter().any(|k| k == "WriterConfig"));
        assert!(report.unused.iter().any(|k| k == "Stamp"));
        assert!(report
            .unused
            .iter()
            .any(|k| k == "HLSConfig.Model.BitExact"));
        assert_eq!(from_model.config.part, "xcvu13p-flga2577-2-e");
        assert_eq!(from_model.config.clock_period_ns, 5.0);
        // The config file itself as the model gives the same network.
        let same = load_model(&dir.join("hls4ml_config.yml"), None, None).unwrap();
        assert!(same.same_structure(&from_model, true), "{model}");

        // 2. Without the model file: rebuilt from firmware/.
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(&dir, tmp.path(), &["keras_model.keras"]);
        let (rebuilt, report) = load_model_report(tmp.path(), None, None).unwrap();
        assert!(
            report.notes.iter().any(|n| n.contains("rebuilt from")),
            "{report:?}"
        );
        assert_eq!(rebuilt.total_params(), params[model], "{model} from C++");
        // Same layers, kinds, activations and output shapes as the Keras model, and the weight
        // values hls4ml wrote (10 decimals) equal Keras's.
        for l in from_model.layers() {
            if matches!(l.kind, LayerKind::Flatten) {
                continue; // hls4ml keeps Flatten only as an alias
            }
            let id = rebuilt
                .find(&l.name)
                .unwrap_or_else(|| panic!("{model}: {} not rebuilt", l.name));
            let r = rebuilt.layer(id);
            assert_eq!(r.kind, l.kind, "{model} {}", l.name);
            assert_eq!(r.activation, l.activation, "{model} {}", l.name);
            assert_eq!(r.output_shape, l.output_shape, "{model} {}", l.name);
            for (wn, t) in &l.weights {
                let rt = r.weight(wn).unwrap_or_else(|| panic!("{} {wn}", l.name));
                assert_eq!(rt.shape, t.shape, "{} {wn}", l.name);
                for (a, b) in rt.data.iter().zip(&t.data) {
                    assert!(
                        (a - b).abs() <= 1e-9 + 1e-6 * b.abs(),
                        "{} {wn}: {a} vs {b}",
                        l.name
                    );
                }
            }
        }
        // The types are the ones hls4ml chose (defines.h), `auto` resolved: fc1_relu's
        // accumulator in KERAS_3layer is ap_fixed<37,17> (16-bit products of 16 inputs: hls4ml's
        // own inference, read from the fixture's defines.h).
        if model == "KERAS_conv1d_small" {
            // The Flatten hls4ml keeps only as `auto& layer8_out = layer7_out;` gets the
            // config's name for it.
            let f = rebuilt
                .find("flatten_1")
                .expect("flatten_1 named from the config");
            assert_eq!(rebuilt.layer(f).kind, LayerKind::Flatten);
        }
        if model == "KERAS_3layer" {
            let fc1 = rebuilt.layer(rebuilt.find("fc1_relu").unwrap());
            assert_eq!(fc1.settings.precision.weight, Some(FixedType::fixed(16, 6)));
            assert!(fc1.settings.precision.accum.is_some());
        }
    }
}

#[test]
fn bad_projects_and_configs_name_the_file_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    // A directory without a config.
    let e = load_model(tmp.path(), None, None).unwrap_err().to_string();
    assert!(e.contains("hls4ml_config.yml"), "{e}");
    // A config whose model is missing and no firmware/.
    let cfg = tmp.path().join("hls4ml_config.yml");
    std::fs::write(
        &cfg,
        "KerasModel: !keras_model '/nowhere/keras_model.keras'\nPart: xc7z020\n",
    )
    .unwrap();
    let e = load_model(tmp.path(), None, None).unwrap_err().to_string();
    assert!(
        e.contains("KerasModel")
            && e.contains("/nowhere/keras_model.keras")
            && e.contains("firmware"),
        "{e}"
    );
    // A config that names no model.
    std::fs::write(&cfg, "Part: xc7z020\n").unwrap();
    let e = load_model(&cfg, None, None).unwrap_err().to_string();
    assert!(e.contains("names no model file"), "{e}");
    // Truncated YAML: line and column.
    std::fs::write(&cfg, "HLSConfig:\n  Model: [fixed<16,6>\n").unwrap();
    let e = load_model(&cfg, None, None).unwrap_err().to_string();
    assert!(e.contains("hls4ml_config.yml: line"), "{e}");
    // A misspelt known key: did you mean.
    let mut net = load_model(&examples().join("KERAS_3layer.json"), None, None).unwrap();
    let e = frontends::hls4ml_yaml::apply_config_str(
        &mut net,
        "HLSConfig:\n  Model:\n    Precision: fixed<16,6>\n    ReuseFacter: 2\n",
        "c.yml",
    )
    .unwrap_err()
    .to_string();
    assert_eq!(e, "c.yml: HLSConfig.Model.ReuseFacter: unknown key 'ReuseFacter'; did you mean 'ReuseFactor'?");
    // A key that differs only in case is ignored by hls4ml 1.3.0 (case-sensitive lookups), so
    // a project synthesised with it loads, with a note (berk-bilgin/ml-fpga's configs write
    // `Precision: {Bias: ...}`; data/real-projects).
    let before = net.clone();
    let report = frontends::hls4ml_yaml::apply_config_str_report(
        &mut net,
        "HLSConfig:\n  LayerName:\n    fc1_relu:\n      Precision:\n        Bias: fixed<8,3>\n",
        "c.yml",
    )
    .unwrap();
    assert!(
        report.notes.iter().any(
            |n| n.contains("HLSConfig.LayerName.fc1_relu.Precision.Bias")
                && n.contains("'Bias' is not hls4ml's 'bias'")
        ),
        "{:?}",
        report.notes
    );
    let fc1 = |n: &ir::Network| n.layer(n.find("fc1_relu").unwrap()).clone();
    assert_eq!(fc1(&net).settings, fc1(&before).settings);
    let e = frontends::hls4ml_yaml::apply_config_str(&mut net, "ClokPeriod: 5\n", "c.yml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("did you mean 'ClockPeriod'"), "{e}");
    // A bad quantisation mode.
    let e = frontends::hls4ml_yaml::apply_config_str(
        &mut net,
        "Model:\n  Precision: fixed<16,6,TRUNC>\n",
        "c.yml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("c.yml: Model.Precision") && e.contains("TRUNC"),
        "{e}"
    );

    // Corrupt C++ inputs of a project without its model file.
    let prj = fixtures().join("projects/KERAS_3layer");
    let bad = tmp.path().join("prj");
    copy_dir(&prj, &bad, &["keras_model.keras"]);
    let w = bad.join("firmware/weights/w4.txt");
    let text = std::fs::read_to_string(&w).unwrap();
    std::fs::write(&w, text.replacen(',', ", x1.5,", 1)).unwrap();
    let e = load_model(&bad, None, None).unwrap_err().to_string();
    assert!(
        e.contains("w4.txt") && e.contains("value 2") && e.contains("x1.5"),
        "{e}"
    );
    std::fs::write(&w, "0.5, 0.25").unwrap();
    let e = load_model(&bad, None, None).unwrap_err().to_string();
    assert!(
        e.contains("w4.txt") && e.contains("expected 2048 values") && e.contains("found 2"),
        "{e}"
    );
    std::fs::remove_file(bad.join("firmware/parameters.h")).unwrap();
    let e = load_model(&bad, None, None).unwrap_err().to_string();
    assert!(e.contains("parameters.h"), "{e}");
}

#[test]
fn unknown_keys_are_accepted_and_strategies_mapped() {
    let mut net = load_model(&examples().join("KERAS_3layer.json"), None, None).unwrap();
    let r = frontends::hls4ml_yaml::apply_config_str_report(
        &mut net,
        "MyTeamNote: hello\nHLSConfig:\n  Model:\n    Precision: auto_is_not_allowed_here_so_use fixed<16,6>\n",
        "c.yml",
    );
    assert!(r.is_err()); // a bad type is still an error
    let r = frontends::hls4ml_yaml::apply_config_str_report(
        &mut net,
        "MyTeamNote: hello\nHLSConfig:\n  Model:\n    Precision: fixed<16,6>\n    Strategy: resource_unrolled\n  LayerName:\n    fc2_relu:\n      Strategy: distributed_arithmetic\n      Precision: auto\n",
        "c.yml",
    )
    .unwrap();
    assert_eq!(r.unknown, ["MyTeamNote"]);
    assert_eq!(net.config.strategy, Strategy::Resource);
    let fc2 = net.layer(net.find("fc2_relu").unwrap());
    assert_eq!(fc2.settings.strategy, Some(Strategy::Latency));
    assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
    assert!(r.notes[1].contains("distributed_arithmetic") && r.notes[1].contains("not modelled"));
}

/// Every prefix of every file of a project (truncated writes, half-copied projects) is read
/// without a panic: either a network or an error naming the file.
#[test]
fn truncated_project_files_never_panic() {
    let prj = fixtures().join("projects/KERAS_conv1d_small");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    copy_dir(&prj, &dir, &["keras_model.keras"]);
    for rel in [
        "hls4ml_config.yml",
        "firmware/parameters.h",
        "firmware/defines.h",
        "firmware/myproject.cpp",
        "firmware/weights/w2.txt",
    ] {
        let path = dir.join(rel);
        let full = std::fs::read_to_string(&path).unwrap();
        let step = (full.len() / 60).max(1);
        let mut cut = 0;
        while cut < full.len() {
            let mut end = cut;
            while !full.is_char_boundary(end) {
                end += 1;
            }
            std::fs::write(&path, &full[..end]).unwrap();
            let r = std::panic::catch_unwind(|| load_model(&dir, None, None));
            match r {
                Err(_) => panic!("{rel} cut at {end}: panicked"),
                Ok(Err(e)) => {
                    let msg = e.to_string();
                    assert!(
                        msg.contains(&dir.display().to_string()),
                        "{rel} at {end}: {msg}"
                    );
                }
                Ok(Ok(_)) => {}
            }
            cut += step;
        }
        std::fs::write(&path, &full).unwrap();
    }
    assert!(load_model(&dir, None, None).is_ok());
}

/// config_from_onnx_model's configs (hls4ml 1.3.0 on the ONNX examples): every key is one
/// presynth reads or knows hls4ml writes (nothing unknown, no typo errors). Their layer names
/// are hls4ml's ONNX node names (Conv_0, MatMul_0_param0, ...), matched by the ONNX frontend;
/// here they are read against an empty network, which turns names into notes.
#[test]
fn onnx_configs_use_only_known_keys() {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap())
            .unwrap();
    let models = v["onnx_initializer_params"].as_object().unwrap();
    assert_eq!(models.len(), 4);
    for model in models.keys() {
        for g in ["model", "type", "name"] {
            let path = fixtures().join(format!("configs/onnx_{model}_{g}.yml"));
            let text = std::fs::read_to_string(&path).unwrap();
            let mut net = ir::Network::new("empty");
            let r = frontends::hls4ml_yaml::apply_config_str_lenient(&mut net, &text, "c.yml")
                .unwrap_or_else(|e| panic!("{model} {g}: {e}"));
            assert!(r.unknown.is_empty(), "{model} {g}: {:?}", r.unknown);
            assert_eq!(net.config.precision, FixedType::fixed(16, 6));
            if g == "name" {
                assert!(
                    r.notes.iter().any(|n| n.contains("LayerName.global_in")),
                    "{:?}",
                    r.notes
                );
            }
        }
    }
}

/// The example configs of hls4ml's example-models repository name their model the old way
/// (`KerasJson: keras/X.json`, `KerasH5: keras/X_weights.h5`, relative to the repository's root,
/// the config's parent folder here); as MODEL they load it with its weights. Parameter counts
/// from examples/hls4ml-examples/README.md (values in the weights files).
#[test]
fn example_configs_load_the_models_they_name() {
    let cfgs = root().join("examples/hls4ml-examples/config-files");
    for (file, params) in [
        ("qkeras_3layer_config.yml", 4389),
        ("qkeras_mnist_dense_config.yml", 15910),
    ] {
        let (net, report) = load_model_report(&cfgs.join(file), None, None).unwrap();
        assert_eq!(net.total_params(), params, "{file}");
        assert!(
            report.notes.iter().any(|n| n.contains("is relative")),
            "{report:?}"
        );
        // The weights came along (KerasH5): every Dense has its kernel.
        assert!(net
            .layers()
            .iter()
            .filter(|l| matches!(l.kind, LayerKind::Dense(_)))
            .all(|l| l.weight("kernel").is_some()));
        assert_eq!(net.config.backend, "Vivado");
    }
}

/// A Resource-strategy project: hls4ml stores the weights transposed (Dense (F,N), Conv1D
/// (F,W,C): `ApplyResourceStrategy` in hls4ml 1.3.0); read back, they equal Keras's again, and the
/// layers carry the strategy and reuse factor of parameters.h.
#[test]
fn resource_strategy_weights_are_put_back_in_keras_order() {
    let keras = load_model(
        &fixtures().join("projects/KERAS_conv1d_small/hls4ml_config.yml"),
        None,
        None,
    )
    .unwrap();
    let (rebuilt, report) = load_model_report(
        &fixtures().join("projects/KERAS_conv1d_small_resource"),
        None,
        None,
    )
    .unwrap();
    assert!(
        report.notes.iter().any(|n| n.contains("rebuilt from")),
        "{report:?}"
    );
    assert_eq!(rebuilt.total_params(), keras.total_params());
    let mut compared = 0;
    for l in keras.layers() {
        for (wn, t) in &l.weights {
            let r = rebuilt.layer(rebuilt.find(&l.name).unwrap());
            let rt = r.weight(wn).unwrap();
            assert_eq!(rt.shape, t.shape, "{} {wn}", l.name);
            for (a, b) in rt.data.iter().zip(&t.data) {
                assert!(
                    (a - b).abs() <= 1e-9 + 1e-6 * b.abs(),
                    "{} {wn}: {a} vs {b}",
                    l.name
                );
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 10, "3 Conv1D + 2 Dense, kernel and bias each");
    let conv1 = rebuilt.layer(rebuilt.find("conv1_relu").unwrap());
    assert_eq!(conv1.settings.strategy, Some(Strategy::Resource));
    assert_eq!(conv1.settings.reuse_factor, Some(2));
}
