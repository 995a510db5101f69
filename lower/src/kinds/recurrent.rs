//! The recurrent kind (SimpleRNN, LSTM, GRU, Bidirectional) parsed as hls4ml 1.3.0's Vivado/Vitis
//! backend does: LSTM and GRU become its `LSTM`/`GRU` classes (`recurrent_templates.py`,
//! `nnet_recurrent.h`: `lstm_stack`, `gru_stack`), a Bidirectional its `Bidirectional` class
//! (`bidirectional_stack`). What hls4ml itself cannot write is refused as such:
//! SimpleRNN (no Vivado config or function template for it: on `SimpleRNN(4)` over (5, 3) hls4ml
//! wrote the weights and a `myproject.cpp` without any call for the layer), `go_backwards` (hls4ml's Keras
//! handler sets `direction='forward'` whatever the layer says), a Bidirectional
//! `merge_mode` other than concat (`bidirectional_stack` always concatenates), a Bidirectional in
//! io_stream (Vitis's `ValidateBidirectionalIoType` raises; `nnet_recurrent.h` has no stream
//! `bidirectional_stack`), a GRU with `reset_after=false` (hls4ml reads its 1-D bias as the two
//! rows of a `reset_after` one and computes the reset-after cell), and cell activations other
//! than the three classes of `nnet_recr_activations.h` (relu, sigmoid, tanh).

use super::{Parse, ParseCx, Parsed};
use crate::error::{LowerError, Result};
use crate::op::Op;
use ir::ops::{BidiMerge, Cell};
use ir::IoType;

impl Parse for ir::ops::Recurrent {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        if self.cell == Cell::SimpleRnn {
            return Err(cx.not_in_hls4ml(
                "hls4ml 1.3.0's Vivado/Vitis backend has no SimpleRNN template \
                 (recurrent_templates.py covers LSTM and GRU): the project it writes has no \
                 call for the layer, whose output is never computed",
            ));
        }
        if self.go_backwards {
            return Err(cx.not_in_hls4ml(
                "go_backwards=true: hls4ml 1.3.0 runs the sequence forward whatever the layer says",
            ));
        }
        if self.cell == Cell::Gru && !self.reset_after {
            return Err(cx.not_in_hls4ml(
                "reset_after=false: hls4ml 1.3.0 splits the bias as the (2, 3·units) one of \
                 reset_after=true and always applies the reset gate after the recurrent product \
                 (gru_static: \"Assuming reset_after is false\" computes r·(W_h·h))",
            ));
        }
        if let Some(m @ (BidiMerge::Sum | BidiMerge::Mul | BidiMerge::Ave)) = self.bidirectional {
            return Err(cx.not_in_hls4ml(format!(
                "merge_mode='{}': hls4ml 1.3.0's bidirectional_stack always concatenates",
                m.keras_name()
            )));
        }
        if self.bidirectional.is_some() && cx.io_type == IoType::Stream {
            return Err(cx.not_in_hls4ml(
                "Bidirectional in io_stream: hls4ml 1.3.0's Vitis backend refuses it \
                 (ValidateBidirectionalIoType) and nnet_recurrent.h has no stream \
                 bidirectional_stack; use io_parallel",
            ));
        }
        if self.bidirectional.is_some() && self.cell == Cell::Gru && self.use_bias {
            return Err(cx.not_in_hls4ml(
                "a Bidirectional GRU with a bias: hls4ml 1.3.0's Keras 3 handler tests the \
                 wrapped cell against keras.layers.GRU, never splits the (2, 3·units) bias into \
                 its input and recurrent rows, and fails ('NoneType' object has no attribute \
                 'shape'; checked on the harness model bigru with use_bias=True)",
            ));
        }
        let activation = recr_activation(cx, self.activation, "activation")?;
        let recurrent_activation =
            recr_activation(cx, self.recurrent_activation, "recurrent_activation")?;
        let (n_sequence, n_in) = match cx.input(0)? {
            [t, f] => (*t, *f),
            s => {
                return Err(LowerError::Network {
                    network: String::new(),
                    message: format!(
                    "layer '{}' reads a {}-D input {s:?} where (timesteps, features) was inferred",
                    cx.layer.name,
                    s.len()
                ),
                })
            }
        };
        let class = match (self.bidirectional, self.cell) {
            (Some(_), _) => "Bidirectional",
            (None, Cell::Gru) => "GRU",
            (None, Cell::Lstm | Cell::SimpleRnn) => "LSTM",
        };
        Ok(Parsed::new(
            class,
            Op::Recurrent {
                cell: self.cell,
                n_sequence,
                n_in,
                n_state: self.units,
                return_sequences: self.return_sequences,
                bidirectional: self.bidirectional.is_some(),
                activation,
                recurrent_activation,
                use_static: cx.layer.settings.recurrent_static.unwrap_or(true),
            },
        ))
    }
}

/// The `nnet::activation::` class of a cell activation: `nnet_recr_activations.h` has relu,
/// sigmoid and tanh only (the config names `activation.__name__`, so hls4ml's project for any
/// other does not compile).
fn recr_activation(cx: &ParseCx, act: ir::Activation, field: &str) -> Result<&'static str> {
    match act {
        ir::Activation::Relu => Ok("relu"),
        ir::Activation::Sigmoid => Ok("sigmoid"),
        ir::Activation::Tanh => Ok("tanh"),
        ir::Activation::Linear
        | ir::Activation::Softmax
        | ir::Activation::Softplus
        | ir::Activation::Softsign
        | ir::Activation::Selu
        | ir::Activation::LeakyRelu { .. }
        | ir::Activation::Elu { .. }
        | ir::Activation::ThresholdedRelu { .. }
        | ir::Activation::HardSigmoid
        | ir::Activation::HardTanh
        | ir::Activation::QKerasHardSigmoid
        | ir::Activation::QKerasHardTanh
        | ir::Activation::BinaryTanh => Err(cx.not_in_hls4ml(format!(
            "{field}='{}': hls4ml 1.3.0 writes nnet::activation::{} into the recurrent config, \
             and nnet_recr_activations.h has only relu, sigmoid and tanh",
            act.name(),
            act.name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use crate::{LowerError, Op};
    use ir::ops::{Activation, BidiMerge, Cell, Input, Recurrent};
    use ir::{IoType, Layer, LayerKind, Network};

    fn lower(r: Recurrent) -> LowerError {
        lowered(r, IoType::Parallel).unwrap_err()
    }

    fn lowered(r: Recurrent, io: IoType) -> std::result::Result<crate::Graph, LowerError> {
        let mut net = Network::new("t");
        net.config.io_type = io;
        net.add_layer(
            Layer::new("in", LayerKind::Input(Input { shape: vec![5, 3] })),
            &[],
        )
        .unwrap();
        net.add_layer(Layer::new("rnn", LayerKind::Recurrent(r)), &["in"])
            .unwrap();
        net.infer_shapes().unwrap();
        crate::lower(&net)
    }

    fn rnn(cell: Cell) -> Recurrent {
        Recurrent {
            cell,
            units: 4,
            activation: Activation::Tanh,
            recurrent_activation: Activation::Sigmoid,
            use_bias: true,
            return_sequences: false,
            go_backwards: false,
            reset_after: cell == Cell::Gru,
            bidirectional: None,
        }
    }

    #[test]
    fn what_hls4ml_cannot_write_is_refused_as_such() {
        let not_in =
            |r| matches!(lower(r), LowerError::NotInHls4ml { ref layer, .. } if layer == "rnn");
        assert!(not_in(rnn(Cell::SimpleRnn)));
        assert!(not_in(Recurrent {
            reset_after: false,
            ..rnn(Cell::Gru)
        }));
        assert!(not_in(Recurrent {
            go_backwards: true,
            ..rnn(Cell::Lstm)
        }));
        assert!(not_in(Recurrent {
            bidirectional: Some(BidiMerge::Sum),
            ..rnn(Cell::Gru)
        }));
        assert!(not_in(Recurrent {
            bidirectional: Some(BidiMerge::Concat),
            ..rnn(Cell::Gru)
        }));
        // the same without a bias is converted (harness model bigru)
        assert!(lowered(
            Recurrent {
                bidirectional: Some(BidiMerge::Concat),
                use_bias: false,
                ..rnn(Cell::Gru)
            },
            IoType::Parallel
        )
        .is_ok());
    }

    #[test]
    fn lstm_gru_and_bidirectional_become_hls4ml_classes() {
        // hls4ml 1.3.0 on the harness models lstm_last, lstm_seq_gru, bilstm: classes LSTM,
        // GRU, Bidirectional, n_in = features, n_sequence = timesteps, n_state = units
        for (r, class) in [
            (rnn(Cell::Lstm), "LSTM"),
            (rnn(Cell::Gru), "GRU"),
            (
                Recurrent {
                    bidirectional: Some(BidiMerge::Concat),
                    ..rnn(Cell::Lstm)
                },
                "Bidirectional",
            ),
        ] {
            let bidi = r.bidirectional.is_some();
            let g = lowered(r, IoType::Parallel).unwrap();
            let n = g.nodes.iter().find(|n| n.name == "rnn").unwrap();
            assert_eq!(n.class, class);
            assert_eq!(
                n.op,
                Op::Recurrent {
                    cell: if class == "GRU" {
                        Cell::Gru
                    } else {
                        Cell::Lstm
                    },
                    n_sequence: 5,
                    n_in: 3,
                    n_state: 4,
                    return_sequences: false,
                    bidirectional: bidi,
                    activation: "tanh",
                    recurrent_activation: "sigmoid",
                    use_static: true,
                }
            );
        }
    }

    #[test]
    fn bidirectional_stream_and_other_activations_are_not_in_hls4ml() {
        let e = lowered(
            Recurrent {
                bidirectional: Some(BidiMerge::Concat),
                ..rnn(Cell::Lstm)
            },
            IoType::Stream,
        )
        .unwrap_err();
        assert!(
            matches!(e, LowerError::NotInHls4ml { ref message, .. } if message.contains("io_stream")),
            "{e}"
        );
        // a linear cell activation: hls4ml writes nnet::activation::linear, which
        // nnet_recr_activations.h does not define
        let e = lower(Recurrent {
            activation: Activation::Linear,
            ..rnn(Cell::Lstm)
        });
        assert!(
            matches!(e, LowerError::NotInHls4ml { ref message, .. } if message.contains("linear")),
            "{e}"
        );
        // the stream LSTM is written
        assert!(lowered(rnn(Cell::Lstm), IoType::Stream).is_ok());
    }
}
