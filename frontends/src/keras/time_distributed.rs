//! Keras's `TimeDistributed` wrapper to the IR's `TimeDistributed` kind. The wrapped layer is
//! `config.layer` (`{class_name, config}` in tf.keras 2, with `module` and `registered_name`
//! in Keras 3), read by the same class table as any layer (so every class presynth reads may be
//! wrapped, QKeras ones included) under its own Keras name. Refused by name: a wrapped nested
//! model (hls4ml's tf.keras converter reads it as a LayerGroup; presynth does not yet) and a
//! wrapped layer the reader turns into several IR layers (a QKeras layer whose activation is a
//! quantizer, or whose kernel quantizer has `alpha="auto_po2"`). The weights are the wrapper's
//! (`td/td/kernel:0` in tf.keras 2 files, `layers/time_distributed/layer/vars` in `.keras`
//! archives: keras/h5.rs).

use super::layers::{convert, Attrs, KerasLayer};
use super::weights::RawWeight;
use crate::error::FrontendError;
use ir::layer::LayerKind;
use ir::ops::TimeDistributed;
use serde_json::{Map, Value};

/// The IR kind of a `TimeDistributed` layer.
pub(super) fn time_distributed(a: &Attrs) -> Result<LayerKind, FrontendError> {
    let inner = a
        .get("layer")
        .and_then(Value::as_object)
        .ok_or_else(|| a.missing("layer", "the wrapped layer ({class_name, config})"))?;
    let class = inner
        .get("class_name")
        .and_then(Value::as_str)
        .ok_or_else(|| a.missing("layer.class_name", "the wrapped layer's class"))?;
    inner
        .get("config")
        .and_then(Value::as_object)
        .ok_or_else(|| a.missing("layer.config", "the wrapped layer's config"))?;
    if matches!(class, "Sequential" | "Functional" | "Model") {
        return Err(a.unsupported(
            "layer",
            format!(
                "a wrapped {class} model (hls4ml's tf.keras converter reads it as a LayerGroup; \
                 presynth reads only a single wrapped layer)"
            ),
        ));
    }
    if matches!(class, "InputLayer" | "TimeDistributed") {
        return Err(a.unsupported(
            "layer",
            format!("a wrapped {class} (expected a layer with one input)"),
        ));
    }
    let wrapped = wrapped_keras_layer(a.layer)
        .ok_or_else(|| a.missing("layer.config.name", "the wrapped layer's name"))?;
    let name = wrapped.name.as_str();
    let mut layers = convert(a.file, &wrapped)?;
    if layers.len() != 1 {
        let made: Vec<String> = layers.iter().map(|l| format!("'{}'", l.name)).collect();
        return Err(a.unsupported(
            "layer",
            format!(
                "the wrapped {class} '{name}' reads as several layers ({}): a quantizer \
                 activation or an alpha=\"auto_po2\" kernel quantizer inside TimeDistributed \
                 is not supported",
                made.join(", ")
            ),
        ));
    }
    let layer = layers.remove(0);
    Ok(LayerKind::TimeDistributed(TimeDistributed {
        layer: Box::new(layer),
    }))
}

/// The wrapped layer of a `TimeDistributed` Keras layer as a layer of its own (its class, config
/// and name; no inbound layers); `None` for other layers and for a config without the wrapped
/// layer's class, config or name. The weights reader quantizes the wrapper's weights by it.
pub(super) fn wrapped_keras_layer(kl: &KerasLayer) -> Option<KerasLayer> {
    if kl.class_name != "TimeDistributed" {
        return None;
    }
    let inner = kl.config.get("layer")?.as_object()?;
    let class = inner.get("class_name")?.as_str()?;
    let config = inner.get("config")?.as_object()?;
    let name = config.get("name")?.as_str()?;
    Some(KerasLayer {
        name: name.to_string(),
        class_name: class.to_string(),
        config: config.clone(),
        inbound: Vec::new(),
        call: Map::new(),
        hgq2: false,
    })
}

/// The wrapper's weights with the wrapped layer's group left out of their names: Keras 3's
/// legacy `.h5` keeps them under it (`td/td/td_fc/kernel` reads as `td_fc/kernel`).
pub(super) fn unprefixed(kl: &KerasLayer, weights: &[RawWeight]) -> Vec<RawWeight> {
    let prefix = wrapped_keras_layer(kl).map(|w| format!("{}/", w.name));
    weights
        .iter()
        .map(|w| {
            let mut w = w.clone();
            if let (Some(p), Some(n)) = (&prefix, &w.name) {
                if let Some(rest) = n.strip_prefix(p.as_str()) {
                    w.name = Some(rest.to_string());
                }
            }
            w
        })
        .collect()
}
