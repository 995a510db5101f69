//! Small builders of IR networks shared by the ingesters and the generator: a chain of layers
//! from an input shape, with uniform weight/bias precision on the Dense and Conv layers.

use crate::error::{DatasetError, Result};
use ir::{Activation, FixedType, HlsConfig, Layer, LayerKind, Network};

/// Build `Input(input_shape) -> layers...` as a chain, named `input_1`, then `<kind>_<n>` in
/// order, set the model config, set `weight_precision` (if any) as the weight and bias
/// precision of every Dense/Conv layer, and infer shapes.
pub fn chain(
    name: &str,
    input_shape: Vec<usize>,
    layers: Vec<(LayerKind, Activation)>,
    config: HlsConfig,
    weight_precision: Option<&FixedType>,
) -> Result<Network> {
    let mut n = Network::new(name);
    n.config = config;
    let ir_err = |e| DatasetError::Ir {
        context: format!("building network '{name}'"),
        source: e,
    };
    n.add_layer(
        Layer::new("input_1", LayerKind::Input { shape: input_shape }),
        &[],
    )
    .map_err(ir_err)?;
    let mut prev = "input_1".to_string();
    let mut counts: std::collections::HashMap<&'static str, usize> = Default::default();
    for (kind, act) in layers {
        let base = match &kind {
            LayerKind::Dense { .. } => "dense",
            LayerKind::Conv1D { .. } => "conv1d",
            LayerKind::Conv2D { .. } => "conv2d",
            LayerKind::Pool1D { .. } | LayerKind::Pool2D { .. } => "pool",
            LayerKind::Flatten => "flatten",
            LayerKind::Activation(_) => "activation",
            LayerKind::BatchNorm { .. } => "batch_normalization",
            _ => "layer",
        };
        let c = counts.entry(base).or_insert(0);
        *c += 1;
        let lname = format!("{base}_{c}");
        let mut layer = Layer::new(&lname, kind);
        if layer.kind.takes_activation() {
            layer.activation = act;
            if let Some(p) = weight_precision {
                layer.settings.precision.weight = Some(p.clone());
                layer.settings.precision.bias = Some(p.clone());
            }
        }
        n.add_layer(layer, &[&prev]).map_err(ir_err)?;
        prev = lname;
    }
    // The frontends' limits (sizes, costs, no zero dimension), then shapes.
    ir::validate::check_network(&mut n).map_err(ir_err)?;
    Ok(n)
}

/// A Dense chain `widths[0] -> widths[1] -> ...` with the same activation on every layer.
pub fn dense_chain(
    name: &str,
    widths: &[usize],
    activation: Activation,
    config: HlsConfig,
    weight_precision: Option<&FixedType>,
) -> Result<Network> {
    if widths.len() < 2 {
        return Err(DatasetError::Invalid(format!(
            "network '{name}': a dense chain needs an input width and at least one layer, got {widths:?}"
        )));
    }
    let layers = widths[1..]
        .iter()
        .map(|&units| {
            (
                LayerKind::Dense {
                    units,
                    use_bias: true,
                },
                activation,
            )
        })
        .collect();
    chain(name, vec![widths[0]], layers, config, weight_precision)
}

/// Give every Dense/Conv layer that has no weights Keras's default initialisation: Glorot-
/// uniform kernels (limit sqrt(6 / (fan_in + fan_out))) and zero biases, drawn from a stream
/// seeded with `seed`, so that the same record always gets the same weights. wa-hls4ml's
/// models are untrained Keras models initialised this way.
pub fn fill_random_weights(net: &mut Network, seed: u64) -> Result<()> {
    let mut rng = crate::rng::Rng::new(seed);
    let order = net.topo_order().map_err(|e| DatasetError::Ir {
        context: format!("network '{}'", net.name),
        source: e,
    })?;
    for id in order {
        let c_in = net
            .inputs_of(id)
            .first()
            .and_then(|s| net.layer(*s).output_shape.last().copied())
            .unwrap_or(0);
        let layer = net.layer_mut(id);
        if !layer.weights.is_empty() {
            continue;
        }
        let (shape, units, use_bias, receptive) = match &layer.kind {
            LayerKind::Dense { units, use_bias } => (vec![c_in, *units], *units, *use_bias, 1),
            LayerKind::Conv1D {
                filters,
                kernel,
                use_bias,
                ..
            } => (vec![*kernel, c_in, *filters], *filters, *use_bias, *kernel),
            LayerKind::Conv2D {
                filters,
                kernel,
                use_bias,
                ..
            } => (
                vec![kernel[0], kernel[1], c_in, *filters],
                *filters,
                *use_bias,
                kernel[0] * kernel[1],
            ),
            _ => continue,
        };
        let fan_in = (c_in * receptive) as f64;
        let fan_out = (units * receptive) as f64;
        let limit = (6.0 / (fan_in + fan_out).max(1.0)).sqrt();
        let n: usize = shape.iter().product();
        let data = (0..n)
            .map(|_| ((rng.unit() * 2.0 - 1.0) * limit) as f32)
            .collect();
        layer
            .weights
            .push(("kernel".into(), ir::Tensor::new(shape, data)));
        if use_bias {
            layer.weights.push((
                "bias".into(),
                ir::Tensor::new(vec![units], vec![0.0; units]),
            ));
        }
    }
    Ok(())
}
