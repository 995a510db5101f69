//! Activations (hls4ml `Activation`, `nnet_activation.h`): ReLU/LeakyReLU/linear are one
//! compare (and for LeakyReLU one constant product) per element; sigmoid/tanh read a
//! 1024-entry table per element; softmax reads an exp table per element, one inverse table,
//! and multiplies each element by the inverse sum. io_parallel runs all elements in one
//! pipelined stage; io_stream one pixel per cycle, with the pixel's channels in parallel
//! (`nnet_activation_stream.h`: `PIPELINE` over `n_in / res_T::size`, `UNROLL` over
//! `res_T::size`), so only one pixel's worth of logic is built.

use super::{Analysis, LayerCtx, Products};
use crate::calibration::{Feature, Timing};
use ir::Activation;

pub const FORMULAS: &[&str] = &[
    "elementwise: elem_bits = n * result_bits (ReLU compare/select); table_reads = n (sigmoid, tanh) or n + 1 (softmax); n = all elements (io_parallel) or one pixel's channels (io_stream)",
    "softmax adds n products (result × inverse) and an n-input adder tree (elem_bits)",
    "latency = elementwise_stage (io_parallel) or pixels (io_stream)",
];

/// The cost of applying `act` to `n` elements of `width` bits in `pixels` stream steps.
pub fn cost(act: Activation, n: f64, width: u32, pixels: f64, stream: bool) -> Analysis {
    let mut a = Analysis::free(FORMULAS);
    if act.is_linear() {
        return a;
    }
    let w = width as f64;
    match act {
        Activation::Linear => {}
        Activation::Relu => a.fixed[Feature::ElemBits] = n * w,
        Activation::LeakyRelu { .. } => {
            a.fixed[Feature::ElemBits] = n * w;
            a.products.push(Products {
                count: n,
                a: width,
                b: width,
                dsp_cap: None,
            });
        }
        Activation::Sigmoid | Activation::Tanh => a.fixed[Feature::TableReads] = n,
        Activation::Softmax => {
            a.fixed[Feature::TableReads] = n + 1.0;
            a.fixed[Feature::ElemBits] = n * w;
            a.products.push(Products {
                count: n,
                a: width,
                b: width,
                dsp_cap: None,
            });
        }
    }
    a.timing[Timing::ElementwiseStage] = 1.0;
    if stream {
        a.timing_base = pixels;
        a.ii = super::IiRule::Fixed(pixels);
    }
    a.multipliers = a.products.iter().map(|p| p.count).sum();
    a.inputs = vec![("n", n), ("result_bits", w)];
    a
}

/// Elements processed in parallel: the whole tensor (io_parallel) or one pixel (io_stream).
fn parallel_elements(shape: &[usize], stream: bool) -> f64 {
    if stream {
        super::elements(shape) / super::pixels(shape)
    } else {
        super::elements(shape)
    }
}

/// A separate Activation layer.
pub fn analyse(ctx: &LayerCtx, act: Activation) -> Analysis {
    let input = ctx.input();
    cost(
        act,
        parallel_elements(input, ctx.io_stream()),
        ctx.settings.result.width(),
        super::pixels(input),
        ctx.io_stream(),
    )
}

/// The activation fused in a Dense/Conv layer of the IR, which hls4ml runs as its own layer
/// after the kernel; in io_stream that layer adds a FIFO between kernel and activation
/// (depth = pixels, width = channels × result bits, as `#pragma HLS STREAM ... depth=` in the
/// project hls4ml writes).
pub fn absorb_fused(ctx: &LayerCtx, a: &mut Analysis) {
    if ctx.layer.activation.is_linear() {
        return;
    }
    let out = ctx.output();
    let stream = ctx.io_stream();
    let width = ctx.settings.result.width();
    let per_pixel = parallel_elements(out, stream);
    let mut c = cost(
        ctx.layer.activation,
        per_pixel,
        width,
        super::pixels(out),
        stream,
    );
    if stream {
        c.streams
            .push((super::pixels(out), per_pixel * width as f64));
        // The split activation reads the kernel's FIFO while the kernel runs (one pixel per
        // cycle against RF cycles per pixel): its cycles overlap the kernel's.
        c.timing = [0.0; crate::calibration::NT];
        c.timing_base = 0.0;
        c.ii = super::IiRule::Fixed(1.0);
    }
    a.absorb(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relu_and_softmax_terms() {
        // ReLU on 10 elements of 16 bits: 160 compare/select bits, no tables, one stage.
        let r = cost(Activation::Relu, 10.0, 16, 1.0, false);
        assert_eq!(
            (
                r.fixed[Feature::ElemBits],
                r.fixed[Feature::TableReads],
                r.timing[Timing::ElementwiseStage]
            ),
            (160.0, 0.0, 1.0)
        );
        // Softmax on 5: 5 exp reads + 1 inverse read, 5 products.
        let s = cost(Activation::Softmax, 5.0, 16, 1.0, false);
        assert_eq!((s.fixed[Feature::TableReads], s.multipliers), (6.0, 5.0));
        // io_stream on an 8×8×16 tensor: one pixel's 16 channels in parallel, not 1024.
        let cal = crate::calibration::Calibration::builtin();
        let net = crate::layers::tests::one_layer_net_io(
            vec![8, 8, 16],
            ir::LayerKind::Activation(Activation::Relu),
            Activation::Linear,
            ir::Strategy::Resource,
            1,
            16,
            ir::IoType::Stream,
        );
        let (a, _) =
            crate::network::analyse_network(&net, &crate::layers::tests::u250(), &cal).unwrap();
        assert_eq!(a[1].analysis.fixed[Feature::ElemBits], 16.0 * 16.0);
        // Linear costs nothing.
        assert_eq!(
            cost(Activation::Linear, 10.0, 16, 1.0, false).timing,
            [0.0; crate::calibration::NT]
        );
    }
}
