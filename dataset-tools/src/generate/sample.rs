//! Sampling of one random network + HLS configuration from a [`GenConfig`], as a canonical
//! [`Record`]. Everything is drawn from the record's own [`Rng`] stream, so record `i` of a
//! seed is the same whatever else is generated and on however many threads.

use super::config::{ConvDist, DenseDist, GenConfig, Range};
use crate::error::{DatasetError, Result};
use crate::netbuild::chain;
use crate::record::{Family, Provenance, Record};
use crate::rng::Rng;
use ir::{Activation, FixedType, HlsConfig, IoType, LayerKind, Network, Padding, PoolOp, Strategy};

/// The id of generated record `index`.
pub fn record_id(index: u64) -> String {
    format!("gen{index:08}")
}

/// Generate record `index` of the dataset with `seed`.
pub fn sample_record(cfg: &GenConfig, seed: u64, index: u64) -> Result<Record> {
    let mut rng = Rng::for_record(seed, index);
    let family = cfg.family_for(rng.unit());
    let id = record_id(index);
    let (network, weight) = match family {
        Family::Dense => dense(cfg, &cfg.dense, &mut rng, &id)?,
        Family::Conv1d => conv(cfg, &cfg.conv1d, false, &mut rng, &id)?,
        Family::Conv2d => conv(cfg, &cfg.conv2d, true, &mut rng, &id)?,
        Family::Transformer => super::transformer::encoder(cfg, &cfg.transformer, &mut rng, &id)?,
        Family::Other => unreachable!("family_for never yields Other"),
    };
    let provenance = Provenance {
        source: "presynth dataset generate".into(),
        tool: Some("presynth".into()),
        tool_version: Some(env!("CARGO_PKG_VERSION").into()),
        part: Some(cfg.part.clone()),
        clock_period_ns: Some(cfg.clock_period_ns),
        seed: Some(seed),
        ..Provenance::default()
    };
    let mut rec = Record::from_network(id, network, provenance);
    rec.weight_precision = Some(weight);
    Ok(rec)
}

/// A multiple of `step` in `r` (uniform), or any value of `r` when no multiple fits.
fn stepped(rng: &mut Rng, r: Range, step: u64) -> u64 {
    let lo = r.min.div_ceil(step);
    let hi = r.max / step;
    if lo > hi || lo == 0 {
        rng.range(r.min, r.max)
    } else {
        rng.range(lo, hi) * step
    }
}

pub(super) fn activation(name: &str) -> Activation {
    // Validated in GenConfig::validate.
    Activation::from_name(name).unwrap_or(Activation::Relu)
}

pub(super) fn config(cfg: &GenConfig, rf: u64, strategy: Strategy, io_type: IoType) -> HlsConfig {
    HlsConfig {
        reuse_factor: rf as u32,
        strategy,
        io_type,
        part: cfg.part.clone(),
        clock_period_ns: cfg.clock_period_ns,
        backend: cfg.backend.clone(),
        ..HlsConfig::default()
    }
}

fn dense(cfg: &GenConfig, d: &DenseDist, rng: &mut Rng, id: &str) -> Result<(Network, FixedType)> {
    let n_layers = rng.range(d.layers.min, d.layers.max);
    let small = n_layers <= d.small_max_layers;
    let step = if small { d.small_step } else { 1 };
    let input = stepped(rng, d.neurons, step) as usize;
    let act = activation(&d.activation);
    let layers: Vec<(LayerKind, Activation)> = (0..n_layers)
        .map(|i| {
            let units = stepped(rng, d.neurons, step) as usize;
            let a = if i + 1 == n_layers {
                Activation::Linear
            } else {
                act
            };
            (
                LayerKind::Dense(ir::ops::Dense {
                    units,
                    use_bias: true,
                }),
                a,
            )
        })
        .collect();
    let bits = *rng.pick(if small { &d.small_bits } else { &d.large_bits });
    let strategy = if n_layers >= d.latency_min_layers && rng.chance(d.latency_probability) {
        Strategy::Latency
    } else {
        Strategy::Resource
    };
    let rf = rng.range(d.reuse_factor.min, d.reuse_factor.max);
    let weight = FixedType::fixed(bits, cfg.weight_integer_bits);
    let mut net = chain(
        id,
        vec![input],
        layers,
        config(cfg, rf, strategy, IoType::Parallel),
        Some(&weight),
    )?;
    apply_reuse(&mut net)?;
    Ok((net, weight))
}

fn conv(
    cfg: &GenConfig,
    c: &ConvDist,
    two_d: bool,
    rng: &mut Rng,
    id: &str,
) -> Result<(Network, FixedType)> {
    let n_layers = rng.range(c.layers.min, c.layers.max);
    let n_dense = rng.range(c.dense_layers.min, c.dense_layers.max.min(n_layers - 1));
    let n_conv = n_layers - n_dense;
    let input = c.input_range(two_d);
    let input_side = rng.range(input.min, input.max) as usize;
    let mut side = input_side;
    let channels = rng.range(c.input_channels.min, c.input_channels.max) as usize;
    let act = activation(&c.activation);
    let mut layers: Vec<(LayerKind, Activation)> = Vec::new();
    // A conv whose kernel no longer fits the feature map is replaced by one more Dense layer
    // (so the layer count stays as drawn and every conv is a real, valid-padding KxK conv).
    let mut n_dense = n_dense;
    for k in 0..n_conv {
        let filters = *rng.pick(&c.filters) as usize;
        let kernel = (*rng.pick(&c.kernel) as usize).max(1);
        if kernel > side {
            // The first conv always fits: GenConfig::validate keeps input sides >= kernels.
            debug_assert!(k > 0);
            n_dense += 1;
            continue;
        }
        let kind = if two_d {
            LayerKind::Conv2D(ir::ops::Conv2D {
                filters,
                kernel: [kernel, kernel],
                stride: [1, 1],
                padding: Padding::Valid,
                use_bias: true,
            })
        } else {
            LayerKind::Conv1D(ir::ops::Conv1D {
                filters,
                kernel,
                stride: 1,
                padding: Padding::Valid,
                use_bias: true,
            })
        };
        layers.push((kind, act));
        side = side + 1 - kernel;
        if side / 2 >= kernel && rng.chance(c.pool_probability) {
            let pool = if two_d {
                LayerKind::Pool2D(ir::ops::Pool2D {
                    op: PoolOp::Max,
                    pool: [2, 2],
                    stride: [2, 2],
                    padding: Padding::Valid,
                })
            } else {
                LayerKind::Pool1D(ir::ops::Pool1D {
                    op: PoolOp::Max,
                    pool: 2,
                    stride: 2,
                    padding: Padding::Valid,
                })
            };
            layers.push((pool, Activation::Linear));
            side /= 2;
        }
    }
    layers.push((LayerKind::Flatten, Activation::Linear));
    for i in 0..n_dense {
        let units = rng.range(c.dense_neurons.min, c.dense_neurons.max) as usize;
        let a = if i + 1 == n_dense {
            Activation::Linear
        } else {
            act
        };
        layers.push((
            LayerKind::Dense(ir::ops::Dense {
                units,
                use_bias: true,
            }),
            a,
        ));
    }
    let bits = *rng.pick(&c.bits);
    let rf = rng.range(c.reuse_factor.min, c.reuse_factor.max);
    let weight = FixedType::fixed(bits, cfg.weight_integer_bits);
    let input_shape = if two_d {
        vec![input_side, input_side, channels]
    } else {
        vec![input_side, channels]
    };
    let mut net = chain(
        id,
        input_shape,
        layers,
        config(cfg, rf, Strategy::Resource, IoType::Stream),
        Some(&weight),
    )?;
    apply_reuse(&mut net)?;
    Ok((net, weight))
}

/// Set each Dense/Conv layer's reuse factor to the valid one closest to the model's, as hls4ml
/// does for the Resource strategy (Latency layers keep the model value).
fn apply_reuse(net: &mut Network) -> Result<()> {
    if net.config.strategy != Strategy::Resource {
        return Ok(());
    }
    let requested = net.config.reuse_factor as u64;
    let order = net.topo_order().map_err(|e| DatasetError::Ir {
        context: format!("network '{}'", net.name),
        source: e,
    })?;
    for id in order {
        let inputs = net.inputs_of(id);
        let Some(&src) = inputs.first() else { continue };
        let ins = [net.layer(src).output_shape.clone()];
        let Some((n_in, n_out)) = net.layer(id).kind.op().product_shape(&ins) else {
            continue;
        };
        let rf = ir::reuse::closest_reuse_factor(n_in, n_out, requested);
        net.layer_mut(id).settings.reuse_factor = Some(rf as u32);
    }
    Ok(())
}
