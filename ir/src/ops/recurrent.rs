//! Recurrent layers: Keras `SimpleRNN`, `LSTM` and `GRU` (one kind, [`Recurrent`], whose
//! [`Cell`] says which), alone or wrapped in `Bidirectional` (hls4ml 1.3.0's
//! `converters/keras/recurrent.py`; `nnet_recurrent.h`). The input is `(timesteps, features)`;
//! the output is the last hidden state `(units)`, or every step's `(timesteps, units)` with
//! `return_sequences`. A bidirectional layer runs the same cell forward and backward; its output
//! width is `2·units` when the two are concatenated (`merge_mode="concat"`), else `units`.
//!
//! Keras's weights per direction: `kernel` `(features, G·units)`, `recurrent_kernel`
//! `(units, G·units)` and `bias`, with G = 1 (SimpleRNN), 4 (LSTM, gate order i, f, c, o) or
//! 3 (GRU, order z, r, h). A GRU with `reset_after` (Keras's default) has a second, recurrent
//! bias: its `bias` is `(2, 3·units)`.

use super::util::{attr_err, expect_rank, first, positive, shape_err, within_cost};
use super::{Activation, Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

/// The recurrent cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Cell {
    SimpleRnn,
    Lstm,
    Gru,
}

impl Cell {
    /// Keras's (and hls4ml's) class name.
    pub fn keras_class(self) -> &'static str {
        match self {
            Cell::SimpleRnn => "SimpleRNN",
            Cell::Lstm => "LSTM",
            Cell::Gru => "GRU",
        }
    }
    /// Gate blocks of the weight matrices (the `G` of `G·units` columns).
    pub fn gates(self) -> usize {
        match self {
            Cell::SimpleRnn => 1,
            Cell::Lstm => 4,
            Cell::Gru => 3,
        }
    }
    /// Element-wise products per unit and step besides the matrix products: LSTM
    /// c = f·c + i·g and h = o·act(c) (3); GRU r·(recurrent part) and h = z·h + (1 − z)·h̃ (3);
    /// SimpleRNN none.
    pub fn elementwise_products(self) -> usize {
        match self {
            Cell::SimpleRnn => 0,
            Cell::Lstm | Cell::Gru => 3,
        }
    }
    /// Whether the cell has a `recurrent_activation` (the gates' activation).
    pub fn has_gates(self) -> bool {
        !matches!(self, Cell::SimpleRnn)
    }
}

/// How a bidirectional layer combines its two directions (Keras `merge_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BidiMerge {
    Concat,
    Sum,
    Mul,
    Ave,
}

impl BidiMerge {
    pub fn keras_name(self) -> &'static str {
        match self {
            BidiMerge::Concat => "concat",
            BidiMerge::Sum => "sum",
            BidiMerge::Mul => "mul",
            BidiMerge::Ave => "ave",
        }
    }
    pub fn from_keras(name: &str) -> Option<BidiMerge> {
        Some(match name {
            "concat" => BidiMerge::Concat,
            "sum" => BidiMerge::Sum,
            "mul" => BidiMerge::Mul,
            "ave" => BidiMerge::Ave,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recurrent {
    pub cell: Cell,
    pub units: usize,
    /// The cell's activation (Keras `activation`, tanh by default).
    pub activation: Activation,
    /// The gates' activation (Keras `recurrent_activation`, sigmoid by default); unused by
    /// SimpleRNN, which keeps Linear here.
    pub recurrent_activation: Activation,
    pub use_bias: bool,
    pub return_sequences: bool,
    /// Process the sequence last step first (the forward layer's `go_backwards`).
    pub go_backwards: bool,
    /// GRU only: apply the reset gate after the recurrent product (Keras's default, true);
    /// false for the other cells.
    pub reset_after: bool,
    /// `Some` for a `Bidirectional` wrapper (both directions the same cell and sizes).
    pub bidirectional: Option<BidiMerge>,
}

impl Recurrent {
    /// 2 for a bidirectional layer, else 1.
    pub fn directions(&self) -> usize {
        if self.bidirectional.is_some() {
            2
        } else {
            1
        }
    }
    /// Width of one step's output.
    pub fn out_width(&self) -> usize {
        match self.bidirectional {
            Some(BidiMerge::Concat) => self.units.saturating_mul(2),
            _ => self.units,
        }
    }
    /// Whether the bias has Keras's second (recurrent) row: a GRU with `reset_after`.
    pub fn two_biases(&self) -> bool {
        self.cell == Cell::Gru && self.reset_after
    }
    /// (timesteps, features) of an input shape (zeros when it is not rank 2).
    fn steps_features(inputs: &[Shape]) -> (usize, usize) {
        match first(inputs).as_slice() {
            [t, f] => (*t, *f),
            _ => (0, 0),
        }
    }
}

const FORWARD: [&str; 3] = ["kernel", "recurrent_kernel", "bias"];
const FORWARD_BIDI: [&str; 3] = ["forward_kernel", "forward_recurrent_kernel", "forward_bias"];
const BACKWARD_BIDI: [&str; 3] = [
    "backward_kernel",
    "backward_recurrent_kernel",
    "backward_bias",
];

impl LayerOp for Recurrent {
    fn name(&self) -> &'static str {
        match self.bidirectional {
            Some(_) => "Bidirectional",
            None => self.cell.keras_class(),
        }
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["SimpleRNN", "LSTM", "GRU", "Bidirectional"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        positive(layer, self.units, "units")?;
        let s = first(inputs);
        expect_rank(layer, &s, 2, "timesteps, features")?;
        if s[0] == 0 || s[1] == 0 {
            return Err(shape_err(layer, format!("input {s:?} has an empty axis")));
        }
        if self.reset_after && self.cell != Cell::Gru {
            return Err(attr_err(layer, "reset_after applies to GRU only".into()));
        }
        let out = if self.return_sequences {
            vec![s[0], self.out_width()]
        } else {
            vec![self.out_width()]
        };
        within_cost(layer, self.cost(inputs, &out))?;
        Ok(out)
    }
    /// Parameters per direction: G·units·(features + units) weights plus G·units biases (twice
    /// that for a `reset_after` GRU). MACs: every step, per direction, the two matrix products
    /// (features·G·units + units·G·units) and the cell's element-wise products
    /// ([`Cell::elementwise_products`] per unit); e.g. LSTM(4) over (5, 3):
    /// 5·(3·16 + 4·16 + 3·4) = 5·124 = 620.
    fn cost(&self, inputs: &[Shape], _output: &[usize]) -> Cost {
        let (t, f) = Self::steps_features(inputs);
        let (u, g) = (self.units as u64, self.cell.gates() as u64);
        let dirs = self.directions() as u64;
        let cols = g.saturating_mul(u);
        let bias = if !self.use_bias {
            0
        } else if self.two_biases() {
            cols.saturating_mul(2)
        } else {
            cols
        };
        let mats = (f as u64).saturating_add(u).saturating_mul(cols);
        let step = mats.saturating_add(u.saturating_mul(self.cell.elementwise_products() as u64));
        Cost {
            params: dirs.saturating_mul(mats.saturating_add(bias)),
            macs: dirs.saturating_mul(step).saturating_mul(t as u64),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let (_, f) = Self::steps_features(inputs);
        let cols = self.cell.gates().saturating_mul(self.units);
        let groups: &[[&'static str; 3]] = match self.bidirectional {
            None => &[FORWARD],
            Some(_) => &[FORWARD_BIDI, BACKWARD_BIDI],
        };
        let mut v = Vec::new();
        for [k, rk, b] in groups {
            v.push(WeightSpec {
                name: k,
                shape: vec![f, cols],
                role: WeightRole::Kernel,
            });
            v.push(WeightSpec {
                name: rk,
                shape: vec![self.units, cols],
                // Keras initialises it orthogonal; random weights draw it like a kernel.
                role: WeightRole::Kernel,
            });
            if self.use_bias {
                v.push(WeightSpec {
                    name: b,
                    shape: if self.two_biases() {
                        vec![2, cols]
                    } else {
                        vec![cols]
                    },
                    role: WeightRole::Bias,
                });
            }
        }
        v
    }
    /// The input product hls4ml sizes its reuse factor by (`mult_config1`: features ×
    /// G·units); the recurrent one (units × G·units) has the same reuse factor.
    fn product_shape(&self, inputs: &[Shape]) -> Option<(u64, u64)> {
        let (_, f) = Self::steps_features(inputs);
        Some((
            f as u64,
            (self.cell.gates() as u64).saturating_mul(self.units as u64),
        ))
    }
}
