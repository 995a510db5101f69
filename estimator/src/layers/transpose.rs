//! Permute (hls4ml `Transpose`, `nnet_transpose.h` / `nnet_transpose_stream.h`): no arithmetic.
//! io_parallel: `transpose` unrolls a copy with constant indices, wiring plus the output's
//! pipeline register (buffer_bits = N × bits), one stage. io_stream: the whole tensor is
//! stored (`data_array[N]`, partitioned into registers: buffer_bits = N × bits), read one input
//! pixel per cycle, then written one output pixel per cycle, each output word picked from the
//! stored tensor (an N/channels-to-1 select per output element: mux_bits = N × bits), so
//! in_pixels + out_pixels cycles. No synthesis record contains it: its LUT/FF come from the
//! buffer_bits/mux_bits coefficients fitted on other kinds (priors where unfitted), said in a
//! warning on every estimate.

use super::{Analysis, LayerCtx};
use crate::calibration::{Feature, Timing};

pub const FORMULAS: &[&str] = &[
    "io_parallel Transpose: buffer_bits = N * bits (the output pipeline register); wiring only; one elementwise stage",
    "io_stream Transpose: buffer_bits = mux_bits = N * bits (the stored tensor and the output select); latency = in_pixels + out_pixels",
];

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let input = ctx.input();
    let n = super::elements(input);
    let bits = ctx.input_width as f64;
    let mut a = Analysis::free(FORMULAS);
    a.timing[Timing::ElementwiseStage] = 1.0;
    a.fixed[Feature::BufferBits] = n * bits;
    if ctx.io_stream() {
        a.fixed[Feature::MuxBits] = n * bits;
        let cycles = super::pixels(input) + super::pixels(ctx.output());
        a.timing_base = cycles;
        a.ii = super::IiRule::Fixed(cycles);
        a.calls = cycles;
        a.inputs = vec![("N", n), ("bits", bits), ("cycles", cycles)];
    } else {
        a.inputs = vec![("N", n), ("bits", bits)];
    }
    a.warnings.push(format!(
        "layer '{}' (Permute): no synthesis data has this kind; its LUT/FF come from the buffer_bits/mux_bits coefficients fitted on other kinds (priors where unfitted) and its latency from hls4ml's loop structure, not from a fit",
        ctx.layer.name
    ));
    a
}

#[cfg(test)]
mod tests {
    use crate::calibration::Feature;
    use crate::layers::tests::{estimate_one, one_layer_net_io};
    use ir::{Activation, IoType, LayerKind, Strategy};

    #[test]
    fn stores_the_whole_tensor_in_stream() {
        // Permute((2, 1)) on (6, 4) at 16 bits: N = 24, 384 bits of output register in
        // io_parallel; io_stream stores all 384 bits and selects from them, reading 6 input
        // pixels then writing 4 output pixels: 10 cycles.
        let net = |io| {
            one_layer_net_io(
                vec![6, 4],
                LayerKind::Permute(ir::ops::Permute { dims: vec![2, 1] }),
                Activation::Linear,
                Strategy::Latency,
                1,
                16,
                io,
            )
        };
        let p = estimate_one(&net(IoType::Parallel), "fc");
        assert_eq!(p.analysis.fixed[Feature::BufferBits], 384.0);
        assert_eq!(p.analysis.fixed[Feature::MuxBits], 0.0);
        let s = estimate_one(&net(IoType::Stream), "fc");
        assert_eq!(s.analysis.fixed[Feature::MuxBits], 384.0);
        assert!(s.latency_best >= 10, "{}", s.latency_best);
        assert!(s.analysis.warnings.iter().any(|w| w.contains("Permute")));
    }
}
