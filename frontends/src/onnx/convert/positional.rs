//! ONNX `Add` of a computed sequence and a constant of its shape — a learned positional
//! embedding (`x + self.pos_embedding` in PyTorch, a `[seq, d]` or `[1, seq, d]` initializer)
//! → IR `PositionalAdd` holding the constant as its `embedding` weight. hls4ml 1.3.0's ONNX
//! flow makes the same Add an `ApplyAlpha` with scale 1 and one bias per element
//! (`MergeToApplyAlpha`). Tensors held channels-last are refused (the constant would need
//! its channels moved; no exporter writes that for a sequence).

use super::{f32_tensor, Converter, Layout, NodeResult};
use crate::onnx::proto::NodeProto;
use ir::{Layer, LayerKind};

impl Converter<'_> {
    /// Whether `node` is an Add of exactly one constant and one computed tensor.
    pub(super) fn adds_a_constant(&self, node: &NodeProto) -> bool {
        node.input.len() == 2
            && node
                .input
                .iter()
                .filter(|i| self.consts.contains_key(*i))
                .count()
                == 1
    }

    pub(super) fn positional_add(&mut self, node: &NodeProto) -> NodeResult {
        let (var, k) = if self.consts.contains_key(&node.input[1]) {
            (&node.input[0], &node.input[1])
        } else {
            (&node.input[1], &node.input[0])
        };
        let x = self.value(var)?;
        let shape = self.ir_shape(&x);
        let c = self.constant(k, "the added constant")?.clone();
        // the constant's shape without leading unit (batch) dimensions
        let lead = c.shape.iter().take_while(|&&d| d == 1).count();
        let c_shape = &c.shape[lead.min(c.shape.len().saturating_sub(shape.len()))..];
        if c_shape != shape.as_slice() || shape.len() < 2 {
            return Err(format!(
                "operand '{k}' is a constant of shape {:?}: only a constant of the other operand's shape {shape:?} (a positional embedding of a [seq, features] sequence) is read; hls4ml makes a bias layer of other constants, which the IR has no kind for here",
                c.shape
            ));
        }
        if x.layout != Layout::Same {
            return Err(format!(
                "operand '{var}' is a channels-first tensor held channels-last; a constant added to it is not supported"
            ));
        }
        if c.quant.is_some() {
            return Err(format!(
                "operand '{k}' is quantised; a quantised positional embedding is not supported"
            ));
        }
        let name = self.layer_name(node, "");
        let mut layer = Layer::new(name, LayerKind::PositionalAdd);
        layer.weights.push((
            "embedding".into(),
            f32_tensor(shape.clone(), c.data.iter().copied()),
        ));
        let l = self.add(layer, &[&x.layer])?;
        self.set(node, l, Layout::Same);
        Ok(())
    }
}
