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
        Layer::new(
            "input_1",
            LayerKind::Input(ir::ops::Input { shape: input_shape }),
        ),
        &[],
    )
    .map_err(ir_err)?;
    let mut prev = "input_1".to_string();
    let mut counts: std::collections::HashMap<&'static str, usize> = Default::default();
    for (kind, act) in layers {
        let base = match &kind {
            LayerKind::Dense(_) => "dense",
            LayerKind::Conv1D(_) => "conv1d",
            LayerKind::Conv2D(_) => "conv2d",
            LayerKind::Pool1D(_) | LayerKind::Pool2D(_) => "pool",
            LayerKind::Flatten => "flatten",
            LayerKind::Activation(_) => "activation",
            LayerKind::BatchNorm(_) => "batch_normalization",
            LayerKind::ZeroPadding1D(_) => "zero_padding1d",
            LayerKind::ZeroPadding2D(_) => "zero_padding2d",
            LayerKind::Cropping1D(_) => "cropping1d",
            LayerKind::Cropping2D(_) => "cropping2d",
            LayerKind::UpSampling1D(_) => "up_sampling1d",
            LayerKind::UpSampling2D(_) => "up_sampling2d",
            LayerKind::LayerNorm(_) => "layer_normalization",
            LayerKind::EinsumDense(_) => "einsum_dense",
            LayerKind::Embedding(_) => "embedding",
            LayerKind::Recurrent(r) => match (r.bidirectional, r.cell) {
                (Some(_), _) => "bidirectional",
                (None, ir::ops::Cell::SimpleRnn) => "simple_rnn",
                (None, ir::ops::Cell::Lstm) => "lstm",
                (None, ir::ops::Cell::Gru) => "gru",
            },
            LayerKind::DepthwiseConv2D(_) => "depthwise_conv2d",
            LayerKind::SeparableConv2D(_) => "separable_conv2d",
            LayerKind::DepthwiseConv1D(_) => "depthwise_conv1d",
            LayerKind::SeparableConv1D(_) => "separable_conv1d",
            LayerKind::ApplyAlpha => "alpha",
            LayerKind::PositionalAdd => "positional_add",
            LayerKind::PReLU => "prelu",
            LayerKind::Permute(_) => "permute",
            // two operands: a chain cannot hold it (add_layer refuses it below)
            LayerKind::Dot => "dot",
            // two operands (vertices and their count): a chain cannot hold it either
            LayerKind::GarNet(_) => "gar_net",
            LayerKind::FixedPointQuantizer(_) => "fixed_point_quantizer",
            LayerKind::TimeDistributed(_) => "time_distributed",
            // two operands: a chain cannot hold it (add_layer refuses it below)
            LayerKind::MultiHeadAttention(_) => "multi_head_attention",
            LayerKind::Input(_)
            | LayerKind::GlobalPool1D(_)
            | LayerKind::GlobalPool2D(_)
            | LayerKind::Reshape(_)
            | LayerKind::Concatenate(_)
            | LayerKind::Dropout(_)
            | LayerKind::Merge(_) => "layer",
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
                LayerKind::Dense(ir::ops::Dense {
                    units,
                    use_bias: true,
                }),
                activation,
            )
        })
        .collect();
    chain(name, vec![widths[0]], layers, config, weight_precision)
}

/// Give every layer that carries weights (its kind's registry entry says which, and each
/// tensor's [`ir::WeightRole`]) and has none Keras's default initialisation: Glorot-uniform
/// kernels (limit sqrt(6 / (fan_in + fan_out)); depthwise, pointwise and attention kernels
/// too), zero biases, BatchNorm's and LayerNorm's defaults (gamma and moving variance 1, beta
/// and moving mean 0) and U(-0.05, 0.05) embedding tables, drawn from a stream
/// seeded with `seed`, so that the same record always gets the same weights. wa-hls4ml's
/// models are untrained Keras models initialised this way.
pub fn fill_random_weights(net: &mut Network, seed: u64) -> Result<()> {
    let mut rng = crate::rng::Rng::new(seed);
    let order = net.topo_order().map_err(|e| DatasetError::Ir {
        context: format!("network '{}'", net.name),
        source: e,
    })?;
    for id in order {
        let ins: Vec<ir::Shape> = net
            .inputs_of(id)
            .into_iter()
            .map(|i| net.layer(i).output_shape.clone())
            .collect();
        let layer = net.layer_mut(id);
        if !layer.weights.is_empty() {
            continue;
        }
        // What the kind carries comes from the registry; each tensor gets Keras's default
        // initialiser for its role.
        for ir::WeightSpec { name, shape, role } in layer.kind.op().weights(&ins) {
            let n: usize = shape.iter().product();
            let data = match role {
                ir::WeightRole::Kernel => {
                    // glorot_uniform: fans count the receptive field (kernel axes before the
                    // last two, which are inputs and outputs).
                    let k = shape.len();
                    let receptive: usize = shape[..k.saturating_sub(2)].iter().product();
                    let fan_in =
                        (receptive * shape.get(k.wrapping_sub(2)).copied().unwrap_or(1)) as f64;
                    let fan_out = (receptive * shape.last().copied().unwrap_or(1)) as f64;
                    let limit = (6.0 / (fan_in + fan_out).max(1.0)).sqrt();
                    uniform(&mut rng, n, limit)
                }
                // Keras's `uniform` initialiser: U(-0.05, 0.05)
                ir::WeightRole::Embeddings => uniform(&mut rng, n, 0.05),
                ir::WeightRole::Scale | ir::WeightRole::MovingVariance => vec![1.0; n],
                ir::WeightRole::Bias | ir::WeightRole::Shift | ir::WeightRole::MovingMean => {
                    vec![0.0; n]
                }
            };
            layer
                .weights
                .push((name.to_string(), ir::Tensor::new(shape, data)));
        }
    }
    Ok(())
}

/// `n` values uniform in (-limit, limit).
fn uniform(rng: &mut crate::rng::Rng, n: usize, limit: f64) -> Vec<f32> {
    (0..n)
        .map(|_| ((rng.unit() * 2.0 - 1.0) * limit) as f32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keras's defaults by each tensor's role, whatever its name: before the roles, every
    /// tensor not named `kernel`, `gamma` or `moving_variance` was zero-filled, so a
    /// SeparableConv2D's depthwise and pointwise kernels and an Embedding's table were all
    /// zeros.
    #[test]
    fn random_weights_follow_each_tensors_role() {
        let sep = LayerKind::SeparableConv2D(ir::ops::SeparableConv2D {
            filters: 4,
            kernel: [3, 3],
            stride: [1, 1],
            padding: ir::Padding::Valid,
            depth_multiplier: 2,
            use_bias: true,
        });
        let mut net = chain(
            "sep",
            vec![8, 8, 3],
            vec![(sep, Activation::Linear)],
            HlsConfig::default(),
            None,
        )
        .unwrap();
        fill_random_weights(&mut net, 7).unwrap();
        let layer = net
            .layers()
            .into_iter()
            .find(|l| l.name == "separable_conv2d_1");
        let layer = layer.unwrap();
        // glorot_uniform limit sqrt(6 / (fan_in + fan_out)), fans times the receptive field:
        // depthwise [3,3,3,2]: 9·3 + 9·2 = 45 → 0.365; pointwise [1,1,6,4]: 6 + 4 → 0.775.
        for (name, limit) in [("depthwise_kernel", 0.3652), ("pointwise_kernel", 0.7746)] {
            let t = layer.weight(name).unwrap();
            assert!(t.data.iter().all(|v| v.abs() <= limit), "{name}");
            assert!(
                t.data.iter().filter(|v| **v != 0.0).count() > t.len() / 2,
                "{name}"
            );
        }
        assert!(layer.weight("bias").unwrap().data.iter().all(|v| *v == 0.0));

        let emb = LayerKind::Embedding(ir::ops::Embedding {
            input_dim: 50,
            output_dim: 8,
        });
        let mut net = chain(
            "emb",
            vec![10],
            vec![(emb, Activation::Linear)],
            HlsConfig::default(),
            None,
        )
        .unwrap();
        fill_random_weights(&mut net, 7).unwrap();
        let table = net.layers().into_iter().find(|l| l.name == "embedding_1");
        let table = table.unwrap().weight("embeddings").unwrap();
        // Keras's `uniform` initialiser: U(-0.05, 0.05)
        assert!(table.data.iter().all(|v| v.abs() <= 0.05));
        assert!(table.data.iter().filter(|v| **v != 0.0).count() > table.len() / 2);
    }
}
