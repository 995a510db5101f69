//! ONNX and QONNX frontend: a `.onnx` file (a serialised `ModelProto`) to the IR, covering what
//! hls4ml 1.3.0's ONNX converter (`hls4ml/converters/onnx/*.py` plus its ONNX optimizer passes)
//! handles and the IR has kinds for:
//!
//! | ONNX | IR |
//! | --- | --- |
//! | `Gemm` (transA=0, alpha=beta=1), `MatMul` with a constant `[K, N]` operand, a following `Add` of a constant bias | `Dense` (bias fused) |
//! | `Conv` 1D/2D (group 1, dilation 1, zero or Keras-"same" pads) | `Conv1D`/`Conv2D` |
//! | `BatchNormalization` | `BatchNorm` |
//! | `LayerNormalization` (one output; beyond hls4ml, whose ONNX converter has none) | `LayerNorm` |
//! | `Attention` (opset 23, 3-D) between `MatMul` projections of Q, K, V and a `MatMul` output projection (beyond hls4ml) | `MultiHeadAttention` (the projections folded in) |
//! | `Relu`, `Sigmoid`, `Tanh`, `LeakyRelu`, `ThresholdedRelu` (`alpha`, hls4ml's default 0.01), `Softmax` (last axis) | `Activation` layers (kept separate, as hls4ml keeps them) |
//! | `MaxPool`/`AveragePool` 1D/2D, `GlobalAveragePool`/`GlobalMaxPool` | `Pool1D/2D`, `GlobalPool1D/2D` |
//! | `Flatten`, `Reshape`, `Transpose` between channels-first and channels-last | `Flatten`, `Reshape`, layout bookkeeping |
//! | `Add`/`Sum`, `Sub`, `Mul`, `Max`, `Min` and `Concat` of two tensors | `Merge` (add, subtract, multiply, maximum, minimum), `Concatenate` |
//! | `Pad` (constant 0, spatial axes), `Conv` pads that are not Keras's "same" split | `ZeroPadding1D/2D` (before a valid Conv, named `zp1d_`/`zp2d_` + the Conv, as hls4ml's io_stream pass) ([`convert`]'s `resample`) |
//! | `Resize` (opset 10+), `Upsample` (opset 7–9; hls4ml has no handler), mode nearest, whole factors | `UpSampling1D/2D` (hls4ml's `Resize`) |
//! | decomposed attention: MatMul projections, Reshape/Transpose into heads, MatMul·Kᵀ, Div/Mul by 1/√k, Softmax, MatMul·V, Transpose/Reshape back, MatMul output projection (beyond hls4ml) | `MultiHeadAttention` ([`convert`]'s `decomposed`) |
//! | decomposed LayerNorm: ReduceMean, Sub, Pow 2, ReduceMean, Add ε, Sqrt, Div, Mul γ, Add β (beyond hls4ml) | `LayerNorm` |
//! | `Add` of a computed sequence and a constant of its shape (a learned positional embedding) | `PositionalAdd` (hls4ml: ApplyAlpha, `n_filt = -1`) |
//! | `Identity`, `Dropout`, `Constant` | nothing (skipped / folded, as hls4ml skips them) |
//! | QONNX `Quant`/`IntQuant` (zero-point 0, power-of-two scale) | the consuming layer's weight or bias type on constants; a linear `Activation` `{node}_act` with that result type on computed tensors ([`quant`]) |
//! | QONNX `BipolarQuant` of constants, scale 1 | `ap_uint<1>` xnor weights (harness case `qonnx_bipolar`, fixture by `scripts/make_qonnx_bipolar.py`) |
//!
//! Operators hls4ml 1.3.0 converts but the IR has no kind for (Selu, PRelu,
//! Div/Mean merges, grouped
//! convolutions, Quant with other scales, BipolarQuant activations and BipolarQuant weights with a
//! scale other than 1, which hls4ml follows with an ApplyAlpha rescale), those it does not convert
//! (QONNX `Trunc` among them), and unsupported attributes are all collected: the error lists
//! every such node with its name, op type and reason, not only the first.
//!
//! **Channels-last.** hls4ml's flow needs the model cleaned and converted to channels-last by
//! QONNX (`cleanup_model`, `ConvertToChannelsLastAndClean`, `GemmToMatMul`) before
//! `convert_from_onnx_model`. This frontend reads the exported model as it is and does the same
//! conversion itself: convolution and pooling weights go from `[F, C, k...]` to Keras order
//! `[k..., C, F]`, tensors are held channels-last, `Transpose` nodes between the two layouts only
//! change bookkeeping, a graph input read by convolutions is taken channels-last (hls4ml keeps a
//! Transpose layer there when the input is not already channels-last; the IR has no such kind),
//! and a channels-first tensor flattened into a Dense gets the Dense's kernel rows permuted
//! (where hls4ml keeps a Transpose layer before the Flatten: the same function).
//!
//! **Bias.** hls4ml 1.3.0 turns `MatMul` + `Add` into a bias-free Dense followed by an ApplyAlpha
//! (scale 1, the bias) layer; presynth fuses the bias into the Dense, the layer every other
//! frontend produces. With hls4ml's default types the outputs are bit-identical (the two
//! additions wrap in the same fixed-point type); the layer list and file texts differ.
//!
//! **Why prost.** `onnx.proto` is a protobuf schema; prost (tokio-rs, the most used Rust
//! protobuf crate) decodes it with message structs derived by `#[derive(prost::Message)]`, so
//! the few messages needed are written by hand from onnx.proto's field numbers ([`proto`]) and no
//! `protoc` or build script is needed. The alternative of an ONNX runtime crate (tract-onnx
//! decodes ONNX too) would bring a whole inference engine the IR does not need.

pub mod convert;
pub mod proto;
pub mod quant;
pub mod tensor;

use crate::error::{display, FrontendError};
use ir::graph::Network;
use prost::Message;
use std::path::Path;

/// Largest `.onnx` file read (weights included).
pub const MAX_FILE_BYTES: u64 = 2 << 30;

/// Load an ONNX or QONNX model with its weights (the initializers), shapes inferred.
pub fn load_onnx(path: &Path) -> Result<Network, FrontendError> {
    let file = display(path);
    let meta = std::fs::metadata(path).map_err(|e| FrontendError::io(path, e))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(FrontendError::io(
            path,
            format!(
                "{} bytes is larger than the {MAX_FILE_BYTES} bytes protobuf allows",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| FrontendError::io(path, e))?;
    let model = proto::ModelProto::decode(bytes.as_slice()).map_err(|e| FrontendError::Io {
        file: file.clone(),
        message: format!("not an ONNX model (protobuf ModelProto): {e}"),
    })?;
    let graph = model.graph.as_ref().ok_or_else(|| {
        FrontendError::field(
            &file,
            "graph",
            "the model's graph",
            "nothing (ModelProto.graph is missing)",
        )
    })?;
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("model")
        .to_string();
    let mut net = convert::convert(&file, graph, &name)?;
    crate::keras::check_sizes(&file, &mut net)?;
    net.infer_shapes()
        .map_err(|e| FrontendError::ir(&file, e))?;
    Ok(net)
}

/// Number of values in the model's initializers: what the weights of an ONNX model add up to.
pub fn initializer_values(path: &Path) -> Result<usize, FrontendError> {
    let bytes = std::fs::read(path).map_err(|e| FrontendError::io(path, e))?;
    let model =
        proto::ModelProto::decode(bytes.as_slice()).map_err(|e| FrontendError::io(path, e))?;
    Ok(model
        .graph
        .map(|g| {
            g.initializer
                .iter()
                .map(|t| t.dims.iter().map(|&d| d.max(0) as usize).product::<usize>())
                .sum()
        })
        .unwrap_or(0))
}
