//! The per-kind hook of the lowering: how hls4ml's parser turns one IR layer into one hls4ml
//! node (its class and structural [`Op`]). Implemented once per IR kind, grouped by family
//! (`product.rs`, `pooling.rs`, `spatial.rs`, `basic.rs`), and dispatched through
//! [`ir::for_each_layer_kind!`], so a kind added to the registry without an implementation
//! here is a compile error, never a silent default.

mod basic;
mod depthwise;
mod dot;
mod fixed_point_quantizer;
mod garnet;
mod hgq2_attention;
mod permute;
mod pooling;
mod prelu;
mod product;
mod recurrent;
mod spatial;
mod time_distributed;
mod transformer;

pub use basic::activation_op;

use crate::error::{LowerError, Result};
use crate::op::Op;
use ir::{IoType, Layer, LayerKind};

/// What the parser sees of one IR layer.
pub struct ParseCx<'a> {
    pub layer: &'a Layer,
    /// Output shapes of the layers feeding this one, in operand order.
    pub inputs: &'a [&'a [usize]],
    pub io_type: IoType,
}

impl ParseCx<'_> {
    pub fn input(&self, k: usize) -> Result<&[usize]> {
        self.inputs
            .get(k)
            .copied()
            .ok_or_else(|| LowerError::Network {
                network: String::new(),
                message: format!("layer '{}' has no input {k}", self.layer.name),
            })
    }
    pub fn output(&self) -> &[usize] {
        &self.layer.output_shape
    }
    /// hls4ml 1.3.0 converts this layer (as `hls4ml_class`) but presynth does not lower it yet:
    /// the `Parse` of a kind added to the registry before its lowering. Codegen then refuses
    /// the network naming the layer; the estimator prices it from the IR alone.
    pub fn not_lowered(&self, hls4ml_class: &str) -> LowerError {
        LowerError::NotImplemented {
            layer: self.layer.name.clone(),
            kind: self.layer.kind.name().to_string(),
            message: format!(
                "its lowering to hls4ml's {hls4ml_class} (hls4ml 1.3.0 converts it; presynth does not lower it yet)"
            ),
        }
    }
    /// hls4ml 1.3.0 itself cannot convert this layer.
    pub fn not_in_hls4ml(&self, message: impl Into<String>) -> LowerError {
        LowerError::NotInHls4ml {
            layer: self.layer.name.clone(),
            kind: self.layer.kind.name().to_string(),
            message: message.into(),
        }
    }
}

/// The hls4ml node the parser makes of one IR layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// hls4ml's class name.
    pub class: &'static str,
    pub op: Op,
    /// The output keeps the input's precision whatever the configured result type (hls4ml's
    /// spatial copy layers: `add_output_variable(shape, precision=inp.type.precision)`).
    pub keeps_input_precision: bool,
    /// When not empty, the layer becomes these nodes instead, in order (hls4ml's handler of
    /// HGQ2's attention returns several layer configs); the last one is the layer's output.
    pub decomposed: Vec<SubNode>,
}

/// One node of a decomposed layer, named `{layer}_{suffix}`.
#[derive(Debug, Clone, PartialEq)]
pub struct SubNode {
    pub suffix: String,
    pub class: &'static str,
    pub op: Op,
    pub shape: Vec<usize>,
    pub inputs: Vec<SubInput>,
}

/// What a [`SubNode`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubInput {
    /// The layer's operand `k`.
    Operand(usize),
    /// The output of an earlier sub-node.
    Node(usize),
}

impl Parsed {
    pub fn new(class: &'static str, op: Op) -> Parsed {
        Parsed {
            class,
            op,
            keeps_input_precision: false,
            decomposed: Vec::new(),
        }
    }
}

/// One IR kind's parse into hls4ml's node.
pub trait Parse {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed>;
}

macro_rules! parse_dispatch {
    (
        data { $( $V:ident ( $T:ident ) $m:ident ),* $(,)? }
        unit { $( $U:ident $um:ident ),* $(,)? }
    ) => {
        /// Parse one layer through its kind's [`Parse`] implementation.
        pub fn parse_layer(cx: &ParseCx) -> Result<Parsed> {
            match &cx.layer.kind {
                $( LayerKind::$V(op) => Parse::parse(op, cx), )*
                $( LayerKind::$U => Parse::parse(&ir::ops::$um::$U, cx), )*
            }
        }
    };
}

ir::for_each_layer_kind!(parse_dispatch);

/// (before, after) padding of a `window` moved by `stride` over `len` (Keras `same`).
pub(crate) fn pads(
    padding: ir::Padding,
    len: usize,
    window: usize,
    stride: usize,
) -> (usize, usize) {
    match padding {
        ir::Padding::Valid => (0, 0),
        ir::Padding::Same => ir::shape::same_padding(len, window, stride),
    }
}

/// The dimension `i` of a shape, 0 when the shape is shorter (shape inference rejected those).
pub(crate) fn dim(s: &[usize], i: usize) -> usize {
    s.get(i).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_not_lowered_yet_is_named_in_the_error() {
        let layer = Layer::new("ln1", LayerKind::Flatten);
        let cx = ParseCx {
            layer: &layer,
            inputs: &[],
            io_type: IoType::Parallel,
        };
        let e = cx.not_lowered("LayerNormalization").to_string();
        assert_eq!(
            e,
            "layer 'ln1' (Flatten): not implemented in presynth yet: its lowering to hls4ml's \
             LayerNormalization (hls4ml 1.3.0 converts it; presynth does not lower it yet)"
        );
    }
}
