//! Shape inference for every layer kind, with Keras-compatible parameter counts (BatchNorm
//! moving statistics included, as `count_params()` counts them) and multiply-accumulate counts.

use crate::graph::{Network, NodeId};
use crate::layer::{Layer, LayerKind, Padding};
use crate::IrError;
use serde::{Deserialize, Serialize};

/// A tensor shape without the batch dimension, channels last.
pub type Shape = Vec<usize>;

/// Per-layer figures that `inspect` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerStats {
    pub name: String,
    pub kind: String,
    pub input_shape: Vec<Shape>,
    pub output_shape: Shape,
    pub params: u64,
    pub macs: u64,
}

fn shape_err(layer: &Layer, message: String) -> IrError {
    IrError::Shape {
        layer: layer.name.clone(),
        kind: layer.kind.name().to_string(),
        message,
    }
}

fn attr_err(layer: &Layer, message: String) -> IrError {
    IrError::Layer {
        layer: layer.name.clone(),
        kind: layer.kind.name().to_string(),
        message,
    }
}

/// Output length of a sliding window along one axis, as Keras computes it.
pub fn window_out(len: usize, window: usize, stride: usize, padding: Padding) -> Option<usize> {
    if stride == 0 || window == 0 {
        return None;
    }
    match padding {
        Padding::Valid => (len >= window).then(|| (len - window) / stride + 1),
        Padding::Same => Some(len.div_ceil(stride)),
    }
}

/// Keras's "same" padding split for one axis: (before, after). (A zero stride or length, which
/// shape inference rejects, gives no padding rather than a panic.)
pub fn same_padding(len: usize, window: usize, stride: usize) -> (usize, usize) {
    let stride = stride.max(1);
    let out = len.div_ceil(stride);
    let total = (out.saturating_sub(1) * stride + window).saturating_sub(len);
    (total / 2, total - total / 2)
}

fn expect_rank(layer: &Layer, shape: &[usize], rank: usize, what: &str) -> Result<(), IrError> {
    if shape.len() != rank {
        return Err(shape_err(
            layer,
            format!("expects a rank-{rank} input ({what}), got shape {shape:?}"),
        ));
    }
    Ok(())
}

/// Number of elements of a shape, or a shape error when it overflows.
fn elements(layer: &Layer, shape: &[usize]) -> Result<usize, IrError> {
    shape
        .iter()
        .try_fold(1usize, |a, &v| a.checked_mul(v))
        .ok_or_else(|| shape_err(layer, format!("shape {shape:?} has too many elements")))
}

/// Infer one layer's output shape from its input shapes.
pub fn infer_layer(layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
    let first = || inputs.first().cloned().unwrap_or_default();
    let positive = |v: usize, what: &str| -> Result<usize, IrError> {
        if v == 0 {
            Err(attr_err(layer, format!("{what} must be positive, got 0")))
        } else {
            Ok(v)
        }
    };
    match &layer.kind {
        LayerKind::Input { shape } => {
            if shape.is_empty() || shape.contains(&0) {
                return Err(attr_err(
                    layer,
                    format!("input shape {shape:?} must be non-empty with positive sizes"),
                ));
            }
            Ok(shape.clone())
        }
        LayerKind::Dense { units, .. } => {
            positive(*units, "units")?;
            let mut s = first();
            if s.is_empty() {
                return Err(shape_err(layer, "input has no dimensions".into()));
            }
            *s.last_mut().unwrap() = *units;
            Ok(s)
        }
        LayerKind::Conv1D {
            filters,
            kernel,
            stride,
            padding,
            ..
        } => {
            positive(*filters, "filters")?;
            positive(*kernel, "kernel_size")?;
            positive(*stride, "strides")?;
            let s = first();
            expect_rank(layer, &s, 2, "width, channels")?;
            let w = window_out(s[0], *kernel, *stride, *padding).ok_or_else(|| {
                shape_err(
                    layer,
                    format!("kernel {kernel} is larger than the input width {}", s[0]),
                )
            })?;
            Ok(vec![w, *filters])
        }
        LayerKind::Conv2D {
            filters,
            kernel,
            stride,
            padding,
            ..
        } => {
            positive(*filters, "filters")?;
            let s = first();
            expect_rank(layer, &s, 3, "height, width, channels")?;
            let mut out = vec![0, 0, *filters];
            for a in 0..2 {
                positive(kernel[a], "kernel_size")?;
                positive(stride[a], "strides")?;
                out[a] = window_out(s[a], kernel[a], stride[a], *padding).ok_or_else(|| {
                    shape_err(
                        layer,
                        format!("kernel {kernel:?} is larger than the input {:?}", &s[..2]),
                    )
                })?;
            }
            Ok(out)
        }
        LayerKind::Pool1D {
            pool,
            stride,
            padding,
            ..
        } => {
            positive(*pool, "pool_size")?;
            positive(*stride, "strides")?;
            let s = first();
            expect_rank(layer, &s, 2, "width, channels")?;
            let w = window_out(s[0], *pool, *stride, *padding).ok_or_else(|| {
                shape_err(
                    layer,
                    format!("pool {pool} is larger than the input width {}", s[0]),
                )
            })?;
            Ok(vec![w, s[1]])
        }
        LayerKind::Pool2D {
            pool,
            stride,
            padding,
            ..
        } => {
            let s = first();
            expect_rank(layer, &s, 3, "height, width, channels")?;
            let mut out = vec![0, 0, s[2]];
            for a in 0..2 {
                positive(pool[a], "pool_size")?;
                positive(stride[a], "strides")?;
                out[a] = window_out(s[a], pool[a], stride[a], *padding).ok_or_else(|| {
                    shape_err(
                        layer,
                        format!("pool {pool:?} is larger than the input {:?}", &s[..2]),
                    )
                })?;
            }
            Ok(out)
        }
        LayerKind::GlobalPool1D { .. } => {
            let s = first();
            expect_rank(layer, &s, 2, "width, channels")?;
            Ok(vec![s[1]])
        }
        LayerKind::GlobalPool2D { .. } => {
            let s = first();
            expect_rank(layer, &s, 3, "height, width, channels")?;
            Ok(vec![s[2]])
        }
        LayerKind::BatchNorm { .. } | LayerKind::Activation(_) | LayerKind::Dropout { .. } => {
            Ok(first())
        }
        LayerKind::Flatten => Ok(vec![elements(layer, &first())?]),
        LayerKind::Reshape { target } => {
            let n = elements(layer, &first())?;
            let zeros = target.iter().filter(|v| **v == 0).count();
            let known = target
                .iter()
                .filter(|v| **v != 0)
                .try_fold(1usize, |a, &v| a.checked_mul(v))
                .ok_or_else(|| shape_err(layer, format!("target {target:?} is too large")))?;
            let mut out = target.clone();
            match zeros {
                0 if known == n => {}
                1 if known > 0 && n % known == 0 => {
                    *out.iter_mut().find(|v| **v == 0).unwrap() = n / known;
                }
                _ => {
                    return Err(shape_err(
                        layer,
                        format!(
                            "cannot reshape {} elements {:?} to {:?}",
                            n,
                            first(),
                            target
                        ),
                    ))
                }
            }
            Ok(out)
        }
        LayerKind::Add => {
            let s = first();
            if let Some(o) = inputs.iter().find(|o| **o != s) {
                return Err(shape_err(
                    layer,
                    format!("operands have different shapes {s:?} and {o:?}"),
                ));
            }
            Ok(s)
        }
        LayerKind::Concatenate { axis } => {
            let s = first();
            let rank = s.len() as isize;
            // Keras counts the batch dimension as axis 0.
            let a = if *axis < 0 { rank + axis } else { axis - 1 };
            if a < 0 || a >= rank {
                return Err(attr_err(
                    layer,
                    format!("axis {axis} is out of range for rank-{rank} inputs"),
                ));
            }
            let a = a as usize;
            let mut out = s.clone();
            out[a] = 0;
            for o in inputs {
                let same_elsewhere = o.len() == s.len()
                    && o.iter()
                        .zip(&s)
                        .enumerate()
                        .all(|(i, (x, y))| i == a || x == y);
                if !same_elsewhere {
                    return Err(shape_err(
                        layer,
                        format!("operands {s:?} and {o:?} differ outside axis {axis}"),
                    ));
                }
                out[a] += o[a];
            }
            Ok(out)
        }
    }
}

/// Keras parameter count and MACs of a layer given its input and output shapes.
pub fn layer_cost(layer: &Layer, inputs: &[Shape], out: &[usize]) -> (u64, u64) {
    // Saturating arithmetic: absurd sizes from hostile files give u64::MAX, never a panic.
    let inp = inputs.first().map(|s| s.as_slice()).unwrap_or(&[]);
    let prod = |s: &[usize]| s.iter().fold(1u64, |a, &v| a.saturating_mul(v as u64));
    let mul = |a: u64, b: u64| a.saturating_mul(b);
    let bias = |on: bool, n: u64| if on { n } else { 0 };
    let c = *inp.last().unwrap_or(&0) as u64;
    match &layer.kind {
        LayerKind::Dense { units, use_bias } => {
            let u = *units as u64;
            let positions = prod(&inp[..inp.len().saturating_sub(1)]);
            (
                mul(c, u).saturating_add(bias(*use_bias, u)),
                mul(positions, mul(c, u)),
            )
        }
        LayerKind::Conv1D {
            filters,
            kernel,
            use_bias,
            ..
        } => {
            let f = *filters as u64;
            let k = mul(*kernel as u64, c);
            (
                mul(k, f).saturating_add(bias(*use_bias, f)),
                mul(prod(&out[..1]), mul(k, f)),
            )
        }
        LayerKind::Conv2D {
            filters,
            kernel,
            use_bias,
            ..
        } => {
            let f = *filters as u64;
            let k = mul(prod(kernel), c);
            (
                mul(k, f).saturating_add(bias(*use_bias, f)),
                mul(prod(&out[..2]), mul(k, f)),
            )
        }
        LayerKind::BatchNorm { center, scale, .. } => {
            let n = 2 + *center as u64 + *scale as u64;
            (mul(n, c), prod(inp))
        }
        _ => (0, 0),
    }
}

impl Network {
    /// Infer every layer's output shape (in topological order) and store it in the layer.
    pub fn infer_shapes(&mut self) -> Result<(), IrError> {
        if self.inputs.is_empty() {
            return Err(IrError::Empty("input layer"));
        }
        for id in self.topo_order()? {
            let ins: Vec<Shape> = self
                .inputs_of(id)
                .into_iter()
                .map(|i| self.graph[i].output_shape.clone())
                .collect();
            let out = infer_layer(&self.graph[id], &ins)?;
            self.check_weights(id, &ins)?;
            self.graph[id].output_shape = out;
        }
        self.default_outputs();
        Ok(())
    }

    /// Check that weights, when present, have the shapes the layer needs.
    fn check_weights(&self, id: NodeId, ins: &[Shape]) -> Result<(), IrError> {
        let layer = &self.graph[id];
        if layer.weights.is_empty() {
            return Ok(());
        }
        let c = ins.first().and_then(|s| s.last()).copied().unwrap_or(0);
        let expected: Vec<(&str, Vec<usize>)> = match &layer.kind {
            LayerKind::Dense { units, use_bias } => {
                let mut v = vec![("kernel", vec![c, *units])];
                if *use_bias {
                    v.push(("bias", vec![*units]));
                }
                v
            }
            LayerKind::Conv1D {
                filters,
                kernel,
                use_bias,
                ..
            } => {
                let mut v = vec![("kernel", vec![*kernel, c, *filters])];
                if *use_bias {
                    v.push(("bias", vec![*filters]));
                }
                v
            }
            LayerKind::Conv2D {
                filters,
                kernel,
                use_bias,
                ..
            } => {
                let mut v = vec![("kernel", vec![kernel[0], kernel[1], c, *filters])];
                if *use_bias {
                    v.push(("bias", vec![*filters]));
                }
                v
            }
            LayerKind::BatchNorm { center, scale, .. } => {
                let mut v = Vec::new();
                if *scale {
                    v.push(("gamma", vec![c]));
                }
                if *center {
                    v.push(("beta", vec![c]));
                }
                v.push(("moving_mean", vec![c]));
                v.push(("moving_variance", vec![c]));
                v
            }
            _ => vec![],
        };
        for (name, shape) in expected {
            match layer.weight(name) {
                None => {
                    return Err(attr_err(
                        layer,
                        format!("missing weight '{name}' of shape {shape:?}"),
                    ))
                }
                Some(t) if t.shape != shape => {
                    return Err(shape_err(
                        layer,
                        format!(
                            "weight '{name}' has shape {:?}, expected {shape:?}",
                            t.shape
                        ),
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Per-layer shapes, parameters and MACs, in topological order. Call after
    /// [`Network::infer_shapes`].
    pub fn stats(&self) -> Vec<LayerStats> {
        self.topo_order()
            .unwrap_or_default()
            .into_iter()
            .map(|id| {
                let layer = &self.graph[id];
                let ins: Vec<Shape> = self
                    .inputs_of(id)
                    .into_iter()
                    .map(|i| self.graph[i].output_shape.clone())
                    .collect();
                let (params, macs) = layer_cost(layer, &ins, &layer.output_shape);
                LayerStats {
                    name: layer.name.clone(),
                    kind: layer.kind.name().to_string(),
                    input_shape: ins,
                    output_shape: layer.output_shape.clone(),
                    params,
                    macs,
                }
            })
            .collect()
    }

    /// Total Keras parameter count.
    pub fn total_params(&self) -> u64 {
        self.stats()
            .iter()
            .fold(0u64, |a, s| a.saturating_add(s.params))
    }
    /// Total multiply-accumulates of one inference.
    pub fn total_macs(&self) -> u64 {
        self.stats()
            .iter()
            .fold(0u64, |a, s| a.saturating_add(s.macs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{Activation, PoolOp};

    #[test]
    fn jet_tagger_mlp_counts() {
        // KERAS_3layer: 16-64-32-32-5; Keras reports 4389 parameters.
        let mut n = Network::new("mlp");
        n.add_layer(Layer::new("in", LayerKind::Input { shape: vec![16] }), &[])
            .unwrap();
        let mut prev = "in".to_string();
        for (i, u) in [64, 32, 32, 5].iter().enumerate() {
            let name = format!("fc{i}");
            n.add_layer(
                Layer::new(
                    &name,
                    LayerKind::Dense {
                        units: *u,
                        use_bias: true,
                    },
                )
                .with_activation(Activation::Relu),
                &[&prev],
            )
            .unwrap();
            prev = name;
        }
        n.infer_shapes().unwrap();
        assert_eq!(n.total_params(), 4389);
        assert_eq!(n.total_macs(), 16 * 64 + 64 * 32 + 32 * 32 + 32 * 5);
    }

    #[test]
    fn conv_pool_shapes() {
        let mut n = Network::new("c");
        n.add_layer(
            Layer::new(
                "in",
                LayerKind::Input {
                    shape: vec![10, 9, 3],
                },
            ),
            &[],
        )
        .unwrap();
        n.add_layer(
            Layer::new(
                "c1",
                LayerKind::Conv2D {
                    filters: 4,
                    kernel: [3, 3],
                    stride: [1, 1],
                    padding: Padding::Valid,
                    use_bias: true,
                },
            ),
            &["in"],
        )
        .unwrap();
        n.add_layer(
            Layer::new(
                "c2",
                LayerKind::Conv2D {
                    filters: 2,
                    kernel: [3, 3],
                    stride: [2, 2],
                    padding: Padding::Same,
                    use_bias: false,
                },
            ),
            &["c1"],
        )
        .unwrap();
        n.add_layer(
            Layer::new(
                "p",
                LayerKind::Pool2D {
                    op: PoolOp::Max,
                    pool: [2, 2],
                    stride: [2, 2],
                    padding: Padding::Valid,
                },
            ),
            &["c2"],
        )
        .unwrap();
        n.infer_shapes().unwrap();
        let s = n.stats();
        assert_eq!(s[1].output_shape, vec![8, 7, 4]);
        assert_eq!(s[1].params, 3 * 3 * 3 * 4 + 4);
        assert_eq!(s[1].macs, 8 * 7 * 27 * 4);
        assert_eq!(s[2].output_shape, vec![4, 4, 2]); // ceil(8/2), ceil(7/2)
        assert_eq!(s[2].params, 3 * 3 * 4 * 2);
        assert_eq!(s[3].output_shape, vec![2, 2, 2]);
        assert_eq!(same_padding(7, 3, 2), (1, 1));
        assert_eq!(same_padding(8, 3, 2), (0, 1));
    }
}
