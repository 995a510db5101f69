//! The weights and types of the transformer nodes, as hls4ml 1.3.0 attaches them:
//! LayerNormalization's `s`/`b` (gamma and beta; ones and zeros where Keras has none) and its
//! `table_t` (`ap_ufixed<8,5,AP_RND_CONV,AP_SAT,0>`, the Vivado backend's default for the
//! 1/√var table); EinsumDense's kernel and bias rearranged by the Vivado backend's
//! `init_einsum_dense` (kernel transposed to (in-place, contracted, free) blocks, bias
//! broadcast to the whole output and laid out as computed); Embedding's table `e`.

use super::{layer_weight, Lowerer};
use crate::error::{CodegenError, Result};
use crate::model::{NamedType, Op, VarId};
use crate::precision;
use ir::types::{Overflow, Quantization};
use ir::{FixedType, LayerKind};
use lower::Node;

/// The LayerNormalization table type hls4ml's Vivado backend defaults to.
pub fn layernorm_table_t() -> FixedType {
    FixedType::Fixed {
        width: 8,
        integer: 5,
        signed: false,
        quantization: Some(Quantization::RndConv),
        overflow: Some(Overflow::Sat),
        saturation_bits: Some(0),
    }
}

impl Lowerer<'_> {
    pub(super) fn layernorm(
        &mut self,
        n: &Node,
        input: VarId,
        rs: &ir::settings::ResolvedSettings,
    ) -> Result<()> {
        let layer = self.source(n)?;
        let (Op::LayerNorm { dim, .. }, LayerKind::LayerNorm(ln)) = (&n.op, &layer.kind) else {
            return Err(CodegenError::Internal(format!(
                "LayerNormalization node '{}' renders a {}",
                n.name,
                layer.kind.name()
            )));
        };
        let dim = *dim;
        let gamma = if ln.scale {
            layer_weight(layer, "gamma", dim)?
        } else {
            vec![1.0; dim]
        };
        let beta = if ln.center {
            layer_weight(layer, "beta", dim)?
        } else {
            vec![0.0; dim]
        };
        let idx = self.index;
        let p = &n.settings.precision;
        let weights = vec![
            self.weight(&n.name, "s", idx, &p.scale, "scale", vec![dim], gamma),
            self.weight(&n.name, "b", idx, &p.bias, "bias", vec![dim], beta),
        ];
        let table = NamedType::new(
            format!("{}_table_t", n.name),
            precision::cpp(&layernorm_table_t()),
        );
        self.push_node(n, vec![input], rs, weights, vec![("table_t", table)]);
        Ok(())
    }

    pub(super) fn einsum_dense(
        &mut self,
        n: &Node,
        input: VarId,
        rs: &ir::settings::ResolvedSettings,
    ) -> Result<()> {
        let layer = self.source(n)?;
        let Op::EinsumDense {
            kernel_shape,
            out_shape,
            recipe: r,
            kernel_weight,
            bias_weight,
            scale,
            ..
        } = &n.op
        else {
            return Err(CodegenError::Internal(format!(
                "EinsumDense node '{}' has op {:?}",
                n.name, n.op
            )));
        };
        if rs.strategy == ir::Strategy::Resource {
            // hls4ml 1.3.0's Vitis ValidateResourceStrategy matches 'Dense' in 'EinsumDense',
            // finds no n_in and fails with a TypeError (harness check, einsum_layernorm res_rf4)
            return Err(CodegenError::NotInHls4ml {
                layer: n.name.clone(),
                kind: "EinsumDense".into(),
                message:
                    "the Resource strategy: hls4ml 1.3.0's conversion fails on an EinsumDense \
                          under Resource (its resource-strategy check finds no n_in); use Latency \
                          for this layer"
                        .into(),
            });
        }
        let scale = *scale as f32;
        let scaled = |v: Vec<f32>| -> Vec<f32> {
            if scale == 1.0 {
                v
            } else {
                v.into_iter().map(|x| x * scale).collect()
            }
        };
        let n_kernel: usize = kernel_shape.iter().product();
        let kernel = scaled(layer_weight(layer, kernel_weight, n_kernel)?);
        // kernel.transpose(in1_perm) as (I, L1, C), then each block transposed to (C, L1)
        let k = super::transpose(&kernel, kernel_shape, &r.in1_perm);
        let k = super::transpose(&k, &[r.inplace, r.l1, r.contract], &[0, 2, 1]);
        // the bias broadcast (right-aligned, numpy) to the output, laid out as computed
        let n_out: usize = out_shape.iter().product();
        let full = match bias_weight {
            Some(name) => {
                let b = layer
                    .weight(name)
                    .ok_or_else(|| CodegenError::MissingWeight {
                        layer: layer.name.clone(),
                        kind: layer.kind.name().to_string(),
                        weight: name.to_string(),
                    })?;
                // an HGQ2 bias as hls4ml loads it (quantized)
                let data = layer_weight(layer, name, b.data.len())?;
                let full = broadcast(&data, &b.shape, out_shape).ok_or_else(|| {
                    CodegenError::Internal(format!(
                        "layer '{}': bias of shape {:?} does not broadcast to {out_shape:?}",
                        layer.name, b.shape
                    ))
                })?;
                scaled(full)
            }
            None => vec![0.0; n_out],
        };
        let mut inverse = vec![0usize; r.out_perm.len()];
        for (k, &p) in r.out_perm.iter().enumerate() {
            inverse[p] = k;
        }
        let bias = super::transpose(&full, out_shape, &inverse);
        let idx = self.index;
        let p = &n.settings.precision;
        let w_shape = vec![r.inplace, r.contract, r.l1];
        let weights = vec![
            self.weight(&n.name, "w", idx, &p.weight, "weight", w_shape, k),
            self.weight(
                &n.name,
                "b",
                idx,
                &p.bias,
                "bias",
                r.out_interpret_shape.clone(),
                bias,
            ),
        ];
        self.push_node(n, vec![input], rs, weights, vec![]);
        Ok(())
    }

    /// An Einsum of two computed tensors: no weights, an accumulator type.
    pub(super) fn einsum(
        &mut self,
        n: &Node,
        inputs: Vec<VarId>,
        rs: &ir::settings::ResolvedSettings,
    ) -> Result<()> {
        if inputs.len() != 2 {
            return Err(CodegenError::Internal(format!(
                "Einsum node '{}' has {} inputs",
                n.name,
                inputs.len()
            )));
        }
        self.push_node(n, inputs, rs, vec![], vec![]);
        Ok(())
    }

    pub(super) fn embedding(
        &mut self,
        n: &Node,
        input: VarId,
        rs: &ir::settings::ResolvedSettings,
    ) -> Result<()> {
        let layer = self.source(n)?;
        let Op::Embedding {
            n_out, vocab_size, ..
        } = n.op
        else {
            return Err(CodegenError::Internal(format!(
                "Embedding node '{}' has op {:?}",
                n.name, n.op
            )));
        };
        let table = layer_weight(layer, "embeddings", vocab_size * n_out)?;
        let idx = self.index;
        let weights = vec![self.weight(
            &n.name,
            "e",
            idx,
            &None,
            "embeddings",
            vec![vocab_size, n_out],
            table,
        )];
        self.push_node(n, vec![input], rs, weights, vec![]);
        Ok(())
    }
}

/// numpy's `broadcast_to(data, to)` of an array of shape `from` (aligned on the right), row-major;
/// `None` when the shapes do not broadcast.
fn broadcast(data: &[f32], from: &[usize], to: &[usize]) -> Option<Vec<f32>> {
    if from.iter().product::<usize>() != data.len() {
        return None;
    }
    let at = lower::passes::bit_exact::hgq2::broadcast_index(from, to)?;
    Some(at.into_iter().map(|j| data[j]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_matches_numpy() {
        // np.broadcast_to(np.array([[1.],[2.]]), (3, 2, 2)).ravel() == [1,1,2,2]*3
        let b = broadcast(&[1.0, 2.0], &[2, 1], &[3, 2, 2]).unwrap();
        assert_eq!(b, [1., 1., 2., 2.].repeat(3));
        assert!(broadcast(&[1.0, 2.0, 3.0], &[3], &[2, 2]).is_none());
    }

    /// input (8, 16) -> EinsumDense 'abc,cd->abd' (8, 12) -> LayerNormalization(axis 2).
    fn einsum_ln() -> ir::Network {
        use ir::{Layer, Tensor};
        let mut net = ir::Network::new("m");
        let input = ir::ops::Input { shape: vec![8, 16] };
        net.add_layer(Layer::new("x", LayerKind::Input(input)), &[])
            .unwrap();
        let mut ed = Layer::new(
            "ed",
            LayerKind::EinsumDense(ir::ops::EinsumDense {
                equation: "abc,cd->abd".into(),
                output_shape: vec![Some(8), Some(12)],
                bias_axes: None,
            }),
        );
        ed.weights = vec![("kernel".into(), Tensor::new(vec![16, 12], vec![0.5; 192]))];
        net.add_layer(ed, &["x"]).unwrap();
        let mut ln = Layer::new(
            "ln",
            LayerKind::LayerNorm(ir::ops::LayerNorm {
                axes: vec![2],
                epsilon: 1e-3,
                center: false,
                scale: false,
            }),
        );
        ln.weights = vec![];
        net.add_layer(ln, &["ed"]).unwrap();
        net.default_outputs();
        net.infer_shapes().unwrap();
        net
    }

    #[test]
    fn settings_hls4ml_cannot_convert_are_refused_by_name() {
        let opts = crate::ProjectOptions::default();
        let m = crate::lower(&einsum_ln(), &opts).unwrap();
        // no bias axes: hls4ml's zero bias over the whole (8, 12) output; no gamma/beta: ones
        // and zeros
        let ed = &m.layers[1];
        assert_eq!(ed.weights[1].data, vec![0.0; 96]);
        assert_eq!(m.layers[2].weights[0].data, vec![1.0; 12]);
        assert_eq!(m.layers[2].weights[1].data, vec![0.0; 12]);
        let mut net = einsum_ln();
        net.config.strategy = ir::Strategy::Resource;
        let e = crate::lower(&net, &opts).unwrap_err().to_string();
        assert!(e.contains("'ed'") && e.contains("Resource"), "{e}");
        let mut net = einsum_ln();
        net.config.io_type = ir::IoType::Stream;
        let e = crate::lower(&net, &opts).unwrap_err().to_string();
        assert!(e.contains("'ed'") && e.contains("io_parallel only"), "{e}");
    }

    #[test]
    fn layernorm_table_prints_like_hls4ml() {
        // defines.h of hls4ml 1.3.0 (harness case einsum_layernorm): ln_table_t
        assert_eq!(
            precision::cpp(&layernorm_table_t()),
            "ap_ufixed<8,5,AP_RND_CONV,AP_SAT,0>"
        );
    }
}
