//! One Keras layer (class name + `config` object) to IR layers: the attribute readers shared by
//! every class, the class table, and the checks that turn unsupported attributes into errors
//! naming the layer, its kind and the attribute.

use super::qkeras::Quantizer;
use crate::error::FrontendError;
use ir::layer::{Activation, Layer, LayerKind, Padding, PoolOp};
use serde_json::{Map, Value};

/// Largest size any attribute or dimension may have (units, filters, kernel, strides, input
/// dimensions); larger values are rejected so that shape and cost arithmetic cannot overflow.
pub use ir::limits::MAX_DIM;

/// A single axis as Keras writes it (`3`, `-1` or `[3]`).
fn feature_axis(v: &Value) -> Option<i64> {
    match v {
        Value::Array(a) if a.len() == 1 => a[0].as_i64(),
        _ => v.as_i64(),
    }
}

/// After shape inference: every BatchNormalization and Softmax whose `axis` is a positive
/// number must name the last axis of its input (the IR's shape has no batch axis, so the last
/// axis is number `rank`). `rank_of` gives the rank of a Keras layer's output by its name.
pub fn check_feature_axes(
    file: &str,
    layers: &[KerasLayer],
    rank_of: impl Fn(&str) -> Option<usize>,
) -> Result<(), FrontendError> {
    for kl in layers {
        if !matches!(
            kl.class_name.as_str(),
            "BatchNormalization"
                | "QBatchNormalization"
                | "QConv2DBatchnorm"
                | "QDenseBatchnorm"
                | "Softmax"
        ) {
            continue;
        }
        let Some(v) = kl.config.get("axis").filter(|v| !v.is_null()) else {
            continue;
        };
        let (Some(axis), Some(rank)) = (feature_axis(v), rank_of(&kl.name)) else {
            continue;
        };
        if axis != -1 && axis != rank as i64 {
            return Err(FrontendError::UnsupportedAttribute {
                file: file.to_string(),
                layer: kl.name.clone(),
                kind: kl.class_name.clone(),
                attribute: "axis".into(),
                message: format!(
                    "{} on an input of rank {} (batch axis included: {}); only the last, \
                     channel axis ({rank} or -1) is supported",
                    describe(v),
                    rank,
                    rank + 1
                ),
            });
        }
    }
    Ok(())
}

/// A Keras layer as it appears in a model config.
#[derive(Debug, Clone)]
pub struct KerasLayer {
    pub name: String,
    pub class_name: String,
    pub config: Map<String, Value>,
    /// Names of the Keras layers feeding this one, in operand order (empty for Sequential).
    pub inbound: Vec<String>,
    /// The call's keyword arguments that are not tensors (Keras 3 `inbound_nodes[0].kwargs`,
    /// e.g. attention's `use_causal_mask`); empty for Sequential and Keras 2.
    pub call: Map<String, Value>,
    /// An HGQ2 layer (see [`super::hgq2`]): its class is read as its Keras base class.
    pub hgq2: bool,
}

/// Reads typed attributes out of one layer's `config`, with errors that name the layer.
pub(super) struct Attrs<'a> {
    pub(super) file: &'a str,
    pub(super) layer: &'a KerasLayer,
}

pub(super) fn describe(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        format!(
            "{}...",
            &s[..s
                .char_indices()
                .take_while(|(i, _)| *i < 57)
                .last()
                .map_or(0, |(i, c)| i + c.len_utf8())]
        )
    } else {
        s
    }
}

impl<'a> Attrs<'a> {
    pub(super) fn field_err(&self, key: &str, expected: &str, found: &Value) -> FrontendError {
        FrontendError::field(
            self.file,
            format!(
                "layer '{}' ({}) config.{key}",
                self.layer.name, self.layer.class_name
            ),
            expected,
            describe(found),
        )
    }
    pub(super) fn missing(&self, key: &str, expected: &str) -> FrontendError {
        FrontendError::field(
            self.file,
            format!(
                "layer '{}' ({}) config.{key}",
                self.layer.name, self.layer.class_name
            ),
            expected,
            "nothing (the field is missing)",
        )
    }
    pub(super) fn unsupported(&self, attribute: &str, message: impl Into<String>) -> FrontendError {
        FrontendError::UnsupportedAttribute {
            file: self.file.to_string(),
            layer: self.layer.name.clone(),
            kind: self.layer.class_name.clone(),
            attribute: attribute.to_string(),
            message: message.into(),
        }
    }
    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.layer.config.get(key).filter(|v| !v.is_null())
    }
    pub(super) fn positive(&self, key: &str, v: &Value) -> Result<usize, FrontendError> {
        match v.as_u64().or_else(|| {
            v.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        }) {
            Some(n) if n > 0 && n <= MAX_DIM => Ok(n as usize),
            Some(n) if n > MAX_DIM => {
                Err(self.field_err(key, &format!("a positive integer of at most {MAX_DIM}"), v))
            }
            _ => Err(self.field_err(key, "a positive integer", v)),
        }
    }
    pub(super) fn usize_req(&self, key: &str) -> Result<usize, FrontendError> {
        let v = self
            .get(key)
            .ok_or_else(|| self.missing(key, "a positive integer"))?;
        self.positive(key, v)
    }
    pub(super) fn bool_or(&self, key: &str, default: bool) -> Result<bool, FrontendError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.field_err(key, "true or false", v)),
        }
    }
    pub(super) fn f64_or(&self, key: &str, default: f64) -> Result<f64, FrontendError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_f64().ok_or_else(|| self.field_err(key, "a number", v)),
        }
    }
    pub(super) fn str_or(&self, key: &str, default: &'a str) -> Result<&'a str, FrontendError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::String(s)) => Ok(s),
            Some(v) => Err(self.field_err(key, "a string", v)),
        }
    }
    /// An `n`-tuple of positive ints given as an int or a list (`kernel_size`, `strides`, ...).
    fn tuple(
        &self,
        key: &str,
        n: usize,
        default: Option<Vec<usize>>,
    ) -> Result<Vec<usize>, FrontendError> {
        let expected = format!("a positive integer or a list of {n}");
        let v = match self.get(key) {
            None => return default.ok_or_else(|| self.missing(key, &expected)),
            Some(v) => v,
        };
        match v {
            Value::Array(a) if a.len() == n => a.iter().map(|x| self.positive(key, x)).collect(),
            Value::Array(_) => Err(self.field_err(key, &expected, v)),
            _ => Ok(vec![self.positive(key, v)?; n]),
        }
    }
    /// A non-negative amount (padding, cropping).
    fn amount(&self, key: &str, v: &Value) -> Result<usize, FrontendError> {
        match v.as_u64() {
            Some(n) if n <= MAX_DIM => Ok(n as usize),
            _ => Err(self.field_err(key, &format!("an integer from 0 to {MAX_DIM}"), v)),
        }
    }
    /// `[before, after]` of one axis: an int (both sides) or a list of two.
    fn sides(&self, key: &str, v: &Value) -> Result<[usize; 2], FrontendError> {
        match v {
            Value::Array(p) if p.len() == 2 => {
                Ok([self.amount(key, &p[0])?, self.amount(key, &p[1])?])
            }
            Value::Array(_) => Err(self.field_err(key, "an integer or a list of 2 integers", v)),
            _ => {
                let n = self.amount(key, v)?;
                Ok([n, n])
            }
        }
    }
    /// Keras's 1-D `padding`/`cropping`: an int or `[left, right]`.
    fn sides1d(&self, key: &str) -> Result<[usize; 2], FrontendError> {
        let v = self
            .get(key)
            .ok_or_else(|| self.missing(key, "an integer or [left, right]"))?;
        self.sides(key, v)
    }
    /// Keras's 2-D `padding`/`cropping`: an int, `[height, width]` (symmetric) or
    /// `[[top, bottom], [left, right]]`.
    fn sides2d(&self, key: &str) -> Result<[[usize; 2]; 2], FrontendError> {
        let expected = "an integer, [height, width] or [[top, bottom], [left, right]]";
        let v = self.get(key).ok_or_else(|| self.missing(key, expected))?;
        match v {
            Value::Array(p) if p.len() == 2 => {
                Ok([self.sides(key, &p[0])?, self.sides(key, &p[1])?])
            }
            Value::Array(_) => Err(self.field_err(key, expected, v)),
            _ => {
                let n = self.amount(key, v)?;
                Ok([[n, n], [n, n]])
            }
        }
    }
    /// UpSampling2D's `interpolation`: only 'nearest' exists in hls4ml 1.3.0's HLS library.
    fn nearest(&self) -> Result<(), FrontendError> {
        match self.str_or("interpolation", "nearest")? {
            "nearest" => Ok(()),
            other => Err(self.unsupported(
                "interpolation",
                format!("'{other}' (only 'nearest' is supported: hls4ml 1.3.0's nnet_utils have no resize_{other} for Keras UpSampling)"),
            )),
        }
    }
    fn padding(&self) -> Result<Padding, FrontendError> {
        match self.str_or("padding", "valid")? {
            "valid" => Ok(Padding::Valid),
            "same" => Ok(Padding::Same),
            other => {
                Err(self.unsupported("padding", format!("'{other}' (expected 'valid' or 'same')")))
            }
        }
    }
    fn channels_last(&self) -> Result<(), FrontendError> {
        match self.str_or("data_format", "channels_last")? {
            "channels_last" => Ok(()),
            other => Err(self.unsupported(
                "data_format",
                format!("'{other}' (only channels_last is supported; hls4ml converts Keras models channels-last)"),
            )),
        }
    }
    fn no_dilation(&self, n: usize) -> Result<(), FrontendError> {
        let d = self.tuple("dilation_rate", n, Some(vec![1; n]))?;
        if d.iter().any(|&x| x != 1) {
            return Err(self.unsupported("dilation_rate", format!("{d:?} (only 1 is supported)")));
        }
        if let Some(g) = self.get("groups") {
            if g.as_u64() != Some(1) {
                return Err(
                    self.unsupported("groups", format!("{} (only 1 is supported)", describe(g)))
                );
            }
        }
        Ok(())
    }
    /// The fused `activation` of a Dense/Conv layer.
    fn activation(&self) -> Result<Activation, FrontendError> {
        match self.get("activation") {
            None => Ok(Activation::Linear),
            Some(Value::String(s)) => keras_activation(s).ok_or_else(|| {
                self.unsupported(
                    "activation",
                    format!("'{s}' (expected linear, relu, sigmoid, tanh, softmax or leaky_relu)"),
                )
            }),
            Some(v) => Err(self.field_err("activation", "an activation name", v)),
        }
    }
    /// `-1`, or a positive axis that [`check_feature_axes`] compares with the inferred rank
    /// once shapes are known (Keras counts the batch axis: `axis=3` on an image and `axis=1`
    /// on a vector are both the last axis).
    fn axis_is_last(&self, key: &str) -> Result<(), FrontendError> {
        match self.get(key) {
            None => Ok(()),
            Some(v) => match feature_axis(v) {
                Some(a) if a == -1 || a >= 1 => Ok(()),
                _ => Err(self.unsupported(
                    key,
                    format!("{} (only the last, channel axis is supported)", describe(v)),
                )),
            },
        }
    }
    pub(super) fn quantizer(&self, key: &str) -> Result<Option<Quantizer>, FrontendError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => Quantizer::from_value(v)
                .map(Some)
                .map_err(|m| self.unsupported(key, m)),
        }
    }
}

/// A Keras activation name; `leaky_relu` as an activation function has Keras 3's default slope
/// 0.2 (the LeakyReLU *layer* defaults differ and are read from its config).
pub fn keras_activation(name: &str) -> Option<Activation> {
    match name {
        "leaky_relu" => Some(Activation::LeakyRelu { alpha: 0.2 }),
        "LeakyReLU" => None,
        other => Activation::from_name(other),
    }
}

/// The input shape a layer declares (`batch_input_shape` in Keras 2, `batch_shape` in Keras 3,
/// `input_shape` without the batch dimension), without the batch dimension.
pub fn declared_input_shape(
    file: &str,
    layer: &KerasLayer,
) -> Result<Option<Vec<usize>>, FrontendError> {
    let a = Attrs { file, layer };
    let (key, v, skip) = if let Some(v) = a.get("batch_input_shape") {
        ("batch_input_shape", v, 1)
    } else if let Some(v) = a.get("batch_shape") {
        ("batch_shape", v, 1)
    } else if let Some(v) = a.get("input_shape") {
        ("input_shape", v, 0)
    } else {
        return Ok(None);
    };
    let dims = v
        .as_array()
        .ok_or_else(|| a.field_err(key, "a list of dimensions", v))?;
    if dims.len() <= skip {
        return Err(a.field_err(key, "a list of dimensions after the batch dimension", v));
    }
    dims[skip..]
        .iter()
        .map(|d| {
            if d.is_null() {
                Err(a.unsupported(
                    key,
                    format!(
                        "{} (dimensions other than the batch must be fixed)",
                        describe(v)
                    ),
                ))
            } else {
                a.positive(key, d)
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .and_then(|shape| {
            let elements = shape
                .iter()
                .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64));
            match elements {
                Some(n) if n <= MAX_INPUT_ELEMENTS => Ok(Some(shape)),
                _ => Err(a.unsupported(
                    key,
                    format!(
                        "{} (more than {MAX_INPUT_ELEMENTS} values per sample)",
                        describe(v)
                    ),
                )),
            }
        })
}

/// Largest number of values one input sample may have.
pub use ir::limits::MAX_INPUT_ELEMENTS;

/// The IR layers of one Keras layer: usually one, two when a QKeras layer's activation quantizer
/// becomes its own activation layer (as hls4ml splits it, named `{layer}_{quantizer}`). The
/// first layer is the one that carries the Keras layer's weights.
pub fn convert(file: &str, layer: &KerasLayer) -> Result<Vec<Layer>, FrontendError> {
    let a = Attrs { file, layer };
    let name = layer.name.clone();
    let class = match layer.hgq2 {
        true => {
            super::hgq2::check(&a)?;
            super::hgq2::keras_class(file, layer)?
        }
        false => layer.class_name.as_str(),
    };
    let one = |kind: LayerKind| Ok(vec![Layer::new(name.clone(), kind)]);
    match class {
        "InputLayer" => {
            let shape = declared_input_shape(file, layer)?.ok_or_else(|| {
                a.missing(
                    "batch_shape",
                    "the input shape (batch_shape or batch_input_shape)",
                )
            })?;
            one(LayerKind::Input(ir::ops::Input { shape }))
        }
        "Dense" | "QDense" | "QDenseBatchnorm" => {
            let units = a.usize_req("units")?;
            // QDenseBatchnorm: folded as QConv2DBatchnorm (keras/fold.rs), its bias always exists
            let folded = class == "QDenseBatchnorm";
            if folded {
                a.axis_is_last("axis")?;
            }
            let use_bias = folded || a.bool_or("use_bias", true)?;
            let mut layers = fused(&a, LayerKind::Dense(ir::ops::Dense { units, use_bias }))?;
            layers[0].batchnorm_folded = folded.then(Box::default);
            Ok(layers)
        }
        "Conv1D" | "QConv1D" => {
            a.channels_last()?;
            a.no_dilation(1)?;
            let kind = LayerKind::Conv1D(ir::ops::Conv1D {
                filters: a.usize_req("filters")?,
                kernel: a.tuple("kernel_size", 1, None)?[0],
                stride: a.tuple("strides", 1, Some(vec![1]))?[0],
                padding: a.padding()?,
                use_bias: a.bool_or("use_bias", true)?,
            });
            fused(&a, kind)
        }
        "Conv2D" | "QConv2D" | "QConv2DBatchnorm" => {
            a.channels_last()?;
            a.no_dilation(2)?;
            let k = a.tuple("kernel_size", 2, None)?;
            let s = a.tuple("strides", 2, Some(vec![1, 1]))?;
            // QConv2DBatchnorm: hls4ml's Conv2DBatchnorm is a Conv2D whose folded bias always
            // exists (keras/fold.rs), so the IR layer always has a bias.
            let folded = class == "QConv2DBatchnorm";
            if folded {
                a.axis_is_last("axis")?;
            }
            let kind = LayerKind::Conv2D(ir::ops::Conv2D {
                filters: a.usize_req("filters")?,
                kernel: [k[0], k[1]],
                stride: [s[0], s[1]],
                padding: a.padding()?,
                use_bias: folded || a.bool_or("use_bias", true)?,
            });
            let without_bias = !a.bool_or("use_bias", true)?;
            let mut layers = fused(&a, kind)?;
            layers[0].batchnorm_folded = folded.then_some(Box::new(ir::layer::BatchnormFolded {
                without_bias,
                ..Default::default()
            }));
            Ok(layers)
        }
        "DepthwiseConv2D" | "SeparableConv2D" | "QDepthwiseConv2D" | "QSeparableConv2D" => {
            depthwise_or_separable::<2>(&a, class)
        }
        "DepthwiseConv1D" | "SeparableConv1D" | "QSeparableConv1D" => {
            depthwise_or_separable::<1>(&a, class)
        }
        "MaxPooling1D" | "AveragePooling1D" | "MaxPool1D" | "AvgPool1D" => {
            a.channels_last()?;
            let pool = a.tuple("pool_size", 1, Some(vec![2]))?;
            let stride = a.tuple("strides", 1, Some(pool.clone()))?;
            one(LayerKind::Pool1D(ir::ops::Pool1D {
                op: pool_op(class),
                pool: pool[0],
                stride: stride[0],
                padding: a.padding()?,
            }))
        }
        "MaxPooling2D" | "AveragePooling2D" | "MaxPool2D" | "AvgPool2D" => {
            a.channels_last()?;
            let pool = a.tuple("pool_size", 2, Some(vec![2, 2]))?;
            let stride = a.tuple("strides", 2, Some(pool.clone()))?;
            one(LayerKind::Pool2D(ir::ops::Pool2D {
                op: pool_op(class),
                pool: [pool[0], pool[1]],
                stride: [stride[0], stride[1]],
                padding: a.padding()?,
            }))
        }
        "GlobalAveragePooling1D"
        | "GlobalMaxPooling1D"
        | "GlobalAveragePooling2D"
        | "GlobalMaxPooling2D"
        | "GlobalAvgPool1D"
        | "GlobalMaxPool1D"
        | "GlobalAvgPool2D"
        | "GlobalMaxPool2D" => {
            a.channels_last()?;
            if a.bool_or("keepdims", false)? {
                return Err(a.unsupported("keepdims", "true (only keepdims=false is supported)"));
            }
            let op = pool_op(class);
            if class.ends_with("1D") {
                one(LayerKind::GlobalPool1D(ir::ops::GlobalPool1D { op }))
            } else {
                one(LayerKind::GlobalPool2D(ir::ops::GlobalPool2D { op }))
            }
        }
        "BatchNormalization" | "QBatchNormalization" => {
            a.axis_is_last("axis")?;
            for flag in ["renorm", "synchronized"] {
                if a.bool_or(flag, false)? {
                    return Err(a.unsupported(flag, "true (not supported)"));
                }
            }
            one(LayerKind::BatchNorm(ir::ops::BatchNorm {
                epsilon: a.f64_or("epsilon", 1e-3)?,
                center: a.bool_or("center", true)?,
                scale: a.bool_or("scale", true)?,
            }))
        }
        "Activation" => one(LayerKind::Activation(a.activation()?)),
        "QActivation" => {
            let q = a
                .quantizer("activation")?
                .ok_or_else(|| a.missing("activation", "an activation or quantizer"))?;
            // hls4ml's converter (qkeras.get_activation_quantizer) gives the layer no type: the
            // config's applies (the model default, unless a granularity='name' config gives the
            // quantizer's type, which `Quantizer::activation` computes).
            let (act, _) = q.activation().map_err(|m| a.unsupported("activation", m))?;
            one(LayerKind::Activation(act))
        }
        "ReLU" => {
            // hls4ml 1.3.0's Keras 3 ReLUHandler (converters/keras_v3/core.py): max_value must
            // be None; a negative slope is its LeakyReLU, a threshold its ThresholdedReLU, not
            // both. (It writes a plain ReLU() as thresholded_relu(0.0) too; presynth writes
            // nnet::relu, as hls4ml's tf.keras converter does: the same function.)
            if let Some(m) = a.get("max_value") {
                return Err(a.unsupported(
                    "max_value",
                    format!(
                        "{} (hls4ml 1.3.0 converts ReLU with max_value None only)",
                        describe(m)
                    ),
                ));
            }
            let threshold = a.f64_or("threshold", 0.0)?;
            let slope = a.f64_or("negative_slope", 0.0)?;
            one(LayerKind::Activation(match (slope != 0.0, threshold != 0.0) {
                (true, true) => {
                    return Err(a.unsupported(
                        "threshold",
                        format!("{threshold} with negative_slope {slope} (hls4ml 1.3.0 needs threshold 0 or negative_slope 0)"),
                    ))
                }
                (true, false) => Activation::LeakyRelu { alpha: slope },
                (false, true) => Activation::ThresholdedRelu { theta: threshold },
                (false, false) => Activation::Relu,
            }))
        }
        // tf.keras 2 only (hls4ml's converters/keras/core.py: `theta`, default 1.0)
        "ThresholdedReLU" => {
            let theta = a.f64_or("theta", 1.0)?;
            one(LayerKind::Activation(Activation::ThresholdedRelu { theta }))
        }
        "ELU" => {
            let alpha = a.f64_or("alpha", 1.0)?;
            one(LayerKind::Activation(Activation::Elu { alpha }))
        }
        "LeakyReLU" => {
            // Keras 3 writes `negative_slope` (default 0.3), Keras 2 `alpha` (default 0.3).
            let alpha = match a.get("negative_slope") {
                Some(_) => a.f64_or("negative_slope", 0.3)?,
                None => a.f64_or("alpha", 0.3)?,
            };
            one(LayerKind::Activation(Activation::LeakyRelu { alpha }))
        }
        "Softmax" => {
            a.axis_is_last("axis")?;
            one(LayerKind::Activation(Activation::Softmax))
        }
        "Flatten" => {
            a.channels_last()?;
            one(LayerKind::Flatten)
        }
        "Reshape" => {
            let v = a
                .get("target_shape")
                .ok_or_else(|| a.missing("target_shape", "a list of dimensions"))?;
            let dims = v
                .as_array()
                .ok_or_else(|| a.field_err("target_shape", "a list of dimensions", v))?;
            let target = dims
                .iter()
                .map(|d| match d.as_i64() {
                    Some(-1) => Ok(0),
                    Some(n) if n > 0 && n as u64 <= MAX_DIM => Ok(n as usize),
                    _ => Err(a.field_err(
                        "target_shape",
                        &format!("dimensions in 1..={MAX_DIM} or -1"),
                        v,
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let known = target
                .iter()
                .filter(|d| **d > 0)
                .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64));
            if target.is_empty() || target.len() > 4 || known.is_none_or(|n| n > MAX_INPUT_ELEMENTS)
            {
                return Err(a.unsupported(
                    "target_shape",
                    format!(
                        "{} (expected 1 to 4 dimensions with at most {MAX_INPUT_ELEMENTS} values)",
                        describe(v)
                    ),
                ));
            }
            one(LayerKind::Reshape(ir::ops::Reshape { target }))
        }
        "Add" | "Subtract" | "Multiply" | "Average" | "Maximum" | "Minimum" => {
            match ir::ops::MergeOp::from_keras_class(class) {
                Some(op) => one(LayerKind::Merge(ir::ops::Merge { op })),
                None => unreachable!("{class} is listed as a merge in MergeOp"),
            }
        }
        "Concatenate" => {
            let axis = match a.get("axis") {
                None => -1,
                Some(v) => v
                    .as_i64()
                    .ok_or_else(|| a.field_err("axis", "an integer", v))?
                    as isize,
            };
            one(LayerKind::Concatenate(ir::ops::Concatenate { axis }))
        }
        "ZeroPadding1D" => one(LayerKind::ZeroPadding1D(ir::ops::ZeroPadding1D {
            pad: a.sides1d("padding")?,
        })),
        "ZeroPadding2D" => {
            a.channels_last()?;
            one(LayerKind::ZeroPadding2D(ir::ops::ZeroPadding2D {
                pad: a.sides2d("padding")?,
            }))
        }
        "Cropping1D" => one(LayerKind::Cropping1D(ir::ops::Cropping1D {
            crop: a.sides1d("cropping")?,
        })),
        "Cropping2D" => {
            a.channels_last()?;
            one(LayerKind::Cropping2D(ir::ops::Cropping2D {
                crop: a.sides2d("cropping")?,
            }))
        }
        "UpSampling1D" => one(LayerKind::UpSampling1D(ir::ops::UpSampling1D {
            size: a.tuple("size", 1, Some(vec![2]))?[0],
        })),
        "UpSampling2D" => {
            a.channels_last()?;
            a.nearest()?;
            let size = a.tuple("size", 2, Some(vec![2, 2]))?;
            one(LayerKind::UpSampling2D(ir::ops::UpSampling2D {
                size: [size[0], size[1]],
            }))
        }
        // hls4ml's PReLU (one alpha per element, `nnet::prelu`); hls4ml's tf.keras converter
        // refuses shared_axes, and its Keras 3 handler would write an alpha array shorter than
        // the input, which nnet::prelu reads past
        "PReLU" => match a.get("shared_axes") {
            None | Some(Value::Null) => one(LayerKind::PReLU),
            Some(v) => Err(a.unsupported(
                "shared_axes",
                format!(
                    "{} (hls4ml 1.3.0 converts PReLU with shared_axes=None only: one alpha per element)",
                    describe(v)
                ),
            )),
        },
        // HGQ1 proxy models (keras/hgq1.rs); the per-element state comes with the weights
        "FixedPointQuantizer" => one(super::hgq1::quantizer(&a)?),
        // hls4ml's Dot (nnet::dot1d): 1-D operands (shape inference checks them), so `axes` is
        // their one axis; hls4ml ignores `normalize`
        "Dot" => {
            if a.bool_or("normalize", false)? {
                return Err(a.unsupported(
                    "normalize",
                    "true (hls4ml 1.3.0's Dot computes the plain inner product)",
                ));
            }
            let ok = |x: &Value| matches!(x.as_i64(), Some(1) | Some(-1));
            match a.get("axes") {
                Some(v) if ok(v) || v.as_array().is_some_and(|l| l.len() == 2 && l.iter().all(ok)) => {
                    one(LayerKind::Dot)
                }
                Some(v) => Err(a.field_err("axes", "1 or -1 (the one axis of 1-D operands)", v)),
                None => Err(a.missing("axes", "1 or -1")),
            }
        }
        // hls4ml's Transpose (perm = dims - 1)
        "Permute" => {
            let v = a
                .get("dims")
                .ok_or_else(|| a.missing("dims", "a list of axes numbered from 1"))?;
            let dims = v
                .as_array()
                .and_then(|d| {
                    d.iter()
                        .map(|x| x.as_u64().filter(|&n| (1..=8).contains(&n)).map(|n| n as usize))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| a.field_err("dims", "a list of axes numbered from 1", v))?;
            one(LayerKind::Permute(ir::ops::Permute { dims }))
        }
        "MultiHeadAttention" | "GroupedQueryAttention" | "GroupQueryAttention" => {
            one(super::attention::multi_head_attention(&a)?)
        }
        "LayerNormalization" => one(super::attention::layer_normalization(&a)?),
        "EinsumDense" => fused(&a, super::attention::einsum_dense(&a)?),
        "Embedding" => one(super::attention::embedding(&a)?),
        "SimpleRNN" | "LSTM" | "GRU" | "QSimpleRNN" | "QLSTM" | "QGRU" => {
            one(super::recurrent::layer(&a)?)
        }
        "Bidirectional" => one(super::recurrent::bidirectional(&a)?),
        "TimeDistributed" => one(super::time_distributed::time_distributed(&a)?),
        "GarNet" => one(super::garnet::garnet(&a, false)?),
        "GarNetStack" => one(super::garnet::garnet(&a, true)?),
        "Dropout" => {
            let rate = a.f64_or("rate", 0.0)?;
            if !(0.0..1.0).contains(&rate) {
                return Err(a.field_err("rate", "a number in [0, 1)", &Value::from(rate)));
            }
            one(LayerKind::Dropout(ir::ops::Dropout { rate }))
        }
        other => Err(FrontendError::UnsupportedLayer {
            file: file.to_string(),
            layer: name,
            kind: other.to_string(),
        }),
    }
}

fn pool_op(class: &str) -> PoolOp {
    if class.contains("Max") {
        PoolOp::Max
    } else {
        PoolOp::Average
    }
}

/// The quantizer config keys of a QKeras class and the IR weights they quantize, as hls4ml's
/// handlers read them (`converters/keras/qkeras.py`): `depthwise_quantizer` (and
/// `pointwise_quantizer`) for QDepthwiseConv2D/QSeparableConv1D/2D, `kernel_quantizer` for the
/// others; `bias_quantizer` for all. The first entry's type is the layer's weight type (the IR
/// has one: a QSeparableConv2D's is its pointwise kernel's, the larger product array; both
/// kernels' types are also kept by name, `separable_kernel_types`).
pub fn weight_quantizers(class: &str) -> &'static [(&'static str, &'static str)] {
    match class {
        "QDepthwiseConv2D" => &[
            ("depthwise_quantizer", "kernel"),
            ("bias_quantizer", "bias"),
        ],
        "QSeparableConv1D" | "QSeparableConv2D" => &[
            ("pointwise_quantizer", "pointwise_kernel"),
            ("depthwise_quantizer", "depthwise_kernel"),
            ("bias_quantizer", "bias"),
        ],
        // hls4ml 1.3.0 (Vivado/Vitis) writes a QKeras recurrent layer's weights unquantized
        // (keras/recurrent.rs)
        "QSimpleRNN" | "QLSTM" | "QGRU" => &[],
        _ => &[("kernel_quantizer", "kernel"), ("bias_quantizer", "bias")],
    }
}

/// A Dense/Conv layer with its fused activation; for QKeras layers also the weight and bias
/// types from their quantizers, and an activation quantizer split off as its own layer.
/// A depthwise (`class` contains `Depthwise`) or separable convolution over `R` spatial axes
/// (Keras's DepthwiseConv1D/2D, SeparableConv1D/2D and QKeras's QDepthwiseConv2D and
/// QSeparableConv1D/2D).
fn depthwise_or_separable<const R: usize>(
    a: &Attrs,
    class: &str,
) -> Result<Vec<Layer>, FrontendError>
where
    ir::ops::DepthwiseConv<R>: Into<LayerKind>,
    ir::ops::SeparableConv<R>: Into<LayerKind>,
{
    a.channels_last()?;
    a.no_dilation(R)?;
    let arr = |v: Vec<usize>| -> [usize; R] { std::array::from_fn(|i| v[i]) };
    // `tuple` returns exactly R values
    let kernel = arr(a.tuple("kernel_size", R, None)?);
    let stride = arr(a.tuple("strides", R, Some(vec![1; R]))?);
    let depth_multiplier = match a.get("depth_multiplier") {
        None => 1,
        Some(v) => a.positive("depth_multiplier", v)?,
    };
    let padding = a.padding()?;
    let use_bias = a.bool_or("use_bias", true)?;
    let kind = if class.contains("Depthwise") {
        ir::ops::DepthwiseConv::<R> {
            kernel,
            stride,
            padding,
            depth_multiplier,
            use_bias,
        }
        .into()
    } else {
        ir::ops::SeparableConv::<R> {
            filters: a.usize_req("filters")?,
            kernel,
            stride,
            padding,
            depth_multiplier,
            use_bias,
        }
        .into()
    };
    let mut layers = fused(a, kind)?;
    if class.starts_with("QSeparable") {
        separable_kernel_types(a, &mut layers[0])?;
    }
    Ok(layers)
}

/// A QSeparableConv's two kernel types, each its own quantizer's, kept as the layer's
/// `depthwise`/`pointwise` precision entries: hls4ml's `separable_to_depthwise_and_conv` gives
/// the depthwise half the `depthwise_quantizer` and the pointwise half the
/// `pointwise_quantizer`, whose types win over any configured one (`add_weights_variable`).
fn separable_kernel_types(a: &Attrs, layer: &mut Layer) -> Result<(), FrontendError> {
    for (var, key) in [
        ("depthwise", "depthwise_quantizer"),
        ("pointwise", "pointwise_quantizer"),
    ] {
        if let Some(q) = a.quantizer(key)? {
            let t = q.weight_type(false).map_err(|m| a.unsupported(key, m))?;
            layer.settings.precision.named.insert(var.into(), Some(t));
        }
    }
    Ok(())
}

fn fused(a: &Attrs, kind: LayerKind) -> Result<Vec<Layer>, FrontendError> {
    let mut layer = Layer::new(a.layer.name.clone(), kind);
    if !a.layer.class_name.starts_with('Q') {
        layer.activation = a.activation()?;
        return Ok(vec![layer]);
    }
    let mut alpha = None;
    let kernel_key = weight_quantizers(&a.layer.class_name)[0].0;
    if let Some(q) = a.quantizer(kernel_key)? {
        // hls4ml's get_quantizer_from_config: a binary quantizer is the 1-bit xnor type on a
        // `kernel_quantizer` only (depthwise/pointwise kernels get its 2-bit form)
        layer.settings.precision.weight = Some(
            q.weight_type(kernel_key == "kernel_quantizer")
                .map_err(|m| a.unsupported(kernel_key, m))?,
        );
        layer.settings.quantized.weight = true;
        // hls4ml's qkeras_factorize_alpha matches Dense and Conv1D/2D only
        if kernel_key == "kernel_quantizer" && super::alpha::is_auto_po2(&q) {
            alpha = Some(super::alpha::apply_alpha_layer(&layer));
        }
    }
    if let Some(q) = a.quantizer("bias_quantizer")? {
        layer.settings.precision.bias = Some(
            q.weight_type(false)
                .map_err(|m| a.unsupported("bias_quantizer", m))?,
        );
        layer.settings.quantized.bias = true;
    }
    let q = match a.quantizer("activation")? {
        None => return Ok([Some(layer), alpha].into_iter().flatten().collect()),
        Some(q) => q,
    };
    let (act, ty) = q.activation().map_err(|m| a.unsupported("activation", m))?;
    if ty.is_none() {
        if alpha.is_some() && !act.is_linear() {
            return Err(a.unsupported(
                "activation",
                "a fused activation with an alpha=\"auto_po2\" kernel quantizer (hls4ml applies \
                 the alpha scale first; put the activation in its own layer)",
            ));
        }
        layer.activation = act;
        return Ok([Some(layer), alpha].into_iter().flatten().collect());
    }
    // hls4ml (keras_v2_to_hls.parse_keras_model) splits a quantized activation off into a
    // QActivation layer named `{layer}_{quantizer class}`; like a QActivation it gets its type
    // from the config, not from the quantizer.
    let act_layer = Layer::new(
        format!("{}_{}", a.layer.name, q.class),
        LayerKind::Activation(act),
    );
    Ok([Some(layer), alpha, Some(act_layer)]
        .into_iter()
        .flatten()
        .collect())
}

/// The Keras names of a layer kind's weights, in the order Keras stores them (the registry's
/// weight specs; names do not depend on the input shape).
pub fn weight_names(kind: &LayerKind) -> Vec<&'static str> {
    kind.op().weights(&[]).into_iter().map(|w| w.name).collect()
}
