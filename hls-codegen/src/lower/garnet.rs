//! The weights and types of hls4ml's `GarNet` / `GarNetStack` nodes, as hls4ml 1.3.0's layer
//! classes (`model/layers.py` `GarNet._initialize_transforms`, `GarNetStack`) and the Vivado
//! backend (`init_garnet`, `garnet_templates.py`) make them:
//!
//! - per sublayer the input transform contracted with the output transform at conversion time
//!   (linear, so FLR·Fout): kernel `(N, A, F)` = `np.dot(FLR_kernel (F, P), Fout_kernel (A, P,
//!   N))` transposed, bias `(N, A)` = `np.dot(FLR_bias (P), Fout_kernel)` transposed, both in
//!   numpy's float32 `dot` ([`numpy_sdot`]); with `quantize_transforms` FLR's kernel and bias
//!   and Fout's kernel go through hls4ml's `TernaryQuantizer` first;
//! - then the aggregator distance's kernel (transposed, `(A, F)`) and bias, and the output
//!   transform's bias; a GarNet also has a one-element dummy `output_transform_w<N>` (1.0, the
//!   model default type), after its input transform's arrays;
//! - each array typed from its values ([`array_type`], hls4ml's `_add_variable`:
//!   `find_minimum_width` integer bits, unsigned when no value is negative, 10 fractional bits,
//!   `AP_RND`/`AP_SAT`; the quantized input transform an integer type) and named
//!   `<array><index>_t` (`input_transform_weights3_t`, `input_transform_0_weights3_t`);
//! - the output type after the weight types in defines.h (`add_output_variable` comes last);
//! - the internal array types of the config (`norm_t`, `edge_weight_t`, `edge_weight_aggr_t`,
//!   `aggr_t`): the layer's `Precision` entries, else hls4ml's defaults from the vertex count and
//!   the reuse factor (10 fractional bits);
//! - the data input partitioned cyclically by `F·(V / RF)`, and the output by `N·(V / RF)`
//!   when the vertices are kept (`init_garnet`).
//!
//! A reuse factor that does not divide the vertex count is refused, as hls4ml's
//! `GarNet.initialize` raises on it.

use super::{layer_weight, transpose, Lowerer, MODEL_DEFAULT_T};
use crate::error::{CodegenError, Result};
use crate::layers::garnet::log2_floor;
use crate::model::{NamedType, Op, VarId, WeightVar};
use crate::precision;
use ir::types::{Overflow, Quantization};
use ir::{FixedType, LayerKind};
use lower::Node;

/// The fractional bits hls4ml gives every GarNet array (`frac_width=10`, `fwidth = 10`).
const FRAC: i32 = 10;

impl Lowerer<'_> {
    pub(super) fn garnet(
        &mut self,
        n: &Node,
        inputs: Vec<VarId>,
        rs: &ir::settings::ResolvedSettings,
    ) -> Result<()> {
        let layer = self.source(n)?;
        let internal =
            |what: &str| CodegenError::Internal(format!("GarNet node '{}': {what}", n.name));
        let (
            Op::GarNet {
                stack,
                n_vertices,
                n_in_features,
                transforms,
                collapse_mean,
                quantize,
                ..
            },
            LayerKind::GarNet(g),
        ) = (&n.op, &layer.kind)
        else {
            return Err(internal("renders another kind"));
        };
        let &[data, _nvtx] = inputs.as_slice() else {
            return Err(internal("needs the vertices and the vertex count"));
        };
        let rf = rs.reuse_factor as usize;
        if rf == 0 || !n_vertices.is_multiple_of(rf) {
            return Err(CodegenError::NotInHls4ml {
                layer: n.name.clone(),
                kind: n.class.clone(),
                message: format!(
                    "ReuseFactor {rf} does not divide the {n_vertices} vertices: hls4ml 1.3.0's \
                     GarNet.initialize raises ('GarNet vertex loop has no bound check; number of \
                     vertices must be divisible by the reuse factor')"
                ),
            });
        }
        let idx = self.index;
        let mut weights = Vec::new();
        for (i, (t, &f)) in transforms.iter().zip(n_in_features).enumerate() {
            let names = g
                .weight_names(i)
                .ok_or_else(|| internal("too many sublayers"))?;
            let (p, a, nf) = (t.n_propagate, t.n_aggregators, t.n_filters);
            let ternary = |v: Vec<f32>| {
                if *quantize {
                    v.into_iter().map(ternary).collect()
                } else {
                    v
                }
            };
            let flr_k = ternary(layer_weight(layer, names[0], f * p)?);
            let flr_b = ternary(layer_weight(layer, names[1], p)?);
            let s_k = layer_weight(layer, names[2], f * a)?;
            let s_b = layer_weight(layer, names[3], a)?;
            let fout_k = ternary(layer_weight(layer, names[4], a * p * nf)?);
            let fout_b = layer_weight(layer, names[5], nf)?;
            if nf == 1 && p >= 32 {
                return Err(CodegenError::NotImplemented {
                    layer: n.name.clone(),
                    kind: n.class.clone(),
                    message: format!(
                        "sublayer {i}: n_filters 1 with n_propagate {p} >= 32: hls4ml contracts \
                         the transforms with numpy's float32 dot, which then runs OpenBLAS's \
                         SIMD kernel over contiguous values, whose summation order presynth \
                         does not reproduce"
                    ),
                });
            }
            let (kernel, bias) = contract(&flr_k, &flr_b, &fout_k, (f, p, a, nf));
            let sub = if *stack {
                format!("_{i}")
            } else {
                String::new()
            };
            let var =
                |op: &str, vtype: &str, shape: Vec<usize>, data: Vec<f32>, q: bool| WeightVar {
                    name: format!("{op}{sub}_{}{idx}", &vtype[..1]),
                    type_name: format!("{op}{sub}_{vtype}{idx}_t"),
                    precision: array_type(&data, q),
                    shape,
                    data,
                };
            weights.push(var(
                "input_transform",
                "weights",
                vec![nf, a, f],
                kernel,
                *quantize,
            ));
            weights.push(var(
                "input_transform",
                "biases",
                vec![nf, a],
                bias,
                *quantize,
            ));
            if !*stack {
                weights.push(WeightVar {
                    name: format!("output_transform_w{idx}"),
                    type_name: MODEL_DEFAULT_T.to_string(),
                    precision: self.m.default_precision.clone(),
                    shape: vec![1],
                    data: vec![1.0],
                });
            }
            let s_kt = transpose(&s_k, &[f, a], &[1, 0]);
            weights.push(var(
                "aggregator_distance",
                "weights",
                vec![a, f],
                s_kt,
                false,
            ));
            weights.push(var("aggregator_distance", "biases", vec![a], s_b, false));
            weights.push(var("output_transform", "biases", vec![nf], fout_b, false));
        }
        let out = self.push(
            n.name.clone(),
            &n.class,
            n.op.clone(),
            inputs.clone(),
            n.shape.clone(),
            &super::settings_of(n),
            rs.strategy,
            rs.reuse_factor,
            weights,
            vec![],
        );
        let extra = internal_types(n, *n_vertices, rf);
        let l = self
            .m
            .layers
            .last_mut()
            .ok_or_else(|| internal("not pushed"))?;
        // the output variable is added after the weights (GarNet.initialize)
        let out_t = l.types.remove(0);
        l.types.push(out_t);
        l.extra_t = extra;
        let vertices_per_cycle = n_vertices / rf;
        let f = n_in_features.first().copied().unwrap_or(0);
        self.m.cyclic_partition.insert(data, f * vertices_per_cycle);
        if !*collapse_mean {
            let nf = transforms.last().map_or(0, |t| t.n_filters);
            self.m.cyclic_partition.insert(out, nf * vertices_per_cycle);
        }
        self.var_of.insert(lower::Port::of(n.key), out);
        Ok(())
    }
}

/// hls4ml's `TernaryQuantizer`: 1 above 0.5, -1 at or below -0.5, else 0.
fn ternary(x: f32) -> f32 {
    if x > 0.5 {
        1.0
    } else if x <= -0.5 {
        -1.0
    } else {
        0.0
    }
}

/// The contracted input transform: kernel `(N, A, F)` and bias `(N, A)` from FLR's kernel `(F,
/// P)` and bias `(P)` and Fout's kernel `(A·P, N)`, each element numpy's float32 dot over P.
fn contract(
    flr_k: &[f32],
    flr_b: &[f32],
    fout_k: &[f32],
    (f, p, a, nf): (usize, usize, usize, usize),
) -> (Vec<f32>, Vec<f32>) {
    // Fout's kernel as (A, P, N): column (a, ·, n) has stride N
    let col = |ai: usize, ni: usize| move |k: usize| fout_k[(ai * p + k) * nf + ni];
    let mut kernel = vec![0.0f32; nf * a * f];
    let mut bias = vec![0.0f32; nf * a];
    for ni in 0..nf {
        for ai in 0..a {
            let y = col(ai, ni);
            for fi in 0..f {
                kernel[(ni * a + ai) * f + fi] =
                    numpy_sdot(&flr_k[fi * p..(fi + 1) * p], &y, nf == 1);
            }
            bias[ni * a + ai] = numpy_sdot(flr_b, &y, nf == 1);
        }
    }
    (kernel, bias)
}

/// numpy 1.26's float32 `dot` of `x` (contiguous) with `y(k)` (stride 1 when `contiguous`),
/// as it runs on x86-64 with FMA (Haswell and later): `FLOAT_dot` calls OpenBLAS's `sdot` and
/// rounds its result to float32. `sdot` (kernel/x86_64/sdot.c) accumulates in a double: over
/// strided data, pairs `y0·x0 + y1·x1` computed in float32 with the first product fused (the
/// compiler's FMA contraction), then a last single product; over contiguous data (fewer than
/// 32 values: the SIMD kernel is not reached, see the caller) each float32 product.
/// Checked against numpy on 400 random shapes and values (`P` 1..60, `N` 1..5).
fn numpy_sdot(x: &[f32], y: &impl Fn(usize) -> f32, contiguous: bool) -> f32 {
    let n = x.len();
    let mut dot = 0.0f64;
    let mut i = 0;
    if !contiguous {
        while i + 1 < n {
            let pair = y(i).mul_add(x[i], y(i + 1) * x[i + 1]);
            dot += f64::from(pair);
            i += 2;
        }
    }
    while i < n {
        dot += f64::from(y(i) * x[i]);
        i += 1;
    }
    dot as f32
}

/// hls4ml's `find_minimum_width` (float32 `np.log2` of the largest magnitude; one more bit at
/// an integer logarithm, and a sign bit).
pub fn find_minimum_width(data: &[f32], signed: bool) -> u32 {
    let max = data.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if max == 0.0 {
        return 1;
    }
    let l = max.log2();
    let mut w = (l.ceil() as i64).max(0);
    if w == l.floor() as i64 {
        w += 1;
    }
    w as u32 + u32::from(signed)
}

/// hls4ml's `GarNet._add_variable` type of an array: signed when a value is negative,
/// [`find_minimum_width`] integer bits, and 10 fractional bits `AP_RND`/`AP_SAT`, or an integer
/// type of that width for a quantized (ternary) input transform.
pub fn array_type(data: &[f32], quantized: bool) -> FixedType {
    let signed = data.iter().any(|v| *v < 0.0);
    let iw = find_minimum_width(data, signed);
    if quantized {
        FixedType::Int { width: iw, signed }
    } else {
        FixedType::Fixed {
            width: iw + FRAC as u32,
            integer: iw as i32,
            signed,
            quantization: Some(Quantization::Rnd),
            overflow: Some(Overflow::Sat),
            saturation_bits: None,
        }
    }
}

/// The config's internal types (`norm_t`, `edge_weight_t`, `edge_weight_aggr_t`, `aggr_t`) as
/// definitions: the layer's `Precision` entries (`edge_weight`, ...), else hls4ml's defaults.
fn internal_types(n: &Node, n_vertices: usize, rf: usize) -> Vec<(&'static str, NamedType)> {
    let log2_reuse = log2_floor(rf) as i32;
    let vw = log2_floor(n_vertices) as i32;
    let aggr_intw = log2_reuse.max(vw - log2_reuse) + 3;
    let ew_aggr_intw = aggr_intw - 3;
    let fixed = |w: i32, i: i32, signed: bool| FixedType::Fixed {
        width: w as u32,
        integer: i,
        signed,
        quantization: None,
        overflow: None,
        saturation_bits: None,
    };
    let defaults = [
        ("edge_weight", "edge_weight_t", fixed(10, 0, false)),
        (
            "edge_weight_aggr",
            "edge_weight_aggr_t",
            fixed(ew_aggr_intw + FRAC, ew_aggr_intw, false),
        ),
        ("aggr", "aggr_t", fixed(aggr_intw + FRAC, aggr_intw, true)),
        ("norm", "norm_t", fixed(4 + FRAC, 4, false)),
    ];
    defaults
        .into_iter()
        .map(|(var, key, default)| {
            let t = n
                .settings
                .precision
                .named
                .get(var)
                .cloned()
                .flatten()
                .unwrap_or(default);
            (key, NamedType::new(key, precision::cpp(&t)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_widths_follow_hls4ml() {
        // hls4ml 1.3.0 model/types.py find_minimum_width, by hand: |max| 0.97 -> ceil(log2) 0,
        // + sign = 1; 1.35 -> 1 + 1 = 2; exactly 1.0 and 2.0 (integer logarithm) one more
        assert_eq!(find_minimum_width(&[-0.97, 0.5], true), 1);
        assert_eq!(find_minimum_width(&[1.35, -0.2], true), 2);
        assert_eq!(find_minimum_width(&[1.0], false), 1);
        assert_eq!(find_minimum_width(&[-2.0], true), 3);
        assert_eq!(find_minimum_width(&[0.0, 0.0], true), 1);
        // the types hls4ml 1.3.0 wrote for scripts/make_garnet_fixtures.py's garnet_mean
        // (defines.h): input_transform_weights3_t (max 1.349) and aggregator_distance
        assert_eq!(
            precision::cpp(&array_type(&[-0.97, 1.349], false)),
            "ap_fixed<12,2,AP_RND,AP_SAT,0>"
        );
        assert_eq!(
            precision::cpp(&array_type(&[-0.94, 0.73], false)),
            "ap_fixed<11,1,AP_RND,AP_SAT,0>"
        );
        assert_eq!(
            precision::cpp(&array_type(&[2.0, 0.0, 1.0], true)),
            "ap_uint<2>"
        );
    }

    #[test]
    fn the_contraction_is_numpys_float32_dot() {
        // numpy 1.26.4 (.venv-qkeras, OpenBLAS 0.3.23 on an AVX-512 x86-64) printed
        // np.dot(a, b)[0, 0, 0] = -0.33383670449256897 for a = x (1, 5) and b = y (1, 5, 2)
        // below; float32 pairs without the fused product give -0.3338366746902466
        let x = [
            0.717_509_8_f32,
            -0.325_405,
            0.587_309_06,
            -0.202_025_49,
            0.188_107_76,
        ];
        let y = [
            0.474_933_95_f32,
            0.002_714_408_8,
            0.381_551_53,
            0.394_626_98,
            -0.988_574_6,
            -0.921_868_9,
            -0.701_923_4,
            -0.572_729_7,
            -0.593_570_77,
            -0.902_068_85,
        ];
        let (kernel, _) = contract(&x, &[0.0; 5], &y, (1, 5, 1, 2));
        assert_eq!(kernel[0], -0.333_836_7_f32);
        assert_eq!(kernel[0] as f64, -0.33383670449256897);
    }

    #[test]
    fn the_ternary_quantizer_matches_hls4ml() {
        // hls4ml's TernaryQuantizer: > 0.5 -> 1, <= -0.5 -> -1
        let q: Vec<f32> = [0.5, 0.51, -0.5, -0.49, 0.0]
            .into_iter()
            .map(ternary)
            .collect();
        assert_eq!(q, [0.0, 1.0, -1.0, 0.0, 0.0]);
    }
}
