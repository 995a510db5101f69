//! Dense (hls4ml `Dense` → `dense_latency` / `dense_resource`): one matrix-vector kernel of
//! n_in × n_out, invoked once per position when the input has more than one axis, plus the
//! fused activation that hls4ml splits into its own layer. In io_stream (`nnet_dense_stream.h`
//! `dense`) the input is first read from the stream into `data[n_in]`, a completely
//! partitioned register array (buffer_bits = n_in × a), then the kernel runs once.

use super::mac::MacSpec;
use super::{Analysis, LayerCtx};
use crate::calibration::Feature;
use ir::LayerKind;

/// Cycles an io_stream Latency Dense spends outside its kernel (stream read, write, call).
pub const STREAM_DENSE_EXTRA_CYCLES: f64 = 3.0;

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let LayerKind::Dense(ir::ops::Dense { units, .. }) = ctx.layer.kind else {
        unreachable!("dense::analyse is only called for Dense layers")
    };
    let input = ctx.input();
    let n_in = *input.last().unwrap_or(&0) as u64;
    let positions = super::pixels(input);
    let spec = MacSpec {
        n_in,
        n_out: units as u64,
        n_zeros: super::kernel_zeros(ctx, n_in * units as u64),
        a: ctx.input_width,
        w: ctx.settings.weight.width(),
        acc: ctx.settings.accum.width(),
        requested_rf: ctx.settings.reuse_factor as u64,
        strategy: ctx.settings.strategy,
        consts: super::const_split(ctx, n_in, units as u64),
    };
    let mut a = super::mac_layer(ctx, &spec, positions, positions);
    if ctx.io_stream() {
        a.fixed[Feature::BufferBits] += n_in as f64 * spec.a as f64;
        if spec.strategy == ir::Strategy::Latency && positions <= 1.0 {
            // `dense` (nnet_dense_stream.h) reads the input stream (DataPrepare), calls
            // dense_latency and writes the result stream (ResWrite) one after another, and the
            // function is not pipelined: the DATAFLOW process is re-entered only when done (II =
            // latency + 1), and the read, write and call add cycles. fastmachinelearning/hls4ml's
            // report fixture (Dense 16→5 + ReLU, Vivado HLS 2020.1): II 8, latency 10;
            // taitashaw/hls4ml-fpga-classifier (KERAS_3layer, Vitis HLS 2025.2): II 7, latency
            // 20 for four dense layers. Three cycles is what both say beyond the kernel.
            a.timing_base += STREAM_DENSE_EXTRA_CYCLES;
            a.ii = super::IiRule::LatencyPlusOne;
        }
    }
    a.inputs.insert(0, ("n_out", units as f64));
    a.inputs.insert(0, ("n_in", n_in as f64));
    if positions > 1.0 {
        a.inputs.push(("positions", positions));
    }
    super::activation::absorb_fused(ctx, &mut a);
    a
}

#[cfg(test)]
mod tests {
    use crate::layers::tests::{estimate_one, one_layer_net};
    use ir::{Activation, LayerKind, Strategy};

    #[test]
    fn resource_dense_rf_and_latency() {
        // Dense 32 → 64, Resource, RF 513 requested: hls4ml picks 512 (as the pilot row
        // dense_32_64_*b stores); block_factor 4; II = RF = 512; latency = RF + stage depth.
        let net = one_layer_net(
            vec![32],
            LayerKind::Dense(ir::ops::Dense {
                units: 64,
                use_bias: true,
            }),
            Activation::Linear,
            Strategy::Resource,
            513,
            16,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!(e.reuse_factor, Some(512));
        assert_eq!(e.requested_reuse_factor, Some(513));
        assert_eq!(e.multipliers, 4);
        assert_eq!(e.ii, 512);
        assert!(
            e.latency_best >= 512 && e.latency_best <= 515,
            "{}",
            e.latency_best
        );
        // 16-bit products map to DSPs in every calibration: one DSP48E2 per 16×16 product.
        assert_eq!(e.csynth.dsp, 4.0);
    }

    #[test]
    fn latency_dense_fully_parallel() {
        // Dense 16 → 10, Latency, RF 1: 160 multipliers, II 1.
        let net = one_layer_net(
            vec![16],
            LayerKind::Dense(ir::ops::Dense {
                units: 10,
                use_bias: true,
            }),
            Activation::Relu,
            Strategy::Latency,
            1,
            16,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!((e.multipliers, e.ii), (160, 1));
        assert_eq!(e.csynth.bram_18k, 0.0);
    }

    #[test]
    fn latency_rf2_against_a_real_report() {
        // Hector-Plata/hls4ml-tutorial model_1/hls4ml_prj_2 (Vivado HLS 2019.2, 5 ns, jet
        // tagger at RF 2, tests/fixtures/real-projects/vivado2019.2-parallel-rf2): every
        // `dense_latency` instance reports latency 1, interval 2. The first layer is 16 → 64.
        let net = one_layer_net(
            vec![16],
            LayerKind::Dense(ir::ops::Dense {
                units: 64,
                use_bias: true,
            }),
            Activation::Linear,
            Strategy::Latency,
            2,
            16,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!(e.ii, 2);
        assert!((1..=2).contains(&e.latency_best), "{}", e.latency_best);
    }

    #[test]
    fn stream_latency_dense_is_not_pipelined() {
        // io_stream Dense 16 → 5 + ReLU, Latency, RF 1 (the network of fastmachinelearning/
        // hls4ml's report fixture, tests/fixtures/vivado-reports: II 8, latency 10 on a
        // xc7z020 at 5 ns). Hand derivation on the U250 of these tests: the kernel's unrolled
        // stage (1 cycle) plus 3 for read, write and call, and the process is re-entered only
        // when done: II = latency + 1, never the pipelined II 1 of io_parallel.
        use crate::layers::tests::one_layer_net_io;
        let net = one_layer_net_io(
            vec![16],
            LayerKind::Dense(ir::ops::Dense {
                units: 5,
                use_bias: true,
            }),
            Activation::Relu,
            Strategy::Latency,
            1,
            16,
            ir::IoType::Stream,
        );
        let e = estimate_one(&net, "fc");
        assert!(e.latency_best >= 4, "{}", e.latency_best);
        assert_eq!(e.ii, e.latency_best + 1);
    }
}
