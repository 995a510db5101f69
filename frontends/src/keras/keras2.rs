//! What hls4ml 1.3.0's Keras 2 parser (`converters/keras_v2_to_hls.py`, `parse_keras_model`)
//! does differently from its Keras 3 parser, for the models only it converts: QKeras models
//! (QKeras needs tf.keras 2, so hls4ml runs its Keras 2 parser on them).
//!
//! - Every layer whose Keras config has an `activation` (Dense, Conv, QDense, QConv, ...) gets
//!   an activation layer `<layer>_<activation>` right after it, a linear one included; the
//!   Keras 3 parser makes none for a linear activation. The linear layer takes the next index
//!   and `eliminate_linear_activation` removes it later, so every later layer's index (and its
//!   `layerN_out`, `wN`, `bN` names) is one higher than the Keras 3 parser would give it. The
//!   frontend adds that layer to the IR (`Activation(linear)` named `<layer>_linear`), where
//!   the lowering numbers and removes it as hls4ml does.
//! - `Dropout` is skipped by the parser itself (no index), where the Keras 3 parser numbers it
//!   and `remove_dropout` drops it: the frontend leaves it out.
//!
//! Checked on the QKeras harness (`scripts/qkeras_reference.py`): hls4ml's projects of
//! `qdense` (`fc3`, `out` have no activation: `fc3_linear`, `out_linear` take indices 7 and
//! 10) and `qconv2d` (`conv1_linear`, `out_linear`) number their layers so.

use super::layers::KerasLayer;
use ir::layer::{Activation, Layer, LayerKind};
use serde_json::Value;

/// Whether hls4ml converts this model with its Keras 2 parser: it has a QKeras layer (HGQ2's
/// `Q*` layers are Keras 3 layers, converted by the Keras 3 parser), one of hls4ml's contrib
/// GarNet layers (tf.keras layers, converted by `converters/keras/graph.py` only) or a
/// TimeDistributed (only the tf.keras converter converts it; presynth writes that converter's
/// project for a Keras 3 file too).
pub fn uses_keras2_parser(layers: &[KerasLayer]) -> bool {
    layers.iter().any(|l| {
        matches!(
            l.class_name.as_str(),
            "GarNet" | "GarNetStack" | "TimeDistributed"
        ) || !l.hgq2 && l.class_name.starts_with('Q') && l.class_name.len() > 1 && {
            let second = l.class_name.as_bytes()[1];
            second.is_ascii_uppercase()
        }
    })
}

/// The integer dtype of an `InputLayer` as hls4ml's Keras 2 parser reads it
/// (`converters/keras/core.py`: a dtype starting with `int` or `uint`, the width after it):
/// `uint16` is `ap_uint<16>`. `None` for a float (or absent, or unparsable) dtype, which the
/// parser leaves to the config's precision.
pub fn int_input_dtype(kl: &KerasLayer) -> Option<ir::FixedType> {
    if kl.class_name != "InputLayer" {
        return None;
    }
    let dtype = kl.config.get("dtype")?.as_str()?;
    let (signed, bits) = match dtype.strip_prefix('u') {
        Some(rest) => (false, rest.strip_prefix("int")?),
        None => (true, dtype.strip_prefix("int")?),
    };
    let width: u32 = bits.parse().ok().filter(|w| *w > 0)?;
    Some(ir::FixedType::Int { width, signed })
}

/// Whether hls4ml's Keras 2 parser keeps this tf.keras `ReLU` layer's class name, `ReLU`, as
/// its `activation` (`parse_activation_layer`), where presynth made a plain relu of it.
pub fn relu_layer_class(kl: &KerasLayer, layer: &Layer) -> bool {
    kl.class_name == "ReLU" && matches!(layer.kind, LayerKind::Activation(Activation::Relu))
}

/// Add the linear activation layer hls4ml's Keras 2 parser makes after `kl` when its config
/// has a linear `activation` and nothing was split off it (`chain` is the IR layers the
/// frontend made of `kl`, the layer itself first: an ApplyAlpha may follow, which hls4ml
/// inserts later, after the activation).
pub fn add_linear_activation(kl: &KerasLayer, chain: &mut Vec<Layer>) {
    let linear = match kl.config.get("activation") {
        Some(Value::Null) => true,
        Some(Value::String(s)) => s == "linear",
        _ => false,
    };
    let Some(first) = chain.first() else {
        return;
    };
    let split_off = chain
        .iter()
        .skip(1)
        .any(|l| matches!(l.kind, LayerKind::Activation(_)));
    if !linear || !first.kind.takes_activation() || !first.activation.is_linear() || split_off {
        return;
    }
    let act = Layer::new(
        format!("{}_linear", kl.name),
        LayerKind::Activation(Activation::Linear),
    );
    chain.insert(1, act);
}
