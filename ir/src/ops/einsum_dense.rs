//! EinsumDense (Keras `EinsumDense`, hls4ml `EinsumDense`, `nnet_einsum_dense.h`): a dense
//! layer whose product with the kernel is an einsum `input,kernel->output` equation, with an
//! optional bias over some output axes. Keras's rules (`keras/src/layers/core/einsum_dense.py`,
//! `_analyze_split_string`), restated:
//! - the first letter of the input and output specs is the batch axis; a leading `...` in both
//!   stands for the input's leading axes (batch included) and is carried to the output;
//! - `output_shape` (without the batch axis; for `...` forms, the axes after it) gives the sizes
//!   of the output axes; an entry may be `None` for an axis the input has, and must otherwise
//!   equal the input's size;
//! - every kernel axis has the size of the same letter in the input or the output; every
//!   output letter is in the input or the kernel;
//! - the bias covers the output spec from its first bias axis to its end, with size 1 on the
//!   axes not named in `bias_axes`.
//!
//! Cost: parameters = kernel + bias values; MACs = the product of the sizes of every letter
//! but the batch (each combination of indices is one multiply-accumulate).

use super::util::{attr_err, first, shape_err, within_cost};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EinsumDense {
    /// `input,kernel->output`, e.g. `abc,cd->abd` (letters; `...` leading in input and output).
    pub equation: String,
    /// Output sizes without the batch axis; `None` where the input gives the size.
    pub output_shape: Vec<Option<usize>>,
    /// Output letters the bias covers; `None` for no bias.
    pub bias_axes: Option<String>,
}

/// An equation resolved against an input shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EinsumPlan {
    /// Input letters without the batch letter, one per input dimension.
    pub input: Vec<char>,
    pub kernel: Vec<char>,
    /// Output letters without the batch letter.
    pub output: Vec<char>,
    /// Size of every letter but the batch one.
    pub sizes: Vec<(char, usize)>,
    pub output_shape: Vec<usize>,
    pub kernel_shape: Vec<usize>,
    pub bias_shape: Option<Vec<usize>>,
}

impl EinsumPlan {
    pub fn size(&self, c: char) -> usize {
        self.sizes
            .iter()
            .find(|(l, _)| *l == c)
            .map_or(1, |(_, s)| *s)
    }
    fn product(&self, letters: impl Iterator<Item = char>) -> u64 {
        letters.fold(1u64, |a, c| a.saturating_mul(self.size(c) as u64))
    }
    /// Contracted size (letters of the input and the kernel that are not in the output).
    pub fn n_contract(&self) -> u64 {
        self.product(
            self.kernel
                .iter()
                .copied()
                .filter(|c| self.input.contains(c) && !self.output.contains(c)),
        )
    }
    /// Kernel-only output size (letters of the kernel and the output, not the input).
    pub fn n_free_kernel(&self) -> u64 {
        self.product(
            self.kernel
                .iter()
                .copied()
                .filter(|c| self.output.contains(c) && !self.input.contains(c)),
        )
    }
    /// Multiply-accumulates: the product of the sizes of all letters but the batch.
    pub fn macs(&self) -> u64 {
        self.product(self.sizes.iter().map(|(c, _)| *c))
    }
}

/// Placeholder letters for the axes a `...` stands for (never letters of an equation).
const ELIDED: [char; 8] = ['0', '1', '2', '3', '4', '5', '6', '7'];

impl EinsumDense {
    /// Resolve the equation against the input shape (batch-less), or say what is wrong.
    pub fn plan(&self, input: &[usize]) -> Result<EinsumPlan, String> {
        let eq = self.equation.replace(' ', "");
        let (lhs, out_spec) = eq
            .split_once("->")
            .ok_or_else(|| format!("equation '{eq}' has no '->'"))?;
        let (in_spec, k_spec) = lhs
            .split_once(',')
            .ok_or_else(|| format!("equation '{eq}' does not have two operands 'input,kernel'"))?;
        let letters = |s: &str, what: &str| -> Result<Vec<char>, String> {
            if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(format!(
                    "equation '{eq}': the {what} spec '{s}' must be letters (a leading '...' in the input and output only)"
                ));
            }
            let v: Vec<char> = s.chars().collect();
            if (1..v.len()).any(|i| v[..i].contains(&v[i])) {
                return Err(format!(
                    "equation '{eq}': the {what} spec '{s}' repeats a letter"
                ));
            }
            Ok(v)
        };
        let rank = input.len() + 1; // with the batch axis
        let (in_full, out_full, configured) =
            match (in_spec.strip_prefix("..."), out_spec.strip_prefix("...")) {
                (Some(i), Some(o)) => {
                    let (i, o) = (letters(i, "input")?, letters(o, "output")?);
                    let n = rank.checked_sub(i.len()).filter(|n| *n >= 1 && *n <= 8).ok_or_else(
                        || {
                            format!(
                                "equation '{eq}': input spec '{in_spec}' does not fit an input of shape {input:?}"
                            )
                        },
                    )?;
                    let el = &ELIDED[..n];
                    let cfg = o.clone();
                    (
                        el.iter().copied().chain(i).collect::<Vec<_>>(),
                        el.iter().copied().chain(o).collect::<Vec<_>>(),
                        cfg,
                    )
                }
                (None, None) => {
                    let (i, o) = (letters(in_spec, "input")?, letters(out_spec, "output")?);
                    if i.len() != rank {
                        return Err(format!(
                            "equation '{eq}': input spec '{in_spec}' has {} axes, the input has {rank} with the batch (shape {input:?})",
                            i.len()
                        ));
                    }
                    let cfg = o[1..].to_vec();
                    (i, o, cfg)
                }
                _ => {
                    return Err(format!(
                        "equation '{eq}': only a leading '...' in both the input and the output spec is supported"
                    ))
                }
            };
        let kernel = letters(k_spec, "kernel")?;
        let batch = in_full[0];
        if out_full[0] != batch {
            return Err(format!(
                "equation '{eq}': the output must start with the input's batch axis '{batch}'"
            ));
        }
        if configured.len() != self.output_shape.len() {
            return Err(format!(
                "output_shape {:?} has {} entries, the equation's output '{out_spec}' needs {}",
                self.output_shape,
                self.output_shape.len(),
                configured.len()
            ));
        }
        let mut sizes: Vec<(char, usize)> = in_full[1..]
            .iter()
            .copied()
            .zip(input.iter().copied())
            .collect();
        for (c, want) in configured.iter().zip(&self.output_shape) {
            match (sizes.iter().find(|(l, _)| l == c), want) {
                (Some((_, have)), Some(w)) if have != w => {
                    return Err(format!(
                        "output_shape gives axis '{c}' size {w}, but the input's is {have}"
                    ))
                }
                (Some(_), _) => {}
                (None, Some(w)) if *w > 0 => sizes.push((*c, *w)),
                (None, _) => {
                    return Err(format!(
                        "output axis '{c}' is not in the input, so output_shape must give its size"
                    ))
                }
            }
        }
        for c in &out_full {
            if !in_full.contains(c) && !kernel.contains(c) {
                return Err(format!(
                    "equation '{eq}': output axis '{c}' is neither in the input nor in the kernel"
                ));
            }
        }
        let size_of = |c: char| sizes.iter().find(|(l, _)| *l == c).map(|(_, s)| *s);
        let kernel_shape = kernel
            .iter()
            .map(|&c| {
                if c == batch {
                    return Err(format!(
                        "equation '{eq}': the kernel cannot use the batch axis '{c}'"
                    ));
                }
                size_of(c).ok_or_else(|| {
                    format!("equation '{eq}': kernel axis '{c}' is neither in the input nor in the output")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let output: Vec<char> = out_full[1..].to_vec();
        let bias_shape = match &self.bias_axes {
            None => None,
            Some(b) if b.is_empty() => None,
            Some(b) => {
                let start = b
                    .chars()
                    .map(|c| output.iter().position(|o| *o == c))
                    .collect::<Option<Vec<_>>>()
                    .and_then(|p| p.into_iter().min())
                    .ok_or_else(|| {
                        format!(
                            "bias_axes '{b}' must name axes of the output '{out_spec}' (not the batch)"
                        )
                    })?;
                Some(
                    output[start..]
                        .iter()
                        .map(|&c| {
                            if b.contains(c) {
                                size_of(c).unwrap_or(1)
                            } else {
                                1
                            }
                        })
                        .collect(),
                )
            }
        };
        let output_shape = output.iter().map(|&c| size_of(c).unwrap_or(1)).collect();
        Ok(EinsumPlan {
            input: in_full[1..].to_vec(),
            kernel,
            output,
            sizes,
            output_shape,
            kernel_shape,
            bias_shape,
        })
    }
}

impl LayerOp for EinsumDense {
    fn name(&self) -> &'static str {
        "EinsumDense"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["EinsumDense"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        true
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        let s = first(inputs);
        if s.is_empty() {
            return Err(shape_err(layer, "input has no dimensions".into()));
        }
        let out = self
            .plan(&s)
            .map(|p| p.output_shape)
            .map_err(|m| attr_err(layer, m))?;
        within_cost(layer, self.cost(inputs, &out))?;
        Ok(out)
    }
    fn cost(&self, inputs: &[Shape], _output: &[usize]) -> Cost {
        match self.plan(&first(inputs)) {
            Ok(p) => {
                let values = |s: &[usize]| s.iter().fold(1u64, |a, &d| a.saturating_mul(d as u64));
                Cost {
                    params: values(&p.kernel_shape)
                        .saturating_add(p.bias_shape.as_deref().map_or(0, values)),
                    macs: p.macs(),
                }
            }
            Err(_) => Cost::default(),
        }
    }
    fn weights(&self, inputs: &[Shape]) -> Vec<WeightSpec> {
        let plan = self.plan(&first(inputs)).ok();
        let mut v = vec![WeightSpec {
            name: "kernel",
            role: WeightRole::Kernel,
            shape: plan
                .as_ref()
                .map(|p| p.kernel_shape.clone())
                .unwrap_or_default(),
        }];
        if self.bias_axes.as_deref().is_some_and(|b| !b.is_empty()) {
            v.push(WeightSpec {
                name: "bias",
                role: WeightRole::Bias,
                shape: plan.and_then(|p| p.bias_shape).unwrap_or_default(),
            });
        }
        v
    }
    fn product_shape(&self, inputs: &[Shape]) -> Option<(u64, u64)> {
        let p = self.plan(&first(inputs)).ok()?;
        Some((p.n_contract(), p.n_free_kernel()))
    }
}
