//! The DSL against Keras: the same network typed in the DSL and built in Keras gives equal IRs.
//!
//! - The Keras 3 fixtures of `tests/fixtures/keras/` (made by `scripts/make_keras_fixtures.py`)
//!   written in the DSL equal what the Keras frontend reads from their `to_json()` file and
//!   their `.keras` archive (structure, names, kinds, activations, shapes; not weights).
//! - hls4ml's own example models (`examples/hls4ml-examples/keras/`) equal the DSL
//!   examples in `examples/`.
//! - Automatic layer names equal the names Keras 3.15 gave the same network in a fresh session.

use frontends::dsl::{parse, parse_file, to_dsl};
use frontends::keras::{load_json, load_keras};
use ir::Network;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keras")
        .join(name)
}

fn names(n: &Network) -> Vec<String> {
    n.layers().iter().map(|l| l.name.clone()).collect()
}

/// The DSL text, the fixture's JSON and its `.keras` archive give the same IR.
fn same_as_keras(fixture_name: &str, dsl: &str) {
    let from_dsl = parse(dsl).unwrap_or_else(|e| panic!("{fixture_name}: {e}"));
    let from_json = load_json(&fixture(&format!("{fixture_name}.json")), None).unwrap();
    let from_keras = load_keras(&fixture(&format!("{fixture_name}.keras"))).unwrap();
    assert!(
        from_dsl.same_structure(&from_json, false),
        "{fixture_name}: DSL and Keras JSON differ\nDSL:   {:?}\nKeras: {:?}\n{}",
        names(&from_dsl),
        names(&from_json),
        to_dsl(&from_json)
    );
    assert!(
        from_dsl.same_structure(&from_keras, false),
        "{fixture_name}: DSL and .keras differ"
    );
    // parameter counts come out the same as Keras's count_params() in NAME.expected.json
    let exp: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture(&format!("{fixture_name}.expected.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(
        from_dsl.total_params(),
        exp["count_params"].as_u64().unwrap(),
        "{fixture_name}"
    );
    // and the printer writes the Keras network as DSL that reads back to the same IR
    let printed = to_dsl(&from_json);
    if std::env::var_os("SHOW_DSL").is_some() {
        println!("{printed}");
    }
    let back = parse(&printed).unwrap_or_else(|e| panic!("{fixture_name}: {e}\n{printed}"));
    assert!(
        back.same_structure(&from_json, false),
        "{fixture_name}: printed\n{printed}"
    );
}

#[test]
fn mlp_relu() {
    // the Sequential's input layer keeps Keras's automatic name, `input_layer`
    same_as_keras(
        "mlp_relu",
        "input(16) -> dense(32, relu, name=fc1) -> dense(16, relu, name=fc2) -> dense(5, softmax, name=out)",
    );
    // the comparison sees a one-unit, one-activation or one-name difference
    let keras = load_json(&fixture("mlp_relu.json"), None).unwrap();
    for wrong in [
        "input(16) -> dense(32, relu, name=fc1) -> dense(17, relu, name=fc2) -> dense(5, softmax, name=out)",
        "input(16) -> dense(32, tanh, name=fc1) -> dense(16, relu, name=fc2) -> dense(5, softmax, name=out)",
        "input(16) -> dense(32, relu, name=fc1) -> dense(16, relu) -> dense(5, softmax, name=out)",
    ] {
        assert!(!parse(wrong).unwrap().same_structure(&keras, false), "{wrong}");
    }
}

#[test]
fn mlp_activations_and_dropout() {
    same_as_keras(
        "mlp_activations",
        r#"
        input(12, name="input_layer_1")   # the script's second model: Keras's counter is at 1
          -> dense(10, tanh, name="d_tanh") -> dense(10, sigmoid, name="d_sigmoid")
          -> dropout(0.2, name="drop") -> dense(8, linear, name="d_linear") -> relu(name="act_relu")
          -> dense(8, name="d_plain") -> tanh(name="act_tanh")
          -> dense(4, name="d_last") -> softmax(name="act_softmax")
        "#,
    );
}

#[test]
fn mlp_leaky_batchnorm_variants() {
    same_as_keras(
        "mlp_leaky",
        r#"
        input(20, name="input_layer_2")
          -> dense(16, bias=false, name="fc_nobias")
          -> batchnorm(center=false, scale=false, epsilon=1e-3, name="bn_plain")
          -> leaky_relu(alpha=0.1, name="leaky")
          -> dense(16, name="fc2") -> batchnorm(name="bn_full") -> relu(name="relu_layer")
          -> dense(3, name="fc3") -> softmax(name="softmax_layer")
        "#,
    );
}

#[test]
fn conv1d_pooling_batchnorm() {
    same_as_keras(
        "conv1d_pool_bn",
        r#"
        input(32, 3, name="input_layer_3")
          -> conv1d(8, 3, relu, name="c1") -> maxpool1d(2, name="mp1")
          -> conv1d(6, 5, stride=2, padding=same, name="c2") -> batchnorm(name="bn1") -> relu(name="r2")
          -> avgpool1d(3, stride=1, padding=same, name="ap1") -> maxpool1d(3, stride=2, name="mp2")
          -> flatten(name="flat") -> dense(4, softmax, name="out")
        "#,
    );
}

#[test]
fn conv2d_pooling_batchnorm() {
    same_as_keras(
        "conv2d_pool_bn",
        r#"
        input(12, 12, 2, name="input_layer_4")
          -> conv2d(4, 3x3, padding=same, name="c1") -> batchnorm(name="bn1") -> relu(name="r1")
          -> maxpool2d(2x2, name="mp1") -> conv2d(6, 3x2, relu, stride=2x1, name="c2")
          -> avgpool2d(2x2, padding=same, name="ap1") -> conv2d(3, 1x1, bias=false, name="c3")
          -> dropout(0.1, name="drop") -> flatten(name="flat") -> dense(5, softmax, name="out")
        "#,
    );
}

#[test]
fn two_inputs_global_pools_concat() {
    same_as_keras(
        "global_pools",
        r#"
        i1 = input(10, 4, name="seq_in"); i2 = input(8, 8, 3, name="img_in")
        c1 = i1 -> conv1d(6, 3, relu, name="c1d")
        c2 = i2 -> conv2d(6, 3, relu, name="c2d")
        g1 = c1 -> globalavgpool1d(name="gap1"); g2 = c1 -> globalmaxpool1d(name="gmp1")
        g3 = c2 -> globalavgpool2d(name="gap2"); g4 = c2 -> globalmaxpool2d(name="gmp2")
        concat(g1, g2, g3, g4, name="cat") -> dense(3, softmax, name="out")
        "#,
    );
}

#[test]
fn reshape_and_flatten() {
    same_as_keras(
        "reshape_flatten",
        r#"
        input(64, name="flat_in") -> reshape(8, 8, 1, name="to_img") -> conv2d(2, 3x3, padding=same, name="c2d")
          -> flatten(name="flat") -> reshape(-1, 4, name="to_seq") -> conv1d(3, 2, stride=2, name="c1d")
          -> flatten(name="flat2") -> dense(4, name="out")
        "#,
    );
}

#[test]
fn functional_add_concat() {
    same_as_keras(
        "functional_add_concat",
        r#"
        x = input(16, name="x")
        a = x -> dense(8, relu, name="branch_a")
        b = x -> dense(8, tanh, name="branch_b")
        s = add(a, b)                      # auto-named `add`, as in the fixture
        concat(s, a, x, name="cat") -> dropout(0.5, name="drop") -> dense(4, softmax, name="out")
        "#,
    );
}

#[test]
fn functional_conv_residual() {
    same_as_keras(
        "functional_conv_residual",
        r#"
        i = input(10, 10, 3, name="img")
        c1 = i -> conv2d(4, 3x3, relu, padding=same, name="c1")
        bn = c1 -> conv2d(4, 3x3, padding=same, name="c2") -> batchnorm(name="bn")
        r = add(c1, bn, name="res_add") -> relu(name="res_relu")
        concat(r, i, axis=-1, name="chan_cat") -> maxpool2d(2x2, stride=2x2, name="pool")
          -> globalavgpool2d(name="gap") -> dense(2, name="out")
        "#,
    );
}

#[test]
fn two_outputs() {
    same_as_keras(
        "multi_output",
        "x = input(6, name=x); h = x -> dense(12, relu, name=h)\nh -> dense(3, softmax, name=cls)\nh -> dense(1, name=reg)",
    );
}

#[test]
fn concat_on_the_time_axis() {
    same_as_keras(
        "concat_axis1_conv1d",
        r#"
        x = input(8, 2, name="x")
        a = x -> conv1d(3, 3, padding=same, name="ca"); b = x -> conv1d(3, 1, name="cb")
        concat(a, b, axis=1, name="time_cat") -> avgpool1d(2, name="ap") -> flatten(name="flat")
          -> dense(2, sigmoid, name="out")
        "#,
    );
}

/// Auto-naming follows Keras 3. Truth: Keras 3.15.1 (jax backend), fresh session, this
/// network built layer by layer in the same order:
///
/// ```python
/// x = keras.Input((8, 8, 3))
/// a = L.Conv2D(4, 3, padding="same", activation="relu")(x); a = L.BatchNormalization()(a)
/// b = L.Conv2D(4, 1)(x); y = L.Add()([a, b]); y = L.Concatenate()([y, x])
/// y = L.MaxPooling2D()(y); y = L.AveragePooling2D(1)(y); y = L.Activation("relu")(y)
/// y = L.LeakyReLU(negative_slope=0.1)(y); y = L.Activation("softmax")(y); y = L.Dropout(0.5)(y)
/// g1 = L.GlobalAveragePooling2D()(y); g2 = L.GlobalMaxPooling2D()(y); y = L.Concatenate()([g1, g2])
/// y = L.Reshape((-1, 2))(y); y = L.Conv1D(2, 2)(y); y = L.MaxPooling1D()(y); y = L.AveragePooling1D(1)(y)
/// g3 = L.GlobalAveragePooling1D()(y); g4 = L.GlobalMaxPooling1D()(y); y = L.Add()([g3, g4])
/// y = L.Flatten()(y); y = L.Dense(3)(y); y = L.Dense(2)(y)
/// m = keras.Model(x, y); print(m.count_params(), [l.name for l in m.layers])
/// ```
///
/// printed 171 and the names below.
#[test]
fn auto_names_match_keras3() {
    let src = r#"
        x = input(8, 8, 3)
        a = x -> conv2d(4, 3, relu, padding=same) -> batchnorm
        b = x -> conv2d(4, 1x1)
        y = add(a, b)
        y2 = concat(y, x) -> maxpool2d -> avgpool2d(1) -> relu -> leaky_relu(0.1) -> softmax -> dropout(0.5)
        g1 = y2 -> globalavgpool2d
        g2 = y2 -> globalmaxpool2d
        z = concat(g1, g2) -> reshape(-1, 2) -> conv1d(2, 2) -> maxpool1d -> avgpool1d(1)
        g3 = z -> globalavgpool1d
        g4 = z -> globalmaxpool1d
        add(g3, g4) -> flatten -> dense(3) -> dense(2)
    "#;
    let n = parse(src).unwrap();
    let keras = [
        "input_layer",
        "conv2d",
        "batch_normalization",
        "conv2d_1",
        "add",
        "concatenate",
        "max_pooling2d",
        "average_pooling2d",
        "activation",
        "leaky_re_lu",
        "activation_1",
        "dropout",
        "global_average_pooling2d",
        "global_max_pooling2d",
        "concatenate_1",
        "reshape",
        "conv1d",
        "max_pooling1d",
        "average_pooling1d",
        "global_average_pooling1d",
        "global_max_pooling1d",
        "add_1",
        "flatten",
        "dense",
        "dense_1",
    ];
    assert_eq!(names(&n), keras);
    assert_eq!(n.total_params(), 171);
}

/// The DSL examples that reproduce hls4ml's example models equal those models as the Keras
/// frontend reads them (Keras 2 JSON as hls4ml ships it).
#[test]
fn examples_equal_hls4ml_models() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let models = root.join("examples/hls4ml-examples/keras");
    if !models.is_dir() {
        panic!(
            "{} is missing: the hls4ml example models are part of the repository",
            models.display()
        );
    }
    for (psn, json) in [
        ("jet_tagger_mlp.psn", "KERAS_3layer.json"),
        ("conv1d_small.psn", "KERAS_conv1d_small.json"),
        (
            "conv2d_small.psn",
            "jetTagger_Conv2D_Small_NoBatchNorm.json",
        ),
    ] {
        let dsl = parse_file(root.join("examples").join(psn)).unwrap();
        let keras = load_json(&models.join(json), None).unwrap();
        assert!(
            dsl.same_structure(&keras, false),
            "{psn} vs {json}:\n{}\n{}",
            to_dsl(&dsl),
            to_dsl(&keras)
        );
    }
}

#[test]
fn spatial_2d_padding_upsampling_cropping() {
    // asymmetric sides by keyword, symmetric amounts as `n` or `HxW`
    same_as_keras(
        "spatial_2d",
        r#"
        input(6, 5, 2, name="input_layer_6") -> conv2d(3, 3x3, relu, name="c1")
          -> zeropad2d(top=1, bottom=0, left=2, right=1, name="pad_pairs") -> zeropad2d(1, name="pad_int")
          -> upsample2d(2x3, name="up") -> crop2d(1x2, name="crop_pair")
          -> crop2d(top=0, bottom=1, left=2, right=0, name="crop_pairs")
          -> conv2d(2, 3x3, name="c2") -> flatten(name="flat") -> dense(3, name="out")
        "#,
    );
}

#[test]
fn spatial_1d_padding_cropping_upsampling() {
    same_as_keras(
        "spatial_1d",
        r#"
        input(10, 3, name="input_layer_7") -> conv1d(4, 3, relu, name="c1") -> zeropad1d(3, name="pad_int")
          -> zeropad1d(left=0, right=2, name="pad_pair") -> crop1d(left=1, right=2, name="crop")
          -> upsample1d(3, name="up") -> flatten(name="flat") -> dense(2, name="out")
        "#,
    );
}

#[test]
fn depthwise_and_separable_conv2d() {
    // DepthwiseConv2D with a depth multiplier and without bias, SeparableConv2D strided `same`
    same_as_keras(
        "depthwise_separable",
        r#"
        input(9, 8, 3, name="input_layer_8") -> depthwise_conv2d(3x3, relu, multiplier=2, name="dw")
          -> separable_conv2d(5, 3x3, stride=2x2, padding=same, name="sep")
          -> depthwise_conv2d(2x1, bias=false, name="dw_nobias")
          -> flatten(name="flat") -> dense(2, name="out")
        "#,
    );
}

#[test]
fn depthwise_and_separable_conv1d() {
    // scripts/make_keras_fixtures.py `depthwise_separable_1d`: DepthwiseConv1D with a depth
    // multiplier and without bias, SeparableConv1D strided `same`; Keras counts 129 parameters
    same_as_keras(
        "depthwise_separable_1d",
        r#"
        input(11, 3, name="input_layer_12") -> depthwise_conv1d(3, relu, multiplier=2, name="dw")
          -> separable_conv1d(5, 3, stride=2, padding=same, name="sep")
          -> depthwise_conv1d(2, bias=false, name="dw_nobias")
          -> flatten(name="flat") -> dense(2, name="out")
        "#,
    );
}

#[test]
fn elementwise_merges() {
    // scripts/make_keras_fixtures.py `merges`: Keras counts 269 parameters (3 conv of
    // 3·3·2·3+3 = 57, dense 48·2+2 = 98); three-operand Average and Minimum.
    same_as_keras(
        "merges",
        r#"
        i = input(6, 6, 2, name="img")
        a = i -> conv2d(3, 3x3, relu, name="ca")
        b = i -> conv2d(3, 3x3, tanh, name="cb")
        c = i -> conv2d(3, 3x3, name="cc")
        s = subtract(a, b)                 # auto-named `subtract`, as in the fixture
        m = multiply(a, c)
        v = average(s, m, c, name="avg3")
        x = maximum(v, a, name="max")
        minimum(x, b, c, name="min3") -> flatten(name="flat") -> dense(2, name="out")
        "#,
    );
}

#[test]
fn table_and_elu_activations() {
    // scripts/make_keras_fixtures.py `table_activations`: Keras counts 74 parameters
    // (6·5+5 + 5·4+4 + 4·3+3); the ELU layer keeps its alpha 0.5, Dense's `elu` Keras's 1.0.
    same_as_keras(
        "table_activations",
        r#"
        input(6, name="input_layer_9") -> dense(5, softplus, name="d1") -> softsign(name="sg")
          -> dense(4, selu, name="d2") -> elu(alpha=0.5, name="elu_layer")
          -> dense(3, elu, name="d3")
        "#,
    );
}

#[test]
fn recurrent_layers() {
    // scripts/make_keras_fixtures.py `recurrent`: Keras counts 528 parameters (LSTM(5) over 4
    // features 4·5·9+20 = 200, GRU(4) 3·4·9+24 = 132, GRU(3, reset_after=False) 3·3·7+9 = 72,
    // SimpleRNN(3, no bias) 3·6 = 18, Bidirectional(LSTM(2)) 2·(4·2·5+8) = 96, dense 4·2+2 = 10).
    same_as_keras(
        "recurrent",
        r#"
        input(6, 4, name="input_layer_10") -> lstm(5, return_sequences=true, name="lstm")
          -> gru(4, return_sequences=true, name="gru")
          -> gru(3, return_sequences=true, reset_after=false, name="gru_before")
          -> simple_rnn(3, relu, return_sequences=true, bias=false, name="rnn")
          -> lstm(2, bidirectional=concat, name="bidi")
          -> dense(2, name="out")
        "#,
    );
}
