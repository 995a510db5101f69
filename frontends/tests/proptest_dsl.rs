//! Property tests of the DSL printer and the fixed-point type printer: for generated networks
//! (chains and branches, every layer kind, per-layer and model settings, explicit outputs,
//! awkward names) printing then parsing gives the same network; for generated fixed-point
//! types printing then parsing gives the same value.

use frontends::dsl::{keras_prefix, parse, to_dsl};
use ir::ops::{BidiMerge, Cell};
use ir::types::{Overflow, Quantization};
use ir::{
    Activation, FixedType, HlsConfig, IoType, Layer, LayerKind, LayerSettings, Network, Padding,
    PoolOp, Precision, Strategy as HlsStrategy,
};
use proptest::prelude::*;
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------------
// Fixed-point types

const QUANT: &[Quantization] = &[
    Quantization::Trn,
    Quantization::TrnZero,
    Quantization::Rnd,
    Quantization::RndZero,
    Quantization::RndInf,
    Quantization::RndMinInf,
    Quantization::RndConv,
];
const OVERFLOW: &[Overflow] = &[
    Overflow::Wrap,
    Overflow::Sat,
    Overflow::SatZero,
    Overflow::SatSym,
    Overflow::WrapSm,
];

/// Fixed-point types as hls4ml writes them: the optional quantisation, overflow and saturation
/// bits are written left to right, so a later one is only present with the earlier ones.
fn fixed_type() -> impl Strategy<Value = FixedType> {
    let int =
        (1u32..=1024, any::<bool>()).prop_map(|(width, signed)| FixedType::Int { width, signed });
    let fixed = (
        1u32..=1024,
        -64i32..=64,
        any::<bool>(),
        0usize..4,
        prop::sample::select(QUANT),
        prop::sample::select(OVERFLOW),
        0u32..16,
    )
        .prop_map(
            |(width, integer, signed, extra, q, o, n)| FixedType::Fixed {
                width,
                integer,
                signed,
                quantization: (extra >= 1).then_some(q),
                overflow: (extra >= 2).then_some(o),
                saturation_bits: (extra >= 3).then_some(n),
            },
        );
    prop_oneof![1 => int, 4 => fixed]
}

/// Any value of the type, including ones with an overflow mode but no quantisation mode.
fn any_fixed_type() -> impl Strategy<Value = FixedType> {
    (
        1u32..=1024,
        -4096i32..=4096,
        any::<bool>(),
        prop::option::of(prop::sample::select(QUANT)),
        prop::option::of(prop::sample::select(OVERFLOW)),
        prop::option::of(0u32..64),
    )
        .prop_map(
            |(width, integer, signed, quantization, overflow, saturation_bits)| FixedType::Fixed {
                width,
                integer,
                signed,
                quantization,
                overflow,
                saturation_bits,
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Networks

fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Activation::Linear),
        Just(Activation::Relu),
        Just(Activation::Sigmoid),
        Just(Activation::Tanh),
        Just(Activation::Softmax),
        Just(Activation::Softplus),
        Just(Activation::Softsign),
        Just(Activation::Selu),
        (0.0f64..1.0).prop_map(|alpha| Activation::LeakyRelu { alpha }),
        (0.0f64..2.0).prop_map(|alpha| Activation::Elu { alpha }),
    ]
}

fn layer_settings() -> impl Strategy<Value = LayerSettings> {
    let t = || prop::option::of(fixed_type());
    prop_oneof![
        3 => Just(LayerSettings::default()),
        1 => (fixed_type(), prop::option::of(1u32..64), prop::option::of(prop_oneof![Just(HlsStrategy::Latency), Just(HlsStrategy::Resource)]))
            .prop_map(|(p, reuse_factor, strategy)| LayerSettings {
                precision: Precision { weight: Some(p.clone()), bias: Some(p.clone()), result: Some(p.clone()), accum: Some(p.clone()), scale: Some(p), named: Default::default() },
                auto: Default::default(),
                quantized: Default::default(),
                reuse_factor,
                strategy,
                sparsity: None,
                recurrent_static: None,
            }),
        1 => (t(), t(), t(), t(), t(), prop::option::of(1u32..64), prop::option::of(prop_oneof![Just(HlsStrategy::Latency), Just(HlsStrategy::Resource)]))
            .prop_map(|(weight, bias, result, accum, scale, reuse_factor, strategy)| LayerSettings {
                precision: Precision { weight, bias, result, accum, scale, named: Default::default() },
                auto: Default::default(),
                quantized: Default::default(),
                reuse_factor,
                strategy,
                sparsity: None,
                recurrent_static: None,
            }),
    ]
}

/// Names people and Keras give layers, plus awkward ones the printer must quote.
fn custom_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-z0-9_]{0,8}",
        1 => "[A-Za-z0-9 _./\\-]{1,10}",
        1 => "\\PC{1,6}",
        1 => Just("say \"hi\"\\\n\t".to_string()),
        1 => prop::sample::select(vec!["dense", "dense_1", "conv2d", "add", "network", "config", "outputs", "x"]).prop_map(String::from),
    ]
}

fn hls_config() -> impl Strategy<Value = HlsConfig> {
    prop_oneof![
        1 => Just(HlsConfig::default()),
        2 => (
            fixed_type(),
            1u32..128,
            prop_oneof![Just(HlsStrategy::Latency), Just(HlsStrategy::Resource)],
            prop_oneof![Just(IoType::Parallel), Just(IoType::Stream)],
            prop_oneof!["x[a-z0-9]{3,10}-[a-z0-9]{2,8}-[0-9][A-Z]?(-[a-z])?",
                // any part name the grammar allows (ir::names::check_part)
                "[A-Za-z0-9][A-Za-z0-9._-]{0,20}"],
            prop_oneof![(0.5f64..20.0), (1u32..20).prop_map(f64::from)],
            prop::sample::select(vec!["Vitis", "Vivado", "oneAPI", "my backend"]),
        )
            .prop_map(|(precision, reuse_factor, strategy, io_type, part, clock_period_ns, backend)| HlsConfig {
                precision,
                reuse_factor,
                strategy,
                io_type,
                part,
                clock_period_ns,
                backend: backend.to_string(),
            }),
    ]
}

/// One step of building a network: which layer kind to add, on which earlier node, and the
/// numbers it needs (each kind takes what it can use, so every step gives a valid layer).
#[derive(Debug, Clone)]
struct Step {
    kind: u8,
    pick: usize,
    other: usize,
    n: [usize; 4],
    flags: [bool; 3],
    act: Activation,
    real: f64,
    name: Option<String>,
    settings: LayerSettings,
}

fn step() -> impl Strategy<Value = Step> {
    (
        (
            0u8..31,
            any::<usize>(),
            any::<usize>(),
            [1usize..9, 1usize..9, 1usize..4, 1usize..4],
        ),
        (any::<[bool; 3]>(), activation(), 0.0f64..0.95),
        (prop::option::weighted(0.3, custom_name()), layer_settings()),
    )
        .prop_map(
            |((kind, pick, other, n), (flags, act, real), (name, settings))| Step {
                kind,
                pick,
                other,
                n,
                flags,
                act,
                real,
                name,
                settings,
            },
        )
}

#[derive(Debug, Clone)]
struct Plan {
    name: String,
    config: HlsConfig,
    inputs: Vec<Vec<usize>>,
    steps: Vec<Step>,
    outputs: Option<(usize, usize)>,
}

fn plan() -> impl Strategy<Value = Plan> {
    let shape = prop_oneof![
        prop::collection::vec(1usize..20, 1),
        (2usize..12, 1usize..5).prop_map(|(w, c)| vec![w, c]),
        (2usize..9, 2usize..9, 1usize..4).prop_map(|(h, w, c)| vec![h, w, c]),
    ];
    (
        prop_oneof!["[a-z_]{1,12}", "\\PC{0,10}"],
        hls_config(),
        prop::collection::vec(shape, 1..3),
        prop::collection::vec(step(), 0..14),
        prop::option::of((any::<usize>(), any::<usize>())),
    )
        .prop_map(|(name, config, inputs, steps, outputs)| Plan {
            name,
            config,
            inputs,
            steps,
            outputs,
        })
}

/// Build the network a plan describes, naming layers as Keras would unless the step has a name.
fn build(plan: &Plan) -> Network {
    let mut net = Network::new(plan.name.clone());
    net.config = plan.config.clone();
    let mut uids: HashMap<&'static str, usize> = HashMap::new();
    let mut nodes: Vec<(String, Vec<usize>)> = Vec::new();
    let mut add = |net: &mut Network,
                   nodes: &mut Vec<(String, Vec<usize>)>,
                   mut layer: Layer,
                   custom: &Option<String>,
                   inputs: &[String]| {
        let name = match custom {
            Some(n) => n.clone(),
            None => {
                let p = keras_prefix(&layer.kind);
                let u = uids.entry(p).or_insert(0);
                *u += 1;
                if *u == 1 {
                    p.to_string()
                } else {
                    format!("{p}_{}", *u - 1)
                }
            }
        };
        let mut unique = name.clone();
        let mut k = 0;
        while net.find(&unique).is_some() {
            k += 1;
            unique = format!("{name}~{k}");
        }
        layer.name = unique.clone();
        let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let id = net.add_layer(layer, &refs).unwrap();
        let ins: Vec<Vec<usize>> = net
            .inputs_of(id)
            .iter()
            .map(|i| net.layer(*i).output_shape.clone())
            .collect();
        let out = ir::shape::infer_layer(net.layer(id), &ins)
            .unwrap_or_else(|e| panic!("generator made a bad layer: {e}"));
        net.layer_mut(id).output_shape = out.clone();
        nodes.push((unique, out));
    };
    for shape in &plan.inputs {
        add(
            &mut net,
            &mut nodes,
            Layer::new(
                "",
                LayerKind::Input(ir::ops::Input {
                    shape: shape.clone(),
                }),
            ),
            &None,
            &[],
        );
    }
    for s in &plan.steps {
        let (src, shape) = nodes[s.pick % nodes.len()].clone();
        let rank = shape.len();
        let [a, b, c, d] = s.n;
        let padding = if s.flags[1] {
            Padding::Same
        } else {
            Padding::Valid
        };
        let op = if s.flags[2] {
            PoolOp::Max
        } else {
            PoolOp::Average
        };
        // a window that fits the input (valid padding) or any (same padding)
        let win = |len: usize, w: usize| {
            if padding == Padding::Same {
                w
            } else {
                w.min(len)
            }
        };
        let mut inputs = vec![src.clone()];
        let (kind, act) = match (s.kind, rank) {
            (1, 2) => (
                LayerKind::Conv1D(ir::ops::Conv1D {
                    filters: a,
                    kernel: win(shape[0], c),
                    stride: d,
                    padding,
                    use_bias: s.flags[0],
                }),
                s.act,
            ),
            (2, 3) => (
                LayerKind::Conv2D(ir::ops::Conv2D {
                    filters: a,
                    kernel: [win(shape[0], c), win(shape[1], d)],
                    stride: [d, c],
                    padding,
                    use_bias: s.flags[0],
                }),
                s.act,
            ),
            (3, 2) => (
                LayerKind::Pool1D(ir::ops::Pool1D {
                    op,
                    pool: win(shape[0], c),
                    stride: d,
                    padding,
                }),
                Activation::Linear,
            ),
            (4, 3) => (
                LayerKind::Pool2D(ir::ops::Pool2D {
                    op,
                    pool: [win(shape[0], c), win(shape[1], d)],
                    stride: [c, d],
                    padding,
                }),
                Activation::Linear,
            ),
            (5, 2) => (
                LayerKind::GlobalPool1D(ir::ops::GlobalPool1D { op }),
                Activation::Linear,
            ),
            (6, 3) => (
                LayerKind::GlobalPool2D(ir::ops::GlobalPool2D { op }),
                Activation::Linear,
            ),
            (7, _) => (
                LayerKind::BatchNorm(ir::ops::BatchNorm {
                    epsilon: [0.001, 1e-5, 0.01][a % 3],
                    center: s.flags[0],
                    scale: s.flags[1],
                }),
                Activation::Linear,
            ),
            (8, _) => (LayerKind::Activation(s.act), Activation::Linear),
            (9, _) => (LayerKind::Flatten, Activation::Linear),
            (10, _) => {
                let n: usize = shape.iter().product();
                let f = [2, 3, 1]
                    .into_iter()
                    .find(|f| n.is_multiple_of(*f))
                    .unwrap();
                let target = if s.flags[0] {
                    vec![0, f]
                } else {
                    vec![n / f, f]
                };
                (
                    LayerKind::Reshape(ir::ops::Reshape { target }),
                    Activation::Linear,
                )
            }
            (11, _) => {
                let same: Vec<&String> = nodes
                    .iter()
                    .filter(|(_, sh)| *sh == shape)
                    .map(|(n, _)| n)
                    .collect();
                inputs.push(same[s.other % same.len()].clone());
                let op = ir::ops::MergeOp::ALL[(s.other / 3) % ir::ops::MergeOp::ALL.len()];
                (LayerKind::Merge(ir::ops::Merge { op }), Activation::Linear)
            }
            (12, _) => {
                let fits: Vec<&String> = nodes
                    .iter()
                    .filter(|(_, sh)| sh.len() == rank && sh[..rank - 1] == shape[..rank - 1])
                    .map(|(n, _)| n)
                    .collect();
                inputs.push(fits[s.other % fits.len()].clone());
                if s.flags[0] {
                    inputs.push(fits[(s.other / 7) % fits.len()].clone());
                }
                (
                    LayerKind::Concatenate(ir::ops::Concatenate {
                        axis: if s.flags[1] { -1 } else { rank as isize },
                    }),
                    Activation::Linear,
                )
            }
            (13, _) => (
                LayerKind::Dropout(ir::ops::Dropout { rate: s.real }),
                Activation::Linear,
            ),
            // spatial copies: padding 0..3 per side (symmetric or not), cropping that leaves
            // at least one row, upsampling by 1 or 2 (shapes stay far below the size limit)
            (14, 2) => (
                LayerKind::ZeroPadding1D(ir::ops::ZeroPadding1D {
                    pad: [c - 1, if s.flags[0] { c - 1 } else { d - 1 }],
                }),
                Activation::Linear,
            ),
            (15, 3) => (
                LayerKind::ZeroPadding2D(ir::ops::ZeroPadding2D {
                    pad: [
                        [c - 1, if s.flags[0] { c - 1 } else { d - 1 }],
                        [d - 1, d - 1],
                    ],
                }),
                Activation::Linear,
            ),
            (16, 2) => {
                let m = (shape[0] - 1) / 2;
                (
                    LayerKind::Cropping1D(ir::ops::Cropping1D {
                        crop: [(c - 1).min(m), (d - 1).min(m)],
                    }),
                    Activation::Linear,
                )
            }
            (17, 3) => {
                let (mh, mw) = ((shape[0] - 1) / 2, (shape[1] - 1) / 2);
                (
                    LayerKind::Cropping2D(ir::ops::Cropping2D {
                        crop: [[(c - 1).min(mh), (d - 1).min(mh)], [(c - 1).min(mw), 0]],
                    }),
                    Activation::Linear,
                )
            }
            (18, 2) => (
                LayerKind::UpSampling1D(ir::ops::UpSampling1D { size: c.min(2) }),
                Activation::Linear,
            ),
            (19, 3) => (
                LayerKind::UpSampling2D(ir::ops::UpSampling2D {
                    size: [c.min(2), d.min(2)],
                }),
                Activation::Linear,
            ),
            // attention: self-attention, or cross-attention to a rank-2 node with at least as
            // many positions (so that a causal mask is valid)
            (20, 2) => {
                let values: Vec<&String> = nodes
                    .iter()
                    .filter(|(_, sh)| sh.len() == 2 && sh[0] >= shape[0])
                    .map(|(n, _)| n)
                    .collect();
                let value = if s.flags[0] {
                    values[s.other % values.len()].clone()
                } else {
                    src.clone()
                };
                inputs.push(value);
                let heads = a % 3 + 1;
                (
                    LayerKind::MultiHeadAttention(ir::ops::MultiHeadAttention {
                        heads,
                        kv_heads: if s.flags[1] { 1 } else { heads },
                        key_dim: c,
                        value_dim: d,
                        use_bias: s.flags[2],
                        key_bias: true,
                        causal: s.flags[1],
                        output_dim: (b % 4 > 1).then_some(b % 4 + 1),
                    }),
                    Activation::Linear,
                )
            }
            (21, _) => (
                LayerKind::LayerNorm(ir::ops::LayerNorm {
                    axes: if s.flags[0] || rank == 1 {
                        vec![-1]
                    } else {
                        vec![1, rank as isize]
                    },
                    epsilon: [0.001, 1e-5, 1e-6][a % 3],
                    center: s.flags[1],
                    scale: s.flags[2],
                }),
                Activation::Linear,
            ),
            (22, _) => {
                let kind = if rank == 2 && s.flags[1] {
                    ir::ops::EinsumDense {
                        equation: "abc,cde->abde".into(),
                        output_shape: vec![None, Some(c), Some(d)],
                        bias_axes: Some("de".into()),
                    }
                } else {
                    ir::ops::EinsumDense {
                        equation: "...x,xy->...y".into(),
                        output_shape: vec![Some(a + b)],
                        bias_axes: s.flags[0].then(|| "y".to_string()),
                    }
                };
                (LayerKind::EinsumDense(kind), s.act)
            }
            (23, 1) => (
                LayerKind::Embedding(ir::ops::Embedding {
                    input_dim: a + b,
                    output_dim: c + d,
                }),
                Activation::Linear,
            ),
            (24, 3) => (
                LayerKind::DepthwiseConv2D(ir::ops::DepthwiseConv2D {
                    kernel: [win(shape[0], c), win(shape[1], d)],
                    stride: [d, c],
                    padding,
                    depth_multiplier: a % 2 + 1,
                    use_bias: s.flags[0],
                }),
                s.act,
            ),
            (25, 3) => (
                LayerKind::SeparableConv2D(ir::ops::SeparableConv2D {
                    filters: a,
                    kernel: [win(shape[0], c), win(shape[1], d)],
                    stride: [c, d],
                    padding,
                    depth_multiplier: b % 2 + 1,
                    use_bias: s.flags[0],
                }),
                s.act,
            ),
            (24, 2) => (
                LayerKind::DepthwiseConv1D(ir::ops::DepthwiseConv1D {
                    kernel: [win(shape[0], c)],
                    stride: [d],
                    padding,
                    depth_multiplier: a % 2 + 1,
                    use_bias: s.flags[0],
                }),
                s.act,
            ),
            (25, 2) => (
                LayerKind::SeparableConv1D(ir::ops::SeparableConv1D {
                    filters: a,
                    kernel: [win(shape[0], c)],
                    stride: [d],
                    padding,
                    depth_multiplier: b % 2 + 1,
                    use_bias: s.flags[0],
                }),
                s.act,
            ),
            (26, _) => (LayerKind::ApplyAlpha, Activation::Linear),
            (28, _) => (LayerKind::PReLU, Activation::Linear),
            (30, 1) => {
                let same: Vec<&String> = nodes
                    .iter()
                    .filter(|(_, sh)| *sh == shape)
                    .map(|(n, _)| n)
                    .collect();
                inputs.push(same[s.other % same.len()].clone());
                (LayerKind::Dot, Activation::Linear)
            }
            (29, 2) => (
                LayerKind::Permute(ir::ops::Permute { dims: vec![2, 1] }),
                Activation::Linear,
            ),
            (29, 3) => (
                LayerKind::Permute(ir::ops::Permute {
                    dims: [vec![3, 1, 2], vec![2, 3, 1], vec![1, 3, 2]][a % 3].clone(),
                }),
                Activation::Linear,
            ),
            (27, 2) => {
                let cell = [Cell::SimpleRnn, Cell::Lstm, Cell::Gru][a % 3];
                let gated = cell != Cell::SimpleRnn;
                (
                    LayerKind::Recurrent(ir::ops::Recurrent {
                        cell,
                        units: b,
                        activation: [Activation::Tanh, Activation::Relu, Activation::Sigmoid]
                            [c % 3],
                        recurrent_activation: match (gated, d % 2) {
                            (false, _) => Activation::Linear,
                            (true, 0) => Activation::Sigmoid,
                            (true, _) => Activation::Tanh,
                        },
                        use_bias: s.flags[0],
                        return_sequences: s.flags[1],
                        go_backwards: s.flags[2],
                        reset_after: cell == Cell::Gru && c % 2 == 0,
                        bidirectional: [None, Some(BidiMerge::Concat), Some(BidiMerge::Ave)][d % 3],
                    }),
                    Activation::Linear,
                )
            }
            _ => (
                LayerKind::Dense(ir::ops::Dense {
                    units: a + b,
                    use_bias: s.flags[0],
                }),
                s.act,
            ),
        };
        let mut layer = Layer::new("", kind).with_activation(act);
        layer.settings = s.settings.clone();
        add(&mut net, &mut nodes, layer, &s.name, &inputs);
    }
    net.default_outputs();
    if let Some((p, q)) = plan.outputs {
        let (a, b) = (
            nodes[p % nodes.len()].0.clone(),
            nodes[q % nodes.len()].0.clone(),
        );
        if a != b {
            net.set_outputs(&[&b, &a]).unwrap();
        }
    }
    net
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn printing_then_parsing_a_network_gives_it_back(plan in plan()) {
        let net = build(&plan);
        let text = to_dsl(&net);
        let back = parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert!(back == net, "printed as\n{}\nreparsed as\n{}", text, to_dsl(&back));
        // and printing is stable
        prop_assert_eq!(to_dsl(&back), text);
    }

    #[test]
    fn printing_then_parsing_a_fixed_type_gives_it_back(t in fixed_type()) {
        let text = t.to_string();
        prop_assert_eq!(text.parse::<FixedType>().unwrap(), t);
    }

    /// Values whose optional modes are not a prefix (an overflow mode without a quantisation
    /// mode) print with the default filled in; the text is then stable.
    #[test]
    fn fixed_type_text_is_stable(t in any_fixed_type()) {
        let text = t.to_string();
        let back: FixedType = text.parse().unwrap();
        prop_assert_eq!(back.to_string(), text);
        prop_assert_eq!((back.width(), back.integer(), back.signed()), (t.width(), t.integer(), t.signed()));
    }
}

/// The generator reaches every layer kind, fused activations, settings, branches, explicit
/// outputs and custom names, so the round-trip property covers them.
#[test]
fn generated_networks_cover_every_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut kinds = std::collections::BTreeSet::new();
    let (mut merges, mut explicit_outputs, mut settings, mut named, mut leaky) = (0, 0, 0, 0, 0);
    for _ in 0..300 {
        let plan = plan().new_tree(&mut runner).unwrap().current();
        let net = build(&plan);
        for l in net.layers() {
            kinds.insert(l.kind.name());
            merges += usize::from(matches!(
                l.kind,
                LayerKind::Merge(_) | LayerKind::Concatenate(_)
            ));
            settings += usize::from(l.settings != LayerSettings::default());
            named += usize::from(!l.name.starts_with(keras_prefix(&l.kind)));
            leaky += usize::from(
                matches!(l.activation, Activation::LeakyRelu { .. }) && l.kind.takes_activation(),
            );
        }
        let text = to_dsl(&net);
        explicit_outputs += usize::from(text.contains("\noutputs "));
    }
    // 15 registry kinds before the spatial ones, pooling and global pooling counted once per
    // Max/Average name (4 more), the 6 spatial kinds, the 4 transformer kinds,
    // DepthwiseConv2D, SeparableConv2D, ApplyAlpha, the merge counted once per operation
    // (5 more than Add), and the recurrent kind once per name (SimpleRNN, LSTM, GRU,
    // Bidirectional), PReLU, Permute, Dot, DepthwiseConv1D, SeparableConv1D
    assert_eq!(kinds.len(), 46, "kinds reached: {kinds:?}");
    for (what, n) in [
        ("merges", merges),
        ("explicit outputs", explicit_outputs),
        ("settings", settings),
        ("custom names", named),
        ("fused leaky relu", leaky),
    ] {
        assert!(n >= 10, "{what}: only {n}");
    }
}
