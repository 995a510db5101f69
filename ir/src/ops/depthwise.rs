//! Depthwise and separable 2-D convolutions (Keras `DepthwiseConv2D`, `SeparableConv2D`),
//! channels last, and QKeras's `QDepthwiseConv2D`/`QSeparableConv2D` (their
//! `depthwise_quantizer`/`pointwise_quantizer`: `frontends/src/keras/layers.rs`).
//!
//! Keras 3 weights: `DepthwiseConv2D` has `kernel` (kh, kw, in_channels, depth_multiplier) —
//! Keras 3 names it `kernel`, tf.keras 2 `depthwise_kernel` — and `bias`
//! (in_channels·depth_multiplier); `SeparableConv2D` has `depthwise_kernel`
//! (kh, kw, in_channels, depth_multiplier), `pointwise_kernel` (1, 1,
//! in_channels·depth_multiplier, filters) and `bias` (filters). Parameter counts are checked
//! against Keras 3's `count_params()` in `ir/tests/depthwise_counts.rs`.
//!
//! hls4ml 1.3.0 runs the depthwise part one channel at a time (`nnet_sepconv2d_latency.h`:
//! kernel-area products per channel) and the pointwise part as a 1×1 Conv2D; its io_parallel
//! depthwise has only the Latency strategy.

use super::util::{bias, channels, expect_rank, first, positive, prod, shape_err};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::{Layer, Padding};
use crate::shape::{window_out, Shape};
use crate::IrError;
use serde::{Deserialize, Serialize};

/// Depthwise 2-D convolution: each input channel convolved with its own
/// `depth_multiplier` kernels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepthwiseConv2D {
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: Padding,
    pub depth_multiplier: usize,
    pub use_bias: bool,
}

/// Separable 2-D convolution: a depthwise convolution, then a 1×1 convolution to `filters`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeparableConv2D {
    pub filters: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: Padding,
    pub depth_multiplier: usize,
    pub use_bias: bool,
}

/// Output (height, width) of a window over a (height, width, channels) input.
fn spatial_out(
    layer: &Layer,
    s: &[usize],
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: Padding,
) -> Result<[usize; 2], IrError> {
    expect_rank(layer, s, 3, "height, width, channels")?;
    let mut out = [0; 2];
    for a in 0..2 {
        positive(layer, kernel[a], "kernel_size")?;
        positive(layer, stride[a], "strides")?;
        out[a] = window_out(s[a], kernel[a], stride[a], padding).ok_or_else(|| {
            shape_err(
                layer,
                format!("kernel {kernel:?} is larger than the input {:?}", &s[..2]),
            )
        })?;
    }
    Ok(out)
}

impl LayerOp for DepthwiseConv2D {
    fn name(&self) -> &'static str {
        "DepthwiseConv2D"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["DepthwiseConv2D", "QDepthwiseConv2D"]
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
        let [h, w] = spatial_out(layer, &s, self.kernel, self.stride, self.padding)?;
        let c = s[2]
            .checked_mul(self.depth_multiplier)
            .ok_or_else(|| shape_err(layer, "channels × depth_multiplier overflows".to_string()))?;
        Ok(vec![h, w, c])
    }
    fn cost(&self, inputs: &[Shape], output: &[usize]) -> Cost {
        // kh·kw·C·dm kernel values and C·dm biases; each output value is one kernel-area dot
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
            shape: vec![self.kernel[0], self.kernel[1], c, self.depth_multiplier],
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
        (
            self.kernel[0].saturating_mul(self.kernel[1]),
            self.stride[0].saturating_mul(self.stride[1]),
        )
    }
    fn product_shape(&self, inputs: &[Shape]) -> Option<(u64, u64)> {
        // hls4ml's depthwise kernel: per output pixel, kernel area × channels products, each
        // feeding one output channel (n_in = kh·kw·C, n_out = C·dm).
        let c = channels(inputs) as u64;
        Some((
            prod(&self.kernel).saturating_mul(c),
            c.saturating_mul(self.depth_multiplier as u64),
        ))
    }
}

impl LayerOp for SeparableConv2D {
    fn name(&self) -> &'static str {
        "SeparableConv2D"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["SeparableConv2D", "QSeparableConv2D"]
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
        let [h, w] = spatial_out(layer, &s, self.kernel, self.stride, self.padding)?;
        Ok(vec![h, w, self.filters])
    }
    fn cost(&self, inputs: &[Shape], output: &[usize]) -> Cost {
        // depthwise kh·kw·C·dm + pointwise C·dm·F + F biases; MACs: the depthwise products
        // (kernel area per intermediate value) and the pointwise ones (C·dm per output value).
        let mid = (channels(inputs) as u64).saturating_mul(self.depth_multiplier as u64);
        let f = self.filters as u64;
        let k = prod(&self.kernel);
        let pixels = prod(&output[..output.len().min(2)]);
        Cost {
            params: k
                .saturating_mul(mid)
                .saturating_add(mid.saturating_mul(f))
                .saturating_add(bias(self.use_bias, f)),
            macs: pixels
                .saturating_mul(k.saturating_mul(mid).saturating_add(mid.saturating_mul(f))),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let c = channels(inputs);
        let mut v = vec![
            WeightSpec {
                name: "depthwise_kernel",
                role: WeightRole::Kernel,
                shape: vec![self.kernel[0], self.kernel[1], c, self.depth_multiplier],
            },
            WeightSpec {
                name: "pointwise_kernel",
                role: WeightRole::Kernel,
                shape: vec![1, 1, c.saturating_mul(self.depth_multiplier), self.filters],
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
        (
            self.kernel[0].saturating_mul(self.kernel[1]),
            self.stride[0].saturating_mul(self.stride[1]),
        )
    }
    fn product_shape(&self, inputs: &[Shape]) -> Option<(u64, u64)> {
        // The pointwise product (the larger array): n_in = C·dm, n_out = filters.
        Some((
            (channels(inputs) as u64).saturating_mul(self.depth_multiplier as u64),
            self.filters as u64,
        ))
    }
}
