//! Lowering of the spatial copy layers (ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D) to
//! hls4ml's `ZeroPadding*`, `Cropping*` and `Resize` layers. As in hls4ml 1.3.0
//! (`model/layers.py`: `add_output_variable(shape, precision=inp.type.precision)`), the output
//! keeps the input's precision whatever the configured result type; Keras's UpSampling1D is a
//! Resize of height 1 (`converters/keras/reshape.py`).

use super::Lowerer;
use crate::error::Result;
use crate::model::Op;
use ir::{LayerKind, NodeId};

impl Lowerer<'_> {
    pub(super) fn spatial(
        &mut self,
        id: NodeId,
        layer: &ir::Layer,
        rs: &ir::settings::ResolvedSettings,
    ) -> Result<()> {
        let input = self.input_var(id, 0)?;
        let in_shape = self.m.vars[input].shape.clone();
        let out = layer.output_shape.clone();
        let dim = |s: &[usize], i: usize| s.get(i).copied().unwrap_or(0);
        let op = match &layer.kind {
            LayerKind::ZeroPadding1D(ir::ops::ZeroPadding1D { pad: [a, b] }) => Op::ZeroPadding1D {
                in_width: dim(&in_shape, 0),
                n_chan: dim(&in_shape, 1),
                out_width: dim(&out, 0),
                before: *a,
                after: *b,
            },
            LayerKind::ZeroPadding2D(ir::ops::ZeroPadding2D { pad }) => Op::ZeroPadding2D {
                in_height: dim(&in_shape, 0),
                in_width: dim(&in_shape, 1),
                n_chan: dim(&in_shape, 2),
                out_height: dim(&out, 0),
                out_width: dim(&out, 1),
                sides: *pad,
            },
            LayerKind::Cropping1D(ir::ops::Cropping1D { crop: [a, b] }) => Op::Cropping1D {
                in_width: dim(&in_shape, 0),
                n_chan: dim(&in_shape, 1),
                out_width: dim(&out, 0),
                before: *a,
                after: *b,
            },
            LayerKind::Cropping2D(ir::ops::Cropping2D { crop }) => Op::Cropping2D {
                in_height: dim(&in_shape, 0),
                in_width: dim(&in_shape, 1),
                n_chan: dim(&in_shape, 2),
                out_height: dim(&out, 0),
                out_width: dim(&out, 1),
                sides: *crop,
            },
            LayerKind::UpSampling1D(_) => Op::Resize {
                in_height: 1,
                in_width: dim(&in_shape, 0),
                n_chan: dim(&in_shape, 1),
                out_height: 1,
                out_width: dim(&out, 0),
            },
            LayerKind::UpSampling2D(_) => Op::Resize {
                in_height: dim(&in_shape, 0),
                in_width: dim(&in_shape, 1),
                n_chan: dim(&in_shape, 2),
                out_height: dim(&out, 0),
                out_width: dim(&out, 1),
            },
            LayerKind::Input(_)
            | LayerKind::Dense(_)
            | LayerKind::Conv1D(_)
            | LayerKind::Conv2D(_)
            | LayerKind::Pool1D(_)
            | LayerKind::Pool2D(_)
            | LayerKind::GlobalPool1D(_)
            | LayerKind::GlobalPool2D(_)
            | LayerKind::BatchNorm(_)
            | LayerKind::Activation(_)
            | LayerKind::Reshape(_)
            | LayerKind::Concatenate(_)
            | LayerKind::Dropout(_)
            | LayerKind::Flatten
            | LayerKind::Add
            | LayerKind::MultiHeadAttention(_)
            | LayerKind::LayerNorm(_)
            | LayerKind::EinsumDense(_)
            | LayerKind::Embedding(_) => unreachable!("spatial lowering of {}", layer.kind.name()),
        };
        let class_name = if matches!(op, Op::Resize { .. }) {
            "Resize"
        } else {
            layer.kind.name()
        };
        let mut settings = layer.settings.clone();
        settings.precision.result = Some(self.m.vars[input].precision.clone());
        let v = self.push(
            layer.name.clone(),
            class_name,
            op,
            vec![input],
            out,
            &settings,
            rs.strategy,
            rs.reuse_factor,
            vec![],
            vec![],
        );
        self.out_of.insert(id, v);
        Ok(())
    }
}
