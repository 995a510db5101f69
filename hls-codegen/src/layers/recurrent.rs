//! Recurrent layers as hls4ml 1.3.0's Vivado/Vitis backend writes them
//! (`backends/vivado/passes/recurrent_templates.py`, `templates/vivado/nnet_utils/nnet_recurrent.h`):
//! an `LSTM`/`GRU` is `nnet::lstm_stack`/`nnet::gru_stack` with a `lstm_config`/`gru_config`
//! and four structs before it (the input product `config{N}_1`, the recurrent product
//! `config{N}_2`, the gates' activation `{act}_config{N}_recr` and the cell's
//! `{act}_config{N}`); a `Bidirectional` is `nnet::bidirectional_stack` with those four structs
//! and a `single_layer_config` per direction (`_f`/`_b`, `config{N}_forward`/`_backward`) and a
//! `bidirectional_config`.
//!
//! The reuse factors follow `init_lstm`/`init_gru`/`init_bidirectional` of the Vivado backend,
//! faults included: under Resource the input and the recurrent products each get the valid
//! reuse factor closest to the configured one, but the kernel of *both* is chosen by comparing
//! the layer's (input product's) reuse factor with that product's `n_in`; a Bidirectional sizes
//! its valid reuse factors with 3 gates whatever the cell, and writes the configured reuse
//! factor (not the corrected one) into its input products and its own config. [`plan`]
//! computes all of it once; [`aborting_assertion`] says when the resulting dense kernel fails
//! its own `assert` in C simulation (codegen refuses those, as hls4ml's project cannot run).

use super::dense::dense_kernel;
use super::Ctx;
use crate::model::Op;
use crate::reuse;
use ir::ops::Cell;
use ir::Strategy;

pub const INCLUDES: &[&str] = &["nnet_utils/nnet_recurrent.h"];

/// hls4ml's activation table size for recurrent layers (the backend's `table_size` default).
const TABLE_SIZE: usize = 1024;

/// One of the two dense products of a cell step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mult {
    pub n_in: usize,
    pub n_out: usize,
    /// The `reuse_factor` written into its `dense_config`.
    pub reuse: u32,
    /// Its `kernel` (`nnet::DenseLatency`, `nnet::DenseResource_rf_leq_nin`, ...).
    pub kernel: &'static str,
}

/// The reuse factors and kernels of a recurrent layer (one direction; a Bidirectional's two
/// directions have the same cell and sizes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The `reuse_factor` of the layer's own config and activation configs.
    pub config_reuse: u32,
    /// The input product `config{N}_1` (n_in = features, n_out = gates·units).
    pub input: Mult,
    /// The recurrent product `config{N}_2` (n_in = units).
    pub recurrent: Mult,
    /// hls4ml's `Invalid ReuseFactor` corrections, as codegen warnings.
    pub warnings: Vec<String>,
}

/// `true`/`false` of the layer's `use_static`.
fn use_static(op: &Op) -> &'static str {
    if matches!(
        op,
        Op::Recurrent {
            use_static: false,
            ..
        }
    ) {
        "false"
    } else {
        "true"
    }
}

/// The sizes of an [`Op::Recurrent`]: (cell, n_sequence, n_in, n_state, return_sequences,
/// bidirectional).
fn sizes(op: &Op) -> (Cell, usize, usize, usize, bool, bool) {
    let Op::Recurrent {
        cell,
        n_sequence,
        n_in,
        n_state,
        return_sequences,
        bidirectional,
        ..
    } = op
    else {
        unreachable!("recurrent::sizes on {op:?}")
    };
    (
        *cell,
        *n_sequence,
        *n_in,
        *n_state,
        *return_sequences,
        *bidirectional,
    )
}

/// The reuse plan of a recurrent layer `name` configured with `strategy` and reuse factor `rf`.
pub fn plan(name: &str, op: &Op, strategy: Strategy, rf: u32) -> Plan {
    let (cell, _, n_in, n_state, _, bidirectional) = sizes(op);
    let cols = cell.gates() * n_state;
    if strategy == Strategy::Latency {
        let m = |n_in| Mult {
            n_in,
            n_out: cols,
            reuse: rf,
            kernel: dense_kernel(strategy, rf, n_in),
        };
        return Plan {
            config_reuse: rf,
            input: m(n_in),
            recurrent: m(n_state),
            warnings: Vec::new(),
        };
    }
    // get_layer_mult_size: a Bidirectional's n_out is n_states * 3 for either cell
    let sized_cols = if bidirectional { 3 * n_state } else { cols };
    let layer = reuse::choose(name, n_in, sized_cols, rf as usize);
    let rec = reuse::choose(name, n_state, sized_cols, rf as usize);
    let (layer_rf, rec_rf) = (layer.used as u32, rec.used as u32);
    let warnings = [layer.warning, rec.warning].into_iter().flatten().collect();
    Plan {
        config_reuse: if bidirectional { rf } else { layer_rf },
        input: Mult {
            n_in,
            n_out: cols,
            reuse: if bidirectional { rf } else { layer_rf },
            kernel: dense_kernel(strategy, layer_rf, n_in),
        },
        recurrent: Mult {
            n_in: n_state,
            n_out: cols,
            reuse: rec_rf,
            kernel: dense_kernel(strategy, layer_rf, n_state),
        },
        warnings,
    }
}

/// The assertion of `nnet_dense_resource.h` a product's kernel fails with its reuse factor,
/// if any (`dense_resource_rf_leq_nin` needs `multiplier_limit == block_factor`,
/// `dense_resource_rf_gt_nin_rem0` needs `RF > n_in` and `RF % n_in == 0`; both need the
/// multiplier count to be a multiple of n_out unless `RF >= n_in`).
pub fn aborting_assertion(m: &Mult) -> Option<&'static str> {
    let (nin, nout, rf) = (m.n_in, m.n_out, m.reuse as usize);
    let total = nin * nout;
    let multiplier_limit = total.div_ceil(nin.min(rf).max(1));
    match m.kernel {
        "nnet::DenseResource_rf_leq_nin" => {
            if !(multiplier_limit.is_multiple_of(nout) || rf >= nin) {
                Some("The current Reuse Factor is not allowed")
            } else if multiplier_limit != total.div_ceil(rf.max(1)) {
                Some("This function is correct only for RF <= N_IN")
            } else {
                None
            }
        }
        "nnet::DenseResource_rf_gt_nin_rem0" => {
            let ru = rf.min(total);
            if !(multiplier_limit.is_multiple_of(nout) || ru >= nin) {
                Some("The current Reuse Factor is not allowed")
            } else if !(ru > nin && ru.is_multiple_of(nin)) {
                Some("This function is correct only for RF > N_IN && RF % N_IN == 0")
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The weight arrays' indices in the layer's list: w, wr, b, br of the forward (or only)
/// direction, then of the backward one.
const W: usize = 0;
const WR: usize = 1;
const B: usize = 2;
const BR: usize = 3;

/// `n_sequence_out`: every step's state with `return_sequences`, else only the last.
fn n_sequence_out(op: &Op) -> usize {
    let (_, n_sequence, _, _, return_sequences, _) = sizes(op);
    if return_sequences {
        n_sequence
    } else {
        1
    }
}

/// `config{N}_1` or `config{N}_2` (with `suffix` `_f`/`_b` in a Bidirectional).
fn mult_config(c: &Ctx, name: &str, m: &Mult, weight: usize, bias: usize) -> String {
    let w = c.weight(weight);
    let nz = w.zeros();
    format!(
        "struct {name} : nnet::dense_config {{
    static const unsigned n_in = {n_in};
    static const unsigned n_out = {n_out};
    static const unsigned strategy = nnet::{strategy};
    static const unsigned reuse_factor = {rf};
    static const unsigned n_zeros = {nz};
    static const unsigned n_nonzeros = {nnz};
    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor) - n_zeros / reuse_factor;
    static const bool store_weights_in_bram = false;
    typedef {accum} accum_t;
    typedef {bias_t} bias_t;
    typedef {weight_t} weight_t;
    template<class data_T, class res_T, class CONFIG_T>
    using kernel = {kernel}<data_T, res_T, CONFIG_T>;
    template<class x_T, class y_T>
    using product = nnet::product::mult<x_T, y_T>;
}};
",
        n_in = m.n_in,
        n_out = m.n_out,
        strategy = c.strategy(),
        rf = m.reuse,
        nnz = w.data.len() - nz,
        accum = c.l.accum_t.name,
        bias_t = c.weight(bias).type_name,
        weight_t = w.type_name,
        kernel = m.kernel,
    )
}

/// An `activ_config` named `name` over `n_in` values.
fn activ_config(c: &Ctx, name: &str, n_in: usize, rf: u32) -> String {
    let table =
        c.l.extra("table_t")
            .map_or("model_default_t", |t| t.name.as_str());
    format!(
        "struct {name} : nnet::activ_config {{
    static const unsigned n_in = {n_in};
    static const unsigned table_size = {TABLE_SIZE};
    static const unsigned io_type = nnet::{io};
    static const unsigned reuse_factor = {rf};
    typedef {table} table_t;
}};
",
        io = c.iotype(),
    )
}

/// The typedefs and activation aliases a `lstm_config`/`gru_config`/`single_layer_config`
/// starts with; `sfx` is "" or `_f`/`_b`, `first` the direction's first weight index.
fn cell_typedefs(c: &Ctx, idx: &str, sfx: &str, first: usize) -> String {
    let Op::Recurrent {
        cell,
        activation,
        recurrent_activation,
        ..
    } = &c.l.op
    else {
        unreachable!("recurrent::cell_typedefs on {:?}", c.l.op)
    };
    let t = |k: usize| c.weight(first + k).type_name.as_str();
    format!(
        "    typedef {accum} accum_t;
    typedef {w} weight_t;  // Matrix
    typedef {wr} recurrent_weight_t;  // Matrix
    typedef {b} bias_t;  // Vector
    typedef {br} recurrent_bias_t;  // Vector
    typedef config{idx}_1{sfx} mult_config1;
    typedef config{idx}_2{sfx} mult_config2;
    typedef {recurrent_activation}_config{idx}{sfx}_recr ACT_CONFIG_{class};
    template<class x_T, class y_T, class config_T>
    using activation_recr = nnet::activation::{recurrent_activation}<x_T, y_T, config_T>;
    typedef {activation}_config{idx}{sfx} ACT_CONFIG_T;
    template<class x_T, class y_T, class config_T>
    using activation = nnet::activation::{activation}<x_T, y_T, config_T>;
",
        accum = c.l.accum_t.name,
        w = t(W),
        wr = t(WR),
        b = t(B),
        br = t(BR),
        class = cell.keras_class(),
    )
}

/// The four structs before a cell's config: its two products and two activations.
fn cell_parts(c: &Ctx, p: &Plan, idx: &str, sfx: &str, first: usize) -> String {
    let Op::Recurrent {
        cell,
        n_state,
        activation,
        recurrent_activation,
        ..
    } = &c.l.op
    else {
        unreachable!("recurrent::cell_parts on {:?}", c.l.op)
    };
    [
        mult_config(
            c,
            &format!("config{idx}_1{sfx}"),
            &p.input,
            first + W,
            first + B,
        ),
        mult_config(
            c,
            &format!("config{idx}_2{sfx}"),
            &p.recurrent,
            first + WR,
            first + BR,
        ),
        activ_config(
            c,
            &format!("{recurrent_activation}_config{idx}{sfx}_recr"),
            n_state * (cell.gates() - 1),
            p.config_reuse,
        ),
        activ_config(
            c,
            &format!("{activation}_config{idx}{sfx}"),
            *n_state,
            p.config_reuse,
        ),
    ]
    .join("\n")
}

pub fn config(c: &Ctx) -> String {
    let (cell, n_sequence, n_in, n_state, _, bidirectional) = sizes(&c.l.op);
    let p = plan(&c.l.name, &c.l.op, c.l.strategy, c.reuse());
    let idx = c.index().to_string();
    let n_sequence_out = n_sequence_out(&c.l.op);
    debug_assert!(!bidirectional, "recurrent::config on a Bidirectional");
    format!(
        "{parts}\nstruct config{idx} : nnet::{recr}_config {{
{typedefs}    static const unsigned n_in  = {n_in};
    static const unsigned n_out = {n_state};
    static const unsigned n_state = {n_state};
    static const unsigned n_sequence = {n_sequence};
    static const unsigned n_sequence_out = {n_sequence_out};
    static const unsigned io_type = nnet::{strategy};
    static const unsigned reuse_factor = {rf};
    static const bool store_weights_in_bram = false;
    static const bool use_static = {use_static};
    static const bool pytorch_order = false;
}};
",
        parts = cell_parts(c, &p, &idx, "", 0),
        recr = cell.keras_class().to_lowercase(),
        typedefs = cell_typedefs(c, &idx, "", 0),
        strategy = c.strategy(),
        rf = p.config_reuse,
        use_static = use_static(&c.l.op),
    )
}

/// The config structs of a `Bidirectional`: per direction the four parts and a
/// `single_layer_config`, then the `bidirectional_config`.
pub fn bidirectional_config(c: &Ctx) -> String {
    let (cell, n_sequence, n_in, n_state, _, _) = sizes(&c.l.op);
    let p = plan(&c.l.name, &c.l.op, c.l.strategy, c.reuse());
    let idx = c.index().to_string();
    let n_sequence_out = n_sequence_out(&c.l.op);
    let mut s = String::new();
    for (d, sfx, first) in [("forward", "_f", 0), ("backward", "_b", 4)] {
        s.push_str(&cell_parts(c, &p, &idx, sfx, first));
        s.push('\n');
        s.push_str(&format!(
            "struct config{idx}_{d} : nnet::single_layer_config {{
{typedefs}    static const unsigned n_in  = {n_in};
    static const unsigned n_state = {n_state};
    static const unsigned n_mult = {n_mult};
    static const bool pytorch_order = false;
}};
",
            typedefs = cell_typedefs(c, &idx, sfx, first),
            n_mult = cell.gates(),
        ));
        s.push('\n');
    }
    let class = format!(
        "{}_class{}",
        cell.keras_class().to_lowercase(),
        if use_static(&c.l.op) == "true" {
            "_static"
        } else {
            ""
        }
    );
    s.push_str(&format!(
        "struct config{idx} : nnet::bidirectional_config {{
    typedef config{idx}_forward FORWARD_CONFIG;
    template<class x_T, class y_T, typename config_T, bool backward>
    using RNNfunc_forward = nnet::{class}<x_T, y_T, config_T, backward>;
    typedef config{idx}_backward BACKWARD_CONFIG;
    template<class x_T, class y_T, typename config_T, bool backward>
    using RNNfunc_backward = nnet::{class}<x_T, y_T, config_T, backward>;
    static const unsigned n_in  = {n_in};
    static const unsigned n_out = {n_out};
    static const unsigned n_sequence = {n_sequence};
    static const unsigned n_sequence_out = {n_sequence_out};
    static const unsigned io_type = nnet::{strategy};
    static const unsigned reuse_factor = {rf};
    static const bool store_weights_in_bram = false;
    static const bool use_static = {use_static};
    static const bool pytorch_order = false;
}};
",
        n_out = 2 * n_state,
        strategy = c.strategy(),
        rf = p.config_reuse,
        use_static = use_static(&c.l.op),
    ));
    s
}

pub fn call(c: &Ctx) -> String {
    let (cell, _, _, _, _, bidirectional) = sizes(&c.l.op);
    let (types, args) = c.io_args();
    let weights =
        c.l.weights
            .iter()
            .map(|w| w.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
    let func = if bidirectional {
        "bidirectional".to_string()
    } else {
        cell.keras_class().to_lowercase()
    };
    format!(
        "nnet::{func}_stack<{types}, config{}>({args}, {weights});",
        c.index()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CodegenError;
    use crate::layers::{config_cpp, function_cpp, includes};
    use crate::lower::{lower, ProjectOptions};
    use ir::ops::{BidiMerge, Recurrent};
    use ir::{Activation, Layer, LayerKind, Network, Tensor};

    fn cell(cell: Cell, units: usize, return_sequences: bool) -> Recurrent {
        Recurrent {
            cell,
            units,
            activation: Activation::Tanh,
            recurrent_activation: Activation::Sigmoid,
            use_bias: true,
            return_sequences,
            go_backwards: false,
            reset_after: cell == Cell::Gru,
            bidirectional: None,
        }
    }

    /// A network of an input `(steps, features)` and these recurrent layers in a chain, with
    /// weights of the IR's shapes (values do not matter to the text but for the zero counts).
    fn net(input: [usize; 2], layers: Vec<(&str, Recurrent)>) -> Network {
        let mut net = Network::new("m");
        let kind = LayerKind::Input(ir::ops::Input {
            shape: input.to_vec(),
        });
        net.add_layer(Layer::new("input_layer", kind), &[]).unwrap();
        let mut prev = "input_layer".to_string();
        let mut shape = vec![input.to_vec()];
        for (name, r) in layers {
            let mut l = Layer::new(name, LayerKind::Recurrent(r.clone()));
            l.weights = ir::LayerOp::weights(&r, &shape)
                .into_iter()
                .map(|w| {
                    let n: usize = w.shape.iter().product();
                    (w.name.to_string(), Tensor::new(w.shape, vec![0.25; n]))
                })
                .collect();
            net.add_layer(l, &[&prev]).unwrap();
            net.infer_shapes().unwrap();
            shape = vec![net.layer(net.find(name).unwrap()).output_shape.clone()];
            prev = name.to_string();
        }
        // the intermediate shape inferences chose the last layer then as the output
        net.outputs.clear();
        net.default_outputs();
        net.infer_shapes().unwrap();
        net
    }

    /// The harness case lstm_seq_gru's network: LSTM(4, return_sequences) then GRU(3), over
    /// (5, 3).
    fn lstm_seq_gru() -> Network {
        net(
            [5, 3],
            vec![
                ("lstm1", cell(Cell::Lstm, 4, true)),
                ("gru1", cell(Cell::Gru, 3, false)),
            ],
        )
    }

    #[test]
    fn lstm_config_and_call_are_hls4mls() {
        // Truth: hls4ml 1.3.0's parameters.h and myproject.cpp of the harness case
        // lstm_last__lat (target/hls4ml-ref/lstm_last__lat/hls4ml/firmware): LSTM(4) over (6, 3).
        let m = lower(
            &net([6, 3], vec![("lstm1", cell(Cell::Lstm, 4, false))]),
            &ProjectOptions::default(),
        )
        .unwrap();
        let l = m.layers.iter().find(|l| l.name == "lstm1").unwrap();
        let cfg = config_cpp(&m, l).unwrap();
        assert!(cfg.starts_with(
            "struct config2_1 : nnet::dense_config {
    static const unsigned n_in = 3;
    static const unsigned n_out = 16;
    static const unsigned strategy = nnet::latency;
    static const unsigned reuse_factor = 1;
    static const unsigned n_zeros = 0;
    static const unsigned n_nonzeros = 48;"
        ));
        assert!(cfg.ends_with(
            "struct sigmoid_config2_recr : nnet::activ_config {
    static const unsigned n_in = 12;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef lstm1_table_t table_t;
};

struct tanh_config2 : nnet::activ_config {
    static const unsigned n_in = 4;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef lstm1_table_t table_t;
};

struct config2 : nnet::lstm_config {
    typedef model_default_t accum_t;
    typedef model_default_t weight_t;  // Matrix
    typedef model_default_t recurrent_weight_t;  // Matrix
    typedef model_default_t bias_t;  // Vector
    typedef model_default_t recurrent_bias_t;  // Vector
    typedef config2_1 mult_config1;
    typedef config2_2 mult_config2;
    typedef sigmoid_config2_recr ACT_CONFIG_LSTM;
    template<class x_T, class y_T, class config_T>
    using activation_recr = nnet::activation::sigmoid<x_T, y_T, config_T>;
    typedef tanh_config2 ACT_CONFIG_T;
    template<class x_T, class y_T, class config_T>
    using activation = nnet::activation::tanh<x_T, y_T, config_T>;
    static const unsigned n_in  = 3;
    static const unsigned n_out = 4;
    static const unsigned n_state = 4;
    static const unsigned n_sequence = 6;
    static const unsigned n_sequence_out = 1;
    static const unsigned io_type = nnet::latency;
    static const unsigned reuse_factor = 1;
    static const bool store_weights_in_bram = false;
    static const bool use_static = true;
    static const bool pytorch_order = false;
};
"
        ));
        assert_eq!(
            function_cpp(&m, l).unwrap(),
            "nnet::lstm_stack<input_t, result_t, config2>(input_layer, layer2_out, w2, wr2, b2, br2);"
        );
        assert_eq!(includes(l), ["nnet_utils/nnet_recurrent.h"]);
        // Keras's single LSTM bias; hls4ml's recurrent bias is zeros
        let names: Vec<&str> = l.weights.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["w2", "wr2", "b2", "br2"]);
        assert!(l.weights[3].data.iter().all(|v| *v == 0.0));
    }

    #[test]
    fn gru_splits_its_bias_and_bidirectional_names_directions() {
        // hls4ml 1.3.0 (harness lstm_seq_gru__lat): the GRU's b3/br3 are the rows of Keras's
        // (2, 9) bias; gru_stack reads the LSTM's (5, 4) sequence
        let mut n = lstm_seq_gru();
        let id = n.find("gru1").unwrap();
        let bias = &mut n.layer_mut(id).weights[2].1;
        bias.data = (0..18).map(|i| i as f32).collect();
        let m = lower(&n, &ProjectOptions::default()).unwrap();
        let g = m.layers.iter().find(|l| l.name == "gru1").unwrap();
        assert_eq!(
            g.weights[2].data,
            (0..9).map(|i| i as f32).collect::<Vec<_>>()
        );
        assert_eq!(
            g.weights[3].data,
            (9..18).map(|i| i as f32).collect::<Vec<_>>()
        );
        let cfg = config_cpp(&m, g).unwrap();
        for line in [
            "struct sigmoid_config3_recr : nnet::activ_config {\n    static const unsigned n_in = 6;",
            "struct config3 : nnet::gru_config {",
            "    typedef sigmoid_config3_recr ACT_CONFIG_GRU;",
            "    static const unsigned n_in  = 4;\n    static const unsigned n_out = 3;",
        ] {
            assert!(cfg.contains(line), "{line}\n{cfg}");
        }
        let lstm = m.layers.iter().find(|l| l.name == "lstm1").unwrap();
        assert!(config_cpp(&m, lstm)
            .unwrap()
            .contains("    static const unsigned n_sequence_out = 5;"));
        assert_eq!(
            function_cpp(&m, g).unwrap(),
            "nnet::gru_stack<layer2_t, result_t, config3>(layer2_out, layer3_out, w3, wr3, b3, br3);"
        );

        // hls4ml 1.3.0 (harness bilstm__lat): Bidirectional(LSTM(3)) over (5, 3)
        let bi = Recurrent {
            bidirectional: Some(BidiMerge::Concat),
            ..cell(Cell::Lstm, 3, false)
        };
        let m = lower(&net([5, 3], vec![("bi1", bi)]), &ProjectOptions::default()).unwrap();
        let l = m.layers.iter().find(|l| l.name == "bi1").unwrap();
        assert_eq!(
            function_cpp(&m, l).unwrap(),
            "nnet::bidirectional_stack<input_t, result_t, config2>(input_layer, layer2_out, \
             w_f_2, wr_f_2, b_f_2, br_f_2, w_b_2, wr_b_2, b_b_2, br_b_2);"
        );
        let cfg = config_cpp(&m, l).unwrap();
        for line in [
            "struct config2_1_f : nnet::dense_config {",
            "struct sigmoid_config2_f_recr : nnet::activ_config {\n    static const unsigned n_in = 9;",
            "struct config2_backward : nnet::single_layer_config {",
            "    typedef config2_2_b mult_config2;",
            "    static const unsigned n_state = 3;\n    static const unsigned n_mult = 4;",
            "    using RNNfunc_forward = nnet::lstm_class_static<x_T, y_T, config_T, backward>;",
            "    static const unsigned n_in  = 3;\n    static const unsigned n_out = 6;",
        ] {
            assert!(cfg.contains(line), "{line}\n{cfg}");
        }
    }

    #[test]
    fn resource_reuse_factors_follow_hls4ml() {
        // hls4ml 1.3.0 on lstm_last__res_rf4 (LSTM(4) over (6, 3), RF 4): "Invalid
        // ReuseFactor=4 in layer "lstm1". Using ReuseFactor=3"; config2_1 reuse 3 with
        // DenseResource_rf_leq_nin, config2_2 reuse 4 (valid for 4 x 16) with
        // DenseResource_rf_leq_nin (chosen by the layer's 3 <= 4), config2 and the activation
        // configs reuse 3
        let op = Op::Recurrent {
            cell: Cell::Lstm,
            n_sequence: 6,
            n_in: 3,
            n_state: 4,
            return_sequences: false,
            bidirectional: false,
            activation: "tanh",
            recurrent_activation: "sigmoid",
            use_static: true,
        };
        let p = plan("lstm1", &op, Strategy::Resource, 4);
        assert_eq!(p.config_reuse, 3);
        assert_eq!(
            (p.input.reuse, p.input.kernel),
            (3, "nnet::DenseResource_rf_leq_nin")
        );
        assert_eq!(
            (p.recurrent.reuse, p.recurrent.kernel),
            (4, "nnet::DenseResource_rf_leq_nin")
        );
        assert_eq!(p.warnings.len(), 1);
        assert!(
            aborting_assertion(&p.input).is_none() && aborting_assertion(&p.recurrent).is_none()
        );
    }

    #[test]
    fn resource_factors_whose_hls4ml_project_aborts_are_refused() {
        // hls4ml 1.3.0's projects abort in C simulation (harness runs of scripts/
        // hls4ml_reference.py with RF 4, before res_rf3 replaced them):
        // - lstm_seq_gru: gru1's recurrent product (3 x 9) gets RF 3 but the kernel
        //   DenseResource_rf_gt_nin_rem0 (the layer's RF 4 > 3): "This function is correct only
        //   for RF > N_IN && RF % N_IN == 0";
        // - bilstm: config2_1_f keeps the configured RF 4 with DenseResource_rf_leq_nin (the
        //   corrected 3 <= 3): "This function is correct only for RF <= N_IN".
        let seq = lstm_seq_gru();
        let bi = net(
            [5, 3],
            vec![(
                "bi1",
                Recurrent {
                    bidirectional: Some(BidiMerge::Concat),
                    ..cell(Cell::Lstm, 3, false)
                },
            )],
        );
        for (mut n, layer, assertion) in [
            (seq, "gru1", "RF > N_IN && RF % N_IN == 0"),
            (bi, "bi1", "RF <= N_IN"),
        ] {
            n.config.strategy = Strategy::Resource;
            n.config.reuse_factor = 4;
            let e = lower(&n, &ProjectOptions::default()).unwrap_err();
            assert!(
                matches!(&e, CodegenError::NotInHls4ml { layer: l, message, .. }
                    if l == layer && message.contains(assertion)),
                "{e}"
            );
            // RF 3 (harness res_rf3) is written
            n.config.reuse_factor = 3;
            assert!(lower(&n, &ProjectOptions::default()).is_ok());
        }
    }

    #[test]
    fn lstm_with_types_hls4ml_cannot_compile_is_refused() {
        // hls4ml 1.3.0's project of lstm_seq_gru with lstm1's result fixed<14,5> and accum
        // fixed<20,8> (input ap_fixed<16,6>) fails g++: nnet::lstm (non-static, instantiated
        // beside lstm_static) calls dense<data_T, res_T> on the res_T state and accum_t sums.
        let mut n = lstm_seq_gru();
        let id = n.find("lstm1").unwrap();
        n.layer_mut(id).settings.precision.result = Some(ir::FixedType::fixed(14, 5));
        let e = lower(&n, &ProjectOptions::default()).unwrap_err();
        assert!(
            matches!(&e, CodegenError::NotInHls4ml { layer, .. } if layer == "lstm1"),
            "{e}"
        );
        // the same types on a GRU are written: nnet::gru passes the state as res_T and the sums
        // as accum_t (nnet_recurrent.h 420-421)
        n.layer_mut(id).settings.precision.result = None;
        let g = n.find("gru1").unwrap();
        n.layer_mut(g).settings.precision.result = Some(ir::FixedType::fixed(14, 5));
        n.layer_mut(g).settings.precision.accum = Some(ir::FixedType::fixed(20, 8));
        assert!(lower(&n, &ProjectOptions::default()).is_ok());
        // ap_fixed<16,6,AP_TRN,AP_WRAP,0> is ap_fixed<16,6>
        n.layer_mut(id).settings.precision.result =
            Some("ap_fixed<16,6,AP_TRN,AP_WRAP,0>".parse().unwrap());
        assert!(lower(&n, &ProjectOptions::default()).is_ok());
    }
}
