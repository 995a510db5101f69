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
    static const bool use_static = true;
    static const bool pytorch_order = false;
}};
",
        parts = cell_parts(c, &p, &idx, "", 0),
        recr = cell.keras_class().to_lowercase(),
        typedefs = cell_typedefs(c, &idx, "", 0),
        strategy = c.strategy(),
        rf = p.config_reuse,
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
    let class = format!("{}_class_static", cell.keras_class().to_lowercase());
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
    static const bool use_static = true;
    static const bool pytorch_order = false;
}};
",
        n_out = 2 * n_state,
        strategy = c.strategy(),
        rf = p.config_reuse,
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
