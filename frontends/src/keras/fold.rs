//! QKeras's `QConv2DBatchnorm` and `QDenseBatchnorm` (a convolution or dense layer with its
//! batch normalisation folded in): the folded kernel and bias hls4ml 1.3.0 computes from the
//! stored weights.
//!
//! hls4ml (`converters/keras/qkeras.py` `parse_qconv2dbatchnorm_layer`, then
//! `model/layers.py` `Conv2DBatchnorm._get_folded_weights`) reads the convolution's `kernel` and
//! `bias` and the normalisation's `gamma`, `beta`, `moving_mean` and `moving_variance`, and
//! computes, in float32 as numpy does:
//!
//! ```text
//! inv         = 1 / sqrt(moving_variance + epsilon)      (times gamma when scale=True)
//! kernel_fold = inv * kernel                              (per output channel, the last axis)
//! bias_fold   = inv * (bias - moving_mean)                (bias 0 when use_bias=False)
//!               + beta                                    (when center=True)
//! ```
//!
//! then quantises both with the layer's kernel and bias quantizers (done by the caller as for any
//! QConv2D). QKeras's own inference (`qkeras/qconv2d_batchnorm.py`) folds the same way with the
//! moving statistics. The layer then is a plain `Conv2D` with a bias marked
//! [`ir::Layer::batchnorm_folded`], as hls4ml's `Conv2DBatchnorm` is a `Conv2D`; QKeras's
//! `iteration` counter is dropped.
//!
//! `QDenseBatchnorm` is in no QKeras release (0.9.0 lacks it; it lives on a branch of
//! google/qkeras, commit b601b54, `qkeras/qdense_batchnorm.py`) and hls4ml 1.3.0 has no converter
//! for it (`keras_v2_to_hls.parse_keras_model`: "ERROR: Unsupported layer type:
//! QDenseBatchnorm"). Its inference folds the same way along the units axis (`rsqrt` of the
//! moving variance plus epsilon, times gamma; the folded kernel and bias quantised), so it reads
//! as a Dense with the folded, quantised weights, which the estimator prices; codegen refuses it
//! (lower/src/kinds/product.rs).
//!
//! Weights come named (legacy `.h5`: `kernel`, `bias`, `iteration`,
//! `batch_normalization_N/gamma`, ...) or by position (Keras 3 layout: the layer's `vars` are
//! kernel, bias, iteration; its `batchnorm/vars` are gamma, beta, moving_mean, moving_variance
//! in Keras's BatchNormalization order, without gamma/beta when scale/center is false).

use super::layers::KerasLayer;
use super::weights::RawWeight;
use crate::error::FrontendError;
use ir::layer::Tensor;
use serde_json::Value;

/// The path component that marks the normalisation's weights in the Keras 3 layout.
pub const BATCHNORM_GROUP: &str = "/batchnorm/vars/";

/// A `QConv2DBatchnorm`/`QDenseBatchnorm` layer's `kernel` and `bias` (named), folded and as
/// stored.
pub struct Folded {
    /// The folded kernel and bias: the layer's weights.
    pub folded: Vec<RawWeight>,
    /// The stored kernel and bias (zeros when `use_bias` is false), before folding: hls4ml's
    /// weight headers and `n_zeros` count these once quantised (its `WeightVariable` takes its
    /// statistics when the Conv2D makes it, before `Conv2DBatchnorm.initialize` folds).
    pub unfolded: Vec<RawWeight>,
}

/// The weights of a `QConv2DBatchnorm`/`QDenseBatchnorm` layer folded into `kernel` and `bias`.
pub fn fold_conv_batchnorm(
    wfile: &str,
    kl: &KerasLayer,
    found: &[RawWeight],
) -> Result<Folded, FrontendError> {
    let err = |m: String| {
        FrontendError::weights(
            wfile,
            format!("layer '{}' ({}): {m}", kl.name, kl.class_name),
        )
    };
    let flag = |key: &str| match kl.config.get(key) {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(err(format!(
            "config.{key} must be true or false, found {v}"
        ))),
    };
    let use_bias = flag("use_bias")?;
    let center = flag("center")?;
    let scale = flag("scale")?;
    let epsilon = match kl.config.get("epsilon") {
        None | Some(Value::Null) => 1e-3,
        Some(v) => v
            .as_f64()
            .ok_or_else(|| err(format!("config.epsilon must be a number, found {v}")))?,
    };

    let mut conv_names = vec!["kernel"];
    if use_bias {
        conv_names.push("bias");
    }
    conv_names.push("iteration");
    let mut bn_names = Vec::new();
    if scale {
        bn_names.push("gamma");
    }
    if center {
        bn_names.push("beta");
    }
    bn_names.extend(["moving_mean", "moving_variance"]);

    let named = found.iter().any(|w| w.name.is_some());
    let get = |want: &str| -> Result<&Tensor, FrontendError> {
        let hit = if named {
            found.iter().find(|w| {
                w.name
                    .as_deref()
                    .is_some_and(|n| n == want || n.ends_with(&format!("/{want}")))
            })
        } else {
            let (is_bn, names) = if bn_names.contains(&want) {
                (true, &bn_names)
            } else {
                (false, &conv_names)
            };
            let part: Vec<&RawWeight> = found
                .iter()
                .filter(|w| w.path.contains(BATCHNORM_GROUP) == is_bn)
                .collect();
            if part.len() != names.len() {
                return Err(err(format!(
                    "expected {} weight arrays {}({}), found {}",
                    names.len(),
                    if is_bn { "in batchnorm/vars " } else { "" },
                    names.join(", "),
                    part.len()
                )));
            }
            names.iter().position(|n| *n == want).map(|i| part[i])
        };
        hit.map(|w| &w.tensor)
            .ok_or_else(|| err(format!("no weight '{want}' in the file")))
    };

    let kernel = get("kernel")?;
    let filters = *kernel
        .shape
        .last()
        .ok_or_else(|| err("the kernel is a scalar".into()))?;
    let per_filter = |name: &str| -> Result<Option<&[f32]>, FrontendError> {
        let t = get(name)?;
        if t.data.len() != filters {
            return Err(err(format!(
                "'{name}' has {} values, expected {filters} (one per output channel)",
                t.data.len()
            )));
        }
        Ok(Some(&t.data))
    };
    let bias = if use_bias { per_filter("bias")? } else { None };
    let gamma = if scale { per_filter("gamma")? } else { None };
    let beta = if center { per_filter("beta")? } else { None };
    let mean = per_filter("moving_mean")?.unwrap_or_default();
    let var = per_filter("moving_variance")?.unwrap_or_default();

    // float32 throughout, as numpy computes it (variance + epsilon is float32 since epsilon is a
    // Python float; sqrt and reciprocal are correctly rounded in both).
    let eps = epsilon as f32;
    let inv: Vec<f32> = (0..filters)
        .map(|c| {
            let i = 1.0f32 / (var[c] + eps).sqrt();
            gamma.map_or(i, |g| i * g[c])
        })
        .collect();
    let folded_kernel: Vec<f32> = kernel
        .data
        .iter()
        .enumerate()
        .map(|(i, &w)| inv[i % filters] * w)
        .collect();
    let folded_bias: Vec<f32> = (0..filters)
        .map(|c| {
            let b = inv[c] * (bias.map_or(0.0, |b| b[c]) - mean[c]);
            beta.map_or(b, |be| b + be[c])
        })
        .collect();
    let pair = |how: &str, k: Vec<f32>, b: Vec<f32>| {
        let path = |n: &str| format!("{} ({how} {n})", kl.name);
        vec![
            RawWeight {
                name: Some("kernel".into()),
                path: path("kernel"),
                tensor: Tensor {
                    shape: kernel.shape.clone(),
                    data: k,
                },
            },
            RawWeight {
                name: Some("bias".into()),
                path: path("bias"),
                tensor: Tensor {
                    shape: vec![filters],
                    data: b,
                },
            },
        ]
    };
    Ok(Folded {
        folded: pair("folded", folded_kernel, folded_bias),
        unfolded: pair(
            "unfolded",
            kernel.data.clone(),
            bias.map_or_else(|| vec![0.0; filters], <[f32]>::to_vec),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn layer(config: Value) -> KerasLayer {
        KerasLayer {
            name: "cb".into(),
            class_name: "QConv2DBatchnorm".into(),
            config: config.as_object().unwrap().clone(),
            inbound: vec![],
            call: Default::default(),
            hgq2: false,
        }
    }
    fn w(name: Option<&str>, path: &str, shape: Vec<usize>, data: Vec<f32>) -> RawWeight {
        RawWeight {
            name: name.map(Into::into),
            path: path.into(),
            tensor: Tensor { shape, data },
        }
    }

    /// Hand derivation (two filters, a 1x1x1 kernel): epsilon 0.25, variance [3.75, 0.75] so
    /// sqrt(var + eps) = [2, 1], gamma [1, 3] → inv = [0.5, 3]; kernel [2, -1] → [1, -3];
    /// bias [1, 2], mean [3, 1], beta [0.5, -1] → [0.5 * (1 - 3) + 0.5, 3 * (2 - 1) - 1]
    /// = [-0.5, 2]. Every value is exact in float32.
    #[test]
    fn folds_as_hls4ml_conv2d_batchnorm_named_and_positional() {
        let kl = layer(json!({"epsilon": 0.25, "use_bias": true, "center": true, "scale": true}));
        let named = vec![
            w(
                Some("batch_normalization/beta"),
                "",
                vec![2],
                vec![0.5, -1.0],
            ),
            w(
                Some("batch_normalization/gamma"),
                "",
                vec![2],
                vec![1.0, 3.0],
            ),
            w(
                Some("batch_normalization/moving_mean"),
                "",
                vec![2],
                vec![3.0, 1.0],
            ),
            w(
                Some("batch_normalization/moving_variance"),
                "",
                vec![2],
                vec![3.75, 0.75],
            ),
            w(Some("bias"), "", vec![2], vec![1.0, 2.0]),
            w(Some("iteration"), "", vec![], vec![7.0]),
            w(Some("kernel"), "", vec![1, 1, 1, 2], vec![2.0, -1.0]),
        ];
        let out = fold_conv_batchnorm("f.h5", &kl, &named).unwrap().folded;
        assert_eq!(out[0].tensor.data, vec![1.0, -3.0]);
        assert_eq!(out[0].tensor.shape, vec![1, 1, 1, 2]);
        assert_eq!(out[1].tensor.data, vec![-0.5, 2.0]);

        let positional = vec![
            w(None, "/l/vars/0", vec![1, 1, 1, 2], vec![2.0, -1.0]),
            w(None, "/l/vars/1", vec![2], vec![1.0, 2.0]),
            w(None, "/l/vars/2", vec![], vec![7.0]),
            w(None, "/l/batchnorm/vars/0", vec![2], vec![1.0, 3.0]),
            w(None, "/l/batchnorm/vars/1", vec![2], vec![0.5, -1.0]),
            w(None, "/l/batchnorm/vars/2", vec![2], vec![3.0, 1.0]),
            w(None, "/l/batchnorm/vars/3", vec![2], vec![3.75, 0.75]),
        ];
        let out2 = fold_conv_batchnorm("f.keras", &kl, &positional)
            .unwrap()
            .folded;
        assert_eq!(out2[0].tensor.data, out[0].tensor.data);
        assert_eq!(out2[1].tensor.data, out[1].tensor.data);
    }

    /// Without bias, gamma and beta: inv = 1/sqrt(3 + 1) = 0.5; kernel 4 → 2; bias
    /// 0.5 * (0 - 2) = -1.
    #[test]
    fn folds_without_bias_gamma_beta_and_names_missing_weights() {
        let kl = layer(json!({"epsilon": 1.0, "use_bias": false, "center": false, "scale": false}));
        let ws = vec![
            w(None, "/l/vars/0", vec![1, 1, 1, 1], vec![4.0]),
            w(None, "/l/vars/1", vec![], vec![0.0]),
            w(None, "/l/batchnorm/vars/0", vec![1], vec![2.0]),
            w(None, "/l/batchnorm/vars/1", vec![1], vec![3.0]),
        ];
        let out = fold_conv_batchnorm("f", &kl, &ws).unwrap();
        assert_eq!(out.folded[0].tensor.data, vec![2.0]);
        assert_eq!(out.folded[1].tensor.data, vec![-1.0]);
        // as stored, the bias hls4ml never had is zeros
        assert_eq!(out.unfolded[0].tensor.data, vec![4.0]);
        assert_eq!(out.unfolded[1].tensor.data, vec![0.0]);
        let e = fold_conv_batchnorm("f", &kl, &ws[..3])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("batchnorm/vars") && e.contains("'cb'"), "{e}");
    }
}
