//! DSL syntax of the recurrent kind (parsing and printing, used by the table in `kinds`):
//! `simple_rnn(units)`, `lstm(units)` and `gru(units)`, with Keras's defaults and keywords
//! named as Keras names them: the cell `activation` (second positional, default `tanh`),
//! `recurrent_activation=sigmoid` (LSTM and GRU), `return_sequences=false`, `bias=true`,
//! `go_backwards=false`, `reset_after=true` (GRU only) and `bidirectional=concat|sum|mul|ave`
//! (Keras's `Bidirectional` wrapper and its `merge_mode`), e.g.
//! `lstm(32, return_sequences=true)`, `gru(16, reset_after=false, bidirectional=concat)`.

use super::kinds::{located, Args, Located};
use super::syntax::Value;
use ir::layer::{Activation, LayerKind};
use ir::ops::{BidiMerge, Cell, Recurrent};

type Built = Result<(LayerKind, Activation), Located>;

/// The keywords every recurrent entry takes.
pub const KEYWORDS: &[&str] = &[
    "recurrent_activation",
    "return_sequences",
    "bias",
    "go_backwards",
    "reset_after",
    "bidirectional",
];

/// An activation given by name (`tanh`, `sigmoid`, ...; not the parametrised ones).
fn act(a: &Args, param: &str, default: Activation) -> Result<Activation, Located> {
    let Some(v) = a.get(param) else {
        return Ok(default);
    };
    match v.v {
        Value::Word(w) => match Activation::from_name(w) {
            Some(act) if !matches!(act, Activation::LeakyRelu { .. } | Activation::Elu { .. }) => {
                Ok(act)
            }
            _ => located(
                v.tail,
                format!(
                    "{}: {param} must be one of linear, relu, sigmoid, tanh, softmax, \
                         softplus, softsign, selu; found {w}",
                    a.spec.name
                ),
            ),
        },
        ref other => located(
            v.tail,
            format!(
                "{}: {param} must be an activation name; found {}",
                a.spec.name,
                other.describe()
            ),
        ),
    }
}

fn build(a: &Args, cell: Cell) -> Built {
    if cell == Cell::SimpleRnn {
        if let Some(v) = a.get("recurrent_activation") {
            return located(v.tail, "simple_rnn has no recurrent_activation (no gates)");
        }
    }
    if cell != Cell::Gru {
        if let Some(v) = a.get("reset_after") {
            return located(
                v.tail,
                format!("{}: reset_after applies to gru only", a.spec.name),
            );
        }
    }
    let bidirectional = match a.get("bidirectional") {
        None => None,
        Some(v) => match v.v {
            Value::Word(w) => Some(BidiMerge::from_keras(w).map_or_else(
                || {
                    located(
                        v.tail,
                        format!(
                            "{}: bidirectional must be concat, sum, mul or ave; found {w}",
                            a.spec.name
                        ),
                    )
                },
                Ok,
            )?),
            ref other => {
                return located(
                    v.tail,
                    format!(
                        "{}: bidirectional must be concat, sum, mul or ave; found {}",
                        a.spec.name,
                        other.describe()
                    ),
                )
            }
        },
    };
    let recurrent_activation = match cell {
        Cell::SimpleRnn => Activation::Linear,
        Cell::Lstm | Cell::Gru => act(a, "recurrent_activation", Activation::Sigmoid)?,
    };
    let r = Recurrent {
        cell,
        units: a.size("units", None)?,
        activation: act(a, "activation", Activation::Tanh)?,
        recurrent_activation,
        use_bias: a.boolean("bias", true)?,
        return_sequences: a.boolean("return_sequences", false)?,
        go_backwards: a.boolean("go_backwards", false)?,
        reset_after: cell == Cell::Gru && a.boolean("reset_after", true)?,
        bidirectional,
    };
    Ok((LayerKind::Recurrent(r), Activation::Linear))
}

pub fn build_simple_rnn(a: &Args) -> Built {
    build(a, Cell::SimpleRnn)
}

pub fn build_lstm(a: &Args) -> Built {
    build(a, Cell::Lstm)
}

pub fn build_gru(a: &Args) -> Built {
    build(a, Cell::Gru)
}

/// The printed arguments of a recurrent layer (defaults left out) and its DSL name.
pub fn print(args: &mut Vec<String>, r: &Recurrent) -> &'static str {
    args.push(r.units.to_string());
    if r.activation != Activation::Tanh {
        args.push(r.activation.name().to_string());
    }
    if r.cell != Cell::SimpleRnn && r.recurrent_activation != Activation::Sigmoid {
        args.push(format!(
            "recurrent_activation={}",
            r.recurrent_activation.name()
        ));
    }
    if r.return_sequences {
        args.push("return_sequences=true".into());
    }
    if !r.use_bias {
        args.push("bias=false".into());
    }
    if r.go_backwards {
        args.push("go_backwards=true".into());
    }
    if r.cell == Cell::Gru && !r.reset_after {
        args.push("reset_after=false".into());
    }
    if let Some(m) = r.bidirectional {
        args.push(format!("bidirectional={}", m.keras_name()));
    }
    match r.cell {
        Cell::SimpleRnn => "simple_rnn",
        Cell::Lstm => "lstm",
        Cell::Gru => "gru",
    }
}
