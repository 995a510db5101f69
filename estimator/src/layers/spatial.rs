//! Spatial copy layers: ZeroPadding1D/2D, Cropping1D/2D (hls4ml `ZeroPadding*`, `Cropping*`,
//! `nnet_padding*.h`, `nnet_cropping*.h`) and UpSampling1D/2D (hls4ml `Resize`, nearest,
//! `nnet_image*.h`). They compute nothing: every output element is an input element or a
//! constant zero, so they are priced as the registers and multiplexers that move the data.
//!
//! io_parallel (`zeropad*_cl`, `cropping*_cl`, `resize_nearest`, each `#pragma HLS PIPELINE`
//! over the whole array): the loops unroll to wiring with constant indices; what remains is the
//! pipeline register of the output (buffer_bits = out_elements × bits), one stage.
//!
//! io_stream: ZeroPadding writes one output pixel per cycle (`fill_zero` or `fill_data`: a
//! 2:1 select of zero or the input word, mux_bits = channels × bits) for out_pixels cycles;
//! Cropping reads every input pixel (discarding the cropped ones), in_pixels cycles, one word
//! register; Resize (`nnet_image_stream.h`) keeps one input row (`data_in_row[width]`, width ×
//! channels × bits registers) and writes ratio_h × width × ratio_w words per row from it, one
//! per cycle (a width:1 select per output word: mux_bits = width × channels × bits), so
//! out_pixels cycles in all.
//!
//! No synthesis record of the calibration data has these layers: their LUT/FF use the
//! coefficients of buffer_bits and mux_bits fitted on other kinds (or the priors where those
//! are unfitted), and every estimate says so in a warning.

use super::{Analysis, LayerCtx};
use crate::calibration::{Feature, Timing};
use ir::LayerKind;

pub const FORMULAS: &[&str] = &[
    "io_parallel: buffer_bits = out_elements * bits (the output pipeline register); wiring only; one elementwise stage",
    "io_stream ZeroPadding: mux_bits = buffer_bits = channels * bits; latency = out_pixels",
    "io_stream Cropping: buffer_bits = channels * bits; latency = in_pixels (cropped pixels are read and dropped)",
    "io_stream UpSampling: buffer_bits = in_width * channels * bits (one input row); mux_bits = in_width * channels * bits; latency = out_pixels",
];

/// What the stream implementation does, from the kind.
enum Family {
    Pad,
    Crop,
    Resize,
}

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let family = match &ctx.layer.kind {
        LayerKind::ZeroPadding1D(_) | LayerKind::ZeroPadding2D(_) => Family::Pad,
        LayerKind::Cropping1D(_) | LayerKind::Cropping2D(_) => Family::Crop,
        LayerKind::UpSampling1D(_) | LayerKind::UpSampling2D(_) => Family::Resize,
        LayerKind::Input(_)
        | LayerKind::Dense(_)
        | LayerKind::Conv1D(_)
        | LayerKind::Conv2D(_)
        | LayerKind::Pool1D(_)
        | LayerKind::Pool2D(_)
        | LayerKind::GlobalPool1D(_)
        | LayerKind::GlobalPool2D(_)
        | LayerKind::BatchNorm(_)
        | LayerKind::Activation(_)
        | LayerKind::Reshape(_)
        | LayerKind::Concatenate(_)
        | LayerKind::Dropout(_)
        | LayerKind::Flatten
        | LayerKind::Merge(_)
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
            unreachable!("spatial::analyse is only called for spatial copy layers")
        }
    };
    let input = ctx.input();
    let output = ctx.output();
    let bits = ctx.input_width as f64;
    let chans = *input.last().unwrap_or(&0) as f64;
    let mut a = Analysis::free(FORMULAS);
    a.timing[Timing::ElementwiseStage] = 1.0;
    if ctx.io_stream() {
        let word = chans * bits;
        let (buffer, mux, cycles) = match family {
            Family::Pad => (word, word, super::pixels(output)),
            Family::Crop => (word, 0.0, super::pixels(input)),
            Family::Resize => {
                // the row buffer holds the input's width (1-D: the whole input)
                let in_w = input.len().checked_sub(2).map_or(1, |i| input[i]) as f64;
                (in_w * word, in_w * word, super::pixels(output))
            }
        };
        a.fixed[Feature::BufferBits] = buffer;
        a.fixed[Feature::MuxBits] = mux;
        a.timing_base = cycles;
        a.ii = super::IiRule::Fixed(cycles);
        a.calls = cycles;
        a.inputs = vec![("channels", chans), ("bits", bits), ("cycles", cycles)];
    } else {
        let out = super::elements(output);
        a.fixed[Feature::BufferBits] = out * bits;
        a.inputs = vec![("out_elements", out), ("bits", bits)];
    }
    a.warnings.push(format!(
        "layer '{}' ({}): no synthesis data has this kind; its LUT/FF come from the buffer_bits/mux_bits coefficients fitted on other kinds (priors where unfitted) and its latency from hls4ml's loop structure, not from a fit",
        ctx.layer.name,
        ctx.layer.kind.name()
    ));
    a
}

#[cfg(test)]
mod tests {
    use crate::calibration::Feature;
    use crate::layers::tests::{estimate_one, one_layer_net_io};
    use ir::{Activation, IoType, LayerKind, Strategy};

    #[test]
    fn padding_cropping_upsampling_terms() {
        // 4x4x2 input at 16 bits.
        // ZeroPadding2D (1,1),(1,1) -> 6x6x2: io_parallel output register 72 * 16 = 1152 bits;
        // io_stream 36 output pixels, word 2 * 16 = 32 bits of mux and register.
        // Cropping2D (1,0),(0,1) -> 3x3x2: io_stream reads all 16 input pixels.
        // UpSampling2D 2x2 -> 8x8x2: io_stream row buffer 4 * 2 * 16 = 128 bits, 64 cycles.
        let cases = [
            (
                LayerKind::ZeroPadding2D(ir::ops::ZeroPadding2D {
                    pad: [[1, 1], [1, 1]],
                }),
                (1152.0, 0.0),
                (32.0, 32.0, 36),
            ),
            (
                LayerKind::Cropping2D(ir::ops::Cropping2D {
                    crop: [[1, 0], [0, 1]],
                }),
                (18.0 * 16.0, 0.0),
                (32.0, 0.0, 16),
            ),
            (
                LayerKind::UpSampling2D(ir::ops::UpSampling2D { size: [2, 2] }),
                (128.0 * 16.0, 0.0),
                (128.0, 128.0, 64),
            ),
        ];
        for (kind, (par_buf, par_mux), (st_buf, st_mux, cycles)) in cases {
            for io in [IoType::Parallel, IoType::Stream] {
                let net = one_layer_net_io(
                    vec![4, 4, 2],
                    kind.clone(),
                    Activation::Linear,
                    Strategy::Latency,
                    1,
                    16,
                    io,
                );
                let e = estimate_one(&net, "fc");
                let f = &e.analysis.fixed;
                let (buf, mux) = if io == IoType::Stream {
                    (st_buf, st_mux)
                } else {
                    (par_buf, par_mux)
                };
                assert_eq!(f[Feature::BufferBits], buf, "{} {io:?}", kind.name());
                assert_eq!(f[Feature::MuxBits], mux, "{} {io:?}", kind.name());
                assert_eq!((e.csynth.dsp, e.post_synthesis.dsp), (0.0, 0.0));
                assert!(e
                    .analysis
                    .warnings
                    .iter()
                    .any(|w| w.contains("no synthesis data")));
                if io == IoType::Stream {
                    // the loop's cycles plus the one elementwise pipeline stage (its timing
                    // coefficient is fitted, about one cycle)
                    let l = e.latency_best;
                    assert!(l >= cycles && l <= cycles + 2, "{} {l}", kind.name());
                }
            }
        }
    }
}
