//! hls4ml's contrib graph layers `GarNet` and `GarNetStack` (`hls4ml/contrib/garnet.py`, a
//! tf.keras layer): vertices `(V, F)` plus the number of valid vertices, `(1,)`; per sublayer a
//! feature transform `FLR` (F → P), aggregator distances `S` (F → A), edge weights
//! `exp(-S²)`, the weighted means over the vertices per aggregator (A × P) sent back to each
//! vertex, and the output transform `Fout` (A·P → N). A stack chains sublayers, each reading the
//! previous one's N features. With `collapse` the vertices are reduced to `(N,)`, else the
//! output is `(V, N)`.
//!
//! One kind holds both classes (`stack` says which): they share every rule, and a single
//! GarNet is a stack of one sublayer with unnumbered weight names. The IR holds the forms
//! hls4ml 1.3.0's converter (`converters/keras/graph.py`) accepts: `simplified=True`,
//! `input_format='xn'`, a linear output activation (the Keras frontend refuses the others,
//! naming the field); `collapse` and `quantize_transforms` are kept for lowering, which refuses
//! what hls4ml's project cannot compile.

use super::util::{attr_err, shape_err};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

/// The reduction over vertices (`collapse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GarNetCollapse {
    Mean,
    Sum,
    Max,
}

impl GarNetCollapse {
    /// Keras's spelling (`'mean'`, `'sum'`, `'max'`).
    pub fn keras_name(self) -> &'static str {
        match self {
            GarNetCollapse::Mean => "mean",
            GarNetCollapse::Sum => "sum",
            GarNetCollapse::Max => "max",
        }
    }
}

/// One sublayer's sizes: `n_propagate` (P, FLR's units), `n_aggregators` (A, S's units) and
/// `n_filters` (N, Fout's units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GarNetTransform {
    pub n_propagate: usize,
    pub n_aggregators: usize,
    pub n_filters: usize,
}

/// A `GarNet` (one transform, `stack == false`) or `GarNetStack` layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GarNet {
    /// `GarNetStack` (weights named `FLR0_kernel`, ...) rather than `GarNet` (`FLR_kernel`).
    pub stack: bool,
    /// The sublayers in order (exactly one for a GarNet).
    pub transforms: Vec<GarNetTransform>,
    pub collapse: Option<GarNetCollapse>,
    /// Means divided by the number of valid vertices rather than by V.
    pub mean_by_nvert: bool,
    /// QKeras ternary transforms (hls4ml's `TernaryQuantizer` on FLR and Fout).
    pub quantize_transforms: bool,
}

/// The most sublayers a GarNetStack may have here (its weight names are static).
pub const MAX_GARNET_SUBLAYERS: usize = 8;

/// Weight names per sublayer, in Keras's order: FLR kernel/bias, S kernel/bias, Fout
/// kernel/bias (`contrib/garnet.py` builds them in that order).
const SINGLE_NAMES: [&str; 6] = [
    "FLR_kernel",
    "FLR_bias",
    "S_kernel",
    "S_bias",
    "Fout_kernel",
    "Fout_bias",
];

macro_rules! stack_names {
    ($($i:literal)*) => {
        [$([
            concat!("FLR", $i, "_kernel"),
            concat!("FLR", $i, "_bias"),
            concat!("S", $i, "_kernel"),
            concat!("S", $i, "_bias"),
            concat!("Fout", $i, "_kernel"),
            concat!("Fout", $i, "_bias"),
        ]),*]
    };
}

const STACK_NAMES: [[&str; 6]; MAX_GARNET_SUBLAYERS] = stack_names!(0 1 2 3 4 5 6 7);

impl GarNet {
    /// The weight names of sublayer `i` (`None` past [`MAX_GARNET_SUBLAYERS`]).
    pub fn weight_names(&self, i: usize) -> Option<[&'static str; 6]> {
        if self.stack {
            STACK_NAMES.get(i).copied()
        } else {
            (i == 0).then_some(SINGLE_NAMES)
        }
    }

    /// Input features of each sublayer: the data's F, then each previous sublayer's N.
    pub fn in_features(&self, n_features: usize) -> Vec<usize> {
        let mut f = n_features;
        self.transforms
            .iter()
            .map(|t| std::mem::replace(&mut f, t.n_filters))
            .collect()
    }

    /// The output features (the last sublayer's N; 0 for a stack without sublayers).
    pub fn n_out(&self) -> usize {
        self.transforms.last().map_or(0, |t| t.n_filters)
    }

    fn data_shape(inputs: &[Shape]) -> (usize, usize) {
        match inputs.first().map(Vec::as_slice) {
            Some([v, f]) => (*v, *f),
            _ => (0, 0),
        }
    }
}

/// Parameters of one sublayer with `f` inputs: FLR `f·P + P`, S `f·A + A`, Fout
/// `A·P·N + N` (the simplified form's Fout reads the A×P aggregated features).
fn sublayer_params(f: u64, t: &GarNetTransform) -> u64 {
    let (p, a, n) = (
        t.n_propagate as u64,
        t.n_aggregators as u64,
        t.n_filters as u64,
    );
    let flr = f.saturating_mul(p).saturating_add(p);
    let s = f.saturating_mul(a).saturating_add(a);
    let fout = a.saturating_mul(p).saturating_mul(n).saturating_add(n);
    flr.saturating_add(s).saturating_add(fout)
}

impl LayerOp for GarNet {
    fn name(&self) -> &'static str {
        if self.stack {
            "GarNetStack"
        } else {
            "GarNet"
        }
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["GarNet", "GarNetStack"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(2)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let (v, f) = match inputs {
            [d, n] if d.len() == 2 && n.as_slice() == [1] => (d[0], d[1]),
            _ => {
                return Err(shape_err(
                    layer,
                    format!(
                        "expects the vertices (V, F) and the vertex count (1,) \
                         (input_format='xn'), got {inputs:?}"
                    ),
                ))
            }
        };
        if v == 0 || f == 0 {
            return Err(shape_err(
                layer,
                format!("vertices of shape {:?}", inputs[0]),
            ));
        }
        if !self.stack && self.transforms.len() != 1 {
            return Err(attr_err(
                layer,
                format!("a GarNet has one transform, got {}", self.transforms.len()),
            ));
        }
        if self.transforms.is_empty() || self.transforms.len() > MAX_GARNET_SUBLAYERS {
            return Err(attr_err(
                layer,
                format!(
                    "a GarNetStack needs 1 to {MAX_GARNET_SUBLAYERS} sublayers, got {}",
                    self.transforms.len()
                ),
            ));
        }
        for (i, t) in self.transforms.iter().enumerate() {
            for (what, n) in [
                ("n_propagate", t.n_propagate),
                ("n_aggregators", t.n_aggregators),
                ("n_filters", t.n_filters),
            ] {
                if n == 0 || n > crate::limits::MAX_DIM as usize {
                    return Err(attr_err(
                        layer,
                        format!(
                            "sublayer {i}: {what} must be in 1..={}, got {n}",
                            crate::limits::MAX_DIM
                        ),
                    ));
                }
            }
        }
        Ok(match self.collapse {
            Some(_) => vec![self.n_out()],
            None => vec![v, self.n_out()],
        })
    }
    fn cost(&self, inputs: &[Shape], _output: &[usize]) -> Cost {
        // per vertex and sublayer: FLR f·P, S f·A, the aggregation and the distribution A·P
        // each, Fout A·P·N (contrib/garnet.py `_garnet`, simplified)
        let (v, f) = Self::data_shape(inputs);
        let mut params = 0u64;
        let mut macs = 0u64;
        for (t, fi) in self.transforms.iter().zip(self.in_features(f)) {
            params = params.saturating_add(sublayer_params(fi as u64, t));
            let (p, a, n) = (
                t.n_propagate as u64,
                t.n_aggregators as u64,
                t.n_filters as u64,
            );
            let ap = a.saturating_mul(p);
            let per_vertex = (fi as u64)
                .saturating_mul(p.saturating_add(a))
                .saturating_add(ap.saturating_mul(2))
                .saturating_add(ap.saturating_mul(n));
            macs = macs.saturating_add(per_vertex.saturating_mul(v as u64));
        }
        Cost { params, macs }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let (_, f) = Self::data_shape(inputs);
        let mut out = Vec::new();
        for (i, (t, fi)) in self.transforms.iter().zip(self.in_features(f)).enumerate() {
            let Some(names) = self.weight_names(i) else {
                break;
            };
            let (p, a, n) = (t.n_propagate, t.n_aggregators, t.n_filters);
            let shapes = [
                vec![fi, p],
                vec![p],
                vec![fi, a],
                vec![a],
                vec![a.saturating_mul(p), n],
                vec![n],
            ];
            for (k, (name, shape)) in names.into_iter().zip(shapes).enumerate() {
                let role = if k % 2 == 0 {
                    WeightRole::Kernel
                } else {
                    WeightRole::Bias
                };
                out.push(WeightSpec { name, shape, role });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::LayerKind;

    fn garnet(transforms: Vec<GarNetTransform>, collapse: Option<GarNetCollapse>) -> GarNet {
        GarNet {
            stack: transforms.len() > 1,
            transforms,
            collapse,
            mean_by_nvert: false,
            quantize_transforms: false,
        }
    }

    const T: fn(usize, usize, usize) -> GarNetTransform =
        |n_propagate, n_aggregators, n_filters| GarNetTransform {
            n_propagate,
            n_aggregators,
            n_filters,
        };

    #[test]
    fn counts_shapes_and_weight_names_follow_tf_keras() {
        // GarNet(n_aggregators=4, n_filters=5, n_propagate=3) on 16 vertices of 3 features:
        // FLR 3·3 + 3 = 12, S 3·4 + 4 = 16, Fout (4·3)·5 + 5 = 65: 93, as tf.keras 2.14's
        // model.summary() printed for it (scripts/make_garnet_fixtures.py, garnet_mean)
        let g = garnet(vec![T(3, 4, 5)], Some(GarNetCollapse::Mean));
        let layer = Layer::new("g", LayerKind::GarNet(g.clone()));
        let ins = vec![vec![16, 3], vec![1]];
        let out = g.infer(&layer, &ins).unwrap();
        assert_eq!(out, vec![5]);
        assert_eq!(g.cost(&ins, &out).params, 93);
        let names: Vec<_> = g.weights(&ins).iter().map(|w| w.name).collect();
        assert_eq!(names, SINGLE_NAMES);
        // GarNetStack([4, 2], [4, 5], [3, 3]): sublayer 0 as above with N = 4 (12 + 16 + 52 =
        // 80), sublayer 1 reads 4 features: FLR 4·3 + 3 = 15, S 4·2 + 2 = 10, Fout 6·5 + 5 =
        // 35: 140 (tf.keras: garnet_stack); no collapse keeps the vertices
        let s = garnet(vec![T(3, 4, 4), T(3, 2, 5)], None);
        let out = s.infer(&layer, &ins).unwrap();
        assert_eq!(out, vec![16, 5]);
        assert_eq!(s.cost(&ins, &out).params, 140);
        let w = s.weights(&ins);
        assert_eq!((w[6].name, w[6].shape.clone()), ("FLR1_kernel", vec![4, 3]));
        assert_eq!(
            (w[10].name, w[10].shape.clone()),
            ("Fout1_kernel", vec![6, 5])
        );
    }

    #[test]
    fn bad_operands_and_sizes_are_errors_naming_the_layer() {
        let g = garnet(vec![T(3, 4, 5)], None);
        let layer = Layer::new("g", LayerKind::GarNet(g.clone()));
        for ins in [
            vec![vec![16, 3]],
            vec![vec![16, 3], vec![2]],
            vec![vec![48], vec![1]],
        ] {
            let e = g.infer(&layer, &ins).unwrap_err().to_string();
            assert!(e.contains("layer 'g' (GarNet)"), "{e}");
            assert!(e.contains("(V, F)"), "{e}");
        }
        let zero = garnet(vec![T(3, 0, 5)], None);
        let e = zero
            .infer(&layer, &[vec![16, 3], vec![1]])
            .unwrap_err()
            .to_string();
        assert!(e.contains("n_aggregators"), "{e}");
        let deep = garnet(vec![T(1, 1, 1); MAX_GARNET_SUBLAYERS + 1], None);
        let e = deep
            .infer(&layer, &[vec![16, 3], vec![1]])
            .unwrap_err()
            .to_string();
        assert!(e.contains("sublayers"), "{e}");
    }
}
