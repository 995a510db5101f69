//! Depthwise and separable convolutions, 1-D and 2-D (Keras `DepthwiseConv1D`/`DepthwiseConv2D`,
//! `SeparableConv1D`/`SeparableConv2D`), channels last, and QKeras's
//! `QDepthwiseConv2D`/`QSeparableConv2D` (their `depthwise_quantizer`/`pointwise_quantizer`:
//! `frontends/src/keras/layers.rs`). One generic implementation over the spatial rank `R`
//! (1: (steps, channels) inputs, 2: (height, width, channels)) serves both forms.
//!
//! Keras 3 weights: a depthwise layer has `kernel` (k.., in_channels, depth_multiplier) —
//! Keras 3 names it `kernel`, tf.keras 2 `depthwise_kernel` — and `bias`
//! (in_channels·depth_multiplier); a separable layer has `depthwise_kernel`
//! (k.., in_channels, depth_multiplier), `pointwise_kernel` (1.., in_channels·depth_multiplier,
//! filters) and `bias` (filters). Parameter counts are checked against Keras 3's
//! `count_params()` in `ir/tests/depthwise_counts.rs`.
//!
//! hls4ml 1.3.0 runs the depthwise part one channel at a time (`nnet_sepconv1d_latency.h`,
//! `nnet_sepconv2d_latency.h`: kernel-area products per channel) and the pointwise part as a
//! 1×1 (or width-1) convolution; its io_parallel depthwise has only the Latency strategy.

use super::util::{bias, channels, expect_rank, first, positive, prod, shape_err};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::{Layer, Padding};
use crate::shape::{window_out, Shape};
use crate::IrError;
use serde::{Deserialize, Serialize};

/// Depthwise convolution over `R` spatial axes: each input channel convolved with its own
/// `depth_multiplier` kernels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepthwiseConv<const R: usize> {
    #[serde(with = "axes")]
    pub kernel: [usize; R],
    #[serde(with = "axes")]
    pub stride: [usize; R],
    pub padding: Padding,
    pub depth_multiplier: usize,
    pub use_bias: bool,
}

/// Separable convolution over `R` spatial axes: a depthwise convolution, then a pointwise
/// (kernel 1) convolution to `filters`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeparableConv<const R: usize> {
    pub filters: usize,
    #[serde(with = "axes")]
    pub kernel: [usize; R],
    #[serde(with = "axes")]
    pub stride: [usize; R],
    pub padding: Padding,
    pub depth_multiplier: usize,
    pub use_bias: bool,
}

/// Keras `DepthwiseConv1D`.
pub type DepthwiseConv1D = DepthwiseConv<1>;
/// Keras `DepthwiseConv2D`.
pub type DepthwiseConv2D = DepthwiseConv<2>;
/// Keras `SeparableConv1D`.
pub type SeparableConv1D = SeparableConv<1>;
/// Keras `SeparableConv2D`.
pub type SeparableConv2D = SeparableConv<2>;

/// serde for `[usize; R]` as a sequence (serde's own array impls are not generic over the
/// length).
mod axes {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, const R: usize>(
        v: &[usize; R],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.as_slice().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const R: usize>(
        d: D,
    ) -> Result<[usize; R], D::Error> {
        let v = Vec::<usize>::deserialize(d)?;
        let n = v.len();
        v.try_into()
            .map_err(|_| serde::de::Error::invalid_length(n, &format!("{R} values").as_str()))
    }
}

/// The names, Keras classes and input description of each spatial rank (implemented for
/// `[usize; 1]` and `[usize; 2]` only).
pub trait Rank {
    const DEPTHWISE: &'static str;
    const SEPARABLE: &'static str;
    const DEPTHWISE_CLASSES: &'static [&'static str];
    const SEPARABLE_CLASSES: &'static [&'static str];
    const INPUT: &'static str;
}

impl Rank for [usize; 1] {
    const DEPTHWISE: &'static str = "DepthwiseConv1D";
    const SEPARABLE: &'static str = "SeparableConv1D";
    const DEPTHWISE_CLASSES: &'static [&'static str] = &["DepthwiseConv1D"];
    const SEPARABLE_CLASSES: &'static [&'static str] = &["SeparableConv1D", "QSeparableConv1D"];
    const INPUT: &'static str = "steps, channels";
}

impl Rank for [usize; 2] {
    const DEPTHWISE: &'static str = "DepthwiseConv2D";
    const SEPARABLE: &'static str = "SeparableConv2D";
    const DEPTHWISE_CLASSES: &'static [&'static str] = &["DepthwiseConv2D", "QDepthwiseConv2D"];
    const SEPARABLE_CLASSES: &'static [&'static str] = &["SeparableConv2D", "QSeparableConv2D"];
    const INPUT: &'static str = "height, width, channels";
}

/// Output spatial sizes of a window over a (spatial.., channels) input.
fn spatial_out<const R: usize>(
    layer: &Layer,
    s: &[usize],
    kernel: [usize; R],
    stride: [usize; R],
    padding: Padding,
) -> Result<[usize; R], IrError>
where
    [usize; R]: Rank,
{
    expect_rank(layer, s, R + 1, <[usize; R]>::INPUT)?;
    let mut out = [0; R];
    for a in 0..R {
        positive(layer, kernel[a], "kernel_size")?;
        positive(layer, stride[a], "strides")?;
        out[a] = window_out(s[a], kernel[a], stride[a], padding).ok_or_else(|| {
            shape_err(
                layer,
                format!("kernel {kernel:?} is larger than the input {:?}", &s[..R]),
            )
        })?;
    }
    Ok(out)
}

/// (kernel area, stride area) of a window.
fn window_of<const R: usize>(kernel: &[usize; R], stride: &[usize; R]) -> (usize, usize) {
    let area = |v: &[usize; R]| v.iter().fold(1usize, |a, &x| a.saturating_mul(x));
    (area(kernel), area(stride))
}

/// The shape of a kernel (k.., a, b).
fn kernel_shape<const R: usize>(k: &[usize; R], a: usize, b: usize) -> Vec<usize> {
    let mut v = k.to_vec();
    v.extend([a, b]);
    v
}

impl<const R: usize> LayerOp for DepthwiseConv<R>
where
    [usize; R]: Rank,
{
    fn name(&self) -> &'static str {
        <[usize; R]>::DEPTHWISE
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        <[usize; R]>::DEPTHWISE_CLASSES
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        true
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        positive(layer, self.depth_multiplier, "depth_multiplier")?;
        let s = first(inputs);
        let out = spatial_out(layer, &s, self.kernel, self.stride, self.padding)?;
        let c = s[R]
            .checked_mul(self.depth_multiplier)
            .ok_or_else(|| shape_err(layer, "channels × depth_multiplier overflows".to_string()))?;
        let mut v = out.to_vec();
        v.push(c);
        Ok(v)
    }
    fn cost(&self, inputs: &[Shape], output: &[usize]) -> Cost {
        // k..·C·dm kernel values and C·dm biases; each output value is one kernel-area dot
        // product.
        let out_c = (channels(inputs) as u64).saturating_mul(self.depth_multiplier as u64);
        let k = prod(&self.kernel);
        Cost {
            params: k
                .saturating_mul(out_c)
                .saturating_add(bias(self.use_bias, out_c)),
            macs: prod(output).saturating_mul(k),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let c = channels(inputs);
        let mut v = vec![WeightSpec {
            name: "kernel",
            role: WeightRole::Kernel,
            shape: kernel_shape(&self.kernel, c, self.depth_multiplier),
        }];
        if self.use_bias {
            v.push(WeightSpec {
                name: "bias",
                role: WeightRole::Bias,
                shape: vec![c.saturating_mul(self.depth_multiplier)],
            });
        }
        v
    }
    fn window(&self) -> (usize, usize) {
        window_of(&self.kernel, &self.stride)
    }
    fn product_shape(&self, inputs: &[Shape]) -> Option<(u64, u64)> {
        // hls4ml's depthwise kernel: per output position, kernel area × channels products, each
        // feeding one output channel (n_in = k..·C, n_out = C·dm).
        let c = channels(inputs) as u64;
        Some((
            prod(&self.kernel).saturating_mul(c),
            c.saturating_mul(self.depth_multiplier as u64),
        ))
    }
}

impl<const R: usize> LayerOp for SeparableConv<R>
where
    [usize; R]: Rank,
{
    fn name(&self) -> &'static str {
        <[usize; R]>::SEPARABLE
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        <[usize; R]>::SEPARABLE_CLASSES
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        true
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        positive(layer, self.filters, "filters")?;
        positive(layer, self.depth_multiplier, "depth_multiplier")?;
        let s = first(inputs);
        let out = spatial_out(layer, &s, self.kernel, self.stride, self.padding)?;
        let mut v = out.to_vec();
        v.push(self.filters);
        Ok(v)
    }
    fn cost(&self, inputs: &[Shape], output: &[usize]) -> Cost {
        // depthwise k..·C·dm + pointwise C·dm·F + F biases; MACs: the depthwise products
        // (kernel area per intermediate value) and the pointwise ones (C·dm per output value).
        let mid = (channels(inputs) as u64).saturating_mul(self.depth_multiplier as u64);
        let f = self.filters as u64;
        let k = prod(&self.kernel);
        let positions = prod(&output[..output.len().min(R)]);
        Cost {
            params: k
                .saturating_mul(mid)
                .saturating_add(mid.saturating_mul(f))
                .saturating_add(bias(self.use_bias, f)),
            macs: positions
                .saturating_mul(k.saturating_mul(mid).saturating_add(mid.saturating_mul(f))),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let c = channels(inputs);
        let mut v = vec![
            WeightSpec {
                name: "depthwise_kernel",
                role: WeightRole::Kernel,
                shape: kernel_shape(&self.kernel, c, self.depth_multiplier),
            },
            WeightSpec {
                name: "pointwise_kernel",
                role: WeightRole::Kernel,
                shape: kernel_shape(
                    &[1; R],
                    c.saturating_mul(self.depth_multiplier),
                    self.filters,
                ),
            },
        ];
        if self.use_bias {
            v.push(WeightSpec {
                name: "bias",
                role: WeightRole::Bias,
                shape: vec![self.filters],
            });
        }
        v
    }
    fn window(&self) -> (usize, usize) {
        window_of(&self.kernel, &self.stride)
    }
    fn product_shape(&self, inputs: &[Shape]) -> Option<(u64, u64)> {
        // The pointwise product (the larger array): n_in = C·dm, n_out = filters.
        Some((
            (channels(inputs) as u64).saturating_mul(self.depth_multiplier as u64),
            self.filters as u64,
        ))
    }
}

macro_rules! into_kind {
    ($($T:ident),*) => {$(
        impl From<$T> for crate::layer::LayerKind {
            fn from(op: $T) -> Self {
                crate::layer::LayerKind::$T(op)
            }
        }
    )*};
}
into_kind!(
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D
);
