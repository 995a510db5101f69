//! The DSL's layer vocabulary, in one table: for each DSL layer name, its arguments, how they
//! become an IR [`LayerKind`] (parsing), how a kind is written back (printing), and the name
//! Keras 3 gives such a layer when none is set (auto-naming).

use super::depthwise;
use super::garnet;
use super::recurrent;
use super::spatial::{self, Edge};
use super::syntax::{Call, Spanned, Value};
use super::transformer;
use ir::layer::{Activation, Layer, LayerKind, Padding, PoolOp};

/// Largest size (units, filters, kernel, dimension, ...) the DSL accepts
/// ([`ir::limits::MAX_DIM`]): it keeps shape arithmetic far from overflow.
pub const MAX_SIZE: usize = ir::limits::MAX_DIM as usize;

/// An error at a position (bytes from the position to the end of the source).
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub tail: usize,
    pub message: String,
}

pub fn located<T>(tail: usize, message: impl Into<String>) -> Result<T, Located> {
    Err(Located {
        tail,
        message: message.into(),
    })
}

/// Where a layer may stand in a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Starts a chain and takes no input (`input`).
    Source,
    /// Starts a chain; its inputs are the node names in its parentheses (`add`, `concat`).
    Merge,
    /// Takes the previous layer of the chain as input.
    Single,
}

type Build = fn(&Args) -> Result<(LayerKind, Activation), Located>;

/// One DSL layer name.
pub struct Spec {
    pub name: &'static str,
    /// Positional parameters, in order (each can also be given by keyword).
    pub positional: &'static [&'static str],
    /// Keyword-only parameters (besides `name`).
    pub keywords: &'static [&'static str],
    /// Name of the variadic positional parameter, if any (`input` dimensions, ...).
    pub rest: Option<&'static str>,
    pub role: Role,
    pub example: &'static str,
    pub build: Build,
}

const ACT: &[&str] = &[
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "linear",
    "leaky_relu",
    "softplus",
    "softsign",
    "selu",
    "elu",
    "hard_sigmoid",
    "hard_tanh",
];

macro_rules! spec {
    ($name:expr, $pos:expr, $kw:expr, $rest:expr, $role:expr, $ex:expr, $build:expr) => {
        Spec {
            name: $name,
            positional: $pos,
            keywords: $kw,
            rest: $rest,
            role: $role,
            example: $ex,
            build: $build,
        }
    };
}

/// An element-wise merge's entry: its keyword is the operation's lower-case name.
macro_rules! merge_spec {
    ($name:expr, $op:ident, $ex:expr) => {
        spec!($name, &[], &[], Some("operand"), Role::Merge, $ex, |_| {
            plain(LayerKind::Merge(ir::ops::Merge {
                op: ir::ops::MergeOp::$op,
            }))
        })
    };
}

/// Every DSL layer name.
pub static SPECS: &[Spec] = &[
    spec!(
        "input",
        &[],
        &[],
        Some("dimension"),
        Role::Source,
        "input(32, 32, 3)",
        build_input
    ),
    spec!(
        "dense",
        &["units", "activation"],
        &["bias", "alpha"],
        None,
        Role::Single,
        "dense(64, relu)",
        build_dense
    ),
    spec!(
        "conv1d",
        &["filters", "kernel", "activation"],
        &["stride", "padding", "bias", "alpha"],
        None,
        Role::Single,
        "conv1d(16, 3, relu)",
        build_conv1d
    ),
    spec!(
        "conv2d",
        &["filters", "kernel", "activation"],
        &["stride", "padding", "bias", "alpha"],
        None,
        Role::Single,
        "conv2d(16, 3x3, relu)",
        build_conv2d
    ),
    spec!(
        "depthwise_conv2d",
        &["kernel", "activation"],
        &["multiplier", "stride", "padding", "bias", "alpha"],
        None,
        Role::Single,
        "depthwise_conv2d(3x3, relu)",
        depthwise::build_depthwise::<2>
    ),
    spec!(
        "separable_conv2d",
        &["filters", "kernel", "activation"],
        &["multiplier", "stride", "padding", "bias", "alpha"],
        None,
        Role::Single,
        "separable_conv2d(16, 3x3, relu)",
        depthwise::build_separable::<2>
    ),
    spec!(
        "apply_alpha",
        &[],
        &[],
        None,
        Role::Single,
        "apply_alpha()",
        depthwise::build_apply_alpha
    ),
    spec!(
        "maxpool1d",
        &["pool"],
        &["stride", "padding"],
        None,
        Role::Single,
        "maxpool1d(2)",
        |a| pool1d(a, PoolOp::Max)
    ),
    spec!(
        "avgpool1d",
        &["pool"],
        &["stride", "padding"],
        None,
        Role::Single,
        "avgpool1d(2)",
        |a| pool1d(a, PoolOp::Average)
    ),
    spec!(
        "maxpool2d",
        &["pool"],
        &["stride", "padding"],
        None,
        Role::Single,
        "maxpool2d(2x2)",
        |a| pool2d(a, PoolOp::Max)
    ),
    spec!(
        "avgpool2d",
        &["pool"],
        &["stride", "padding"],
        None,
        Role::Single,
        "avgpool2d(2x2)",
        |a| pool2d(a, PoolOp::Average)
    ),
    spec!(
        "globalavgpool1d",
        &[],
        &[],
        None,
        Role::Single,
        "globalavgpool1d",
        |_| plain(LayerKind::GlobalPool1D(ir::ops::GlobalPool1D {
            op: PoolOp::Average
        }))
    ),
    spec!(
        "globalmaxpool1d",
        &[],
        &[],
        None,
        Role::Single,
        "globalmaxpool1d",
        |_| plain(LayerKind::GlobalPool1D(ir::ops::GlobalPool1D {
            op: PoolOp::Max
        }))
    ),
    spec!(
        "globalavgpool2d",
        &[],
        &[],
        None,
        Role::Single,
        "globalavgpool2d",
        |_| plain(LayerKind::GlobalPool2D(ir::ops::GlobalPool2D {
            op: PoolOp::Average
        }))
    ),
    spec!(
        "globalmaxpool2d",
        &[],
        &[],
        None,
        Role::Single,
        "globalmaxpool2d",
        |_| plain(LayerKind::GlobalPool2D(ir::ops::GlobalPool2D {
            op: PoolOp::Max
        }))
    ),
    spec!(
        "batchnorm",
        &[],
        &["epsilon", "center", "scale"],
        None,
        Role::Single,
        "batchnorm",
        build_batchnorm
    ),
    spec!("relu", &[], &[], None, Role::Single, "relu", |_| plain(
        LayerKind::Activation(Activation::Relu)
    )),
    spec!("sigmoid", &[], &[], None, Role::Single, "sigmoid", |_| {
        plain(LayerKind::Activation(Activation::Sigmoid))
    }),
    spec!("tanh", &[], &[], None, Role::Single, "tanh", |_| plain(
        LayerKind::Activation(Activation::Tanh)
    )),
    spec!("softmax", &[], &[], None, Role::Single, "softmax", |_| {
        plain(LayerKind::Activation(Activation::Softmax))
    }),
    spec!("softplus", &[], &[], None, Role::Single, "softplus", |_| {
        plain(LayerKind::Activation(Activation::Softplus))
    }),
    spec!("softsign", &[], &[], None, Role::Single, "softsign", |_| {
        plain(LayerKind::Activation(Activation::Softsign))
    }),
    spec!("selu", &[], &[], None, Role::Single, "selu", |_| {
        plain(LayerKind::Activation(Activation::Selu))
    }),
    spec!("linear", &[], &[], None, Role::Single, "linear", |_| plain(
        LayerKind::Activation(Activation::Linear)
    )),
    spec!(
        "elu",
        &["alpha"],
        &[],
        None,
        Role::Single,
        "elu(alpha=1.0)",
        build_elu
    ),
    spec!(
        "hard_sigmoid",
        &[],
        &[],
        None,
        Role::Single,
        "hard_sigmoid",
        |_| { plain(LayerKind::Activation(Activation::HardSigmoid)) }
    ),
    spec!(
        "hard_tanh",
        &[],
        &[],
        None,
        Role::Single,
        "hard_tanh",
        |_| { plain(LayerKind::Activation(Activation::HardTanh)) }
    ),
    spec!(
        "thresholded_relu",
        &["theta"],
        &[],
        None,
        Role::Single,
        "thresholded_relu(theta=0.5)",
        |a: &Args| plain(LayerKind::Activation(Activation::ThresholdedRelu {
            theta: a.float("theta", 1.0, f64::is_finite, "finite")?,
        }))
    ),
    spec!(
        "leaky_relu",
        &["alpha"],
        &[],
        None,
        Role::Single,
        "leaky_relu(alpha=0.1)",
        build_leaky
    ),
    spec!("flatten", &[], &[], None, Role::Single, "flatten", |_| {
        plain(LayerKind::Flatten)
    }),
    spec!(
        "reshape",
        &[],
        &[],
        Some("size"),
        Role::Single,
        "reshape(8, 8, 1)",
        build_reshape
    ),
    spec!(
        "dropout",
        &["rate"],
        &[],
        None,
        Role::Single,
        "dropout(0.5)",
        build_dropout
    ),
    spec!(
        "zeropad1d",
        &["padding"],
        &["left", "right"],
        None,
        Role::Single,
        "zeropad1d(1)",
        |a| spatial::build1d(a, Edge::Pad)
    ),
    spec!(
        "zeropad2d",
        &["padding"],
        &["top", "bottom", "left", "right"],
        None,
        Role::Single,
        "zeropad2d(1x2)",
        |a| spatial::build2d(a, Edge::Pad)
    ),
    spec!(
        "crop1d",
        &["cropping"],
        &["left", "right"],
        None,
        Role::Single,
        "crop1d(1)",
        |a| spatial::build1d(a, Edge::Crop)
    ),
    spec!(
        "crop2d",
        &["cropping"],
        &["top", "bottom", "left", "right"],
        None,
        Role::Single,
        "crop2d(1x2)",
        |a| spatial::build2d(a, Edge::Crop)
    ),
    spec!(
        "upsample1d",
        &["size"],
        &[],
        None,
        Role::Single,
        "upsample1d(2)",
        spatial::upsample1d
    ),
    spec!(
        "upsample2d",
        &["size"],
        &[],
        None,
        Role::Single,
        "upsample2d(2x2)",
        spatial::upsample2d
    ),
    spec!(
        "mha",
        &[],
        &[
            "heads",
            "key_dim",
            "value_dim",
            "kv_heads",
            "bias",
            "causal",
            "output_dim",
            "key_bias"
        ],
        Some("operand"),
        Role::Single,
        "mha(heads=4, key_dim=16)",
        transformer::build_mha
    ),
    spec!(
        "layernorm",
        &[],
        &["epsilon", "center", "scale", "axis"],
        None,
        Role::Single,
        "layernorm",
        transformer::build_layernorm
    ),
    spec!(
        "einsum_dense",
        &["equation", "output_shape", "activation"],
        &["bias", "alpha"],
        None,
        Role::Single,
        "einsum_dense(\"abc,cd->abd\", \"_,24\", bias=\"d\")",
        transformer::build_einsum_dense
    ),
    spec!(
        "embedding",
        &["input_dim", "output_dim"],
        &[],
        None,
        Role::Single,
        "embedding(1000, 32)",
        transformer::build_embedding
    ),
    spec!(
        "simple_rnn",
        &["units", "activation"],
        recurrent::KEYWORDS,
        None,
        Role::Single,
        "simple_rnn(16, return_sequences=true)",
        recurrent::build_simple_rnn
    ),
    spec!(
        "lstm",
        &["units", "activation"],
        recurrent::KEYWORDS,
        None,
        Role::Single,
        "lstm(32, return_sequences=true)",
        recurrent::build_lstm
    ),
    spec!(
        "gru",
        &["units", "activation"],
        recurrent::KEYWORDS,
        None,
        Role::Single,
        "gru(32, reset_after=false)",
        recurrent::build_gru
    ),
    merge_spec!("add", Add, "add(a, b)"),
    merge_spec!("subtract", Subtract, "subtract(a, b)"),
    merge_spec!("multiply", Multiply, "multiply(a, b)"),
    merge_spec!("average", Average, "average(a, b)"),
    merge_spec!("maximum", Maximum, "maximum(a, b)"),
    merge_spec!("minimum", Minimum, "minimum(a, b)"),
    spec!(
        "concat",
        &[],
        &["axis"],
        Some("operand"),
        Role::Merge,
        "concat(a, b, axis=-1)",
        build_concat
    ),
    spec!(
        "concatenate",
        &[],
        &["axis"],
        Some("operand"),
        Role::Merge,
        "concat(a, b, axis=-1)",
        build_concat
    ),
    spec!("prelu", &[], &[], None, Role::Single, "prelu()", |_| plain(
        LayerKind::PReLU
    )),
    spec!(
        "permute",
        &[],
        &[],
        Some("axis"),
        Role::Single,
        "permute(2, 1)",
        build_permute
    ),
    spec!(
        "dot",
        &[],
        &[],
        Some("operand"),
        Role::Merge,
        "dot(a, b)",
        |_| { plain(LayerKind::Dot) }
    ),
    spec!(
        "depthwise_conv1d",
        &["kernel", "activation"],
        &["multiplier", "stride", "padding", "bias", "alpha"],
        None,
        Role::Single,
        "depthwise_conv1d(3, relu)",
        depthwise::build_depthwise::<1>
    ),
    spec!(
        "separable_conv1d",
        &["filters", "kernel", "activation"],
        &["multiplier", "stride", "padding", "bias", "alpha"],
        None,
        Role::Single,
        "separable_conv1d(16, 3, relu)",
        depthwise::build_separable::<1>
    ),
    spec!(
        "garnet",
        &[],
        garnet::KEYWORDS,
        Some("operand"),
        Role::Merge,
        "garnet(x, n, aggregators=4, filters=5, propagate=3, collapse=mean)",
        garnet::build_garnet
    ),
    spec!(
        "garnet_stack",
        &[],
        garnet::KEYWORDS,
        Some("operand"),
        Role::Merge,
        "garnet_stack(x, n, aggregators=\"4,2\", filters=\"4,5\", propagate=\"3,3\")",
        garnet::build_garnet_stack
    ),
];

/// The spec of a DSL layer name.
pub fn spec(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.name == name)
}

pub fn is_layer(name: &str) -> bool {
    spec(name).is_some()
}

/// The message for a word that is not a layer name.
pub const EXPECTED_LAYER: &str =
    "a layer name such as input, dense, conv1d, conv2d, depthwise_conv2d, separable_conv2d, \
     maxpool2d, avgpool2d, globalavgpool2d, batchnorm, relu, leaky_relu, thresholded_relu, hard_sigmoid, flatten, reshape, dropout, zeropad2d, \
     crop2d, upsample2d, mha, layernorm, einsum_dense, embedding, simple_rnn, lstm, gru, add, subtract, multiply, average, \
     maximum, minimum, concat, prelu, permute, dot, depthwise_conv1d, separable_conv1d, garnet or garnet_stack";

/// The name Keras 3 gives a layer of this kind when none is set (`dense`, `max_pooling2d`,
/// ...), before its per-session counter suffix. Checked against Keras 3.15 (see
/// `frontends/tests/dsl_keras.rs`).
pub fn keras_prefix(kind: &LayerKind) -> &'static str {
    match kind {
        LayerKind::Input(_) => "input_layer",
        LayerKind::Dense(_) => "dense",
        LayerKind::Conv1D(_) => "conv1d",
        LayerKind::Conv2D(_) => "conv2d",
        LayerKind::DepthwiseConv2D(_) => "depthwise_conv2d",
        LayerKind::SeparableConv2D(_) => "separable_conv2d",
        // not a Keras layer (hls4ml inserts it); named as hls4ml names it, `{layer}_alpha`
        LayerKind::ApplyAlpha => "apply_alpha",
        // not a Keras layer (the ONNX frontend reads it from an Add of a [seq, d] constant)
        LayerKind::PositionalAdd => "positional_add",
        LayerKind::PReLU => "p_re_lu",
        LayerKind::Permute(_) => "permute",
        LayerKind::Dot => "dot",
        // tf.keras's auto-name of the contrib classes (to_snake_case)
        LayerKind::GarNet(g) if g.stack => "gar_net_stack",
        LayerKind::GarNet(_) => "gar_net",
        // HGQ1's proxy layer (tf.keras's auto-name, to_snake_case)
        LayerKind::FixedPointQuantizer(_) => "fixed_point_quantizer",
        LayerKind::TimeDistributed(_) => "time_distributed",
        LayerKind::DepthwiseConv1D(_) => "depthwise_conv1d",
        LayerKind::SeparableConv1D(_) => "separable_conv1d",
        LayerKind::Pool1D(ir::ops::Pool1D {
            op: PoolOp::Max, ..
        }) => "max_pooling1d",
        LayerKind::Pool1D(ir::ops::Pool1D {
            op: PoolOp::Average,
            ..
        }) => "average_pooling1d",
        LayerKind::Pool2D(ir::ops::Pool2D {
            op: PoolOp::Max, ..
        }) => "max_pooling2d",
        LayerKind::Pool2D(ir::ops::Pool2D {
            op: PoolOp::Average,
            ..
        }) => "average_pooling2d",
        LayerKind::GlobalPool1D(ir::ops::GlobalPool1D { op: PoolOp::Max }) => {
            "global_max_pooling1d"
        }
        LayerKind::GlobalPool1D(ir::ops::GlobalPool1D {
            op: PoolOp::Average,
        }) => "global_average_pooling1d",
        LayerKind::GlobalPool2D(ir::ops::GlobalPool2D { op: PoolOp::Max }) => {
            "global_max_pooling2d"
        }
        LayerKind::GlobalPool2D(ir::ops::GlobalPool2D {
            op: PoolOp::Average,
        }) => "global_average_pooling2d",
        LayerKind::BatchNorm(_) => "batch_normalization",
        // a standalone leaky ReLU is Keras's `LeakyReLU` layer; the others `Activation(...)`
        LayerKind::Activation(Activation::LeakyRelu { .. }) => "leaky_re_lu",
        // a standalone ELU is Keras's `ELU` layer
        LayerKind::Activation(Activation::Elu { .. }) => "elu",
        // a thresholded ReLU is Keras 3's `ReLU(threshold=...)` layer
        LayerKind::Activation(Activation::ThresholdedRelu { .. }) => "re_lu",
        LayerKind::Activation(_) => "activation",
        LayerKind::Flatten => "flatten",
        LayerKind::Reshape(_) => "reshape",
        LayerKind::Merge(m) => m.op.lower(),
        LayerKind::Concatenate(_) => "concatenate",
        LayerKind::Dropout(_) => "dropout",
        LayerKind::ZeroPadding1D(_) => "zero_padding1d",
        LayerKind::ZeroPadding2D(_) => "zero_padding2d",
        LayerKind::Cropping1D(_) => "cropping1d",
        LayerKind::Cropping2D(_) => "cropping2d",
        LayerKind::UpSampling1D(_) => "up_sampling1d",
        LayerKind::UpSampling2D(_) => "up_sampling2d",
        LayerKind::MultiHeadAttention(_) => "multi_head_attention",
        LayerKind::LayerNorm(_) => "layer_normalization",
        LayerKind::EinsumDense(_) => "einsum_dense",
        LayerKind::Embedding(_) => "embedding",
        LayerKind::Recurrent(r) => match (r.bidirectional, r.cell) {
            (Some(_), _) => "bidirectional",
            (None, ir::ops::Cell::SimpleRnn) => "simple_rnn",
            (None, ir::ops::Cell::Lstm) => "lstm",
            (None, ir::ops::Cell::Gru) => "gru",
        },
    }
}

/// Keras's defaults where the DSL leaves a value out.
pub(super) const DEFAULT_EPSILON: f64 = 0.001;
const DEFAULT_AXIS: isize = -1;

// ---------------------------------------------------------------------------------------------
// Argument binding

/// The arguments of one call, bound to parameter names.
pub struct Args<'c, 'a> {
    pub spec: &'static Spec,
    /// Position of the layer name.
    pub tail: usize,
    named: Vec<(&'static str, &'c Spanned<Value<'a>>)>,
    /// Values of the variadic parameter.
    pub rest: Vec<&'c Spanned<Value<'a>>>,
}

fn one_of(list: &[&str]) -> String {
    list.iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'c, 'a> Args<'c, 'a> {
    /// Bind a call's arguments to its spec's parameters.
    pub fn bind(spec: &'static Spec, call: &'c Call<'a>) -> Result<Self, Located> {
        let mut args = Args {
            spec,
            tail: call.name.tail,
            named: Vec::new(),
            rest: Vec::new(),
        };
        let mut next_pos = 0;
        for arg in &call.args {
            let param: &'static str = match &arg.key {
                Some(k) => {
                    let all = spec.positional.iter().chain(spec.keywords).chain(&["name"]);
                    match all.clone().find(|p| **p == k.v) {
                        Some(p) => p,
                        None => {
                            let names: Vec<&str> = all.copied().collect();
                            return located(
                                k.tail,
                                format!(
                                    "{} has no argument '{}'; expected one of {}",
                                    spec.name,
                                    k.v,
                                    one_of(&names)
                                ),
                            );
                        }
                    }
                }
                None if next_pos < spec.positional.len() => {
                    next_pos += 1;
                    spec.positional[next_pos - 1]
                }
                None if spec.rest.is_some() => {
                    args.rest.push(&arg.value);
                    continue;
                }
                None => {
                    let what = if spec.positional.is_empty() {
                        format!("{} takes no positional arguments", spec.name)
                    } else {
                        format!(
                            "{} takes at most {} positional argument(s) ({})",
                            spec.name,
                            spec.positional.len(),
                            spec.positional.join(", ")
                        )
                    };
                    return located(
                        arg.value.tail,
                        format!("{what}; found an extra {}", arg.value.v.describe()),
                    );
                }
            };
            if args.named.iter().any(|(p, _)| *p == param) {
                let at = arg.key.as_ref().map_or(arg.value.tail, |k| k.tail);
                return located(
                    at,
                    format!("{}: argument '{param}' is given twice", spec.name),
                );
            }
            args.named.push((param, &arg.value));
        }
        Ok(args)
    }

    pub fn get(&self, param: &str) -> Option<&'c Spanned<Value<'a>>> {
        self.named
            .iter()
            .find(|(p, _)| *p == param)
            .map(|(_, v)| *v)
    }

    fn err<T>(&self, v: &Spanned<Value>, what: &str) -> Result<T, Located> {
        located(
            v.tail,
            format!("{}: {what}; found {}", self.spec.name, v.v.describe()),
        )
    }

    fn missing<T>(&self, param: &str) -> Result<T, Located> {
        located(
            self.tail,
            format!(
                "{} needs its {param}, e.g. {}",
                self.spec.name, self.spec.example
            ),
        )
    }

    /// A size in 1..=MAX_SIZE.
    pub fn size_of(&self, v: &Spanned<Value>, param: &str) -> Result<usize, Located> {
        match v.v {
            Value::Int(n) if n >= 1 && n as u64 <= MAX_SIZE as u64 => Ok(n as usize),
            Value::Int(n) if n >= 1 => self.err(v, &format!("{param} must be at most {MAX_SIZE}")),
            _ => self.err(v, &format!("{param} must be a positive integer")),
        }
    }

    pub fn size(&self, param: &str, default: Option<usize>) -> Result<usize, Located> {
        match (self.get(param), default) {
            (Some(v), _) => self.size_of(v, param),
            (None, Some(d)) => Ok(d),
            (None, None) => self.missing(param),
        }
    }

    /// A 2-D size: `3x2`, or `3` meaning `3x3`.
    pub fn pair(&self, param: &str, default: Option<[usize; 2]>) -> Result<[usize; 2], Located> {
        let Some(v) = self.get(param) else {
            return default.map_or_else(|| self.missing(param), Ok);
        };
        match v.v {
            Value::Int(_) => {
                let n = self.size_of(v, param)?;
                Ok([n, n])
            }
            Value::Pair(a, b)
                if (1..=MAX_SIZE as u64).contains(&a) && (1..=MAX_SIZE as u64).contains(&b) =>
            {
                Ok([a as usize, b as usize])
            }
            _ => self.err(
                v,
                &format!(
                    "{param} must be a size such as 3x3 or 3 with positive values up to {MAX_SIZE}"
                ),
            ),
        }
    }

    /// A number (`default` when absent) for which `valid` holds; `rule` says what is valid.
    pub fn float(
        &self,
        param: &str,
        default: f64,
        valid: fn(f64) -> bool,
        rule: &str,
    ) -> Result<f64, Located> {
        let Some(v) = self.get(param) else {
            return Ok(default);
        };
        match v.v {
            Value::Int(n) if valid(n as f64) => Ok(n as f64),
            Value::Float(f) if valid(f) => Ok(f),
            Value::Int(_) | Value::Float(_) => self.err(v, &format!("{param} must be {rule}")),
            _ => self.err(v, &format!("{param} must be a number")),
        }
    }

    pub fn boolean(&self, param: &str, default: bool) -> Result<bool, Located> {
        match self.get(param) {
            None => Ok(default),
            Some(v) => match v.v {
                Value::Word("true") => Ok(true),
                Value::Word("false") => Ok(false),
                _ => self.err(v, &format!("{param} must be true or false")),
            },
        }
    }

    pub fn padding(&self) -> Result<Padding, Located> {
        match self.get("padding") {
            None => Ok(Padding::Valid),
            Some(v) => match v.v {
                Value::Word("valid") => Ok(Padding::Valid),
                Value::Word("same") => Ok(Padding::Same),
                _ => self.err(v, "padding must be same or valid"),
            },
        }
    }

    /// `alpha` of a leaky ReLU (Keras's default 0.3 when absent).
    fn alpha(&self) -> Result<f64, Located> {
        let default = match Activation::from_name("leaky_relu") {
            Some(Activation::LeakyRelu { alpha }) => alpha,
            _ => 0.3,
        };
        self.float("alpha", default, f64::is_finite, "finite")
    }

    /// The fused activation of Dense/Conv (`activation` and `alpha`).
    pub fn activation(&self) -> Result<Activation, Located> {
        let act = match self.get("activation") {
            None => Activation::Linear,
            Some(v) => match v.v {
                Value::Word("leaky_relu") => Activation::LeakyRelu {
                    alpha: self.alpha()?,
                },
                Value::Word("elu") => Activation::Elu {
                    alpha: self.float("alpha", 1.0, f64::is_finite, "finite")?,
                },
                Value::Word(w) if ACT.contains(&w) => Activation::from_name(w).unwrap_or_default(),
                _ => return self.err(v, &format!("activation must be one of {}", ACT.join(", "))),
            },
        };
        if let (Some(a), false) = (
            self.get("alpha"),
            matches!(act, Activation::LeakyRelu { .. } | Activation::Elu { .. }),
        ) {
            return self.err(
                a,
                "alpha applies only to the leaky_relu and elu activations",
            );
        }
        Ok(act)
    }

    /// The layer name given by `name=`, if any.
    pub fn name(&self) -> Result<Option<String>, Located> {
        match self.get("name") {
            None => Ok(None),
            Some(v) => match &v.v {
                Value::Str(s) if !s.is_empty() => Ok(Some(s.clone())),
                Value::Word(w) => Ok(Some((*w).to_string())),
                _ => self.err(v, "name must be a non-empty \"string\""),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Building kinds

pub(super) fn plain(kind: LayerKind) -> Result<(LayerKind, Activation), Located> {
    Ok((kind, Activation::Linear))
}

fn build_input(a: &Args) -> Result<(LayerKind, Activation), Located> {
    if a.rest.is_empty() {
        return a.missing("shape");
    }
    let shape = a
        .rest
        .iter()
        .map(|v| a.size_of(v, "each dimension"))
        .collect::<Result<_, _>>()?;
    plain(LayerKind::Input(ir::ops::Input { shape }))
}

fn build_dense(a: &Args) -> Result<(LayerKind, Activation), Located> {
    let kind = LayerKind::Dense(ir::ops::Dense {
        units: a.size("units", None)?,
        use_bias: a.boolean("bias", true)?,
    });
    Ok((kind, a.activation()?))
}

fn build_conv1d(a: &Args) -> Result<(LayerKind, Activation), Located> {
    let kind = LayerKind::Conv1D(ir::ops::Conv1D {
        filters: a.size("filters", None)?,
        kernel: a.size("kernel", None)?,
        stride: a.size("stride", Some(1))?,
        padding: a.padding()?,
        use_bias: a.boolean("bias", true)?,
    });
    Ok((kind, a.activation()?))
}

fn build_conv2d(a: &Args) -> Result<(LayerKind, Activation), Located> {
    let kind = LayerKind::Conv2D(ir::ops::Conv2D {
        filters: a.size("filters", None)?,
        kernel: a.pair("kernel", None)?,
        stride: a.pair("stride", Some([1, 1]))?,
        padding: a.padding()?,
        use_bias: a.boolean("bias", true)?,
    });
    Ok((kind, a.activation()?))
}

/// Pool size defaults to 2 and the stride to the pool size, as in Keras.
fn pool1d(a: &Args, op: PoolOp) -> Result<(LayerKind, Activation), Located> {
    let pool = a.size("pool", Some(2))?;
    plain(LayerKind::Pool1D(ir::ops::Pool1D {
        op,
        pool,
        stride: a.size("stride", Some(pool))?,
        padding: a.padding()?,
    }))
}

fn pool2d(a: &Args, op: PoolOp) -> Result<(LayerKind, Activation), Located> {
    let pool = a.pair("pool", Some([2, 2]))?;
    plain(LayerKind::Pool2D(ir::ops::Pool2D {
        op,
        pool,
        stride: a.pair("stride", Some(pool))?,
        padding: a.padding()?,
    }))
}

fn build_batchnorm(a: &Args) -> Result<(LayerKind, Activation), Located> {
    let epsilon = a.float(
        "epsilon",
        DEFAULT_EPSILON,
        |e| e > 0.0 && e.is_finite(),
        "a positive number",
    )?;
    plain(LayerKind::BatchNorm(ir::ops::BatchNorm {
        epsilon,
        center: a.boolean("center", true)?,
        scale: a.boolean("scale", true)?,
    }))
}

fn build_elu(a: &Args) -> Result<(LayerKind, Activation), Located> {
    plain(LayerKind::Activation(Activation::Elu {
        alpha: a.float("alpha", 1.0, f64::is_finite, "finite")?,
    }))
}

fn build_leaky(a: &Args) -> Result<(LayerKind, Activation), Located> {
    plain(LayerKind::Activation(Activation::LeakyRelu {
        alpha: a.alpha()?,
    }))
}

/// `permute(2, 1)`: Keras's `dims`, the input axes numbered from 1 (checked against the input's
/// rank by shape inference).
fn build_permute(a: &Args) -> Result<(LayerKind, Activation), Located> {
    if a.rest.is_empty() {
        return a.missing("the axes (Keras's dims, numbered from 1)");
    }
    let dims = a
        .rest
        .iter()
        .map(|v| a.size_of(v, "each axis (numbered from 1)"))
        .collect::<Result<Vec<_>, _>>()?;
    plain(LayerKind::Permute(ir::ops::Permute { dims }))
}

fn build_reshape(a: &Args) -> Result<(LayerKind, Activation), Located> {
    if a.rest.is_empty() {
        return a.missing("target shape");
    }
    let mut target = Vec::new();
    for v in &a.rest {
        target.push(match v.v {
            Value::Int(-1) if !target.contains(&0) => 0,
            Value::Int(-1) => return a.err(v, "only one size may be -1"),
            _ => a.size_of(v, "each size (or -1 for one inferred size)")?,
        });
    }
    let known = target
        .iter()
        .filter(|d| **d != 0)
        .try_fold(1usize, |p, d| p.checked_mul(*d));
    if known.is_none_or(|k| k > super::MAX_ELEMENTS) {
        return located(
            a.tail,
            format!(
                "reshape: the target shape has more than {} elements",
                super::MAX_ELEMENTS
            ),
        );
    }
    plain(LayerKind::Reshape(ir::ops::Reshape { target }))
}

fn build_dropout(a: &Args) -> Result<(LayerKind, Activation), Located> {
    if a.get("rate").is_none() {
        return a.missing("rate");
    }
    let rate = a.float("rate", 0.0, |r| (0.0..1.0).contains(&r), "in [0, 1)")?;
    plain(LayerKind::Dropout(ir::ops::Dropout { rate }))
}

fn build_concat(a: &Args) -> Result<(LayerKind, Activation), Located> {
    let axis = match a.get("axis") {
        None => DEFAULT_AXIS,
        Some(v) => match v.v {
            Value::Int(n) if n.unsigned_abs() <= 64 => n as isize,
            _ => return a.err(v, "axis must be an integer such as -1 or 1"),
        },
    };
    plain(LayerKind::Concatenate(ir::ops::Concatenate { axis }))
}

// ---------------------------------------------------------------------------------------------
// Printing kinds

/// Format a float so that the DSL reads it back to the same value.
pub fn fmt_float(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

pub(super) fn pair_text(p: [usize; 2]) -> String {
    format!("{}x{}", p[0], p[1])
}

pub(super) fn padding_arg(args: &mut Vec<String>, p: Padding) {
    if p == Padding::Same {
        args.push("padding=same".into());
    }
}

pub(super) fn activation_args(args: &mut Vec<String>, a: &Activation) {
    match a {
        Activation::Linear => {}
        Activation::LeakyRelu { alpha } | Activation::Elu { alpha } => {
            args.push(a.name().into());
            args.push(format!("alpha={}", fmt_float(*alpha)));
        }
        Activation::ThresholdedRelu { theta } => {
            args.push(a.name().into());
            args.push(format!("theta={}", fmt_float(*theta)));
        }
        other => args.push(other.name().into()),
    }
}

pub(super) fn bias_arg(args: &mut Vec<String>, use_bias: bool) {
    if !use_bias {
        args.push("bias=false".into());
    }
}

/// The DSL name and arguments of a layer (without `name=` and settings). `operands` are the
/// node names of a merge layer's inputs. A fused activation is written only for kinds that
/// take one.
pub fn call_parts(layer: &Layer, operands: &[String]) -> (&'static str, Vec<String>) {
    let mut args: Vec<String> = Vec::new();
    let name = match &layer.kind {
        LayerKind::Input(ir::ops::Input { shape }) => {
            args.extend(shape.iter().map(|d| d.to_string()));
            "input"
        }
        LayerKind::Dense(ir::ops::Dense { units, use_bias }) => {
            args.push(units.to_string());
            activation_args(&mut args, &layer.activation);
            bias_arg(&mut args, *use_bias);
            "dense"
        }
        LayerKind::Conv1D(ir::ops::Conv1D {
            filters,
            kernel,
            stride,
            padding,
            use_bias,
        }) => {
            args.push(filters.to_string());
            args.push(kernel.to_string());
            activation_args(&mut args, &layer.activation);
            if *stride != 1 {
                args.push(format!("stride={stride}"));
            }
            padding_arg(&mut args, *padding);
            bias_arg(&mut args, *use_bias);
            "conv1d"
        }
        LayerKind::Conv2D(ir::ops::Conv2D {
            filters,
            kernel,
            stride,
            padding,
            use_bias,
        }) => {
            args.push(filters.to_string());
            args.push(pair_text(*kernel));
            activation_args(&mut args, &layer.activation);
            if *stride != [1, 1] {
                args.push(format!("stride={}", pair_text(*stride)));
            }
            padding_arg(&mut args, *padding);
            bias_arg(&mut args, *use_bias);
            "conv2d"
        }
        LayerKind::DepthwiseConv2D(dw) => {
            depthwise::print(&mut args, layer, None, dw);
            "depthwise_conv2d"
        }
        LayerKind::SeparableConv2D(sep) => {
            depthwise::print_separable(&mut args, layer, sep);
            "separable_conv2d"
        }
        LayerKind::DepthwiseConv1D(dw) => {
            depthwise::print(&mut args, layer, None, dw);
            "depthwise_conv1d"
        }
        LayerKind::SeparableConv1D(sep) => {
            depthwise::print_separable(&mut args, layer, sep);
            "separable_conv1d"
        }
        LayerKind::ApplyAlpha => "apply_alpha",
        LayerKind::PositionalAdd => "positional_add",
        LayerKind::PReLU => "prelu",
        LayerKind::Dot => {
            args.extend(operands.iter().cloned());
            "dot"
        }
        LayerKind::GarNet(g) => {
            args.extend(operands.iter().cloned());
            garnet::print(&mut args, g)
        }
        // the DSL has no syntax for HGQ1's per-element state: printed for reading only
        LayerKind::FixedPointQuantizer(fq) => {
            args.push(fq.quantizer.round_mode.clone());
            args.push(fq.quantizer.overflow_mode.clone());
            "fixed_point_quantizer"
        }
        // the wrapped layer's call as the one argument (the DSL parser does not read it back)
        LayerKind::TimeDistributed(t) => {
            let (inner, inner_args) = call_parts(&t.layer, &[]);
            args.push(format!("{inner}({})", inner_args.join(", ")));
            "time_distributed"
        }
        LayerKind::Permute(ir::ops::Permute { dims }) => {
            args.extend(dims.iter().map(|d| d.to_string()));
            "permute"
        }
        LayerKind::Pool1D(ir::ops::Pool1D {
            op,
            pool,
            stride,
            padding,
        }) => {
            args.push(pool.to_string());
            if stride != pool {
                args.push(format!("stride={stride}"));
            }
            padding_arg(&mut args, *padding);
            match op {
                PoolOp::Max => "maxpool1d",
                PoolOp::Average => "avgpool1d",
            }
        }
        LayerKind::Pool2D(ir::ops::Pool2D {
            op,
            pool,
            stride,
            padding,
        }) => {
            args.push(pair_text(*pool));
            if stride != pool {
                args.push(format!("stride={}", pair_text(*stride)));
            }
            padding_arg(&mut args, *padding);
            match op {
                PoolOp::Max => "maxpool2d",
                PoolOp::Average => "avgpool2d",
            }
        }
        LayerKind::GlobalPool1D(ir::ops::GlobalPool1D { op: PoolOp::Max }) => "globalmaxpool1d",
        LayerKind::GlobalPool1D(ir::ops::GlobalPool1D {
            op: PoolOp::Average,
        }) => "globalavgpool1d",
        LayerKind::GlobalPool2D(ir::ops::GlobalPool2D { op: PoolOp::Max }) => "globalmaxpool2d",
        LayerKind::GlobalPool2D(ir::ops::GlobalPool2D {
            op: PoolOp::Average,
        }) => "globalavgpool2d",
        LayerKind::BatchNorm(ir::ops::BatchNorm {
            epsilon,
            center,
            scale,
        }) => {
            if *epsilon != DEFAULT_EPSILON {
                args.push(format!("epsilon={}", fmt_float(*epsilon)));
            }
            if !center {
                args.push("center=false".into());
            }
            if !scale {
                args.push("scale=false".into());
            }
            "batchnorm"
        }
        LayerKind::Activation(
            act @ (Activation::LeakyRelu { alpha } | Activation::Elu { alpha }),
        ) => {
            args.push(format!("alpha={}", fmt_float(*alpha)));
            act.name()
        }
        LayerKind::Activation(act @ Activation::ThresholdedRelu { theta }) => {
            args.push(format!("theta={}", fmt_float(*theta)));
            act.name()
        }
        // the other activations' DSL keyword is their Keras name
        LayerKind::Activation(a) => a.name(),
        LayerKind::Flatten => "flatten",
        LayerKind::Reshape(ir::ops::Reshape { target }) => {
            args.extend(target.iter().map(|d| {
                if *d == 0 {
                    "-1".to_string()
                } else {
                    d.to_string()
                }
            }));
            "reshape"
        }
        LayerKind::Merge(m) => {
            args.extend(operands.iter().cloned());
            m.op.lower()
        }
        LayerKind::Concatenate(ir::ops::Concatenate { axis }) => {
            args.extend(operands.iter().cloned());
            if *axis != DEFAULT_AXIS {
                args.push(format!("axis={axis}"));
            }
            "concat"
        }
        LayerKind::Dropout(ir::ops::Dropout { rate }) => {
            args.push(fmt_float(*rate));
            "dropout"
        }
        LayerKind::ZeroPadding1D(ir::ops::ZeroPadding1D { pad }) => {
            spatial::print1d(&mut args, *pad);
            "zeropad1d"
        }
        LayerKind::ZeroPadding2D(ir::ops::ZeroPadding2D { pad }) => {
            spatial::print2d(&mut args, *pad);
            "zeropad2d"
        }
        LayerKind::Cropping1D(ir::ops::Cropping1D { crop }) => {
            spatial::print1d(&mut args, *crop);
            "crop1d"
        }
        LayerKind::Cropping2D(ir::ops::Cropping2D { crop }) => {
            spatial::print2d(&mut args, *crop);
            "crop2d"
        }
        LayerKind::UpSampling1D(ir::ops::UpSampling1D { size }) => {
            args.push(size.to_string());
            "upsample1d"
        }
        LayerKind::UpSampling2D(ir::ops::UpSampling2D { size }) => {
            args.push(pair_text(*size));
            "upsample2d"
        }
        LayerKind::MultiHeadAttention(m) => {
            transformer::print_mha(&mut args, m, operands);
            "mha"
        }
        LayerKind::LayerNorm(l) => {
            transformer::print_layernorm(&mut args, l);
            "layernorm"
        }
        LayerKind::EinsumDense(e) => {
            transformer::print_einsum_dense(&mut args, e);
            activation_args(&mut args, &layer.activation);
            transformer::print_einsum_bias(&mut args, e);
            "einsum_dense"
        }
        LayerKind::Recurrent(r) => recurrent::print(&mut args, r),
        LayerKind::Embedding(ir::ops::Embedding {
            input_dim,
            output_dim,
        }) => {
            args.push(input_dim.to_string());
            args.push(output_dim.to_string());
            "embedding"
        }
    };
    (name, args)
}
