//! QKeras kernels quantised with `alpha="auto_po2"` (`quantized_bits`, `binary`,
//! `stochastic_binary`, `ternary`, `stochastic_ternary`): the power-of-two scale per output
//! channel and the `ApplyAlpha` layer hls4ml 1.3.0 inserts for it. QKeras's QDense/QConv turn a
//! binary/ternary kernel quantizer's `alpha=None` into `"auto_po2"`
//! (`_set_trainable_parameter`), so this is the default for those kernels.
//!
//! hls4ml's `qkeras_factorize_alpha` pass (`model/optimizer/passes/qkeras.py`) runs the QKeras
//! quantizer on the unquantised kernel, takes its `scale` (one per output channel), writes the
//! kernel as `quantized / scale` requantised by the layer's quantizer with alpha 1 (for a
//! binary kernel hls4ml's `QKerasBinaryQuantizer`: the xnor encoding 0/1), moves the layer's
//! quantised bias to a new `ApplyAlpha` node named `{layer}_alpha` right after the layer (the
//! layer's bias becomes 0), and gives that node `scale` with a `quantized_po2(bits)` type,
//! `bits = max(int(max |log2 scale|) + 1, 2)`.
//!
//! The scales are QKeras's (`qkeras/quantizers.py`), per output channel (the kernel's last
//! axis), with `po2(v) = 2^round(log2(v + 1e-7))` and `round` TensorFlow's half-to-even:
//!
//! `quantized_bits.__call__` (`symmetric` is forced on, `keep_negative` true): with
//! `m = 2^(bits-1)`, `m_i = 2^integer`, `levels = 2·(2^(bits-1) − 1)` and `x = w / m_i`:
//!
//! ```text
//! scale = po2(max|x| · 2 / levels)
//! 5 times: z = sign(x) · min(floor(|x| / scale + 0.5), levels / 2)
//!          scale = po2(mean(x·z) / (mean(z·z) + 1e-7))
//! z as above with the final scale; QKeras's scale attribute = scale · m
//! ```
//!
//! so hls4ml's kernel is `m_i · z / m` and the ApplyAlpha scale `scale · m`.
//!
//! `binary.__call__` (stochastic_binary computes as binary at inference): `z = sign(x)` with
//! 0 → 1 (`use_01`: `(z + 1) / 2`), `scale = po2(mean(x·z) / (mean(z·z) + 1e-7))`.
//!
//! `ternary.__call__` (stochastic_ternary likewise; `threshold` must be None, QKeras asserts):
//!
//! ```text
//! scale = po2(2 · max|x| / 3)
//! number_of_unrolls (5) times: q = sign(x) where round(x / scale) != 0, else 0
//!                              scale = po2(mean(x·q) / (mean(q·q) + 1e-7))
//! ```
//!
//! with `q` from the last round and the scale after it; hls4ml's kernel is `q`.
//!
//! The means here are summed in f64, TensorFlow sums in f32: a least-squares ratio within an
//! ulp of a half-power of two could round the other way (the scale then differs by a factor of
//! 2; the harness cases `qdense_alpha` and `qdense_binary_po2`/`qconv2d_ternary_po2` are
//! bit-identical). The IR keeps QKeras's scale; codegen applies hls4ml's `quantized_po2(bits)`
//! to it (which can clip it: a scale of 2 with `bits` 2 becomes 1, as hls4ml writes it).

use super::qkeras::Quantizer;
use super::weights::RawWeight;
use ir::layer::{Layer, LayerKind, Tensor};
use serde_json::Value;

/// Keras's `epsilon()`.
const EPS: f64 = 1e-7;

/// Whether this quantizer config has `alpha="auto_po2"` on a class hls4ml factorises.
pub fn is_auto_po2(q: &Quantizer) -> bool {
    (q.class == "quantized_bits" || is_sign_class(&q.class))
        && q.params.get("alpha").and_then(Value::as_str) == Some("auto_po2")
}

/// The binary and ternary weight quantizers (and their stochastic forms).
fn is_sign_class(class: &str) -> bool {
    matches!(
        class,
        "binary" | "stochastic_binary" | "ternary" | "stochastic_ternary"
    )
}

/// An `auto_po2` kernel quantizer, as the factorisation needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Po2Kernel {
    Bits { bits: u32, integer: i64 },
    Binary { use_01: bool },
    Ternary { unrolls: usize },
}

impl Po2Kernel {
    /// Read from an `auto_po2` quantizer (see [`is_auto_po2`]).
    pub fn of(q: &Quantizer) -> Result<Po2Kernel, String> {
        if q.class == "quantized_bits" {
            let (bits, integer) = q.bits_integer()?;
            return Ok(Po2Kernel::Bits { bits, integer });
        }
        if q.class.contains("binary") {
            return Ok(Po2Kernel::Binary {
                use_01: q.flag("use_01")?,
            });
        }
        if !matches!(q.params.get("threshold"), None | Some(Value::Null)) {
            return Err(format!(
                "{}: a threshold with alpha=\"auto_po2\" is refused by QKeras itself (its \
                 ternary asserts that the threshold is None when alpha is a string)",
                q.class
            ));
        }
        let unrolls = q.int("number_of_unrolls", 5)?;
        if !(1..=1000).contains(&unrolls) {
            return Err(format!(
                "{}: number_of_unrolls must be between 1 and 1000, found {unrolls}",
                q.class
            ));
        }
        Ok(Po2Kernel::Ternary {
            unrolls: unrolls as usize,
        })
    }
}

/// TensorFlow's `round` (half to even).
fn round_even(x: f64) -> f64 {
    crate::onnx::quant::round_half_even(x)
}

fn po2(x: f64) -> f64 {
    2f64.powf(round_even((x + EPS).ln() / 2f64.ln()))
}

/// `sign(x)` as TensorFlow computes it (0 for ±0).
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// QKeras's least-squares scale of `xs` quantised to `zs`, rounded to a power of two.
fn least_squares_po2(xs: &[f64], zs: &[f64]) -> f64 {
    let n = xs.len().max(1) as f64;
    let qx: f64 = xs.iter().zip(zs).map(|(x, z)| x * z).sum();
    let qq: f64 = zs.iter().map(|z| z * z).sum();
    po2((qx / n) / (qq / n + EPS))
}

/// One output channel's factorisation: the kernel values hls4ml writes (before its alpha-1
/// requantisation) and QKeras's scale.
fn factorize_channel(ws: &[f64], form: Po2Kernel) -> (Vec<f64>, f64) {
    match form {
        Po2Kernel::Bits { bits, integer } => {
            let m = 2f64.powi(bits as i32 - 1);
            let m_i = 2f64.powi(integer as i32);
            let half = 2f64.powi(bits as i32 - 1) - 1.0;
            let xs: Vec<f64> = ws.iter().map(|w| w / m_i).collect();
            let z_of = |x: f64, scale: f64| sign(x) * (x.abs() / scale + 0.5).floor().min(half);
            let max = xs.iter().fold(0f64, |a, x| a.max(x.abs()));
            let mut scale = po2(max / half);
            for _ in 0..5 {
                let zs: Vec<f64> = xs.iter().map(|&x| z_of(x, scale)).collect();
                scale = least_squares_po2(&xs, &zs);
            }
            let k = xs.iter().map(|&x| m_i * z_of(x, scale) / m).collect();
            (k, scale * m)
        }
        Po2Kernel::Binary { use_01 } => {
            let zs: Vec<f64> = ws
                .iter()
                .map(|&x| {
                    let z = if x < 0.0 { -1.0 } else { 1.0 };
                    if use_01 {
                        (z + 1.0) / 2.0
                    } else {
                        z
                    }
                })
                .collect();
            let scale = least_squares_po2(ws, &zs);
            (zs, scale)
        }
        Po2Kernel::Ternary { unrolls } => {
            let max = ws.iter().fold(0f64, |a, x| a.max(x.abs()));
            let mut scale = po2(2.0 * max / 3.0);
            let mut qs = vec![0.0; ws.len()];
            for _ in 0..unrolls {
                qs = ws
                    .iter()
                    .map(|&x| {
                        if round_even(x / scale) != 0.0 {
                            sign(x)
                        } else {
                            0.0
                        }
                    })
                    .collect();
                scale = least_squares_po2(ws, &qs);
            }
            (qs, scale)
        }
    }
}

/// The factorised kernel (before hls4ml's alpha-1 requantisation) and the ApplyAlpha scale
/// (one per output channel, the kernel's last axis).
pub fn factorize(kernel: &Tensor, form: Po2Kernel) -> (Vec<f32>, Vec<f32>) {
    let channels = (*kernel.shape.last().unwrap_or(&1)).max(1);
    let mut out = vec![0f32; kernel.data.len()];
    let mut scales = Vec::with_capacity(channels);
    for c in 0..channels {
        let ws: Vec<f64> = kernel
            .data
            .iter()
            .skip(c)
            .step_by(channels)
            .map(|&w| w as f64)
            .collect();
        let (k, scale) = factorize_channel(&ws, form);
        for (i, v) in k.into_iter().enumerate() {
            out[c + i * channels] = v as f32;
        }
        scales.push(scale as f32);
    }
    (out, scales)
}

/// hls4ml's `quantized_po2` width for the scales: `max(int(max |log2 s|) + 1, 2)`.
pub fn scale_bits(scales: &[f32]) -> u32 {
    let m = scales
        .iter()
        .map(|s| (*s as f64).log2().abs())
        .fold(0f64, f64::max);
    ((m as u32) + 1).max(2)
}

/// The `ApplyAlpha` layer hls4ml inserts after `layer` (no weights yet).
pub fn apply_alpha_layer(layer: &Layer) -> Layer {
    Layer::new(format!("{}_alpha", layer.name), LayerKind::ApplyAlpha)
}

/// Move the weights as hls4ml's pass does: `main` gets the factorised kernel (binary and
/// ternary ones requantised by `q` with alpha 1, as hls4ml's weight quantizer writes them) and
/// a zero bias, `alpha` the scales and `main`'s (already quantised) bias.
pub fn move_weights(main: &mut Layer, alpha: &mut Layer, q: &Quantizer) -> Result<(), String> {
    let form = Po2Kernel::of(q)?;
    let Some(kernel) = main.weight("kernel").cloned() else {
        return Ok(());
    };
    let (mut k, scales) = factorize(&kernel, form);
    if !matches!(form, Po2Kernel::Bits { .. }) {
        let mut one = q.clone();
        one.params.insert("alpha".into(), Value::from(1));
        if let Some(v) = one.quantize(&k, true)? {
            k = v;
        }
    }
    let channels = scales.len();
    let bias = main
        .weight("bias")
        .map(|t| t.data.clone())
        .unwrap_or_else(|| vec![0.0; channels]);
    for (name, t) in main.weights.iter_mut() {
        match name.as_str() {
            "kernel" => t.data = k.clone(),
            "bias" => t.data.iter_mut().for_each(|v| *v = 0.0),
            _ => {}
        }
    }
    let sb = scale_bits(&scales);
    alpha.settings.precision.scale = Some(ir::types::FixedType::int(sb, true));
    alpha.weights = vec![
        (
            "scale".into(),
            Tensor {
                shape: vec![channels],
                data: scales,
            },
        ),
        (
            "bias".into(),
            Tensor {
                shape: vec![channels],
                data: bias,
            },
        ),
    ];
    Ok(())
}

/// tf.keras 2 names a DepthwiseConv1D/2D's kernel `depthwise_kernel`; the IR (as Keras 3) names
/// it `kernel`.
pub fn rename_depthwise(found: &[RawWeight]) -> Vec<RawWeight> {
    found
        .iter()
        .cloned()
        .map(|mut w| {
            if w.name.as_deref() == Some("depthwise_kernel") {
                w.name = Some("kernel".into());
            }
            w
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand derivation, bits 4 (m = 8, levels = 14, z in -7..=7), integer 0, one channel
    /// x = [0.5, -0.25, 0.125, 0]: max 0.5 → 0.5·2/14 = 0.0714 → 2^round(-3.81) = 2^-4.
    /// z = [min(8.5→8, 7) = 7, -4, 2, 0]; mean(x·z) = (3.5 + 1 + 0.25)/4 = 1.1875,
    /// mean(z·z) = 69/4 = 17.25 → 0.0688 → 2^round(-3.86) = 2^-4 again (stable). Kernel
    /// m_i·z/m = [7/8, -4/8, 2/8, 0]; QKeras scale = 2^-4 · 8 = 0.5; scale bits
    /// max(int(1) + 1, 2) = 2.
    #[test]
    fn auto_po2_factorises_as_qkeras() {
        let t = Tensor {
            shape: vec![4, 1],
            data: vec![0.5, -0.25, 0.125, 0.0],
        };
        let (k, s) = factorize(
            &t,
            Po2Kernel::Bits {
                bits: 4,
                integer: 0,
            },
        );
        assert_eq!(k, vec![0.875, -0.5, 0.25, 0.0]);
        assert_eq!(s, vec![0.5]);
        assert_eq!(scale_bits(&s), 2);
    }

    /// Two channels interleaved (last axis): channel 1 is all zero → z = 0, mean ratio 0 →
    /// 2^round(log2(1e-7)) = 2^-23, times m = 8 → 2^-20.
    #[test]
    fn channels_are_the_last_axis_and_zero_channels_get_a_tiny_scale() {
        let t = Tensor {
            shape: vec![2, 2],
            data: vec![0.5, 0.0, -0.25, 0.0],
        };
        let (k, s) = factorize(
            &t,
            Po2Kernel::Bits {
                bits: 4,
                integer: 0,
            },
        );
        assert_eq!(k[1], 0.0);
        assert_eq!(k[3], 0.0);
        assert_eq!(s[1], 2f32.powi(-20));
        assert_eq!(scale_bits(&s), 21);
    }

    /// Binary, hand-derived: x = [0.5, -0.25, 0, -1] → z = sign with 0 → 1 = [1, -1, 1, -1];
    /// mean(x·z) = 1.75/4 = 0.4375, mean(z·z) = 1 → 2^round(log2 0.4375 = -1.19) = 0.5.
    /// `use_01`: z = [1, 0, 1, 0], mean(x·z) = 0.125, mean(z·z) = 0.5 → 0.25.
    #[test]
    fn binary_auto_po2_scale_is_the_least_squares_power_of_two() {
        let t = Tensor {
            shape: vec![4, 1],
            data: vec![0.5, -0.25, 0.0, -1.0],
        };
        let (k, s) = factorize(&t, Po2Kernel::Binary { use_01: false });
        assert_eq!((k, s), (vec![1.0, -1.0, 1.0, -1.0], vec![0.5]));
        let (k, s) = factorize(&t, Po2Kernel::Binary { use_01: true });
        assert_eq!((k, s), (vec![1.0, 0.0, 1.0, 0.0], vec![0.25]));
    }

    /// Ternary, hand-derived: x = [3, 0.1, 0.1, 0.1]: scale 2^round(log2(2·3/3)) = 2;
    /// round(x/2) = [2, 0, 0, 0] → q = [1, 0, 0, 0]; mean(x·q) = 0.75, mean(q·q) = 0.25 → 3 →
    /// 2^round(1.58) = 4; again q = [1, 0, 0, 0] (round(0.75) = 1), scale 4.
    /// x = [0.9, -0.2, 0.4, -0.6]: 2·0.9/3 = 0.6 → 0.5; x/0.5 = [1.8, -0.4, 0.8, -1.2] →
    /// q = [1, 0, 1, -1]; 1.9/4 / (3/4) = 0.633 → 0.5 (stable).
    #[test]
    fn ternary_auto_po2_iterates_threshold_and_scale() {
        let t = Tensor {
            shape: vec![4, 2],
            data: vec![3.0, 0.9, 0.1, -0.2, 0.1, 0.4, 0.1, -0.6],
        };
        let (k, s) = factorize(&t, Po2Kernel::Ternary { unrolls: 5 });
        assert_eq!(k, vec![1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, -1.0]);
        assert_eq!(s, vec![4.0, 0.5]);
    }

    /// A binary kernel moved by hls4ml's pass is written in the xnor encoding (1 for +1, 0 for
    /// −1) with a zero bias; the ApplyAlpha gets the scale and the bias.
    #[test]
    fn binary_kernels_move_as_xnor_with_their_bias() {
        let mut main = Layer::new("fc1", LayerKind::ApplyAlpha);
        main.weights = vec![
            (
                "kernel".into(),
                Tensor {
                    shape: vec![4, 1],
                    data: vec![0.5, -0.25, 0.0, -1.0],
                },
            ),
            (
                "bias".into(),
                Tensor {
                    shape: vec![1],
                    data: vec![0.75],
                },
            ),
        ];
        let mut alpha = apply_alpha_layer(&main);
        let q = Quantizer::parse_str("binary(alpha='auto_po2')").unwrap();
        move_weights(&mut main, &mut alpha, &q).unwrap();
        assert_eq!(
            main.weight("kernel").unwrap().data,
            vec![1.0, 0.0, 1.0, 0.0]
        );
        assert_eq!(main.weight("bias").unwrap().data, vec![0.0]);
        assert_eq!(alpha.weight("scale").unwrap().data, vec![0.5]);
        assert_eq!(alpha.weight("bias").unwrap().data, vec![0.75]);
        // QKeras asserts on a ternary threshold with a string alpha
        let t = Quantizer::parse_str("ternary(alpha='auto_po2', threshold=0.5)").unwrap();
        assert!(Po2Kernel::of(&t).unwrap_err().contains("threshold"));
    }
}
