//! The layer registry: every layer kind described once, in its own file (`ops/<kind>.rs`): its
//! attributes, table name, Keras classes, arity, shape inference, parameter and MAC cost, and
//! the weights it carries. [`for_each_layer_kind!`] is the one list of kinds; it generates
//! [`LayerKind`] and its dispatch to [`LayerOp`] here, and other crates pass it their own
//! callback macro to dispatch their per-kind code, so a kind without an implementation is a
//! compile error there, never a silent default.
//!
//! Adding a kind: docs/adding-a-layer.md.

pub mod activation;
pub mod apply_alpha;
pub mod attention;
pub mod batchnorm;
pub mod concatenate;
pub mod conv1d;
pub mod conv2d;
pub mod cropping;
pub mod dense;
pub mod depthwise;
pub mod dot;
pub mod dropout;
pub mod einsum_dense;
pub mod embedding;
pub mod fixed_point_quantizer;
pub mod flatten;
pub mod garnet;
pub mod global_pool;
pub mod input;
pub mod layernorm;
pub mod merge;
pub mod permute;
pub mod pool1d;
pub mod pool2d;
pub mod positional_add;
pub mod prelu;
pub mod recurrent;
pub mod reshape;
pub mod time_distributed;
pub mod upsampling;
pub(crate) mod util;
pub mod zeropad;

pub use activation::Activation;
pub use apply_alpha::ApplyAlpha;
pub use attention::MultiHeadAttention;
pub use batchnorm::BatchNorm;
pub use concatenate::Concatenate;
pub use conv1d::Conv1D;
pub use conv2d::Conv2D;
pub use cropping::{Cropping1D, Cropping2D};
pub use dense::Dense;
pub use depthwise::{
    DepthwiseConv, DepthwiseConv1D, DepthwiseConv2D, SeparableConv, SeparableConv1D,
    SeparableConv2D,
};
pub use dot::Dot;
pub use dropout::Dropout;
pub use einsum_dense::EinsumDense;
pub use embedding::Embedding;
pub use fixed_point_quantizer::FixedPointQuantizer;
pub use flatten::Flatten;
pub use garnet::{GarNet, GarNetCollapse, GarNetTransform};
pub use global_pool::{GlobalPool, GlobalPool1D, GlobalPool2D};
pub use input::Input;
pub use layernorm::LayerNorm;
pub use merge::{Merge, MergeOp};
pub use permute::Permute;
pub use pool1d::Pool1D;
pub use pool2d::Pool2D;
pub use positional_add::PositionalAdd;
pub use prelu::PReLU;
pub use recurrent::{BidiMerge, Cell, Recurrent};
pub use reshape::Reshape;
pub use time_distributed::TimeDistributed;
pub use upsampling::{UpSampling1D, UpSampling2D};
pub use zeropad::{ZeroPadding1D, ZeroPadding2D};

use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;

/// How many inputs a kind takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// Exactly this many (0 for a network input).
    Exactly(usize),
    /// Two or more (merges).
    AtLeastTwo,
}

/// A weight tensor a layer carries: its Keras name, shape (Keras order) and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightSpec {
    pub name: &'static str,
    pub shape: Vec<usize>,
    /// What the tensor does, which sets how a fresh Keras layer initialises it (the random
    /// weight fillers read this, never the name).
    pub role: WeightRole,
}

/// What a weight tensor does in its layer. Each role has one Keras default initialiser, which
/// the random weight fillers (`dataset-tools` `fill_random_weights`, `codegen --random-weights`)
/// follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightRole {
    /// A matrix or convolution kernel, depthwise and pointwise ones included (Keras
    /// `glorot_uniform`).
    Kernel,
    /// An additive bias (Keras `zeros`).
    Bias,
    /// A multiplicative per-feature scale: BatchNorm/LayerNorm `gamma`, ApplyAlpha's `scale`
    /// (Keras `ones`).
    Scale,
    /// An additive per-feature shift: BatchNorm/LayerNorm `beta` (Keras `zeros`).
    Shift,
    /// BatchNorm's moving mean (Keras `zeros`).
    MovingMean,
    /// BatchNorm's moving variance (Keras `ones`).
    MovingVariance,
    /// An embedding table (Keras `uniform`: U(−0.05, 0.05)).
    Embeddings,
}

/// Keras parameter count and multiply-accumulates of one inference of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    pub params: u64,
    pub macs: u64,
}

/// What the IR knows of a layer kind. Implemented once per kind, in its own file.
pub trait LayerOp {
    /// The kind's name in tables and errors (`Dense`, `MaxPooling2D`, ...).
    fn name(&self) -> &'static str;
    /// The Keras (and QKeras) classes that build this kind.
    fn keras_classes(&self) -> &'static [&'static str];
    /// Number of inputs.
    fn arity(&self) -> Arity;
    /// Whether the kind carries a fused activation (Dense and Conv).
    fn takes_activation(&self) -> bool;
    /// Output shape (channels last, no batch dimension) from the input shapes; `layer` names the
    /// layer in errors.
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError>;
    /// Keras parameter count (as `count_params()` counts, BatchNorm statistics included) and MACs.
    fn cost(&self, inputs: &[Shape], output: &[usize]) -> Cost;
    /// The weights a layer of this kind carries, in Keras order, for these input shapes; none
    /// unless the kind says otherwise.
    fn weights(&self, _inputs: &[Shape]) -> Vec<WeightSpec> {
        vec![]
    }
    /// Sliding window of the kind: (kernel or pool area, stride area); (1, 1) for the others.
    fn window(&self) -> (usize, usize) {
        (1, 1)
    }
    /// The matrix product the kind computes at each output position, `(n_in, n_out)` as hls4ml
    /// sizes its multiplier array and reuse factor (Dense: inputs × units; Conv: kernel area ×
    /// channels × filters); `None` for kinds without one (the default).
    fn product_shape(&self, _inputs: &[Shape]) -> Option<(u64, u64)> {
        None
    }
}

/// Calls the macro `$callback` with the one list of layer kinds:
/// `data { Variant(Type) module, ... } unit { Variant module, ... }`. A `data` kind's attributes
/// are `ops::module::Type`; a `unit` kind has none and its op is the unit struct
/// `ops::module::Variant`.
#[macro_export]
macro_rules! for_each_layer_kind {
    ($callback:ident) => {
        $callback! {
            data {
                Input(Input) input,
                Dense(Dense) dense,
                Conv1D(Conv1D) conv1d,
                Conv2D(Conv2D) conv2d,
                Pool1D(Pool1D) pool1d,
                Pool2D(Pool2D) pool2d,
                GlobalPool1D(GlobalPool1D) global_pool,
                GlobalPool2D(GlobalPool2D) global_pool,
                BatchNorm(BatchNorm) batchnorm,
                Activation(Activation) activation,
                Reshape(Reshape) reshape,
                Concatenate(Concatenate) concatenate,
                Dropout(Dropout) dropout,
                ZeroPadding1D(ZeroPadding1D) zeropad,
                ZeroPadding2D(ZeroPadding2D) zeropad,
                Cropping1D(Cropping1D) cropping,
                Cropping2D(Cropping2D) cropping,
                UpSampling1D(UpSampling1D) upsampling,
                UpSampling2D(UpSampling2D) upsampling,
                MultiHeadAttention(MultiHeadAttention) attention,
                LayerNorm(LayerNorm) layernorm,
                EinsumDense(EinsumDense) einsum_dense,
                Embedding(Embedding) embedding,
                Merge(Merge) merge,
                DepthwiseConv2D(DepthwiseConv2D) depthwise,
                SeparableConv2D(SeparableConv2D) depthwise,
                Recurrent(Recurrent) recurrent,
                Permute(Permute) permute,
                DepthwiseConv1D(DepthwiseConv1D) depthwise,
                SeparableConv1D(SeparableConv1D) depthwise,
                GarNet(GarNet) garnet,
                FixedPointQuantizer(FixedPointQuantizer) fixed_point_quantizer,
                TimeDistributed(TimeDistributed) time_distributed,
            }
            unit {
                Flatten flatten,
                ApplyAlpha apply_alpha,
                PositionalAdd positional_add,
                PReLU prelu,
                Dot dot,
            }
        }
    };
}

macro_rules! define_layer_kinds {
    (
        data { $( $V:ident ( $T:ident ) $m:ident ),* $(,)? }
        unit { $( $U:ident $um:ident ),* $(,)? }
    ) => {
        /// What a layer computes, with its attributes. Shapes are channels-last, without the
        /// batch dimension. Generated from [`for_each_layer_kind!`].
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(from = "LayerKindWire")]
        pub enum LayerKind {
            $( $V($m::$T), )*
            $( $U, )*
        }

        /// What [`LayerKind`] reads: its own spellings plus those of earlier versions (the
        /// unit `"Add"`, now a [`merge::Merge`] with `op: Add`), so old model files and
        /// datasets still load.
        #[derive(serde::Deserialize)]
        #[serde(rename = "LayerKind")]
        enum LayerKindWire {
            $( $V($m::$T), )*
            $( $U, )*
            Add,
        }

        impl From<LayerKindWire> for LayerKind {
            fn from(w: LayerKindWire) -> LayerKind {
                match w {
                    $( LayerKindWire::$V(a) => LayerKind::$V(a), )*
                    $( LayerKindWire::$U => LayerKind::$U, )*
                    LayerKindWire::Add => LayerKind::Merge(merge::Merge::ADD),
                }
            }
        }

        /// A layer kind without its attributes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum KindTag {
            $( $V, )*
            $( $U, )*
        }

        impl KindTag {
            /// Every kind, in registry order.
            pub const ALL: &'static [KindTag] = &[ $( KindTag::$V, )* $( KindTag::$U, )* ];
            /// The registry's spelling of the variant (`Conv2D`, `BatchNorm`, ...).
            pub fn variant_name(self) -> &'static str {
                match self {
                    $( KindTag::$V => stringify!($V), )*
                    $( KindTag::$U => stringify!($U), )*
                }
            }
        }

        impl LayerKind {
            /// This kind's registry entry.
            pub fn op(&self) -> &dyn LayerOp {
                match self {
                    $( LayerKind::$V(op) => op, )*
                    $( LayerKind::$U => &$um::$U, )*
                }
            }
            /// The kind without its attributes.
            pub fn tag(&self) -> KindTag {
                match self {
                    $( LayerKind::$V(_) => KindTag::$V, )*
                    $( LayerKind::$U => KindTag::$U, )*
                }
            }
        }
    };
}

for_each_layer_kind!(define_layer_kinds);

impl LayerKind {
    /// Short kind name used in tables and errors (`Dense`, `Conv2D`, `MaxPooling2D`, ...).
    pub fn name(&self) -> &'static str {
        self.op().name()
    }
    /// Whether the kind can carry a fused activation (Dense and Conv).
    pub fn takes_activation(&self) -> bool {
        self.op().takes_activation()
    }
    /// Number of inputs the kind takes: `None` means two or more (Add, Concatenate).
    pub fn arity(&self) -> Option<usize> {
        match self.op().arity() {
            Arity::Exactly(n) => Some(n),
            Arity::AtLeastTwo => None,
        }
    }
}

impl std::fmt::Display for LayerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{Padding, PoolOp};
    use std::collections::BTreeSet;

    /// One layer of every kind with an input shape it accepts.
    fn one_of_each() -> Vec<(LayerKind, Vec<Shape>)> {
        let img = vec![vec![8, 8, 3]];
        let seq = vec![vec![10, 4]];
        vec![
            (LayerKind::Input(Input { shape: vec![16] }), vec![]),
            (
                LayerKind::Dense(Dense {
                    units: 5,
                    use_bias: true,
                }),
                vec![vec![16]],
            ),
            (
                LayerKind::Conv1D(Conv1D {
                    filters: 6,
                    kernel: 3,
                    stride: 1,
                    padding: Padding::Valid,
                    use_bias: true,
                }),
                seq.clone(),
            ),
            (
                LayerKind::Conv2D(Conv2D {
                    filters: 4,
                    kernel: [3, 3],
                    stride: [1, 1],
                    padding: Padding::Same,
                    use_bias: false,
                }),
                img.clone(),
            ),
            (
                LayerKind::Pool1D(Pool1D {
                    op: PoolOp::Max,
                    pool: 2,
                    stride: 2,
                    padding: Padding::Valid,
                }),
                seq.clone(),
            ),
            (
                LayerKind::Pool2D(Pool2D {
                    op: PoolOp::Average,
                    pool: [2, 2],
                    stride: [2, 2],
                    padding: Padding::Valid,
                }),
                img.clone(),
            ),
            (
                LayerKind::GlobalPool1D(GlobalPool1D { op: PoolOp::Max }),
                seq.clone(),
            ),
            (
                LayerKind::GlobalPool2D(GlobalPool2D {
                    op: PoolOp::Average,
                }),
                img.clone(),
            ),
            (
                LayerKind::BatchNorm(BatchNorm {
                    epsilon: 1e-3,
                    center: true,
                    scale: false,
                }),
                img.clone(),
            ),
            (LayerKind::Activation(Activation::Relu), img.clone()),
            (
                LayerKind::Reshape(Reshape { target: vec![0, 3] }),
                img.clone(),
            ),
            (
                LayerKind::Concatenate(Concatenate { axis: -1 }),
                vec![img[0].clone(), img[0].clone()],
            ),
            (LayerKind::Dropout(Dropout { rate: 0.1 }), seq.clone()),
            (LayerKind::Flatten, img.clone()),
            (
                LayerKind::Merge(Merge {
                    op: MergeOp::Subtract,
                }),
                vec![img[0].clone(), img[0].clone()],
            ),
            (
                LayerKind::ZeroPadding1D(ZeroPadding1D { pad: [1, 2] }),
                seq.clone(),
            ),
            (
                LayerKind::ZeroPadding2D(ZeroPadding2D {
                    pad: [[1, 0], [2, 2]],
                }),
                img.clone(),
            ),
            (
                LayerKind::Cropping1D(Cropping1D { crop: [1, 2] }),
                seq.clone(),
            ),
            (
                LayerKind::Cropping2D(Cropping2D {
                    crop: [[1, 0], [2, 2]],
                }),
                img.clone(),
            ),
            (
                LayerKind::UpSampling1D(UpSampling1D { size: 3 }),
                seq.clone(),
            ),
            (
                LayerKind::UpSampling2D(UpSampling2D { size: [2, 3] }),
                img.clone(),
            ),
            (
                LayerKind::MultiHeadAttention(MultiHeadAttention {
                    heads: 2,
                    kv_heads: 2,
                    key_dim: 3,
                    value_dim: 5,
                    use_bias: true,
                    key_bias: true,
                    causal: false,
                    output_dim: None,
                }),
                vec![seq[0].clone(), vec![7, 6]],
            ),
            (
                LayerKind::LayerNorm(LayerNorm {
                    axes: vec![-1],
                    epsilon: 1e-3,
                    center: true,
                    scale: true,
                }),
                seq.clone(),
            ),
            (
                LayerKind::EinsumDense(EinsumDense {
                    equation: "abc,cde->abde".into(),
                    output_shape: vec![None, Some(2), Some(3)],
                    bias_axes: Some("de".into()),
                }),
                seq.clone(),
            ),
            (
                LayerKind::Embedding(Embedding {
                    input_dim: 50,
                    output_dim: 8,
                }),
                vec![vec![10]],
            ),
            (
                LayerKind::Recurrent(Recurrent {
                    cell: Cell::Lstm,
                    units: 3,
                    activation: Activation::Tanh,
                    recurrent_activation: Activation::Sigmoid,
                    use_bias: true,
                    return_sequences: false,
                    go_backwards: false,
                    reset_after: false,
                    bidirectional: None,
                }),
                seq.clone(),
            ),
            (
                LayerKind::DepthwiseConv2D(DepthwiseConv2D {
                    kernel: [3, 3],
                    stride: [1, 1],
                    padding: crate::layer::Padding::Valid,
                    depth_multiplier: 2,
                    use_bias: true,
                }),
                img.clone(),
            ),
            (
                LayerKind::SeparableConv2D(SeparableConv2D {
                    filters: 4,
                    kernel: [3, 3],
                    stride: [1, 1],
                    padding: crate::layer::Padding::Valid,
                    depth_multiplier: 1,
                    use_bias: true,
                }),
                img.clone(),
            ),
            (LayerKind::ApplyAlpha, img.clone()),
            (LayerKind::PositionalAdd, vec![vec![10, 4]]),
            (LayerKind::PReLU, img.clone()),
            (
                LayerKind::Permute(Permute { dims: vec![2, 1] }),
                seq.clone(),
            ),
            (LayerKind::Dot, vec![vec![6], vec![6]]),
            (
                LayerKind::GarNet(GarNet {
                    stack: false,
                    transforms: vec![GarNetTransform {
                        n_propagate: 3,
                        n_aggregators: 4,
                        n_filters: 5,
                    }],
                    collapse: Some(GarNetCollapse::Mean),
                    mean_by_nvert: false,
                    quantize_transforms: false,
                }),
                vec![vec![16, 3], vec![1]],
            ),
            (
                LayerKind::DepthwiseConv1D(DepthwiseConv1D {
                    kernel: [3],
                    stride: [1],
                    padding: crate::layer::Padding::Valid,
                    depth_multiplier: 2,
                    use_bias: true,
                }),
                seq.clone(),
            ),
            (
                LayerKind::SeparableConv1D(SeparableConv1D {
                    filters: 5,
                    kernel: [3],
                    stride: [1],
                    padding: crate::layer::Padding::Valid,
                    depth_multiplier: 1,
                    use_bias: true,
                }),
                seq.clone(),
            ),
            (
                LayerKind::FixedPointQuantizer(FixedPointQuantizer {
                    quantizer: Box::new(crate::hgq::HgqQuantizer {
                        role: crate::hgq::QuantizerRole::Output,
                        round_mode: "RND".into(),
                        overflow_mode: "WRAP".into(),
                        shape: vec![1, 16],
                        k: vec![1; 16],
                        i: vec![3; 16],
                        f: vec![4; 16],
                    }),
                    fusible: false,
                }),
                vec![vec![16]],
            ),
            (
                LayerKind::TimeDistributed(TimeDistributed {
                    layer: Box::new(Layer::new(
                        "td_dense",
                        LayerKind::Dense(Dense {
                            units: 5,
                            use_bias: true,
                        }),
                    )),
                }),
                vec![vec![7, 16]],
            ),
        ]
    }

    #[test]
    fn the_list_names_every_kind_once() {
        let tags: BTreeSet<KindTag> = one_of_each().iter().map(|(k, _)| k.tag()).collect();
        assert_eq!(tags.len(), KindTag::ALL.len(), "a kind is missing above");
        let names: BTreeSet<&str> = KindTag::ALL.iter().map(|t| t.variant_name()).collect();
        assert_eq!(names.len(), KindTag::ALL.len());
    }

    #[test]
    fn parameters_are_the_weights_values_and_arity_holds() {
        // For every kind, Keras's parameter count is the number of values of the weights the
        // kind carries (hand-checked totals: Dense 16·5+5 = 85, Conv1D 3·4·6+6 = 78, Conv2D
        // 3·3·3·4 = 108, BatchNorm with beta, mean, variance on 3 channels = 9).
        let mut totals = Vec::new();
        for (kind, ins) in one_of_each() {
            let layer = Layer::new("l", kind.clone());
            let out = kind.op().infer(&layer, &ins).unwrap();
            let cost = kind.op().cost(&ins, &out);
            let values: u64 = kind
                .op()
                .weights(&ins)
                .iter()
                .map(|w| w.shape.iter().product::<usize>() as u64)
                .sum();
            assert_eq!(cost.params, values, "{}", kind.name());
            match kind.op().arity() {
                Arity::Exactly(n) => assert_eq!(ins.len(), n, "{}", kind.name()),
                Arity::AtLeastTwo => assert!(ins.len() >= 2),
            }
            totals.push((kind.name(), cost.params));
        }
        let get = |n: &str| totals.iter().find(|(k, _)| *k == n).unwrap().1;
        assert_eq!(get("Dense"), 85);
        // TimeDistributed(Dense(5)) over (7, 16): the Dense's 16·5+5, shared by the 7 steps
        assert_eq!(get("TimeDistributed"), 85);
        assert_eq!(get("Conv1D"), 78);
        assert_eq!(get("Conv2D"), 108);
        assert_eq!(get("BatchNormalization"), 9);
        // a [10, 4] embedding added to a (10, 4) sequence
        assert_eq!(get("PositionalAdd"), 40);
    }

    #[test]
    fn product_shapes_size_the_multiplier_arrays() {
        // Dense 16 -> 5: 16 x 5; Conv1D k=3 over 4 channels to 6 filters: 12 x 6; Conv2D 3x3
        // over 3 channels to 4 filters: 27 x 4; no product elsewhere.
        for (kind, ins) in one_of_each() {
            let got = kind.op().product_shape(&ins);
            let want = match kind.tag() {
                KindTag::Dense => Some((16, 5)),
                KindTag::Conv1D => Some((12, 6)),
                KindTag::Conv2D => Some((27, 4)),
                // abc,cde->abde over (10, 4): contracts c = 4, the kernel adds d·e = 2·3
                KindTag::EinsumDense => Some((4, 6)),
                // depthwise 3x3 over 3 channels, multiplier 2: 27 products feeding 6 outputs;
                // separable: its pointwise 1x1 product, 3 -> 4
                KindTag::DepthwiseConv2D => Some((27, 6)),
                KindTag::SeparableConv2D => Some((3, 4)),
                // depthwise k=3 over (10, 4) with multiplier 2: 12 products feeding 8 outputs;
                // separable: its pointwise product, 4 -> 5
                KindTag::DepthwiseConv1D => Some((12, 8)),
                KindTag::SeparableConv1D => Some((4, 5)),
                // LSTM(3) over (10, 4): the input product, 4 features -> 4 gates x 3 units
                KindTag::Recurrent => Some((4, 12)),
                // TimeDistributed(Dense(5)) over (7, 16): the Dense's product on one step
                KindTag::TimeDistributed => Some((16, 5)),
                KindTag::Input
                | KindTag::Pool1D
                | KindTag::Pool2D
                | KindTag::GlobalPool1D
                | KindTag::GlobalPool2D
                | KindTag::BatchNorm
                | KindTag::ApplyAlpha
                | KindTag::PositionalAdd
                | KindTag::PReLU
                | KindTag::Permute
                | KindTag::Dot
                | KindTag::GarNet
                | KindTag::FixedPointQuantizer
                | KindTag::Activation
                | KindTag::Reshape
                | KindTag::Concatenate
                | KindTag::Dropout
                | KindTag::Flatten
                | KindTag::Merge
                | KindTag::ZeroPadding1D
                | KindTag::ZeroPadding2D
                | KindTag::Cropping1D
                | KindTag::Cropping2D
                | KindTag::UpSampling1D
                | KindTag::UpSampling2D
                | KindTag::MultiHeadAttention
                | KindTag::LayerNorm
                | KindTag::Embedding => None,
            };
            assert_eq!(got, want, "{}", kind.name());
        }
    }

    #[test]
    fn padding_cropping_upsampling_shapes_follow_keras() {
        // Keras output shapes, by hand: (10, 4) padded 1+2 -> (13, 4), cropped 1+2 -> (7, 4),
        // upsampled x3 -> (30, 4); (8, 8, 3) padded (1+0, 2+2) -> (9, 12, 3), cropped the same
        // -> (7, 4, 3), upsampled (2, 3) -> (16, 24, 3). None has parameters or MACs.
        let want: &[(KindTag, &[usize])] = &[
            (KindTag::ZeroPadding1D, &[13, 4]),
            (KindTag::ZeroPadding2D, &[9, 12, 3]),
            (KindTag::Cropping1D, &[7, 4]),
            (KindTag::Cropping2D, &[7, 4, 3]),
            (KindTag::UpSampling1D, &[30, 4]),
            (KindTag::UpSampling2D, &[16, 24, 3]),
        ];
        for (kind, ins) in one_of_each() {
            let Some((_, shape)) = want.iter().find(|(t, _)| *t == kind.tag()) else {
                continue;
            };
            let layer = Layer::new("l", kind.clone());
            let out = kind.op().infer(&layer, &ins).unwrap();
            assert_eq!(&out[..], *shape, "{}", kind.name());
            assert_eq!(kind.op().cost(&ins, &out), Cost::default());
        }
        // cropping everything away and a zero factor are errors naming the layer
        let crop = LayerKind::Cropping1D(Cropping1D { crop: [5, 5] });
        let err = crop
            .op()
            .infer(&Layer::new("c", crop.clone()), &[vec![10, 4]])
            .unwrap_err()
            .to_string();
        assert!(err.contains("Cropping1D"), "{err}");
        assert!(err.contains("leaves nothing"), "{err}");
        let up = LayerKind::UpSampling1D(UpSampling1D { size: 0 });
        assert!(up
            .op()
            .infer(&Layer::new("u", up.clone()), &[vec![10, 4]])
            .is_err());
    }
}
