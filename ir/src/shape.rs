//! Shape inference over a network, with Keras-compatible parameter counts (BatchNorm moving
//! statistics included, as `count_params()` counts them) and multiply-accumulate counts; each
//! kind's rule is its registry entry ([`crate::ops`]). Also the window arithmetic the kinds
//! share.

use crate::graph::{Network, NodeId};
use crate::layer::{Layer, Padding};
use crate::ops::util::{attr_err, shape_err};
use crate::ops::WeightSpec;
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
    /// Keras `count_params()`: the kind's parameters plus an HGQ2 layer's quantizer state.
    pub params: u64,
    pub macs: u64,
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

/// Infer one layer's output shape from its input shapes (the kind's registry entry).
pub fn infer_layer(layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
    layer.kind.op().infer(layer, inputs)
}

/// Keras parameter count and MACs of a layer given its input and output shapes.
pub fn layer_cost(layer: &Layer, inputs: &[Shape], out: &[usize]) -> (u64, u64) {
    let c = layer.kind.op().cost(inputs, out);
    (c.params, c.macs)
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
        let expected = layer.kind.op().weights(ins);
        for WeightSpec { name, shape, .. } in expected {
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
            .map(|id| self.layer_stats(id))
            .collect()
    }

    /// The shapes, parameters and MACs of one layer (one item of [`Network::stats`]), for
    /// callers that go through a large network a layer at a time.
    pub fn layer_stats(&self, id: NodeId) -> LayerStats {
        let layer = &self.graph[id];
        let ins: Vec<Shape> = self
            .inputs_of(id)
            .into_iter()
            .map(|i| self.graph[i].output_shape.clone())
            .collect();
        let (params, macs) = layer_cost(layer, &ins, &layer.output_shape);
        let params = params.saturating_add(layer.quantizer_params);
        LayerStats {
            name: layer.name.clone(),
            kind: layer.kind.name().to_string(),
            input_shape: ins,
            output_shape: layer.output_shape.clone(),
            params,
            macs,
        }
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
    use crate::layer::{Activation, LayerKind, PoolOp};

    #[test]
    fn jet_tagger_mlp_counts() {
        // KERAS_3layer: 16-64-32-32-5; Keras reports 4389 parameters.
        let mut n = Network::new("mlp");
        n.add_layer(
            Layer::new(
                "in",
                LayerKind::Input(crate::ops::Input { shape: vec![16] }),
            ),
            &[],
        )
        .unwrap();
        let mut prev = "in".to_string();
        for (i, u) in [64, 32, 32, 5].iter().enumerate() {
            let name = format!("fc{i}");
            n.add_layer(
                Layer::new(
                    &name,
                    LayerKind::Dense(crate::ops::Dense {
                        units: *u,
                        use_bias: true,
                    }),
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
                LayerKind::Input(crate::ops::Input {
                    shape: vec![10, 9, 3],
                }),
            ),
            &[],
        )
        .unwrap();
        n.add_layer(
            Layer::new(
                "c1",
                LayerKind::Conv2D(crate::ops::Conv2D {
                    filters: 4,
                    kernel: [3, 3],
                    stride: [1, 1],
                    padding: Padding::Valid,
                    use_bias: true,
                }),
            ),
            &["in"],
        )
        .unwrap();
        n.add_layer(
            Layer::new(
                "c2",
                LayerKind::Conv2D(crate::ops::Conv2D {
                    filters: 2,
                    kernel: [3, 3],
                    stride: [2, 2],
                    padding: Padding::Same,
                    use_bias: false,
                }),
            ),
            &["c1"],
        )
        .unwrap();
        n.add_layer(
            Layer::new(
                "p",
                LayerKind::Pool2D(crate::ops::Pool2D {
                    op: PoolOp::Max,
                    pool: [2, 2],
                    stride: [2, 2],
                    padding: Padding::Valid,
                }),
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
