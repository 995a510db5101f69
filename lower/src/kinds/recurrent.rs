//! The recurrent kind (SimpleRNN, LSTM, GRU, Bidirectional). hls4ml 1.3.0's Vivado/Vitis
//! backend writes LSTM and GRU (`recurrent_templates.py`, `nnet_recurrent.h`: `lstm_stack`,
//! `gru_stack`, `bidirectional_stack`); presynth does not lower those yet, so codegen refuses
//! them naming the layer and the estimator prices them from the IR
//! (estimator/src/layers/recurrent.rs). What hls4ml itself cannot write is refused as such:
//! SimpleRNN (no Vivado config or function template for it: on `SimpleRNN(4)` over (5, 3) hls4ml
//! wrote the weights and a `myproject.cpp` without any call for the layer), `go_backwards` (hls4ml's Keras
//! handler sets `direction='forward'` whatever the layer says), and a Bidirectional
//! `merge_mode` other than concat (`bidirectional_stack` always concatenates), and a GRU with
//! `reset_after=false` (hls4ml reads its 1-D bias as the two rows of a `reset_after` one and
//! computes the reset-after cell).

use super::{Parse, ParseCx, Parsed};
use crate::error::Result;
use ir::ops::{BidiMerge, Cell};

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
        Err(cx.not_lowered(match (self.bidirectional, self.cell) {
            (Some(_), _) => "Bidirectional (nnet_recurrent.h bidirectional_stack)",
            (None, Cell::Gru) => "GRU (nnet_recurrent.h gru_stack)",
            (None, Cell::Lstm | Cell::SimpleRnn) => "LSTM (nnet_recurrent.h lstm_stack)",
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::LowerError;
    use ir::ops::{Activation, BidiMerge, Cell, Input, Recurrent};
    use ir::{Layer, LayerKind, Network};

    fn lower(r: Recurrent) -> LowerError {
        let mut net = Network::new("t");
        net.add_layer(
            Layer::new("in", LayerKind::Input(Input { shape: vec![5, 3] })),
            &[],
        )
        .unwrap();
        net.add_layer(Layer::new("rnn", LayerKind::Recurrent(r)), &["in"])
            .unwrap();
        net.infer_shapes().unwrap();
        crate::lower(&net).unwrap_err()
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
    }

    #[test]
    fn lstm_and_gru_are_refused_naming_the_layer_until_lowered() {
        for r in [
            rnn(Cell::Lstm),
            rnn(Cell::Gru),
            Recurrent {
                bidirectional: Some(BidiMerge::Concat),
                ..rnn(Cell::Lstm)
            },
        ] {
            let e = lower(r);
            assert!(
                matches!(e, LowerError::NotImplemented { ref layer, .. } if layer == "rnn"),
                "{e}"
            );
        }
    }
}
