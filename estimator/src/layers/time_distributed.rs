//! TimeDistributed on an FPGA as hls4ml 1.3.0 builds it (`expand_time_distributed`, the
//! `TimeDistributed` templates of `backends/vivado/passes/recurrent_templates.py`,
//! `nnet_time_distributed.h`): one instance of the wrapped layer's function inside a
//! `for (ts ...)` loop that is neither unrolled nor pipelined by default
//! (`TimeStepLoopParallelism: off`), between `read_time_step_*d` and `write_time_step_*d`
//! copies. So:
//!
//! - **Resources**: the wrapped layer's, priced by its own model on one time step's input (a
//!   Dense over (T, n) is a Dense over n), without its fused activation, which hls4ml's
//!   expansion drops; the step copies are wiring and registers, not priced.
//! - **Latency**: T × the wrapped layer's (the steps run one after the other); **II** = latency
//!   + 1 (the loop finishes before the next sample enters).
//!
//! No synthesis record of the calibration data holds a TimeDistributed layer: the per-step
//! cost comes from the wrapped kind's fitted coefficients and the T-fold sequential structure
//! is read from hls4ml's templates, not fitted (a prior): every estimate says so in a warning.

use super::kinds::model_of;
use super::{Analysis, IiRule, LayerCtx};
use crate::calibration::NT;
use ir::ops::TimeDistributed;
use ir::Activation;

pub const FORMULAS: &[&str] = &[
    "TimeDistributed (nnet_time_distributed.h): the wrapped layer priced on one time step (its fused activation dropped, as hls4ml drops it); resources = the wrapped layer's",
    "TimeDistributed latency = T x the wrapped layer's latency (time-step loop neither unrolled nor pipelined); II = latency + 1",
];

pub fn analyse(ctx: &LayerCtx, td: &TimeDistributed) -> Analysis {
    let input = ctx.input();
    let t = input.first().copied().unwrap_or(1) as f64;
    let step_in = input.get(1..).unwrap_or_default();
    let mut inner = (*td.layer).clone();
    inner.activation = Activation::Linear;
    inner.weights = ctx.layer.weights.clone();
    inner.output_shape = ctx.output().get(1..).unwrap_or_default().to_vec();
    let inputs = [step_in];
    let inner_ctx = LayerCtx {
        layer: &inner,
        inputs: &inputs,
        ..*ctx
    };
    let mut a = model_of(&inner.kind).analyse(&inner_ctx);
    a.timing_base *= t;
    for i in 0..NT {
        a.timing[i] *= t;
    }
    a.ii = IiRule::LatencyPlusOne;
    a.formulas = FORMULAS;
    a.inputs.insert(0, ("T", t));
    a.warnings.push(format!(
        "layer '{}' (TimeDistributed of {} '{}'): no synthesis data has a TimeDistributed layer; it is priced as its wrapped layer on one time step (coefficients fitted on that kind) run T = {t} times in sequence, II = latency + 1, a prior read from hls4ml's templates, not fitted",
        ctx.layer.name,
        inner.kind.name(),
        inner.name
    ));
    a
}

#[cfg(test)]
mod tests {
    use crate::layers::tests::{estimate_one, one_layer_net};
    use ir::ops::{Dense, TimeDistributed};
    use ir::{Activation, Layer, LayerKind, Strategy};

    #[test]
    fn the_wrapped_dense_on_one_step_run_t_times() {
        // TimeDistributed(Dense(4, relu)) over (5, 3): hls4ml builds one Dense 3 -> 4 (no
        // relu: its expansion drops the activation) called 5 times in sequence. So the
        // resources are those of a linear Dense(4) over 3 inputs, its latency 5 times that one's.
        let dense = LayerKind::Dense(Dense {
            units: 4,
            use_bias: true,
        });
        let td = LayerKind::TimeDistributed(TimeDistributed {
            layer: Box::new(Layer::new("inner", dense.clone()).with_activation(Activation::Relu)),
        });
        let net = one_layer_net(vec![5, 3], td, Activation::Linear, Strategy::Latency, 1, 16);
        let plain = one_layer_net(vec![3], dense, Activation::Linear, Strategy::Latency, 1, 16);
        let t = estimate_one(&net, "fc");
        let d = estimate_one(&plain, "fc");
        assert_eq!(t.multipliers, 12);
        assert_eq!(t.multipliers, d.multipliers);
        assert_eq!(t.csynth.lut, d.csynth.lut);
        assert_eq!(t.csynth.dsp, d.csynth.dsp);
        assert!((t.analysis.timing_base - 5.0 * d.analysis.timing_base).abs() < 1e-9);
        assert!((t.latency_exact - 5.0 * d.latency_exact).abs() < 1e-6 * d.latency_exact.max(1.0));
        assert_eq!(t.ii, t.latency_best + 1);
        assert!(t.analysis.warnings.iter().any(|w| w.contains("prior")));
    }
}
