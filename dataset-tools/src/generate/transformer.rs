//! Random transformer encoders for `dataset generate --family transformer`
//! ([`super::config::TransformerDist`]): Input (seq × features) → Dense projection to d_model →
//! encoder blocks (self-attention → Add → LayerNorm → Dense FFN → Dense → Add → LayerNorm) →
//! GlobalAveragePooling1D → Dense head. Layers are named `<kind>_<n>` as `netbuild::chain`
//! names them; weight and bias precisions are set on the Dense and attention layers.

use super::config::{GenConfig, TransformerDist};
use super::sample::{activation, config};
use crate::error::{DatasetError, Result};
use crate::rng::Rng;
use ir::{Activation, FixedType, IoType, Layer, LayerKind, Network, PoolOp, Strategy};
use std::collections::HashMap;

/// Adds layers named `<base>_<n>`, returning each one's name.
struct Builder {
    net: Network,
    counts: HashMap<&'static str, usize>,
    weight: FixedType,
}

impl Builder {
    fn add(
        &mut self,
        base: &'static str,
        kind: LayerKind,
        act: Activation,
        inputs: &[&str],
    ) -> Result<String> {
        let c = self.counts.entry(base).or_insert(0);
        *c += 1;
        let name = format!("{base}_{c}");
        let weighted = matches!(kind, LayerKind::Dense(_) | LayerKind::MultiHeadAttention(_));
        let mut layer = Layer::new(&name, kind).with_activation(act);
        if weighted {
            layer.settings.precision.weight = Some(self.weight.clone());
            layer.settings.precision.bias = Some(self.weight.clone());
        }
        let net_name = self.net.name.clone();
        self.net
            .add_layer(layer, inputs)
            .map_err(|e| DatasetError::Ir {
                context: format!("building network '{net_name}'"),
                source: e,
            })?;
        Ok(name)
    }
}

fn dense(units: usize) -> LayerKind {
    LayerKind::Dense(ir::ops::Dense {
        units,
        use_bias: true,
    })
}

/// One random encoder of `t`'s ranges.
pub fn encoder(
    cfg: &GenConfig,
    t: &TransformerDist,
    rng: &mut Rng,
    id: &str,
) -> Result<(Network, FixedType)> {
    let seq = rng.range(t.seq.min, t.seq.max) as usize;
    let features = rng.range(t.features.min, t.features.max) as usize;
    let d = *rng.pick(&t.d_model) as usize;
    let heads = *rng.pick(&t.heads) as usize;
    let mult = *rng.pick(&t.ffn_multiplier) as usize;
    let blocks = rng.range(t.blocks.min, t.blocks.max);
    let outputs = rng.range(t.outputs.min, t.outputs.max) as usize;
    let bits = *rng.pick(&t.bits);
    let rf = rng.range(t.reuse_factor.min, t.reuse_factor.max);
    let act = activation(&t.activation);
    let weight = FixedType::fixed(bits, cfg.weight_integer_bits);
    let mut net = Network::new(id);
    net.config = config(cfg, rf, Strategy::Latency, IoType::Parallel);
    let mut b = Builder {
        net,
        counts: HashMap::new(),
        weight: weight.clone(),
    };
    let input = b.add(
        "input",
        LayerKind::Input(ir::ops::Input {
            shape: vec![seq, features],
        }),
        Activation::Linear,
        &[],
    )?;
    let mut x = b.add("dense", dense(d), Activation::Linear, &[&input])?;
    for _ in 0..blocks {
        let attention = LayerKind::MultiHeadAttention(ir::ops::MultiHeadAttention {
            heads,
            kv_heads: heads,
            key_dim: d / heads,
            value_dim: d / heads,
            use_bias: true,
            key_bias: true,
            causal: rng.chance(t.causal_probability),
            output_dim: None,
        });
        let a = b.add(
            "multi_head_attention",
            attention,
            Activation::Linear,
            &[&x, &x],
        )?;
        let r = b.add(
            "add",
            LayerKind::Merge(ir::ops::Merge::ADD),
            Activation::Linear,
            &[&x, &a],
        )?;
        let norm = || {
            LayerKind::LayerNorm(ir::ops::LayerNorm {
                axes: vec![-1],
                epsilon: 1e-3,
                center: true,
                scale: true,
            })
        };
        let n = b.add("layer_normalization", norm(), Activation::Linear, &[&r])?;
        let f = b.add("dense", dense(mult * d), act, &[&n])?;
        let f = b.add("dense", dense(d), Activation::Linear, &[&f])?;
        let r = b.add(
            "add",
            LayerKind::Merge(ir::ops::Merge::ADD),
            Activation::Linear,
            &[&n, &f],
        )?;
        x = b.add("layer_normalization", norm(), Activation::Linear, &[&r])?;
    }
    let p = b.add(
        "global_average_pooling1d",
        LayerKind::GlobalPool1D(ir::ops::GlobalPool1D {
            op: PoolOp::Average,
        }),
        Activation::Linear,
        &[&x],
    )?;
    b.add("dense", dense(outputs), Activation::Linear, &[&p])?;
    let mut net = b.net;
    ir::validate::check_network(&mut net).map_err(|e| DatasetError::Ir {
        context: format!("building network '{id}'"),
        source: e,
    })?;
    Ok((net, weight))
}

#[cfg(test)]
mod tests {
    use crate::generate::{sample_record, FamilyChoice, GenConfig};
    use crate::record::Family;
    use ir::LayerKind;

    #[test]
    fn encoders_stay_in_their_ranges_with_exact_counts() {
        let cfg = GenConfig {
            family: FamilyChoice::Transformer,
            ..GenConfig::default()
        };
        let (mut causal, mut two_blocks) = (0, 0);
        for i in 0..200 {
            let r = sample_record(&cfg, 3, i).unwrap();
            assert_eq!(r.family, Family::Transformer);
            assert_eq!(r.hls.io_type, ir::IoType::Parallel);
            assert_eq!(r.hls.strategy, ir::Strategy::Latency);
            assert!([8, 16].contains(&r.weight_bits()));
            let net = r.network.unwrap();
            let input = &net.layer(net.inputs[0]).output_shape;
            assert!((8..=32).contains(&input[0]) && (4..=16).contains(&input[1]));
            let attn: Vec<_> = net
                .layers()
                .into_iter()
                .filter_map(|l| {
                    if let LayerKind::MultiHeadAttention(m) = &l.kind {
                        Some(m.clone())
                    } else {
                        None
                    }
                })
                .collect();
            assert!((1..=2).contains(&attn.len()));
            two_blocks += usize::from(attn.len() == 2);
            causal += attn.iter().filter(|m| m.causal).count();
            let m = &attn[0];
            let d = m.heads * m.key_dim;
            assert!([16, 32, 48, 64].contains(&d) && [2, 4].contains(&m.heads));
            // Parameters by hand: projection features·d + d; per block attention 4d² + 4d,
            // two LayerNorms 2d each, FFN d·md + md + md·d + d; head d·o + o.
            let stats = net.stats();
            let ffn_hidden = stats
                .iter()
                .find(|s| s.name == "dense_2")
                .unwrap()
                .output_shape[1];
            let outputs = *stats.last().unwrap().output_shape.last().unwrap();
            let (f, d64, h64, o) = (input[1] as u64, d as u64, ffn_hidden as u64, outputs as u64);
            let block = 4 * d64 * d64 + 4 * d64 + 4 * d64 + 2 * d64 * h64 + h64 + d64;
            let want = f * d64 + d64 + attn.len() as u64 * block + d64 * o + o;
            assert_eq!(net.total_params(), want, "record {i}");
        }
        // both block counts and both mask settings occur
        assert!(two_blocks > 20 && two_blocks < 180, "{two_blocks}");
        assert!(causal > 10, "{causal}");
    }
}
