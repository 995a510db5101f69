//! 1-D convolution over (width, channels).

use super::util::{bias, channels, expect_rank, first, positive, prod, shape_err};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::{Layer, Padding};
use crate::shape::{window_out, Shape};
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conv1D {
    pub filters: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: Padding,
    pub use_bias: bool,
}

impl LayerOp for Conv1D {
    fn name(&self) -> &'static str {
        "Conv1D"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Conv1D", "QConv1D"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        true
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        positive(layer, self.filters, "filters")?;
        positive(layer, self.kernel, "kernel_size")?;
        positive(layer, self.stride, "strides")?;
        let s = first(inputs);
        expect_rank(layer, &s, 2, "width, channels")?;
        let w = window_out(s[0], self.kernel, self.stride, self.padding).ok_or_else(|| {
            shape_err(
                layer,
                format!(
                    "kernel {} is larger than the input width {}",
                    self.kernel, s[0]
                ),
            )
        })?;
        Ok(vec![w, self.filters])
    }
    fn cost(&self, inputs: &[Shape], output: &[usize]) -> Cost {
        let f = self.filters as u64;
        let k = (self.kernel as u64).saturating_mul(channels(inputs) as u64);
        Cost {
            params: k.saturating_mul(f).saturating_add(bias(self.use_bias, f)),
            macs: prod(&output[..output.len().min(1)]).saturating_mul(k.saturating_mul(f)),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let mut v = vec![WeightSpec {
            name: "kernel",
            role: WeightRole::Kernel,
            shape: vec![self.kernel, channels(inputs), self.filters],
        }];
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
        (self.kernel, self.stride)
    }
    fn product_shape(&self, inputs: &[Shape]) -> Option<(u64, u64)> {
        Some((
            (self.kernel as u64).saturating_mul(channels(inputs) as u64),
            self.filters as u64,
        ))
    }
}
