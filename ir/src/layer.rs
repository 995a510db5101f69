//! Layer kinds, their attributes, and the layer node of the graph (name, kind, fused
//! activation, HLS settings, weights, inferred output shape).

use crate::settings::LayerSettings;
use serde::{Deserialize, Serialize};

/// Convolution / pooling padding, as in Keras.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Padding {
    #[default]
    Valid,
    Same,
}

/// Pooling operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PoolOp {
    Max,
    Average,
}

pub use crate::ops::{Activation, KindTag, LayerKind};

/// A dense f32 array with its shape in Keras order (Dense kernel `[n_in, n_out]`, Conv2D kernel
/// `[kh, kw, c_in, filters]`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl Tensor {
    pub fn new(shape: Vec<usize>, data: Vec<f32>) -> Self {
        debug_assert_eq!(shape.iter().product::<usize>(), data.len());
        Tensor { shape, data }
    }
    pub fn len(&self) -> usize {
        self.data.len()
    }
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    /// Number of exact zeros (hls4ml's `n_zeros`).
    pub fn zeros(&self) -> usize {
        self.data.iter().filter(|v| **v == 0.0).count()
    }
}

/// One node of the network graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// Rare attributes (HGQ state, folded batch normalisation, an integer dtype) are boxed or boxed
/// slices: a sweep holds several copies of a network, and every byte here is paid per layer per
/// copy (tests/cli_estimate_deep.rs bounds the memory per layer).
pub struct Layer {
    pub name: String,
    pub kind: LayerKind,
    /// Fused activation of Dense/Conv (Linear when none). Other kinds keep Linear.
    pub activation: Activation,
    pub settings: LayerSettings,
    /// Settings of the activation hls4ml splits off this layer (`<name>_<activation>`), from a
    /// config's `LayerName` entry naming it (Precision, ReuseFactor); empty when none.
    #[serde(default, skip_serializing_if = "LayerSettings::is_empty")]
    pub activation_settings: LayerSettings,
    /// Weights by Keras name: `kernel`, `bias`, `gamma`, `beta`, `moving_mean`,
    /// `moving_variance`. Empty when the network came without weights.
    pub weights: Vec<(String, Tensor)>,
    /// Output shape, filled by shape inference.
    pub output_shape: Vec<usize>,
    /// Values Keras's `count_params()` counts beside the weights: an HGQ2 layer's quantizer
    /// state (the bit widths of its quantizers, `beta`, `ebops`). Zero for other layers, and
    /// for HGQ2 layers read without their weights file. Codegen writes such a layer only where
    /// hls4ml's bit-exact flow types it (`lower::passes::bit_exact`), else refuses it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub quantizer_params: u64,
    /// An HGQ2 layer's quantizers as its weights file holds them (empty for other layers and
    /// for HGQ2 layers read without their weights file).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub hgq_quantizers: Box<[crate::hgq::HgqQuantizer]>,
    /// An HGQ2 layer's other quantizers: its sub-layers' and its quantizer lists' (see
    /// `HgqSubQuantizer`); empty where it has none.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub hgq_sub_quantizers: Box<[crate::hgq::HgqSubQuantizer]>,
    /// QKeras's `QConv2DBatchnorm`/`QDenseBatchnorm`: a Conv2D/Dense whose kernel and bias hold
    /// the batch normalisation folded in (frontends/src/keras/fold.rs). hls4ml 1.3.0 makes the
    /// former its `Conv2DBatchnorm` class (a Conv2D subclass its `optimize_pointwise_conv`, which
    /// matches class names, leaves alone) and has no converter for the latter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batchnorm_folded: Option<Box<BatchnormFolded>>,
    /// An input's integer dtype (a tf.keras `InputLayer` with `dtype: 'uint16'`) as hls4ml's
    /// tf.keras converter types it (`converters/keras/core.py`: `IntegerPrecisionType`, here
    /// `FixedType::Int`): its variable's type is named `integer_input_t` and the dtype is
    /// declared as `<name>_precision`. `None` for float inputs and every other layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub int_dtype: Option<Box<crate::types::FixedType>>,
    /// A tf.keras `ReLU` layer under hls4ml's Keras 2 parser (`converters/keras/core.py`), which
    /// keeps the class name `ReLU` as the layer's `activation`, so its config struct is
    /// `ReLU_config<N>` (the call stays `nnet::relu`, the template lowercasing it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hls4ml_relu_class: bool,
}

/// What a layer with a folded batch normalisation keeps of its weights before folding.
/// hls4ml's `Conv2DBatchnorm` makes its weights from the stored kernel and bias, quantised, and
/// takes their statistics then (a weight header's `//Min`, `//Max`, `//Number of zeros` and the
/// config's `n_zeros`); `initialize` then replaces the values with the folded ones.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct BatchnormFolded {
    /// The stored kernel's statistics once quantised (`None` when read without weights).
    pub kernel: Option<WeightStats>,
    /// The stored bias's (zeros without one), quantised.
    pub bias: Option<WeightStats>,
    /// The layer was made with `use_bias=False` (its folded bias then still exists).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_bias: bool,
}

/// The minimum, maximum and number of zeros of a weight array.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeightStats {
    pub min: f32,
    pub max: f32,
    pub zeros: usize,
}

impl WeightStats {
    /// The statistics of `values` (min +inf and max -inf when empty).
    pub fn of(values: &[f32]) -> Self {
        values.iter().fold(
            WeightStats {
                min: f32::INFINITY,
                max: f32::NEG_INFINITY,
                zeros: 0,
            },
            |s, &v| WeightStats {
                min: s.min.min(v),
                max: s.max.max(v),
                zeros: s.zeros + usize::from(v == 0.0),
            },
        )
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Layer {
    pub fn new(name: impl Into<String>, kind: LayerKind) -> Self {
        Layer {
            name: name.into(),
            kind,
            activation: Activation::Linear,
            settings: LayerSettings::default(),
            activation_settings: LayerSettings::default(),
            weights: Vec::new(),
            output_shape: Vec::new(),
            quantizer_params: 0,
            hgq_quantizers: Box::default(),
            hgq_sub_quantizers: Box::default(),
            batchnorm_folded: None,
            int_dtype: None,
            hls4ml_relu_class: false,
        }
    }
    pub fn with_activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }
    /// The weight tensor with this Keras name, if present.
    pub fn weight(&self, name: &str) -> Option<&Tensor> {
        self.weights.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }
}
