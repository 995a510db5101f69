//! The exact architectures of the 13 wa-hls4ml conv2d models in the jdweitz CSV export
//! (`data/wa-hls4ml-jdweitz-csv-sample/conv2d.csv`, whose source has 42 rows), so that
//! those rows carry an [`ir::Network`] although the CSV only has a `model_string`.
//!
//! Where the architectures come from: the conv2d run (`HPRC_scripts/conv2d_slurm.sh` in
//! github.com/ben-hawks/wa-hls4ml-search) synthesised the Keras models stored as JSON in
//! `conv2d_models/conv2d_batch_<N>.json` of that repository, a dict `{"conv2d_<i>": <Keras
//! model.to_json()>}` with 50 models per batch and a counter running over batches, so
//! `conv2d_<i>` is in batch `i / 50`. The models were drawn with Python's unseeded `random`
//! in parallel Ray workers (`gen_models.py`), so they cannot be regenerated from their index:
//! only the stored JSON gives them, and the files were regenerated several times (the stored
//! versions differ). The version used by the run is the one whose every model reproduces the
//! export's `model_string` exactly; [`SPECS`] cites it per model (repository, path, commit).
//!
//! `model_string` (jdweitz/wa-hls4ml `data/wa_hls4ml_multiple_json_to_one_csv_dense_and_conv.py`
//! @ 2e49d33b, `produce_model_string`): for every QConv2D its input channels, for every
//! (Q)Dense its input width, in layer order, then the output width of the last of them
//! ([`model_string`] computes it from a network).
//!
//! Each entry is the Keras layer list with every QActivation after a conv/dense fused into it
//! (as hls4ml does and as [`super::wa_json`] reads `model_config`). Every kernel uses
//! `quantized_bits(bits, integer=1, alpha="auto_po2")` with no bias quantizer; hls4ml 1.3 maps
//! that to `ap_fixed<bits, 2>` (`QKerasQuantizer._get_type` in `hls4ml/model/quantizers.py`:
//! integer + 1 for the sign). The CSV's `prec` column is 16 for all these rows because the
//! export read the first `LayerName` entry, the input layer, and fell back to the model default
//! `fixed<16,6>`: it is not the weight width (conv2d_3 is a 4-bit model with prec 16).

use crate::error::{DatasetError, Result};
use crate::netbuild::chain;
use ir::{Activation, FixedType, HlsConfig, LayerKind, Network, Padding, PoolOp};

/// One layer of a stored model, activations already fused.
#[derive(Debug, Clone, Copy)]
enum L {
    /// QConv2D: filters, square kernel, square stride, `same` padding, use_bias, activation.
    Conv(usize, usize, usize, bool, bool, Activation),
    /// 2x2 pooling with stride 2, `valid` (the generator's only pooling): max or average.
    Pool(PoolOp),
    Flatten,
    /// QDense: units, use_bias, activation.
    Dense(usize, bool, Activation),
}

/// Where a model's Keras JSON is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    pub repo: &'static str,
    pub path: &'static str,
    pub commit: &'static str,
}

/// One stored model: its name, where it is, input `[H, W, C]`, kernel quantizer bits, layers.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub source: Source,
    pub input: [usize; 3],
    pub bits: u32,
    layers: &'static [L],
}

const REPO: &str = "ben-hawks/wa-hls4ml-search";
const C92: &str = "92e1a2fc8ead8538cd64193980f3eb0ef60941e5";
const C57: &str = "57db9e84947d7c6a9ad538f3c8d8d72ae7d09dc0";
const fn src(path: &'static str, commit: &'static str) -> Source {
    Source {
        repo: REPO,
        path,
        commit,
    }
}
const B0: Source = src("conv2d_models/conv2d_batch_0.json", C92);
const B2: Source = src("conv2d_models/conv2d_batch_2.json", C92);
const B4: Source = src("conv2d_models/conv2d_batch_4.json", C92);
const B7: Source = src("conv2d_models/conv2d_batch_7.json", C57);
const B10: Source = src("conv2d_models/conv2d_batch_10.json", C57);

use Activation::{Linear as Lin, Relu, Sigmoid as Sig, Tanh};
use L::{Conv, Dense, Flatten, Pool};
const SAME: bool = true;
const VALID: bool = false;
const MAX: L = Pool(PoolOp::Max);
const AVG: L = Pool(PoolOp::Average);

/// The 13 conv2d architectures of the jdweitz export (data read from the stored Keras JSON).
pub static SPECS: [Spec; 13] = [
    Spec {
        name: "conv2d_0",
        source: B0,
        input: [36, 13, 4],
        bits: 8,
        layers: &[
            Conv(64, 3, 2, VALID, false, Relu),
            Flatten,
            Dense(32, false, Lin),
            Dense(64, true, Lin),
            Dense(32, true, Lin),
            Dense(16, false, Tanh),
        ],
    },
    Spec {
        name: "conv2d_1",
        source: B0,
        input: [42, 64, 16],
        bits: 8,
        layers: &[
            Conv(64, 2, 3, SAME, false, Relu),
            Conv(8, 5, 2, VALID, true, Relu),
            Flatten,
            Dense(16, true, Relu),
            Dense(16, true, Sig),
            Dense(8, false, Sig),
            Dense(16, true, Sig),
        ],
    },
    Spec {
        name: "conv2d_2",
        source: B0,
        input: [31, 8, 8],
        bits: 8,
        layers: &[
            Conv(32, 2, 1, SAME, true, Relu),
            Flatten,
            Dense(8, false, Lin),
            Dense(16, false, Sig),
            Dense(16, false, Sig),
            Dense(16, true, Relu),
            Dense(16, true, Relu),
            Dense(32, true, Lin),
        ],
    },
    Spec {
        name: "conv2d_3",
        source: B0,
        input: [12, 39, 16],
        bits: 4,
        layers: &[
            Conv(32, 5, 2, VALID, true, Sig),
            Flatten,
            Dense(32, true, Lin),
            Dense(16, false, Lin),
            Dense(64, false, Sig),
            Dense(32, true, Relu),
            Dense(32, false, Lin),
        ],
    },
    Spec {
        name: "conv2d_4",
        source: B0,
        input: [29, 21, 16],
        bits: 8,
        layers: &[
            Conv(128, 1, 3, SAME, false, Relu),
            MAX,
            Flatten,
            Dense(32, false, Tanh),
            Dense(16, true, Lin),
            Dense(64, true, Lin),
            Dense(16, true, Tanh),
            Dense(64, true, Relu),
        ],
    },
    Spec {
        name: "conv2d_101",
        source: B2,
        input: [56, 49, 4],
        bits: 4,
        layers: &[
            Conv(16, 5, 3, SAME, false, Tanh),
            MAX,
            Conv(64, 6, 2, VALID, false, Tanh),
            Flatten,
            Dense(32, true, Relu),
            Dense(64, true, Relu),
            Dense(32, false, Sig),
            Dense(16, false, Lin),
        ],
    },
    Spec {
        name: "conv2d_104",
        source: B2,
        input: [63, 18, 16],
        bits: 4,
        layers: &[
            Conv(128, 6, 2, VALID, true, Relu),
            MAX,
            Flatten,
            Dense(64, true, Tanh),
            Dense(32, false, Sig),
            Dense(32, true, Lin),
            Dense(64, true, Tanh),
            Dense(32, false, Tanh),
            Dense(64, false, Relu),
        ],
    },
    Spec {
        name: "conv2d_204",
        source: B4,
        input: [37, 46, 8],
        bits: 4,
        layers: &[
            Conv(128, 4, 2, SAME, false, Sig),
            Conv(64, 1, 2, SAME, false, Lin),
            Flatten,
            Dense(32, true, Tanh),
        ],
    },
    Spec {
        name: "conv2d_353",
        source: B7,
        input: [48, 37, 16],
        bits: 4,
        layers: &[
            Conv(64, 3, 2, VALID, false, Tanh),
            Conv(128, 5, 1, VALID, true, Sig),
            MAX,
            Flatten,
            Dense(16, true, Sig),
            Dense(32, true, Sig),
            Dense(32, true, Tanh),
            Dense(32, true, Tanh),
            Dense(8, true, Lin),
        ],
    },
    Spec {
        name: "conv2d_357",
        source: B7,
        input: [12, 11, 16],
        bits: 8,
        layers: &[
            Conv(64, 2, 2, SAME, false, Tanh),
            Flatten,
            Dense(64, true, Lin),
            Dense(16, true, Sig),
            Dense(64, true, Relu),
        ],
    },
    Spec {
        name: "conv2d_361",
        source: B7,
        input: [13, 59, 8],
        bits: 8,
        layers: &[
            Conv(128, 3, 1, SAME, true, Tanh),
            Conv(128, 5, 3, SAME, true, Relu),
            AVG,
            Flatten,
            Dense(64, false, Lin),
            Dense(32, false, Relu),
            Dense(64, true, Relu),
        ],
    },
    Spec {
        name: "conv2d_500",
        source: B10,
        input: [20, 64, 16],
        bits: 8,
        layers: &[
            Conv(128, 2, 3, VALID, false, Sig),
            Flatten,
            Dense(32, true, Sig),
            Dense(32, false, Lin),
            Dense(32, true, Sig),
            Dense(32, true, Sig),
        ],
    },
    Spec {
        name: "conv2d_501",
        source: B10,
        input: [49, 8, 16],
        bits: 4,
        layers: &[
            Conv(128, 1, 1, SAME, true, Sig),
            Conv(128, 6, 2, SAME, false, Tanh),
            AVG,
            Flatten,
            Dense(16, false, Relu),
            Dense(32, false, Lin),
            Dense(64, true, Sig),
        ],
    },
];

impl Spec {
    /// The stored model of this name, if it is one of the 13.
    pub fn find(model_name: &str) -> Option<&'static Spec> {
        SPECS.iter().find(|s| s.name == model_name)
    }

    /// The weight (and bias) precision hls4ml derives from the kernel quantizer.
    pub fn weight_precision(&self) -> FixedType {
        FixedType::fixed(self.bits, 2)
    }

    /// A one-line citation of the stored Keras JSON.
    pub fn citation(&self) -> String {
        format!(
            "architecture from github.com/{} {} @ {} (key \"{}\")",
            self.source.repo, self.source.path, self.source.commit, self.name
        )
    }

    /// Build the network with `config` as its model settings and the quantizer's precision on
    /// every Conv2D/Dense layer; shapes are inferred.
    pub fn network(&self, config: HlsConfig) -> Result<Network> {
        let layers = self
            .layers
            .iter()
            .map(|l| match *l {
                Conv(filters, k, s, same, use_bias, act) => (
                    LayerKind::Conv2D(ir::ops::Conv2D {
                        filters,
                        kernel: [k, k],
                        stride: [s, s],
                        padding: if same { Padding::Same } else { Padding::Valid },
                        use_bias,
                    }),
                    act,
                ),
                Pool(op) => (
                    LayerKind::Pool2D(ir::ops::Pool2D {
                        op,
                        pool: [2, 2],
                        stride: [2, 2],
                        padding: Padding::Valid,
                    }),
                    Lin,
                ),
                Flatten => (LayerKind::Flatten, Lin),
                Dense(units, use_bias, act) => {
                    (LayerKind::Dense(ir::ops::Dense { units, use_bias }), act)
                }
            })
            .collect();
        chain(
            self.name,
            self.input.to_vec(),
            layers,
            config,
            Some(&self.weight_precision()),
        )
    }
}

/// The export's `model_string` of a network (module doc): Conv2D input channels and Dense input
/// widths in layer order, then the output width of the last Conv2D/Dense. Needs inferred shapes.
pub fn model_string(net: &Network) -> Result<String> {
    let order = net.topo_order().map_err(|e| DatasetError::Ir {
        context: format!("network '{}'", net.name),
        source: e,
    })?;
    let mut parts = Vec::new();
    let mut last = None;
    for id in order {
        let layer = net.layer(id);
        if !matches!(layer.kind, LayerKind::Conv2D(_) | LayerKind::Dense(_)) {
            continue;
        }
        let input = net
            .inputs_of(id)
            .first()
            .and_then(|p| net.layer(*p).output_shape.last().copied())
            .ok_or_else(|| {
                DatasetError::Invalid(format!(
                    "network '{}': layer '{}' has no inferred input shape",
                    net.name, layer.name
                ))
            })?;
        parts.push(input.to_string());
        last = layer.output_shape.last().copied();
    }
    let last = last.ok_or_else(|| {
        DatasetError::Invalid(format!(
            "network '{}' has no Conv2D or Dense layer, so no model_string",
            net.name
        ))
    })?;
    parts.push(last.to_string());
    Ok(parts.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_batches_follow_the_index() {
        for (i, a) in SPECS.iter().enumerate() {
            assert!(
                SPECS[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
            // 50 models per batch file, counter running over batches (gen_models.py).
            let idx: usize = a.name.trim_start_matches("conv2d_").parse().unwrap();
            assert_eq!(
                a.source.path,
                format!("conv2d_models/conv2d_batch_{}.json", idx / 50),
                "{}",
                a.name
            );
        }
        assert!(Spec::find("conv2d_353").is_some());
        assert!(Spec::find("conv2d_5").is_none());
    }

    #[test]
    fn model_string_of_a_hand_built_chain() {
        // in(10,10,3) -> conv 8 k3 valid -> (8,8,8) -> flatten 512 -> dense 4: "3-512-4".
        let s = Spec {
            name: "t",
            source: B0,
            input: [10, 10, 3],
            bits: 8,
            layers: &[
                Conv(8, 3, 1, VALID, true, Relu),
                Flatten,
                Dense(4, true, Lin),
            ],
        };
        let net = s.network(HlsConfig::default()).unwrap();
        assert_eq!(model_string(&net).unwrap(), "3-512-4");
        assert_eq!(s.weight_precision().to_string(), "ap_fixed<8,2>");
    }
}
