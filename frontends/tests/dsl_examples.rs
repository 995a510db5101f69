//! Every example network in `examples/*.psn` parses, has the parameter count derived by hand
//! below, and prints back to DSL text that parses to the same network.

use frontends::dsl::{parse, parse_file, to_dsl};
use ir::{FixedType, IoType, Strategy};
use std::path::PathBuf;

fn examples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"))
}

/// Hand-derived Keras parameter counts (weights + biases, BatchNorm's 4 per channel).
const PARAMS: &[(&str, u64)] = &[
    // 16*64+64 + 64*32+32 + 32*32+32 + 32*5+5; also what Keras reports for KERAS_3layer
    ("jet_tagger_mlp.psn", 4389),
    // conv 4*4*3+3, 4*3*2+2, 4*2*1+1; dense 10*5+5, 5*5+5
    ("conv1d_small.psn", 51 + 26 + 9 + 55 + 30),
    // conv 3*3*1*5+5 -> 9x9x5, conv 5*5*5*2+2 -> 5x5x2, dense 50*10+10, 10*5+5
    ("conv2d_small.psn", 50 + 252 + 510 + 55),
    // conv 3*3*3*8+8, 3*3*8*8+8, batchnorm 4*8, 1x1 conv 3*8 (no bias), dense 11*10+10
    ("residual.psn", 224 + 584 + 32 + 24 + 120),
];

#[test]
fn examples_parse_with_hand_derived_counts() {
    let mut seen = 0;
    for entry in std::fs::read_dir(examples()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("psn") {
            continue;
        }
        seen += 1;
        let net = parse_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let file = path.file_name().unwrap().to_str().unwrap();
        if let Some((_, params)) = PARAMS.iter().find(|(f, _)| *f == file) {
            assert_eq!(net.total_params(), *params, "{file}");
        }
        let text = to_dsl(&net);
        let back = parse(&text).unwrap_or_else(|e| panic!("{file}: {e}\n{text}"));
        assert_eq!(back, net, "{file} printed as\n{text}");
    }
    assert!(
        seen >= PARAMS.len(),
        "expected the {} examples, found {seen}",
        PARAMS.len()
    );
}

#[test]
fn example_settings_are_read() {
    let jet = parse_file(examples().join("jet_tagger_mlp.psn")).unwrap();
    assert_eq!(jet.name, "jet_tagger_mlp");
    assert_eq!(jet.config.part, "xcu250-figd2104-2L-e");
    assert_eq!(jet.config.precision, FixedType::fixed(16, 6));
    assert_eq!(jet.config.clock_period_ns, 5.0);
    assert_eq!(jet.config.io_type, IoType::Parallel);
    assert_eq!(jet.total_macs(), 16 * 64 + 64 * 32 + 32 * 32 + 32 * 5);

    let conv = parse_file(examples().join("conv2d_small.psn")).unwrap();
    assert_eq!(
        (conv.config.strategy, conv.config.io_type),
        (Strategy::Resource, IoType::Stream)
    );
    // 25x25 with stride 3 and same padding: ceil(25/3) = 9; then ceil(9/2) = 5
    let c1 = conv.layer(conv.find("cnn2D_1_relu").unwrap());
    assert_eq!(c1.output_shape, vec![9, 9, 5]);
    let c2 = conv.layer(conv.find("cnn2D_2_relu").unwrap());
    assert_eq!(c2.output_shape, vec![5, 5, 2]);

    let res = parse_file(examples().join("residual.psn")).unwrap();
    let head = res.layer(res.find("dense").unwrap());
    assert_eq!(head.settings.precision.weight, Some(FixedType::fixed(8, 3)));
    assert_eq!(head.settings.precision.bias, None);
    assert_eq!(head.settings.reuse_factor, Some(4));
    assert_eq!(head.settings.strategy, Some(Strategy::Resource));
    let resolved = res.config.resolve(&head.settings);
    assert_eq!(
        (resolved.bias, resolved.reuse_factor),
        (FixedType::fixed(16, 6), 4)
    );
    // concat of relu(add) with 8 channels and the 3-channel input, then 2x2 pooling
    let cat = res.layer(res.find("concatenate").unwrap());
    assert_eq!(cat.output_shape, vec![16, 16, 11]);
    assert_eq!(
        res.layer(res.find("max_pooling2d").unwrap()).output_shape,
        vec![8, 8, 11]
    );
}
