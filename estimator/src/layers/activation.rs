//! Activations (hls4ml `Activation`, `nnet_activation.h`): ReLU/LeakyReLU/linear are one
//! compare (and for LeakyReLU one constant product) per element; sigmoid/tanh read a
//! 1024-entry table per element; softmax reads an exp table per element, one inverse table,
//! and multiplies each element by the inverse sum. io_parallel runs all elements in one
//! pipelined stage; io_stream one pixel per cycle.

use super::{Analysis, LayerCtx, Products};
use ir::Activation;

pub const FORMULAS: &[&str] = &[
    "elementwise: elem_bits = n * result_bits (ReLU compare/select); table_reads = n (sigmoid, tanh) or n + 1 (softmax)",
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
        Activation::Relu => a.fixed[6] = n * w,
        Activation::LeakyRelu { .. } => {
            a.fixed[6] = n * w;
            a.products.push(Products {
                count: n,
                a: width,
                b: width,
                dsp_cap: None,
            });
        }
        Activation::Sigmoid | Activation::Tanh => a.fixed[7] = n,
        Activation::Softmax => {
            a.fixed[7] = n + 1.0;
            a.fixed[6] = n * w;
            a.products.push(Products {
                count: n,
                a: width,
                b: width,
                dsp_cap: None,
            });
        }
    }
    a.timing[4] = 1.0;
    if stream {
        a.timing_base = pixels;
        a.ii = super::IiRule::Fixed(pixels);
    }
    a.multipliers = a.products.iter().map(|p| p.count).sum();
    a.inputs = vec![("n", n), ("result_bits", w)];
    a
}

/// A separate Activation layer.
pub fn analyse(ctx: &LayerCtx, act: Activation) -> Analysis {
    let input = ctx.input();
    cost(
        act,
        super::elements(input),
        ctx.settings.result.width(),
        super::pixels(input),
        ctx.io_stream(),
    )
}

/// The activation fused in a Dense/Conv layer of the IR, which hls4ml runs as its own layer
/// after the kernel.
pub fn absorb_fused(ctx: &LayerCtx, a: &mut Analysis) {
    if ctx.layer.activation.is_linear() {
        return;
    }
    let out = ctx.output();
    let c = cost(
        ctx.layer.activation,
        super::elements(out),
        ctx.settings.result.width(),
        super::pixels(out),
        ctx.io_stream(),
    );
    a.absorb(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relu_and_softmax_terms() {
        // ReLU on 10 elements of 16 bits: 160 compare/select bits, no tables, one stage.
        let r = cost(Activation::Relu, 10.0, 16, 1.0, false);
        assert_eq!((r.fixed[6], r.fixed[7], r.timing[4]), (160.0, 0.0, 1.0));
        // Softmax on 5: 5 exp reads + 1 inverse read, 5 products.
        let s = cost(Activation::Softmax, 5.0, 16, 1.0, false);
        assert_eq!((s.fixed[7], s.multipliers), (6.0, 5.0));
        // Linear costs nothing.
        assert_eq!(
            cost(Activation::Linear, 10.0, 16, 1.0, false).timing,
            [0.0; 6]
        );
    }
}
