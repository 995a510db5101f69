//! Activations (hls4ml `Activation`, `nnet_activation.h`): ReLU/LeakyReLU/linear are one
//! compare (and for LeakyReLU one constant product) per element; sigmoid/tanh read a
//! 1024-entry table per element; softmax reads an exp table per element, one inverse table,
//! and multiplies each element by the inverse sum. io_parallel runs all elements in one
//! pipelined stage; io_stream one pixel per cycle, with the pixel's channels in parallel
//! (`nnet_activation_stream.h`: `PIPELINE` over `n_in / res_T::size`, `UNROLL` over
//! `res_T::size`), so only one pixel's worth of logic is built.
//!
//! Tables (hls4ml 1.3.0 `nnet_activation.h`): sigmoid/tanh read `table_size` = 1024 entries of
//! `table_t`, softmax an exp table and an inverse table of 1024 entries of `exp_table_t` /
//! `inv_table_t`, all `ap_fixed<18,8>` by default: one 1K×18 BRAM_18K per copy. The lookups
//! are unrolled in a function pipelined at II 1 (`#pragma HLS pipeline`), and a ROM has two
//! read ports, so HLS replicates a table read n times in one cycle ⌈n/2⌉ times. Read off the
//! corpus' per-layer reports (`tests/fixtures/real-projects/`): Vivado HLS 2019.2, softmax of
//! 5: 4 BRAM_18K (⌈5/2⌉ exp + 1 inverse), latency 4, II 1; Vitis HLS 2024.1 io_stream softmax
//! of 6: 5 BRAM_18K (one more than that rule); Vitis HLS 2022.2/2024.1 io_parallel jet taggers
//! (softmax of 5) report 8 BRAM_18K in all against Vivado's 4 (twice the rule). The Vitis
//! factors are read off those reports only. Sigmoid/tanh tables are priced in the fabric
//! (`table_reads`), as the wa-hls4ml rows with those activations say (see [`table_bram`]).

use super::{bram18_for, Analysis, LayerCtx, Products, Tool};
use crate::calibration::{Feature, Timing};
use ir::Activation;

pub const FORMULAS: &[&str] = &[
    "elementwise: elem_bits = n * result_bits (ReLU compare/select); table_reads = n (sigmoid, tanh) or n + 1 (softmax); n = all elements (io_parallel) or one pixel's channels (io_stream)",
    "softmax adds n products (result × inverse) and an n-input adder tree (elem_bits)",
    "latency = elementwise_stage (io_parallel) or pixels (io_stream); softmax + 3 cycles (4 in all: Vivado HLS 2019.2 report)",
    "tables (1024 x 18 bits, 1 BRAM_18K per copy): softmax ceil(n/2) exp copies + 1 inverse (Vivado HLS; Vitis HLS x2 in io_parallel, +1 in io_stream: read off reports); sigmoid/tanh tables in fabric (table_reads)",
];

/// Entries of hls4ml's activation tables (`table_size`, the default hls4ml writes).
pub const TABLE_SIZE: u64 = 1024;
/// Bits of a table entry (`table_t` / `exp_table_t` / `inv_table_t` = `ap_fixed<18,8>`).
pub const TABLE_BITS: u64 = 18;

/// BRAM_18K of the tables of `act` applied to `n` elements read in one cycle.
pub fn table_bram(act: Activation, n: f64, tool: Tool, stream: bool) -> f64 {
    let per_copy = bram18_for(TABLE_SIZE, TABLE_BITS) as f64;
    let copies = (n / 2.0).ceil();
    match act {
        Activation::Softmax => {
            let vivado = (copies + 1.0) * per_copy;
            match (tool, stream) {
                (Tool::VivadoHls, _) => vivado,
                (Tool::VitisHls, false) => 2.0 * vivado,
                (Tool::VitisHls, true) => vivado + per_copy,
            }
        }
        // Sigmoid/tanh tables stay in the fabric (`table_reads`): counting ⌈n/2⌉ BRAM copies
        // made the wa-hls4ml held-out conv2d post-synthesis BRAM (sigmoid/tanh layers, Vitis HLS
        // 2023.2) worse, 8.3 → 12.3 % SMAPE.
        Activation::Sigmoid
        | Activation::Tanh
        | Activation::Softplus
        | Activation::Softsign
        | Activation::Selu
        | Activation::Elu { .. }
        | Activation::Linear
        | Activation::Relu
        | Activation::LeakyRelu { .. }
        | Activation::ThresholdedRelu { .. }
        | Activation::HardSigmoid
        | Activation::HardTanh
        | Activation::QKerasHardSigmoid
        | Activation::QKerasHardTanh
        | Activation::BinaryTanh => 0.0,
    }
}

/// Bits of hls4ml's HardActivation slope (`slope_t` = `ap_ufixed<16,0>`, `model/layers.py`).
pub const HARD_SLOPE_BITS: u32 = 16;

/// Bits of the slope hls4ml gives QKeras's hard quantized_tanh/quantized_sigmoid (`slope_prec`
/// = `ap_ufixed<2,0>`, `converters/keras/qkeras.py`).
pub const QKERAS_HARD_SLOPE_BITS: u32 = 2;

/// Extra cycles of softmax over one elementwise stage: max/sum trees and the two table reads
/// (4 cycles in all at 5 ns in the Vivado HLS 2019.2 report).
pub const SOFTMAX_EXTRA_CYCLES: f64 = 3.0;

/// The cost of applying `act` to `n` elements of `width` bits in `pixels` stream steps.
pub fn cost(
    act: Activation,
    n: f64,
    width: u32,
    pixels: f64,
    stream: bool,
    tool: Tool,
) -> Analysis {
    let mut a = Analysis::free(FORMULAS);
    if act.is_linear() {
        return a;
    }
    let w = width as f64;
    match act {
        Activation::Linear => {}
        // nnet::thresholded_relu: the same compare/select, against theta instead of 0
        // nnet::binary_tanh: a sign compare and a select of ±1 (prior: priced as relu)
        Activation::Relu | Activation::ThresholdedRelu { .. } | Activation::BinaryTanh => {
            a.fixed[Feature::ElemBits] = n * w
        }
        // nnet::hard_sigmoid / hard_tanh: slope (ap_ufixed<16,0>) × x + shift, then clipped to
        // [0, 1] (a compare/select of the result width); hard_tanh's 2·s − 1 is a shift and a
        // constant add
        // QKeras's hard forms (prior): the same, with hls4ml's 2-bit slope constant
        Activation::HardSigmoid
        | Activation::HardTanh
        | Activation::QKerasHardSigmoid
        | Activation::QKerasHardTanh => {
            let qkeras = matches!(
                act,
                Activation::QKerasHardSigmoid | Activation::QKerasHardTanh
            );
            a.fixed[Feature::ElemBits] = n * w;
            a.products.push(Products {
                count: n,
                a: width,
                b: if qkeras {
                    QKERAS_HARD_SLOPE_BITS
                } else {
                    HARD_SLOPE_BITS
                },
                dsp_cap: None,
                dsp_share: None,
            });
        }
        Activation::LeakyRelu { .. } => {
            a.fixed[Feature::ElemBits] = n * w;
            a.products.push(Products {
                count: n,
                a: width,
                b: width,
                dsp_cap: None,
                dsp_share: None,
            });
        }
        // softplus/softsign/selu are one table read per element, as sigmoid/tanh
        // (nnet_activation.h: init_*_table then `table[index]`)
        Activation::Sigmoid
        | Activation::Tanh
        | Activation::Softplus
        | Activation::Softsign
        | Activation::Selu => a.fixed[Feature::TableReads] = n,
        // nnet::elu: x > 0 passes (a select of the result width), else alpha × table[x]
        Activation::Elu { .. } => {
            a.fixed[Feature::TableReads] = n;
            a.fixed[Feature::ElemBits] = n * w;
            a.products.push(Products {
                count: n,
                a: width,
                b: width,
                dsp_cap: None,
                dsp_share: None,
            });
        }
        Activation::Softmax => {
            a.fixed[Feature::TableReads] = n + 1.0;
            a.fixed[Feature::ElemBits] = n * w;
            a.products.push(Products {
                count: n,
                a: width,
                b: width,
                dsp_cap: None,
                dsp_share: None,
            });
        }
    }
    a.timing[Timing::ElementwiseStage] = 1.0;
    a.extra_bram = table_bram(act, n, tool, stream);
    if stream {
        a.timing_base = pixels;
        a.ii = super::IiRule::Fixed(pixels);
        a.calls = pixels;
    }
    if act == Activation::Softmax {
        // An elementwise-stage term, so that it follows the part and clock (layers::speed).
        a.timing[Timing::ElementwiseStage] += SOFTMAX_EXTRA_CYCLES;
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
        ctx.tool,
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
        ctx.tool,
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
    fn table_and_elu_terms() {
        // nnet_activation.h: softplus/softsign/selu read one table entry per element (10 reads,
        // no logic besides); elu reads the e^x - 1 table, multiplies by alpha (10 products of
        // 16 x 16) and selects x or that per element (10 x 16 = 160 bits).
        for act in [Activation::Softplus, Activation::Softsign, Activation::Selu] {
            let t = cost(act, 10.0, 16, 1.0, false, Tool::VivadoHls);
            assert_eq!(t.fixed[Feature::TableReads], 10.0, "{act:?}");
            assert_eq!(t.fixed[Feature::ElemBits], 0.0, "{act:?}");
            assert!(t.products.is_empty(), "{act:?}");
        }
        let e = cost(
            Activation::Elu { alpha: 0.5 },
            10.0,
            16,
            1.0,
            false,
            Tool::VivadoHls,
        );
        assert_eq!(e.fixed[Feature::TableReads], 10.0);
        assert_eq!(e.fixed[Feature::ElemBits], 160.0);
        assert_eq!(
            e.products
                .iter()
                .map(|p| (p.count, p.a, p.b))
                .collect::<Vec<_>>(),
            [(10.0, 16, 16)]
        );
    }

    #[test]
    fn thresholded_and_hard_terms() {
        // nnet::thresholded_relu on 6 elements of 16 bits: one compare against theta and a
        // select per element, as ReLU: 6 x 16 = 96 bits, no products, no tables.
        let t = cost(
            Activation::ThresholdedRelu { theta: 0.25 },
            6.0,
            16,
            1.0,
            false,
            Tool::VivadoHls,
        );
        assert_eq!(
            (t.fixed[Feature::ElemBits], t.multipliers, t.extra_bram),
            (96.0, 0.0, 0.0)
        );
        // nnet::hard_sigmoid / hard_tanh on 6: slope (ap_ufixed<16,0>) x data (16 bits) per
        // element = 6 products of 16 x 16, then the clip to [0, 1]: 96 compare/select bits.
        for act in [Activation::HardSigmoid, Activation::HardTanh] {
            let h = cost(act, 6.0, 16, 1.0, false, Tool::VivadoHls);
            assert_eq!(h.fixed[Feature::ElemBits], 96.0, "{act:?}");
            assert_eq!(
                h.products
                    .iter()
                    .map(|p| (p.count, p.a, p.b))
                    .collect::<Vec<_>>(),
                [(6.0, 16, 16)],
                "{act:?}"
            );
            assert_eq!(h.fixed[Feature::TableReads], 0.0, "{act:?}");
        }
    }

    #[test]
    fn relu_and_softmax_terms() {
        // ReLU on 10 elements of 16 bits: 160 compare/select bits, no tables, one stage.
        let r = cost(Activation::Relu, 10.0, 16, 1.0, false, Tool::VivadoHls);
        assert_eq!(
            (
                r.fixed[Feature::ElemBits],
                r.fixed[Feature::TableReads],
                r.timing[Timing::ElementwiseStage]
            ),
            (160.0, 0.0, 1.0)
        );
        // Softmax on 5: 5 exp reads + 1 inverse read, 5 products.
        let s = cost(Activation::Softmax, 5.0, 16, 1.0, false, Tool::VivadoHls);
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
            cost(Activation::Linear, 10.0, 16, 1.0, false, Tool::VivadoHls).timing,
            [0.0; crate::calibration::NT]
        );
    }

    #[test]
    fn softmax_tables_against_reports() {
        // Hector-Plata/hls4ml-tutorial model_1/hls4ml_prj_2 (Vivado HLS 2019.2, jet tagger):
        // the softmax instance `softmax_stable_..._softmax_config13_s` reports 4 BRAM_18K,
        // latency 4 (tests/fixtures/real-projects/README.md).
        let s = cost(Activation::Softmax, 5.0, 16, 1.0, false, Tool::VivadoHls);
        assert_eq!(s.extra_bram, 4.0);
        let cal = crate::calibration::Calibration::builtin();
        assert_eq!(crate::layers::best_cycles(&s, &cal), 4.0);
        // seanlipps/ECE226_CoDesign model_1 (Vitis HLS 2024.1, io_stream, softmax of 6):
        // `config7` reports 5 BRAM_18K.
        assert_eq!(
            table_bram(Activation::Softmax, 6.0, Tool::VitisHls, true),
            5.0
        );
        // Vitis 2022.2 / 2024.1 io_parallel jet taggers (6nrp-hls4ml nb001, hls4ml-tutorial
        // nb020): 8 BRAM_18K in all, all of it the softmax.
        assert_eq!(
            table_bram(Activation::Softmax, 5.0, Tool::VitisHls, false),
            8.0
        );
        assert_eq!(
            table_bram(Activation::Relu, 64.0, Tool::VitisHls, false),
            0.0
        );
    }
}
