//! Pooling (hls4ml `Pooling1D/2D`, `GlobalPooling1D/2D`): each output element reduces a window
//! of `pool` inputs (max: compares; average: adds and a constant scale). io_parallel: one
//! stage over all outputs; io_stream (`nnet_pooling_stream.h`, `pooling2d_buffer_cl`): one
//! input pixel per cycle through a line buffer of (pool_h − 1) rows × in_w × channels words
//! (`ap_shift_reg`, like Conv), one output pixel (channels in parallel) at a time.

use super::{Analysis, LayerCtx};
use crate::calibration::{Feature, Timing};
use ir::LayerKind;

pub const FORMULAS: &[&str] = &[
    "elem_bits = parallel_outputs * window * bits (one compare or add per window element); parallel_outputs = all outputs (io_parallel) or channels (io_stream)",
    "io_stream: line_buffer_bits = (pool_h-1) * in_w * channels * bits; buffer_bits = window * channels * bits (the window registers)",
    "latency = elementwise_stage (io_parallel) or in_pixels (io_stream)",
];

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let input = ctx.input();
    let window = match &ctx.layer.kind {
        LayerKind::Pool1D(ir::ops::Pool1D { pool, .. }) => *pool as f64,
        LayerKind::Pool2D(ir::ops::Pool2D { pool, .. }) => (pool[0] * pool[1]) as f64,
        LayerKind::GlobalPool1D(_) | LayerKind::GlobalPool2D(_) => super::pixels(input),
        LayerKind::Input(_)
        | LayerKind::Dense(_)
        | LayerKind::Conv1D(_)
        | LayerKind::Conv2D(_)
        | LayerKind::BatchNorm(_)
        | LayerKind::Activation(_)
        | LayerKind::Reshape(_)
        | LayerKind::Concatenate(_)
        | LayerKind::Dropout(_)
        | LayerKind::Flatten
        | LayerKind::Merge(_)
        | LayerKind::ZeroPadding1D(_)
        | LayerKind::ZeroPadding2D(_)
        | LayerKind::Cropping1D(_)
        | LayerKind::Cropping2D(_)
        | LayerKind::UpSampling1D(_)
        | LayerKind::UpSampling2D(_)
        | LayerKind::MultiHeadAttention(_)
        | LayerKind::LayerNorm(_)
        | LayerKind::EinsumDense(_)
        | LayerKind::DepthwiseConv2D(_)
        | LayerKind::SeparableConv2D(_)
        | LayerKind::DepthwiseConv1D(_)
        | LayerKind::SeparableConv1D(_)
        | LayerKind::ApplyAlpha
        | LayerKind::PositionalAdd
        | LayerKind::PReLU
        | LayerKind::Permute(_)
        | LayerKind::Dot
        | LayerKind::GarNet(_)
        | LayerKind::FixedPointQuantizer(_)
        | LayerKind::TimeDistributed(_)
        | LayerKind::Recurrent(_)
        | LayerKind::Embedding(_) => {
            unreachable!("pooling::analyse is only called for pooling layers")
        }
    };
    let stream = ctx.io_stream();
    let chans = *input.last().unwrap_or(&0) as f64;
    let global = matches!(
        ctx.layer.kind,
        LayerKind::GlobalPool1D(_) | LayerKind::GlobalPool2D(_)
    );
    let out = if stream {
        chans
    } else {
        super::elements(ctx.output())
    };
    // io_stream global pooling folds one pixel per cycle into per-channel accumulators.
    let window = if stream && global { 1.0 } else { window };
    let bits = ctx.input_width as f64;
    let mut a = Analysis::free(FORMULAS);
    a.fixed[Feature::ElemBits] = out * window * bits;
    a.timing[Timing::ElementwiseStage] = 1.0;
    if stream {
        if let LayerKind::Pool2D(ir::ops::Pool2D { pool, .. }) = &ctx.layer.kind {
            let in_w = *input.get(1).unwrap_or(&0) as f64;
            a.fixed[Feature::LineBufferBits] =
                pool[0].saturating_sub(1) as f64 * in_w * chans * bits;
        }
        a.fixed[Feature::BufferBits] = window * chans * bits;
        a.timing_base = super::pixels(input);
        a.ii = super::IiRule::Fixed(a.timing_base);
        a.calls = a.timing_base;
    }
    a.inputs = vec![("out_elements", out), ("window", window), ("bits", bits)];
    a
}

#[cfg(test)]
mod tests {
    use crate::calibration::Feature;
    use crate::layers::tests::{estimate_one, one_layer_net};
    use ir::{Activation, LayerKind, Padding, PoolOp, Strategy};

    #[test]
    fn max_pool_terms() {
        // 4×4×2 → 2×2×2 with 2×2 windows: 8 outputs × 4 compares × 16 bits = 512 elem bits.
        let net = one_layer_net(
            vec![4, 4, 2],
            LayerKind::Pool2D(ir::ops::Pool2D {
                op: PoolOp::Max,
                pool: [2, 2],
                stride: [2, 2],
                padding: Padding::Valid,
            }),
            Activation::Linear,
            Strategy::Latency,
            1,
            16,
        );
        let e = estimate_one(&net, "fc");
        assert_eq!(e.analysis.fixed[Feature::ElemBits], 512.0);
        assert_eq!((e.csynth.dsp, e.csynth.bram_18k), (0.0, 0.0));
    }
}
