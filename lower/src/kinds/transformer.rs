//! The transformer kinds. LayerNormalization, EinsumDense and Embedding become hls4ml 1.3.0's
//! nodes of the same names, with the attributes its parser (`converters/keras/core.py`,
//! `converters/keras_v3/einsum_dense.py`) and the Vivado backend's `init_einsum_dense` compute;
//! all three in io_parallel only (hls4ml asserts it for EinsumDense and has no stream
//! LayerNormalization; presynth does not emit a stream Embedding yet). MultiHeadAttention
//! becomes the nodes hls4ml makes of HGQ2's attention (EinsumDense projections, two Einsum
//! layers and a Softmax over the keys), which hls4ml itself refuses for a plain Keras
//! MultiHeadAttention: presynth emits it beyond hls4ml.

use super::{Parse, ParseCx, Parsed, SubInput, SubNode};
use crate::einsum::EinsumRecipe;
use crate::error::Result;
use crate::op::Op;
use ir::IoType;

impl Parse for ir::ops::MultiHeadAttention {
    /// hls4ml's decomposition of HGQ2's attention (`converters/keras_v3/hgq2/
    /// multi_head_attention.py`), applied to Keras's own equations for (sequence, features)
    /// operands: the query, key and value EinsumDense projections (`abc,cde->abde`), the scores
    /// as an Einsum of key and query (`aecd,abcd->acbe`), a Softmax over the key positions, the
    /// Einsum of scores and values (`acbe,aecd->abcd`) and the output EinsumDense
    /// (`abcd,cde->abe`); Keras's 1/√key_dim scaling of the query is folded into the query
    /// projection's kernel and bias.
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        parallel_only(cx, "attention (EinsumDense/Einsum/Softmax)")?;
        if self.causal {
            return Err(cx.not_in_hls4ml(
                "attention with a causal mask: hls4ml's attention decomposition has no mask",
            ));
        }
        if self.kv_heads != self.heads {
            return Err(cx.not_in_hls4ml(
                "grouped-query attention: hls4ml's attention decomposition has one key/value head \
                 per query head",
            ));
        }
        let hgq2 = !cx.layer.hgq_sub_quantizers.is_empty();
        let q = cx.input(0)?;
        let v = cx.input(1)?;
        let (k_operand, k) = match cx.inputs.get(2) {
            Some(k) => (2, *k),
            None => (1, v),
        };
        let (tq, dq, tv) = (q[0], q[1], v[0]);
        let (h, kd, vd) = (self.heads, self.key_dim, self.value_dim);
        let o = self.out_dim(dq);
        let c = |s: &str| -> Vec<char> { s.chars().collect() };
        let err = |m: String| cx.not_in_hls4ml(m);
        let bias = |name: &'static str| self.has_bias(name).then_some(name);
        let dense = |x: &[usize],
                     kernel: Vec<usize>,
                     eq: [&str; 3],
                     out: Vec<usize>,
                     w: [&'static str; 2],
                     scale: f64| {
            let recipe =
                EinsumRecipe::new(&c(eq[0]), &c(eq[1]), &c(eq[2]), x, &kernel).map_err(err)?;
            Ok::<Op, crate::error::LowerError>(Op::EinsumDense {
                inp_shape: x.to_vec(),
                kernel_shape: kernel,
                out_shape: out,
                recipe,
                kernel_weight: w[0],
                bias_weight: bias(w[1]),
                scale,
            })
        };
        let einsum = |a: Vec<usize>, b: Vec<usize>, eq: [&str; 3], out: Vec<usize>| {
            let recipe = EinsumRecipe::new(&c(eq[0]), &c(eq[1]), &c(eq[2]), &a, &b).map_err(err)?;
            Ok::<Op, crate::error::LowerError>(Op::Einsum {
                inp0_shape: a,
                inp1_shape: b,
                out_shape: out,
                recipe,
            })
        };
        let proj = ["bc", "cde", "bde"];
        let query = dense(
            q,
            vec![dq, h, kd],
            proj,
            vec![tq, h, kd],
            ["query/kernel", "query/bias"],
            // HGQ2: hls4ml keeps the scaling in the softmax's exp_scale
            if hgq2 { 1.0 } else { 1.0 / (kd as f64).sqrt() },
        )?;
        let key = dense(
            k,
            vec![k[1], h, kd],
            proj,
            vec![tv, h, kd],
            ["key/kernel", "key/bias"],
            1.0,
        )?;
        let value = dense(
            v,
            vec![v[1], h, vd],
            proj,
            vec![tv, h, vd],
            ["value/kernel", "value/bias"],
            1.0,
        )?;
        let scores = einsum(
            vec![tv, h, kd],
            vec![tq, h, kd],
            ["ecd", "bcd", "cbe"],
            vec![h, tq, tv],
        )?;
        let combine = einsum(
            vec![h, tq, tv],
            vec![tv, h, vd],
            ["cbe", "ecd", "bcd"],
            vec![tq, h, vd],
        )?;
        let out = dense(
            &[tq, h, vd],
            vec![h, vd, o],
            ["bcd", "cde", "be"],
            vec![tq, o],
            ["attention_output/kernel", "attention_output/bias"],
            1.0,
        )?;
        let (softmax, _) = super::activation_op(ir::Activation::Softmax);
        let node = |suffix: &str, class, op, shape, inputs| SubNode {
            suffix: suffix.to_string(),
            class,
            op,
            shape,
            inputs,
        };
        use SubInput::{Node, Operand};
        let decomposed = vec![
            node(
                "query",
                "EinsumDense",
                query,
                vec![tq, h, kd],
                vec![Operand(0)],
            ),
            node(
                "key",
                "EinsumDense",
                key,
                vec![tv, h, kd],
                vec![Operand(k_operand)],
            ),
            node(
                "value",
                "EinsumDense",
                value,
                vec![tv, h, vd],
                vec![Operand(1)],
            ),
            node(
                "QK",
                "Einsum",
                scores,
                vec![h, tq, tv],
                vec![Node(1), Node(0)],
            ),
            node(
                "softmax",
                "Softmax",
                softmax,
                vec![h, tq, tv],
                vec![Node(3)],
            ),
            node(
                "aV",
                "Einsum",
                combine,
                vec![tq, h, vd],
                vec![Node(4), Node(2)],
            ),
            node(
                "attention_output",
                "EinsumDense",
                out.clone(),
                vec![tq, o],
                vec![Node(5)],
            ),
        ];
        let decomposed = if hgq2 {
            super::hgq2_attention::with_quantizers(cx, decomposed)?
        } else {
            decomposed
        };
        Ok(Parsed {
            decomposed,
            ..Parsed::new("EinsumDense", out)
        })
    }
}

/// Refuse io_stream for a kind hls4ml 1.3.0 emits in io_parallel only.
fn parallel_only(cx: &ParseCx, what: &str) -> Result<()> {
    match cx.io_type {
        IoType::Parallel => Ok(()),
        IoType::Stream => Err(cx.not_in_hls4ml(format!(
            "{what} is emitted by hls4ml 1.3.0 for io_parallel only"
        ))),
    }
}

impl Parse for ir::ops::LayerNorm {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        parallel_only(cx, "LayerNormalization (nnet_layernorm.h)")?;
        let input = cx.input(0)?;
        // hls4ml: a (sequence, features) input normalised over its features (Keras axis 2;
        // presynth also takes -1, the same axis, which hls4ml's converter refuses by number)
        if input.len() != 2 || self.resolved_axes(input.len()) != Some(vec![1]) {
            return Err(cx.not_in_hls4ml(format!(
                "LayerNormalization over axis {:?} of a {}-D input {input:?}: hls4ml's \
                 nnet_layernorm.h normalises the last axis of a (sequence, features) input only",
                self.axes,
                input.len()
            )));
        }
        if !(self.epsilon > 0.0 && self.epsilon.is_finite()) {
            return Err(cx.not_in_hls4ml(format!("epsilon {} must be positive", self.epsilon)));
        }
        let p = -self.epsilon.log10().round();
        if p < 1.0 {
            return Err(cx.not_in_hls4ml(format!(
                "epsilon {} must be less than 1e-1 (hls4ml's table starts at 10^-round(-log10 eps))",
                self.epsilon
            )));
        }
        Ok(Parsed::new(
            "LayerNormalization",
            Op::LayerNorm {
                seq_len: input[0],
                dim: input[1],
                epsilon_power_of_10: p as u32,
            },
        ))
    }
}

impl Parse for ir::ops::EinsumDense {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        parallel_only(cx, "EinsumDense (nnet_einsum_dense.h)")?;
        let input = cx.input(0)?;
        let plan = self
            .plan(input)
            .map_err(|m| cx.not_in_hls4ml(format!("equation: {m}")))?;
        let recipe = EinsumRecipe::new(
            &plan.input,
            &plan.kernel,
            &plan.output,
            input,
            &plan.kernel_shape,
        )
        .map_err(|m| cx.not_in_hls4ml(m))?;
        Ok(Parsed::new(
            "EinsumDense",
            Op::EinsumDense {
                inp_shape: input.to_vec(),
                kernel_shape: plan.kernel_shape,
                out_shape: plan.output_shape,
                recipe,
                kernel_weight: "kernel",
                bias_weight: self
                    .bias_axes
                    .as_deref()
                    .is_some_and(|b| !b.is_empty())
                    .then_some("bias"),
                scale: 1.0,
            },
        ))
    }
}

impl Parse for ir::ops::Embedding {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        if cx.io_type == IoType::Stream {
            return Err(cx.not_lowered("Embedding in io_stream (nnet_embed_stream.h)"));
        }
        let input = cx.input(0)?;
        if input.len() != 1 {
            return Err(cx.not_in_hls4ml(format!(
                "Embedding of a {}-D input {input:?}: hls4ml takes a flat sequence of tokens",
                input.len()
            )));
        }
        Ok(Parsed::new(
            "Embedding",
            Op::Embedding {
                n_in: input[0],
                n_out: self.output_dim,
                vocab_size: self.input_dim,
            },
        ))
    }
}

impl Parse for ir::ops::PositionalAdd {
    /// hls4ml's `MergeToApplyAlpha` (model/optimizer/passes/merge_const.py) makes an ONNX Add of
    /// a constant an `ApplyAlpha` (a BatchNormalization subclass) with `n_filt = -1`: scale 1
    /// and the constant as bias, one per element.
    fn parse(&self, _cx: &ParseCx) -> Result<Parsed> {
        Ok(Parsed::new("ApplyAlpha", Op::BatchNorm { n_filt: -1 }))
    }
}
