//! Recurrent layers (SimpleRNN, LSTM, GRU, Bidirectional) on an FPGA as hls4ml 1.3.0 builds
//! them (`nnet_recurrent.h`, `backends/vivado/passes/recurrent_templates.py`), with hls4ml's
//! default `static: true` (`lstm_static`/`gru_static`: the state lives in static registers of
//! one cell, which `lstm_stack`/`gru_stack` call once per time step):
//!
//! - **One step** of a G-gate cell with `u` units over `n_in` features: the input product
//!   `nnet::dense` (`mult_config1`: n_in × G·u, data × weight) and the recurrent product
//!   (`mult_config2`: u × G·u, the result-typed state × recurrent weight) side by side, each a
//!   `DenseLatency` (or `DenseResource`) kernel with the layer's reuse factor; then the gate
//!   activation (`activation_recr`, a table read for each of the (G−1)·u gate values) beside the
//!   cell activation (`activation`, u reads), then the element-wise products of accumulators
//!   (LSTM: s = g·i + s·f, then h = o·act(s) after a second activation of the state; GRU:
//!   r·(W_h h), then h = h̃·(1 − z) + h·z: 3u products per step either way, as
//!   [`ir::ops::Cell::elementwise_products`] counts).
//! - **Time steps** run one after the other through that one cell: latency = T × the step's
//!   stages. A Bidirectional layer builds a forward and a backward cell that run side by side
//!   (`bidirectional_stack`): twice the resources, the same latency.
//! - **II**: the static state of step t feeds step t + 1, and a new sample starts only when the
//!   last step of the previous one is done: II = latency + 1.
//!
//! SimpleRNN has no Vivado template in hls4ml 1.3.0 (codegen refuses it); it is priced as the
//! same structure with one gate and no element-wise products, for comparison only.
//!
//! No synthesis record of the calibration data holds a recurrent layer: the kernels' LUT/FF/DSP
//! use the coefficients fitted on Dense kernels, the tables and element-wise products those of
//! activations, and the stage structure (one kernel stage, two or three element-wise stages per
//! step, T steps in sequence, II = latency + 1) is read from the templates, not fitted: every
//! estimate says so in a warning.

use super::mac::MacSpec;
use super::transformer::{after, beside, scale};
use super::{Analysis, IiRule, LayerCtx, Products};
use crate::calibration::{Timing, NT};
use ir::ops::{Cell, Recurrent};

pub const FORMULAS: &[&str] = &[
    "Recurrent (static cell, nnet_recurrent.h): per step, input kernel n_in x G*u beside recurrent kernel u x G*u; gate table reads (G-1)*u beside cell-activation reads u; 3u element-wise accumulator products (LSTM: plus u reads of act(state)); Bidirectional: two cells side by side",
    "Recurrent latency = T x (kernel stage + element-wise stages of one step); II = latency + 1 (the state of one step feeds the next)",
];

/// The constant split of a weight matrix of `n_in × n_out` named `name` (Latency strategy with
/// weights present), as for a Dense kernel.
fn consts(
    ctx: &LayerCtx,
    name: &str,
    n_in: u64,
    n_out: u64,
) -> Option<super::constmult::ConstSplit> {
    if ctx.settings.strategy != ir::Strategy::Latency {
        return None;
    }
    match ctx.layer.weight(name) {
        Some(t) if t.len() as u64 == n_in * n_out => {
            Some(super::constmult::count(&t.data, &ctx.settings.weight))
        }
        _ => None,
    }
}

/// The element-wise part of one step: the gate and cell activations side by side, then the
/// cell's products (and, for an LSTM, the activation of its state and the output product).
fn elementwise(ctx: &LayerCtx, r: &Recurrent) -> Analysis {
    let u = r.units as f64;
    let acc = ctx.settings.accum.width();
    let act = |f, n| super::activation::cost(f, n, acc, 1.0, false, ctx.tool);
    let gates = (r.cell.gates() - 1) as f64 * u;
    let mut a = act(r.activation, u);
    if gates > 0.0 {
        beside(&mut a, act(r.recurrent_activation, gates));
    }
    let n = (r.cell.elementwise_products() as f64) * u;
    if n > 0.0 {
        let mut p = Analysis::free(FORMULAS);
        p.products.push(Products {
            count: n,
            a: acc,
            b: acc,
            dsp_cap: None,
            dsp_share: None,
        });
        p.multipliers = n;
        p.timing[Timing::ElementwiseStage] = 1.0;
        after(&mut a, p);
    }
    if r.cell == Cell::Lstm {
        // h = o · act(s): the state's activation, then the output product's stage
        let mut s = act(r.activation, u);
        s.timing[Timing::ElementwiseStage] += 1.0;
        after(&mut a, s);
    }
    a
}

pub fn analyse(ctx: &LayerCtx, r: &Recurrent) -> Analysis {
    let (t, n_in) = match ctx.input() {
        [t, f] => (*t as f64, *f as u64),
        _ => (1.0, 0),
    };
    let u = r.units as u64;
    let cols = r.cell.gates() as u64 * u;
    let bidi = r.bidirectional.is_some();
    let (k, rk) = if bidi {
        ("forward_kernel", "forward_recurrent_kernel")
    } else {
        ("kernel", "recurrent_kernel")
    };
    let zeros = |name: &str| {
        ctx.layer
            .weight(name)
            .map(|t| t.zeros() as u64)
            .unwrap_or(0)
    };
    let spec = |n: u64, a: u32, name: &str| MacSpec {
        n_in: n,
        n_out: cols,
        n_zeros: zeros(name),
        a,
        w: ctx.settings.weight.width(),
        acc: ctx.settings.accum.width(),
        requested_rf: ctx.settings.reuse_factor as u64,
        strategy: ctx.settings.strategy,
        consts: consts(ctx, name, n, cols),
    };
    let mut a = super::mac_layer(ctx, &spec(n_in, ctx.input_width, k), 1.0, 1.0);
    let rf = a.reuse_factor;
    beside(
        &mut a,
        super::mac_layer(ctx, &spec(u, ctx.settings.result.width(), rk), 1.0, 1.0),
    );
    after(&mut a, elementwise(ctx, r));
    if bidi {
        scale(&mut a, 2.0);
    }
    // T steps through the one cell
    a.timing_base *= t;
    for i in 0..NT {
        a.timing[i] *= t;
    }
    a.ii = IiRule::LatencyPlusOne;
    a.reuse_factor = rf;
    a.formulas = FORMULAS;
    a.inputs = vec![
        ("T", t),
        ("n_in", n_in as f64),
        ("units", u as f64),
        ("gates", r.cell.gates() as f64),
        ("directions", r.directions() as f64),
    ];
    a.warnings.push(format!(
        "layer '{}' ({}): no synthesis data has a recurrent layer; its LUT/FF/DSP come from coefficients fitted on Dense kernels and activations (priors where unfitted), and its step structure (T sequential steps, II = latency + 1) is read from hls4ml's templates, not fitted",
        ctx.layer.name,
        ctx.layer.kind.name()
    ));
    if ctx.layer.settings.recurrent_static == Some(false) {
        a.warnings.push(format!(
            "layer '{}': Static: false (hls4ml's non-static cell, nnet::lstm/gru) is priced as the static one",
            ctx.layer.name
        ));
    }
    if r.cell == Cell::SimpleRnn {
        a.warnings.push(format!(
            "layer '{}': hls4ml 1.3.0's Vivado/Vitis backend has no SimpleRNN template (its project has no call for the layer); priced as a one-gate cell for comparison",
            ctx.layer.name
        ));
    }
    a
}

#[cfg(test)]
mod tests {
    use crate::calibration::{Feature, Timing};
    use crate::layers::tests::estimate_one;
    use ir::ops::{Activation, BidiMerge, Cell, Recurrent};
    use ir::{FixedType, HlsConfig, Layer, LayerKind, Network, Strategy};

    fn net(t: usize, f: usize, r: Recurrent) -> Network {
        let mut net = Network::new("t");
        net.config = HlsConfig {
            precision: FixedType::fixed(16, 6),
            reuse_factor: 1,
            strategy: Strategy::Latency,
            ..HlsConfig::default()
        };
        net.add_layer(
            Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![t, f] })),
            &[],
        )
        .unwrap();
        net.add_layer(Layer::new("l", LayerKind::Recurrent(r)), &["in"])
            .unwrap();
        net.infer_shapes().unwrap();
        net
    }

    fn rnn(cell: Cell, units: usize) -> Recurrent {
        Recurrent {
            cell,
            units,
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
    fn lstm_step_is_built_once_and_run_t_times() {
        // LSTM(8) over (10, 6) at 16 bits, RF 1, no weights: products 6·32 (input kernel) +
        // 8·32 (recurrent kernel) + 3·8 (element-wise) = 192 + 256 + 24 = 472; table reads
        // 3·8 gates (sigmoid) + 8 (tanh of the candidate) + 8 (tanh of the state) = 40.
        let n = net(10, 6, rnn(Cell::Lstm, 8));
        let e = estimate_one(&n, "l");
        let products: f64 = e.analysis.products.iter().map(|p| p.count).sum();
        assert_eq!(products, 472.0);
        assert_eq!(e.analysis.fixed[Feature::TableReads], 40.0);
        // per step: the two kernels side by side (one kernel stage), then the activations,
        // the products, the state's activation and the output product: 3 element-wise stages
        // (activations and products each 1, the LSTM's last pair 2) → ×10 steps
        let one = net(1, 6, rnn(Cell::Lstm, 8));
        let e1 = estimate_one(&one, "l");
        for tm in [Timing::LatencyStage, Timing::ElementwiseStage] {
            assert_eq!(
                e.analysis.timing[tm],
                10.0 * e1.analysis.timing[tm],
                "{tm:?}"
            );
        }
        assert!(e.latency_best >= 10 * e1.latency_best - 10);
        assert_eq!(e.ii, e.latency_best + 1);
        assert!(e
            .analysis
            .warnings
            .iter()
            .any(|w| w.contains("no synthesis data")));
    }

    #[test]
    fn gru_and_bidirectional_products() {
        // GRU(4) over (5, 3): 3·12 + 4·12 + 3·4 = 36 + 48 + 12 = 96 products; table reads
        // 2·4 (z, r) + 4 (h̃) = 12. Bidirectional: both cells, 192 products, 24 reads, same
        // latency.
        let g = estimate_one(&net(5, 3, rnn(Cell::Gru, 4)), "l");
        let sum = |e: &crate::layers::LayerEstimate| -> f64 {
            e.analysis.products.iter().map(|p| p.count).sum()
        };
        assert_eq!(sum(&g), 96.0);
        assert_eq!(g.analysis.fixed[Feature::TableReads], 12.0);
        let b = estimate_one(
            &net(
                5,
                3,
                Recurrent {
                    bidirectional: Some(BidiMerge::Concat),
                    ..rnn(Cell::Gru, 4)
                },
            ),
            "l",
        );
        assert_eq!(sum(&b), 192.0);
        assert_eq!(b.analysis.fixed[Feature::TableReads], 24.0);
        assert_eq!(b.latency_best, g.latency_best);
    }
}
