//! 2-D convolution over (height, width, channels).

use super::util::{bias, channels, expect_rank, first, positive, prod, shape_err};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::{Layer, Padding};
use crate::shape::{window_out, Shape};
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conv2D {
    pub filters: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: Padding,
    pub use_bias: bool,
}

impl LayerOp for Conv2D {
    fn name(&self) -> &'static str {
        "Conv2D"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Conv2D", "QConv2D"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        true
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        positive(layer, self.filters, "filters")?;
        let s = first(inputs);
        expect_rank(layer, &s, 3, "height, width, channels")?;
        let mut out = vec![0, 0, self.filters];
        for a in 0..2 {
            positive(layer, self.kernel[a], "kernel_size")?;
            positive(layer, self.stride[a], "strides")?;
            out[a] = window_out(s[a], self.kernel[a], self.stride[a], self.padding).ok_or_else(
                || {
                    shape_err(
                        layer,
                        format!(
                            "kernel {:?} is larger than the input {:?}",
                            self.kernel,
                            &s[..2]
                        ),
                    )
                },
            )?;
        }
        Ok(out)
    }
    fn cost(&self, inputs: &[Shape], output: &[usize]) -> Cost {
        let f = self.filters as u64;
        let k = prod(&self.kernel).saturating_mul(channels(inputs) as u64);
        Cost {
            params: k.saturating_mul(f).saturating_add(bias(self.use_bias, f)),
            macs: prod(&output[..output.len().min(2)]).saturating_mul(k.saturating_mul(f)),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let mut v = vec![WeightSpec {
            name: "kernel",
            role: WeightRole::Kernel,
            shape: vec![
                self.kernel[0],
                self.kernel[1],
                channels(inputs),
                self.filters,
            ],
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
        (
            self.kernel[0].saturating_mul(self.kernel[1]),
            self.stride[0].saturating_mul(self.stride[1]),
        )
    }
    fn product_shape(&self, inputs: &[Shape]) -> Option<(u64, u64)> {
        Some((
            prod(&self.kernel).saturating_mul(channels(inputs) as u64),
            self.filters as u64,
        ))
    }
}
