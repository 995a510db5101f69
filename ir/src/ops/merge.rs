//! Element-wise merges of inputs of one shape: Keras's Add, Subtract, Multiply, Average,
//! Maximum and Minimum (hls4ml's `Merge` layer, `nnet::add/subtract/multiply/average/maximum/
//! minimum` in nnet_merge.h). One kind with the operation as its attribute.

use super::util::{first, shape_err};
use super::{Arity, Cost, LayerOp};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

/// The element-wise operation of a [`Merge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MergeOp {
    Add,
    Subtract,
    Multiply,
    Average,
    Maximum,
    Minimum,
}

impl MergeOp {
    /// Every operation, in declaration order.
    pub const ALL: [MergeOp; 6] = [
        MergeOp::Add,
        MergeOp::Subtract,
        MergeOp::Multiply,
        MergeOp::Average,
        MergeOp::Maximum,
        MergeOp::Minimum,
    ];
    /// The Keras class (also the kind's table name).
    pub fn keras_class(self) -> &'static str {
        match self {
            MergeOp::Add => "Add",
            MergeOp::Subtract => "Subtract",
            MergeOp::Multiply => "Multiply",
            MergeOp::Average => "Average",
            MergeOp::Maximum => "Maximum",
            MergeOp::Minimum => "Minimum",
        }
    }
    /// The lower-case spelling: hls4ml's `op` attribute and `nnet::` function, the DSL keyword
    /// and the architecture-key token.
    pub fn lower(self) -> &'static str {
        match self {
            MergeOp::Add => "add",
            MergeOp::Subtract => "subtract",
            MergeOp::Multiply => "multiply",
            MergeOp::Average => "average",
            MergeOp::Maximum => "maximum",
            MergeOp::Minimum => "minimum",
        }
    }
    /// The operation a Keras class builds, if it is an element-wise merge.
    pub fn from_keras_class(class: &str) -> Option<MergeOp> {
        MergeOp::ALL
            .into_iter()
            .find(|op| op.keras_class() == class)
    }
    /// The operation of a lower-case spelling ([`MergeOp::lower`]).
    pub fn from_lower(s: &str) -> Option<MergeOp> {
        MergeOp::ALL.into_iter().find(|op| op.lower() == s)
    }
}

/// An element-wise merge. Serialised as `{"Merge":{"op":"Subtract"}}`; the unit spelling
/// `"Add"` of earlier model files still reads as an `Add` merge (see `LayerKindWire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    pub op: MergeOp,
}

impl Merge {
    pub const ADD: Merge = Merge { op: MergeOp::Add };
}

impl LayerOp for Merge {
    fn name(&self) -> &'static str {
        self.op.keras_class()
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        match self.op {
            MergeOp::Add => &["Add"],
            MergeOp::Subtract => &["Subtract"],
            MergeOp::Multiply => &["Multiply"],
            MergeOp::Average => &["Average"],
            MergeOp::Maximum => &["Maximum"],
            MergeOp::Minimum => &["Minimum"],
        }
    }
    fn arity(&self) -> Arity {
        match self.op {
            // keras.layers.Subtract refuses anything but exactly two inputs
            MergeOp::Subtract => Arity::Exactly(2),
            MergeOp::Add
            | MergeOp::Multiply
            | MergeOp::Average
            | MergeOp::Maximum
            | MergeOp::Minimum => Arity::AtLeastTwo,
        }
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let s = first(inputs);
        if let Some(o) = inputs.iter().find(|o| **o != s) {
            return Err(shape_err(
                layer,
                format!("operands have different shapes {s:?} and {o:?}"),
            ));
        }
        Ok(s)
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LayerKind;

    #[test]
    fn the_unit_add_of_earlier_files_still_reads() {
        // presynth before the Merge kind wrote an Add layer's kind as the bare string "Add"
        let old: LayerKind = serde_json::from_str("\"Add\"").unwrap();
        assert_eq!(old, LayerKind::Merge(Merge::ADD));
        for op in MergeOp::ALL {
            let k = LayerKind::Merge(Merge { op });
            let text = serde_json::to_string(&k).unwrap();
            assert_eq!(serde_json::from_str::<LayerKind>(&text).unwrap(), k);
        }
        let sub = serde_json::to_string(&LayerKind::Merge(Merge {
            op: MergeOp::Subtract,
        }))
        .unwrap();
        assert_eq!(sub, r#"{"Merge":{"op":"Subtract"}}"#);
    }

    #[test]
    fn spellings_round_trip_and_subtract_takes_two() {
        for op in MergeOp::ALL {
            assert_eq!(MergeOp::from_keras_class(op.keras_class()), Some(op));
            assert_eq!(MergeOp::from_lower(op.lower()), Some(op));
        }
        assert_eq!(MergeOp::from_keras_class("Dot"), None);
        let sub = LayerKind::Merge(Merge {
            op: MergeOp::Subtract,
        });
        assert_eq!(sub.arity(), Some(2));
        assert_eq!(LayerKind::Merge(Merge::ADD).arity(), None);
    }
}
