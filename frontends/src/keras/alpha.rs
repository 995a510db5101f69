//! QKeras kernels quantised with `quantized_bits(alpha="auto_po2")`: the power-of-two scale per
//! output channel and the `ApplyAlpha` layer hls4ml 1.3.0 inserts for it.
//!
//! hls4ml's `qkeras_factorize_alpha` pass (`model/optimizer/passes/qkeras.py`) runs the QKeras
//! quantizer on the unquantised kernel, takes its `scale` (one per output channel), writes the
//! kernel as `quantized / scale` (requantised with alpha 1), moves the layer's quantised bias to
//! a new `ApplyAlpha` node named `{layer}_alpha` right after the layer (the layer's bias becomes
//! 0), and gives that node `scale` with a `quantized_po2(bits)` type,
//! `bits = max(int(max |log2 scale|) + 1, 2)`.
//!
//! The scale is QKeras's `quantized_bits.__call__` for `alpha="auto_po2"` (`qkeras/quantizers.py`;
//! `symmetric` is forced on, `keep_negative` true): with `m = 2^(bits-1)`, `m_i = 2^integer`,
//! `levels = 2·(2^(bits-1) − 1)` and, per output channel (the kernel's last axis), `x = w / m_i`:
//!
//! ```text
//! scale = 2^round(log2(max|x| · 2 / levels + 1e-7))
//! 5 times: z = sign(x) · min(floor(|x| / scale + 0.5), levels / 2)
//!          scale = 2^round(log2(mean(x·z) / (mean(z·z) + 1e-7) + 1e-7))
//! z as above with the final scale; QKeras's scale attribute = scale · m
//! ```
//!
//! so hls4ml's kernel is `m_i · z / m` and the ApplyAlpha scale `scale · m`. `round` is
//! TensorFlow's round-half-to-even. The means here are summed in f64, TensorFlow sums in f32: a
//! least-squares ratio within an ulp of a half-power of two could round the other way (the scale
//! then differs by a factor of 2; the harness case `qdense_alpha` is bit-identical). The IR keeps
//! QKeras's scale; codegen applies hls4ml's `quantized_po2(bits)` to it (which can clip it: a
//! scale of 2 with `bits` 2 becomes 1, as hls4ml writes it).

use super::weights::RawWeight;
use ir::layer::{Layer, LayerKind, Tensor};
use serde_json::Value;

/// Keras's `epsilon()`.
const EPS: f64 = 1e-7;

/// Whether this quantizer config has `alpha="auto_po2"`.
pub fn is_auto_po2(q: &super::qkeras::Quantizer) -> bool {
    q.class == "quantized_bits" && q.params.get("alpha").and_then(Value::as_str) == Some("auto_po2")
}

/// TensorFlow's `round` (half to even).
fn round_even(x: f64) -> f64 {
    crate::onnx::quant::round_half_even(x)
}

fn po2(x: f64) -> f64 {
    2f64.powf(round_even((x + EPS).ln() / 2f64.ln()))
}

/// The hls4ml kernel (`m_i·z/m`) and the ApplyAlpha scale (`scale·m`, one per output channel)
/// of an `auto_po2` kernel with `bits` and `integer`.
pub fn factorize(kernel: &Tensor, bits: u32, integer: i64) -> (Vec<f32>, Vec<f32>) {
    let channels = (*kernel.shape.last().unwrap_or(&1)).max(1);
    let m = 2f64.powi(bits as i32 - 1);
    let m_i = 2f64.powi(integer as i32);
    let levels = (2f64.powi(bits as i32 - 1) - 1.0) * 2.0;
    let half = levels / 2.0;
    let mut out = vec![0f32; kernel.data.len()];
    let mut scales = Vec::with_capacity(channels);
    let z_of = |x: f64, scale: f64| -> f64 {
        let v = (x.abs() / scale + 0.5).floor();
        let sign = if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        };
        sign * if v < half { v } else { half }
    };
    for c in 0..channels {
        let xs: Vec<f64> = kernel
            .data
            .iter()
            .skip(c)
            .step_by(channels)
            .map(|&w| w as f64 / m_i)
            .collect();
        let n = xs.len().max(1) as f64;
        let max = xs.iter().fold(0f64, |a, x| a.max(x.abs()));
        let mut scale = po2(max * 2.0 / levels);
        for _ in 0..5 {
            let (mut qx, mut qq) = (0.0, 0.0);
            for &x in &xs {
                let z = z_of(x, scale);
                qx += x * z;
                qq += z * z;
            }
            scale = po2((qx / n) / (qq / n + EPS));
        }
        for (i, &x) in xs.iter().enumerate() {
            out[c + i * channels] = (m_i * z_of(x, scale) / m) as f32;
        }
        scales.push((scale * m) as f32);
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

/// Move the weights as hls4ml's pass does: `main` gets the factorised kernel and a zero bias,
/// `alpha` the scales and `main`'s (already quantised) bias.
pub fn move_weights(main: &mut Layer, alpha: &mut Layer, bits: u32, integer: i64) {
    let Some(kernel) = main.weight("kernel").cloned() else {
        return;
    };
    let (k, scales) = factorize(&kernel, bits, integer);
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
        let (k, s) = factorize(&t, 4, 0);
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
        let (k, s) = factorize(&t, 4, 0);
        assert_eq!(k[1], 0.0);
        assert_eq!(k[3], 0.0);
        assert_eq!(s[1], 2f32.powi(-20));
        assert_eq!(scale_bits(&s), 21);
    }
}
