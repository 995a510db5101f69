//! Layer kinds, their attributes, and the layer node of the graph (name, kind, fused
//! activation, HLS settings, weights, inferred output shape).

use crate::settings::LayerSettings;
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// An element-wise activation (a separate `Activation` layer, or fused into Dense/Conv).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub enum Activation {
    #[default]
    Linear,
    Relu,
    Sigmoid,
    Tanh,
    Softmax,
    LeakyRelu {
        alpha: f64,
    },
}

impl Activation {
    /// The name Keras and hls4ml use (`relu`, `leaky_relu`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Softmax => "softmax",
            Activation::LeakyRelu { .. } => "leaky_relu",
        }
    }
    /// Parse a Keras activation name; `None` for names the IR does not support.
    pub fn from_name(name: &str) -> Option<Activation> {
        Some(match name {
            "linear" | "None" | "none" => Activation::Linear,
            "relu" => Activation::Relu,
            "sigmoid" => Activation::Sigmoid,
            "tanh" => Activation::Tanh,
            "softmax" => Activation::Softmax,
            "leaky_relu" | "LeakyReLU" => Activation::LeakyRelu { alpha: 0.3 },
            _ => return None,
        })
    }
    pub fn is_linear(&self) -> bool {
        matches!(self, Activation::Linear)
    }
}

/// What a layer computes, with its attributes. Shapes are channels-last, without the batch dim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LayerKind {
    /// A network input of the given shape.
    Input {
        shape: Vec<usize>,
    },
    Dense {
        units: usize,
        use_bias: bool,
    },
    Conv1D {
        filters: usize,
        kernel: usize,
        stride: usize,
        padding: Padding,
        use_bias: bool,
    },
    Conv2D {
        filters: usize,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: Padding,
        use_bias: bool,
    },
    Pool1D {
        op: PoolOp,
        pool: usize,
        stride: usize,
        padding: Padding,
    },
    Pool2D {
        op: PoolOp,
        pool: [usize; 2],
        stride: [usize; 2],
        padding: Padding,
    },
    GlobalPool1D {
        op: PoolOp,
    },
    GlobalPool2D {
        op: PoolOp,
    },
    BatchNorm {
        epsilon: f64,
        center: bool,
        scale: bool,
    },
    Activation(Activation),
    Flatten,
    /// Reshape to `target` (no batch dim; at most one entry may be 0 meaning "infer", Keras's -1).
    Reshape {
        target: Vec<usize>,
    },
    Add,
    Concatenate {
        axis: isize,
    },
    /// Kept in the IR so that parameter counts match Keras; dropped at codegen like hls4ml does.
    Dropout {
        rate: f64,
    },
}

impl LayerKind {
    /// Short kind name used in tables and errors (`Dense`, `Conv2D`, `MaxPooling2D`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            LayerKind::Input { .. } => "Input",
            LayerKind::Dense { .. } => "Dense",
            LayerKind::Conv1D { .. } => "Conv1D",
            LayerKind::Conv2D { .. } => "Conv2D",
            LayerKind::Pool1D {
                op: PoolOp::Max, ..
            } => "MaxPooling1D",
            LayerKind::Pool1D {
                op: PoolOp::Average,
                ..
            } => "AveragePooling1D",
            LayerKind::Pool2D {
                op: PoolOp::Max, ..
            } => "MaxPooling2D",
            LayerKind::Pool2D {
                op: PoolOp::Average,
                ..
            } => "AveragePooling2D",
            LayerKind::GlobalPool1D { op: PoolOp::Max } => "GlobalMaxPooling1D",
            LayerKind::GlobalPool1D {
                op: PoolOp::Average,
            } => "GlobalAveragePooling1D",
            LayerKind::GlobalPool2D { op: PoolOp::Max } => "GlobalMaxPooling2D",
            LayerKind::GlobalPool2D {
                op: PoolOp::Average,
            } => "GlobalAveragePooling2D",
            LayerKind::BatchNorm { .. } => "BatchNormalization",
            LayerKind::Activation(_) => "Activation",
            LayerKind::Flatten => "Flatten",
            LayerKind::Reshape { .. } => "Reshape",
            LayerKind::Add => "Add",
            LayerKind::Concatenate { .. } => "Concatenate",
            LayerKind::Dropout { .. } => "Dropout",
        }
    }
    /// Whether the kind can carry a fused activation (Dense and Conv).
    pub fn takes_activation(&self) -> bool {
        matches!(
            self,
            LayerKind::Dense { .. } | LayerKind::Conv1D { .. } | LayerKind::Conv2D { .. }
        )
    }
    /// Number of inputs the kind takes: `None` means two or more (Add, Concatenate).
    pub fn arity(&self) -> Option<usize> {
        match self {
            LayerKind::Input { .. } => Some(0),
            LayerKind::Add | LayerKind::Concatenate { .. } => None,
            _ => Some(1),
        }
    }
}

impl fmt::Display for LayerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

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
pub struct Layer {
    pub name: String,
    pub kind: LayerKind,
    /// Fused activation of Dense/Conv (Linear when none). Other kinds keep Linear.
    pub activation: Activation,
    pub settings: LayerSettings,
    /// Weights by Keras name: `kernel`, `bias`, `gamma`, `beta`, `moving_mean`,
    /// `moving_variance`. Empty when the network came without weights.
    pub weights: Vec<(String, Tensor)>,
    /// Output shape, filled by shape inference.
    pub output_shape: Vec<usize>,
}

impl Layer {
    pub fn new(name: impl Into<String>, kind: LayerKind) -> Self {
        Layer {
            name: name.into(),
            kind,
            activation: Activation::Linear,
            settings: LayerSettings::default(),
            weights: Vec::new(),
            output_shape: Vec::new(),
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
