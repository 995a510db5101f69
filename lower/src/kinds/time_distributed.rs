//! TimeDistributed: hls4ml's tf.keras handler (`converters/keras/recurrent.py`,
//! `parse_time_distributed_layer`) makes a `TimeDistributed` node holding the node its handler
//! of the wrapped class makes over one time step; `expand_time_distributed` later puts that
//! node in the graph. Refused as hls4ml refuses or breaks them: io_stream (its
//! `nnet_time_distributed.h` has only array versions of the step copies, so the io_stream
//! project it writes does not compile); a wrapped convolution or pooling (the handler takes
//! the wrapped handler's output shape, which for those classes is computed from the trailing
//! axes and loses the time axis: checked on TimeDistributed(Conv1D(3, 3)) over (4, 6, 2), whose
//! project declares `layer7_out[4*3]`, writes 4·4·3 values into it and has the next Dense read
//! 48 of them); and a wrapped layer hls4ml would make several nodes of. Of the rest, presynth
//! lowers a wrapped Dense (the case the harness checks); other wrapped kinds are not lowered yet.

use super::{parse_layer, Parse, ParseCx, Parsed};
use crate::error::Result;
use crate::op::{Op, Wrapped};
use ir::IoType;

impl Parse for ir::ops::TimeDistributed {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        if cx.io_type == IoType::Stream {
            return Err(cx.not_in_hls4ml(
                "TimeDistributed in io_stream: hls4ml 1.3.0 writes the same read_time_step/\
                 write_time_step calls on hls::stream variables, and nnet_time_distributed.h has \
                 only array versions of them, so its project does not compile (use io_parallel)",
            ));
        }
        shape_preserving(self, cx)?;
        let input = cx.input(0)?;
        let step_in = input.get(1..).unwrap_or_default();
        let mut inner = (*self.layer).clone();
        inner.output_shape = cx.output().get(1..).unwrap_or_default().to_vec();
        let inputs = [step_in];
        let parsed = parse_layer(&ParseCx {
            layer: &inner,
            inputs: &inputs,
            io_type: cx.io_type,
        })?;
        if !parsed.decomposed.is_empty() {
            return Err(cx.not_lowered(&format!(
                "TimeDistributed around {} '{}' (hls4ml makes several nodes of it)",
                inner.kind.name(),
                inner.name
            )));
        }
        // parse_time_distributed_layer: `output_shape = input_shape; output_shape[len(L) - 1:] =
        // L` (L: the wrapped Dense's shape on the whole input, Keras's output here), batch axis
        // included, so the input's first rank − 2 axes stay in front of L
        let hls4ml_output_shape = input[..input.len().saturating_sub(2)]
            .iter()
            .chain(cx.output())
            .copied()
            .collect();
        Ok(Parsed::new(
            "TimeDistributed",
            Op::TimeDistributed {
                n_time_steps: input.first().copied().unwrap_or(0),
                end: false,
                wrapped: Some(Box::new(Wrapped {
                    name: inner.name.clone(),
                    class: parsed.class,
                    op: parsed.op,
                    shape: inner.output_shape,
                    settings: inner.settings,
                    keeps_input_precision: parsed.keeps_input_precision,
                    hls4ml_output_shape,
                })),
            },
        ))
    }
}

/// Refuse a wrapped layer whose TimeDistributed hls4ml 1.3.0 sizes wrongly, and one presynth
/// does not lower yet.
fn shape_preserving(td: &ir::ops::TimeDistributed, cx: &ParseCx) -> Result<()> {
    use ir::LayerKind as K;
    let inner = &td.layer;
    match &inner.kind {
        K::Dense(_) => Ok(()),
        K::Conv1D(_)
        | K::Conv2D(_)
        | K::DepthwiseConv1D(_)
        | K::DepthwiseConv2D(_)
        | K::SeparableConv1D(_)
        | K::SeparableConv2D(_)
        | K::Pool1D(_)
        | K::Pool2D(_)
        | K::GlobalPool1D(_)
        | K::GlobalPool2D(_) => Err(cx.not_in_hls4ml(format!(
            "TimeDistributed around {} '{}': hls4ml 1.3.0's parse_time_distributed_layer takes \
             the wrapped handler's output shape, which for this class leaves out the time axis, \
             so its project declares the TimeDistributed output {} times too small and the next \
             layer reads past it",
            inner.kind.name(),
            inner.name,
            cx.input(0)?.first().copied().unwrap_or(0)
        ))),
        K::Input(_)
        | K::BatchNorm(_)
        | K::Activation(_)
        | K::Reshape(_)
        | K::Concatenate(_)
        | K::Dropout(_)
        | K::ZeroPadding1D(_)
        | K::ZeroPadding2D(_)
        | K::Cropping1D(_)
        | K::Cropping2D(_)
        | K::UpSampling1D(_)
        | K::UpSampling2D(_)
        | K::MultiHeadAttention(_)
        | K::LayerNorm(_)
        | K::EinsumDense(_)
        | K::Embedding(_)
        | K::Merge(_)
        | K::Recurrent(_)
        | K::Permute(_)
        | K::GarNet(_)
        | K::FixedPointQuantizer(_)
        | K::TimeDistributed(_)
        | K::Flatten
        | K::ApplyAlpha
        | K::PositionalAdd
        | K::PReLU
        | K::Dot => Err(cx.not_lowered(&format!(
            "TimeDistributed around {} '{}' (presynth lowers a wrapped Dense only)",
            inner.kind.name(),
            inner.name
        ))),
    }
}
