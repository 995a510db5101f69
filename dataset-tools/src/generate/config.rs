//! The generator's distributions, with wa-hls4ml's published ranges as defaults
//! (docs/domain-notes.md §4.1, from the paper README and the HF dataset card):
//! dense 2–7 layers of 8–128 neurons (step 8 for 2–3 layers), conv 3–7 layers with 8–64
//! filters on 32–128 features; weights `ap_fixed<X,1>` with X in 2–16 step 2 for 2–3 layer
//! dense, 4/8/16 otherwise; reuse factor dense 1–4093, conv 8192–32795; Resource strategy,
//! Latency for some 3–7 layer dense; io_parallel for dense, io_stream for conv; xcu250, 5 ns.
//! Every field can be overridden from a YAML or TOML file (missing fields keep the default).

use crate::error::{DatasetError, Result};
use crate::record::Family;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Which families to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FamilyChoice {
    #[default]
    Dense,
    Conv1d,
    Conv2d,
    Transformer,
    Mixed,
}

impl std::str::FromStr for FamilyChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "dense" => Ok(FamilyChoice::Dense),
            "conv1d" => Ok(FamilyChoice::Conv1d),
            "conv2d" => Ok(FamilyChoice::Conv2d),
            "transformer" => Ok(FamilyChoice::Transformer),
            "mixed" => Ok(FamilyChoice::Mixed),
            _ => Err(format!(
                "unknown family '{s}' (expected dense, conv1d, conv2d, transformer or mixed)"
            )),
        }
    }
}

/// An inclusive integer range `[min, max]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub min: u64,
    pub max: u64,
}

impl Range {
    pub const fn new(min: u64, max: u64) -> Self {
        Range { min, max }
    }
}

/// Dense networks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DenseDist {
    /// Number of Dense layers.
    pub layers: Range,
    /// Input features and layer widths.
    pub neurons: Range,
    /// Width step for networks of at most `small_max_layers` layers (wa-hls4ml: 8).
    pub small_step: u64,
    pub small_max_layers: u64,
    /// Weight bits for small networks (2–3 layers) and for the others.
    pub small_bits: Vec<u32>,
    pub large_bits: Vec<u32>,
    pub reuse_factor: Range,
    /// Probability of the Latency strategy for networks of at least `latency_min_layers`.
    pub latency_probability: f64,
    pub latency_min_layers: u64,
    /// Activation of the hidden layers (the last layer is linear).
    pub activation: String,
}

impl Default for DenseDist {
    fn default() -> Self {
        DenseDist {
            layers: Range::new(2, 7),
            neurons: Range::new(8, 128),
            small_step: 8,
            small_max_layers: 3,
            small_bits: vec![2, 4, 6, 8, 10, 12, 14, 16],
            large_bits: vec![4, 8, 16],
            reuse_factor: Range::new(1, 4093),
            latency_probability: 0.2,
            latency_min_layers: 3,
            activation: "relu".into(),
        }
    }
}

/// Convolutional networks: `conv_layers` Conv (each followed by a 2-wide max pool with
/// `pool_probability` while the feature map allows it), Flatten, then `dense_layers` Dense.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConvDist {
    /// Total Conv + Dense layers.
    pub layers: Range,
    pub dense_layers: Range,
    /// Input side (length for 1D, height = width for 2D); unset: 32–128 for conv1d (the
    /// published feature range), 8–32 for conv2d (so that 7-layer stacks stay synthesisable).
    pub input_size: Option<Range>,
    pub input_channels: Range,
    pub filters: Vec<u64>,
    pub kernel: Vec<u64>,
    pub pool_probability: f64,
    pub dense_neurons: Range,
    pub bits: Vec<u32>,
    pub reuse_factor: Range,
    pub activation: String,
}

impl ConvDist {
    /// The input side range for 2D (`two_d`) or 1D networks.
    pub fn input_range(&self, two_d: bool) -> Range {
        self.input_size.unwrap_or(if two_d {
            Range::new(8, 32)
        } else {
            Range::new(32, 128)
        })
    }
}

impl Default for ConvDist {
    fn default() -> Self {
        ConvDist {
            layers: Range::new(3, 7),
            dense_layers: Range::new(1, 2),
            input_size: None,
            input_channels: Range::new(1, 4),
            filters: vec![8, 16, 32, 64],
            kernel: vec![3],
            pool_probability: 0.5,
            dense_neurons: Range::new(8, 128),
            bits: vec![4, 8, 16],
            reuse_factor: Range::new(8192, 32795),
            activation: "relu".into(),
        }
    }
}

/// Transformer encoders (not in wa-hls4ml; the ranges of issue 15): an input of `seq`
/// positions × `features`, a Dense projection to `d_model`, `blocks` encoder blocks
/// (self-attention with `heads` heads of d_model/heads, causal with `causal_probability`, Add,
/// LayerNormalization, a Dense FFN of `ffn_multiplier`·d_model with `activation` and back, Add,
/// LayerNormalization), GlobalAveragePooling1D and a linear Dense head of `outputs`. hls4ml
/// builds attention and EinsumDense in io_parallel with Latency kernels only, so every
/// network is io_parallel and Latency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransformerDist {
    pub seq: Range,
    pub features: Range,
    pub d_model: Vec<u64>,
    pub heads: Vec<u64>,
    pub ffn_multiplier: Vec<u64>,
    pub blocks: Range,
    pub outputs: Range,
    pub causal_probability: f64,
    pub bits: Vec<u32>,
    pub reuse_factor: Range,
    pub activation: String,
}

impl Default for TransformerDist {
    fn default() -> Self {
        TransformerDist {
            seq: Range::new(8, 32),
            features: Range::new(4, 16),
            d_model: vec![16, 32, 48, 64],
            heads: vec![2, 4],
            ffn_multiplier: vec![2, 4],
            blocks: Range::new(1, 2),
            outputs: Range::new(2, 10),
            causal_probability: 0.25,
            bits: vec![8, 16],
            reuse_factor: Range::new(1, 1),
            activation: "relu".into(),
        }
    }
}

/// Relative weights of the families for `--family mixed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MixWeights {
    pub dense: f64,
    pub conv1d: f64,
    pub conv2d: f64,
    /// 0 by default, so the default mix is wa-hls4ml's families only.
    pub transformer: f64,
}

impl Default for MixWeights {
    fn default() -> Self {
        // About the subset sizes of wa-hls4ml, where dense dominates.
        MixWeights {
            dense: 0.8,
            conv1d: 0.1,
            conv2d: 0.1,
            transformer: 0.0,
        }
    }
}

/// Everything the generator samples from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GenConfig {
    pub family: FamilyChoice,
    pub mix: MixWeights,
    pub part: String,
    pub clock_period_ns: f64,
    pub backend: String,
    /// Integer bits of the weight type `ap_fixed<X, I>` (wa-hls4ml: 1).
    pub weight_integer_bits: i32,
    pub dense: DenseDist,
    pub conv1d: ConvDist,
    pub conv2d: ConvDist,
    pub transformer: TransformerDist,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            family: FamilyChoice::Dense,
            mix: MixWeights::default(),
            part: "xcu250-figd2104-2L-e".into(),
            clock_period_ns: 5.0,
            backend: "Vitis".into(),
            weight_integer_bits: 1,
            dense: DenseDist::default(),
            conv1d: ConvDist::default(),
            conv2d: ConvDist::default(),
            transformer: TransformerDist::default(),
        }
    }
}

impl GenConfig {
    /// Read a config file: YAML (`.yml`/`.yaml`) or TOML (`.toml`).
    pub fn from_path(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| DatasetError::io(path, e))?;
        let err = |message: String| DatasetError::Config {
            path: path.to_path_buf(),
            message,
        };
        let cfg: GenConfig = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => toml::from_str(&text).map_err(|e| err(e.to_string()))?,
            Some("yml") | Some("yaml") => {
                serde_yaml::from_str(&text).map_err(|e| err(e.to_string()))?
            }
            _ => return Err(err("expected a .yaml, .yml or .toml file".into())),
        };
        cfg.validate().map_err(err)?;
        Ok(cfg)
    }

    /// Check ranges and lists; the message names the field.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let range = |name: &str, r: &Range, lo: u64| {
            if r.min < lo || r.max < r.min {
                Err(format!(
                    "{name}: need {lo} <= min <= max, got {}..{}",
                    r.min, r.max
                ))
            } else {
                Ok(())
            }
        };
        let list = |name: &str, empty: bool| {
            if empty {
                Err(format!("{name}: must not be empty"))
            } else {
                Ok(())
            }
        };
        let prob = |name: &str, p: f64| {
            if (0.0..=1.0).contains(&p) {
                Ok(())
            } else {
                Err(format!("{name}: {p} is not a probability"))
            }
        };
        let d = &self.dense;
        range("dense.layers", &d.layers, 1)?;
        range("dense.neurons", &d.neurons, 1)?;
        range("dense.reuse_factor", &d.reuse_factor, 1)?;
        list("dense.small_bits", d.small_bits.is_empty())?;
        list("dense.large_bits", d.large_bits.is_empty())?;
        prob("dense.latency_probability", d.latency_probability)?;
        if d.small_step == 0 {
            return Err("dense.small_step: must be at least 1".into());
        }
        ir::Activation::from_name(&d.activation)
            .ok_or_else(|| format!("dense.activation: unknown activation '{}'", d.activation))?;
        for (name, c) in [("conv1d", &self.conv1d), ("conv2d", &self.conv2d)] {
            range(&format!("{name}.layers"), &c.layers, 2)?;
            range(&format!("{name}.dense_layers"), &c.dense_layers, 1)?;
            if c.dense_layers.min >= c.layers.max {
                return Err(format!(
                    "{name}.dense_layers: must leave room for a conv layer"
                ));
            }
            range(
                &format!("{name}.input_size"),
                &c.input_range(name == "conv2d"),
                1,
            )?;
            range(&format!("{name}.input_channels"), &c.input_channels, 1)?;
            range(&format!("{name}.dense_neurons"), &c.dense_neurons, 1)?;
            range(&format!("{name}.reuse_factor"), &c.reuse_factor, 1)?;
            list(&format!("{name}.filters"), c.filters.is_empty())?;
            list(&format!("{name}.kernel"), c.kernel.is_empty())?;
            let kmax = c.kernel.iter().copied().max().unwrap_or(1);
            let input = c.input_range(name == "conv2d");
            if input.min < kmax || c.kernel.contains(&0) {
                return Err(format!(
                    "{name}.kernel: kernels must be in 1..={} (the smallest input side)",
                    input.min
                ));
            }
            list(&format!("{name}.bits"), c.bits.is_empty())?;
            prob(&format!("{name}.pool_probability"), c.pool_probability)?;
            ir::Activation::from_name(&c.activation).ok_or_else(|| {
                format!("{name}.activation: unknown activation '{}'", c.activation)
            })?;
        }
        let t = &self.transformer;
        range("transformer.seq", &t.seq, 1)?;
        range("transformer.features", &t.features, 1)?;
        range("transformer.blocks", &t.blocks, 1)?;
        range("transformer.outputs", &t.outputs, 1)?;
        range("transformer.reuse_factor", &t.reuse_factor, 1)?;
        list("transformer.d_model", t.d_model.is_empty())?;
        list("transformer.heads", t.heads.is_empty())?;
        list("transformer.ffn_multiplier", t.ffn_multiplier.is_empty())?;
        list("transformer.bits", t.bits.is_empty())?;
        prob("transformer.causal_probability", t.causal_probability)?;
        for &d in &t.d_model {
            if let Some(h) = t.heads.iter().find(|&&h| h == 0 || d % h != 0) {
                return Err(format!(
                    "transformer.heads: {h} heads do not divide d_model {d} into equal heads"
                ));
            }
        }
        if t.ffn_multiplier.contains(&0) {
            return Err("transformer.ffn_multiplier: must be at least 1".into());
        }
        ir::Activation::from_name(&t.activation).ok_or_else(|| {
            format!(
                "transformer.activation: unknown activation '{}'",
                t.activation
            )
        })?;
        let m = &self.mix;
        if m.transformer.is_nan() || m.transformer < 0.0 {
            return Err("mix.transformer: must be 0 or more".into());
        }
        if self.family == FamilyChoice::Mixed
            && (m.dense + m.conv1d + m.conv2d + m.transformer).partial_cmp(&0.0)
                != Some(std::cmp::Ordering::Greater)
        {
            return Err("mix: the weights must add up to more than 0".into());
        }
        ir::names::check_part(&self.part).map_err(|m| format!("part: {m}"))?;
        if self.clock_period_ns.is_nan() || self.clock_period_ns <= 0.0 {
            return Err("clock_period_ns: must be positive".into());
        }
        Ok(())
    }

    /// The family of a record, for `mixed` drawn from the mix weights with `u` in [0,1).
    pub fn family_for(&self, u: f64) -> Family {
        match self.family {
            FamilyChoice::Dense => Family::Dense,
            FamilyChoice::Conv1d => Family::Conv1d,
            FamilyChoice::Conv2d => Family::Conv2d,
            FamilyChoice::Transformer => Family::Transformer,
            FamilyChoice::Mixed => {
                let m = &self.mix;
                let total = m.dense + m.conv1d + m.conv2d + m.transformer;
                let x = u * total;
                if x < m.dense {
                    Family::Dense
                } else if x < m.dense + m.conv1d {
                    Family::Conv1d
                } else if x < m.dense + m.conv1d + m.conv2d || m.transformer <= 0.0 {
                    Family::Conv2d
                } else {
                    Family::Transformer
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::sample_record;

    #[test]
    fn yaml_and_toml_override_only_the_given_fields() {
        let dir = tempfile::tempdir().unwrap();
        let y = dir.path().join("d.yaml");
        std::fs::write(&y, "family: conv2d\nconv2d:\n  filters: [4]\n  bits: [8]\n").unwrap();
        let t = dir.path().join("d.toml");
        std::fs::write(
            &t,
            "family = \"conv2d\"\n[conv2d]\nfilters = [4]\nbits = [8]\n",
        )
        .unwrap();
        let a = GenConfig::from_path(&y).unwrap();
        assert_eq!(a, GenConfig::from_path(&t).unwrap());
        assert_eq!(a.conv2d.kernel, ConvDist::default().kernel);
        assert_eq!(a.dense, DenseDist::default());
        for i in 0..50 {
            let r = sample_record(&a, 1, i).unwrap();
            assert_eq!(r.family, Family::Conv2d);
            assert_eq!(r.weight_bits(), 8);
            for l in r.network.unwrap().layers() {
                if let ir::LayerKind::Conv2D(ir::ops::Conv2D { filters, .. }) = l.kind {
                    assert_eq!(filters, 4);
                }
            }
        }
    }

    #[test]
    fn bad_files_name_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let y = dir.path().join("d.yaml");
        std::fs::write(&y, "dense:\n  layerz: {min: 2, max: 3}\n").unwrap();
        let e = GenConfig::from_path(&y).unwrap_err().to_string();
        assert!(e.contains("d.yaml") && e.contains("layerz"), "{e}");
        std::fs::write(&y, "dense:\n  layers: {min: 5, max: 3}\n").unwrap();
        let e = GenConfig::from_path(&y).unwrap_err().to_string();
        assert!(e.contains("dense.layers"), "{e}");
    }
}
