//! The weights and types of hls4ml's `LSTM`, `GRU` and `Bidirectional` nodes, as hls4ml
//! 1.3.0's Keras 3 handler (`converters/keras_v3/recurrent.py`), its layer classes
//! (`model/layers.py`) and the Vivado backend attach them:
//!
//! - per direction four arrays, in this order: the kernel `w` (Keras `(features, G·units)`),
//!   the recurrent kernel `wr` (`(units, G·units)`), the bias `b` and the recurrent bias `br`
//!   (`G·units` each). An LSTM's `br` is zeros (Keras has one bias); a GRU's `b`/`br` are the
//!   two rows of Keras's `reset_after` bias; without a bias both are zeros of the model's type.
//!   Names `w{N}`, `wr{N}`, `b{N}`, `br{N}`, or `w_f_{N}` ... `br_b_{N}` in a Bidirectional.
//! - under Resource, both kernels transposed (`ApplyResourceStrategy`);
//! - the types: the output, the weight types where set per layer (`weight`/`bias` and the
//!   IR's [`ir::Precision::named`] `recurrent_weight`, ..., `backward_recurrent_bias`; one given
//!   as `auto` is the default under its own name, as hls4ml's `_infer_rnn_precision`), the activation table
//!   `<layer>_table_t` (`ap_fixed<18,8>`, the backend's default) and `layer{N}_index`
//!   (`init_lstm`/`init_gru`/`init_bidirectional`), in that order in defines.h.
//!
//! The reuse factors, and the refusal of those whose project aborts in C simulation, are
//! [`crate::layers::recurrent::plan`]'s.

use super::{layer_weight, transpose, Lowerer};
use crate::error::{CodegenError, Result};
use crate::layers::recurrent::{aborting_assertion, plan};
use crate::model::{NamedType, Op, VarId, WeightVar};
use crate::precision;
use ir::ops::Cell;
use ir::types::{Overflow, Quantization};
use ir::{FixedType, LayerKind, Strategy};
use lower::Node;

impl Lowerer<'_> {
    pub(super) fn recurrent(
        &mut self,
        n: &Node,
        input: VarId,
        rs: &ir::settings::ResolvedSettings,
    ) -> Result<()> {
        let layer = self.source(n)?;
        let (
            Op::Recurrent {
                cell,
                n_in,
                n_state,
                bidirectional,
                ..
            },
            LayerKind::Recurrent(r),
        ) = (&n.op, &layer.kind)
        else {
            return Err(CodegenError::Internal(format!(
                "recurrent node '{}' renders a {}",
                n.name,
                layer.kind.name()
            )));
        };
        let (n_in, n_state) = (*n_in, *n_state);
        let prec = &n.settings.precision;
        let cols = cell.gates() * n_state;
        let p = plan(&n.name, &n.op, rs.strategy, rs.reuse_factor);
        for (what, m) in [("input", &p.input), ("recurrent", &p.recurrent)] {
            if let Some(assertion) = aborting_assertion(m) {
                return Err(CodegenError::NotInHls4ml {
                    layer: n.name.clone(),
                    kind: n.class.clone(),
                    message: format!(
                        "ReuseFactor {} under Resource: hls4ml 1.3.0 gives the {what} product \
                         ({} x {}) the kernel {} with reuse factor {}, whose C simulation \
                         aborts ('{assertion}'; its kernel is chosen by the layer's reuse \
                         factor, not the product's); choose another ReuseFactor or Latency",
                        rs.reuse_factor, m.n_in, m.n_out, m.kernel, m.reuse
                    ),
                });
            }
        }
        if *cell == Cell::Lstm && !*bidirectional {
            let data_t = self.m.vars[input].precision.clone();
            let accum_t = prec
                .accum
                .clone()
                .unwrap_or_else(|| self.m.default_precision.clone());
            if !same_cpp_type(&data_t, &n.precision) || !same_cpp_type(&n.precision, &accum_t) {
                return Err(CodegenError::NotInHls4ml {
                    layer: n.name.clone(),
                    kind: n.class.clone(),
                    message: format!(
                        "an LSTM whose input ({}), result ({}) and accum ({}) types differ: \
                         hls4ml 1.3.0's project does not compile (lstm_stack instantiates the \
                         non-static nnet::lstm beside lstm_static, and it passes the result-typed \
                         state and the accum-typed sums to dense<data_T, res_T>; checked with \
                         g++ on lstm_seq_gru with per-layer types); give the three one type",
                        precision::cpp(&data_t),
                        precision::cpp(&n.precision),
                        precision::cpp(&accum_t),
                    ),
                });
            }
        }
        self.m.warnings.extend(p.warnings);
        let resource = rs.strategy == Strategy::Resource;
        let idx = self.index;
        // (name separator, Keras weight names, hls4ml precision variables of w, wr, b, br)
        type Direction = (&'static str, [&'static str; 3], [&'static str; 4]);
        let directions: &[Direction] = if *bidirectional {
            &[
                (
                    "_f_",
                    ["forward_kernel", "forward_recurrent_kernel", "forward_bias"],
                    [
                        "forward_weight",
                        "forward_recurrent_weight",
                        "forward_bias",
                        "forward_recurrent_bias",
                    ],
                ),
                (
                    "_b_",
                    [
                        "backward_kernel",
                        "backward_recurrent_kernel",
                        "backward_bias",
                    ],
                    [
                        "backward_weight",
                        "backward_recurrent_weight",
                        "backward_bias",
                        "backward_recurrent_bias",
                    ],
                ),
            ]
        } else {
            &[(
                "",
                ["kernel", "recurrent_kernel", "bias"],
                ["weight", "recurrent_weight", "bias", "recurrent_bias"],
            )]
        };
        let mut weights: Vec<WeightVar> = Vec::new();
        for (sep, [k, rk, b], vars) in directions {
            let mut kernel = layer_weight(layer, k, n_in * cols)?;
            let mut rkernel = layer_weight(layer, rk, n_state * cols)?;
            if resource {
                kernel = transpose(&kernel, &[n_in, cols], &[1, 0]);
                rkernel = transpose(&rkernel, &[n_state, cols], &[1, 0]);
            }
            let (bias, rbias) = match (r.use_bias, r.two_biases()) {
                (false, _) => (vec![0.0; cols], vec![0.0; cols]),
                (true, false) => (layer_weight(layer, b, cols)?, vec![0.0; cols]),
                (true, true) => {
                    let mut both = layer_weight(layer, b, 2 * cols)?;
                    let second = both.split_off(cols);
                    (both, second)
                }
            };
            let arrays = [
                ("w", vec![n_in, cols], kernel),
                ("wr", vec![n_state, cols], rkernel),
                ("b", vec![cols], bias),
                ("br", vec![cols], rbias),
            ];
            for ((prefix, shape, data), var) in arrays.into_iter().zip(vars) {
                let set = match *var {
                    "weight" => prec.weight.clone(),
                    "bias" => prec.bias.clone(),
                    // `auto`: the default under the variable's own name
                    other => prec.named.get(other).map(|t| {
                        t.clone()
                            .unwrap_or_else(|| self.m.default_precision.clone())
                    }),
                };
                let name = format!("{prefix}{sep}");
                weights.push(self.weight(&n.name, &name, idx, &set, var, shape, data));
            }
        }
        let extra = vec![
            (
                "table_t",
                NamedType::new(
                    format!("{}_table_t", n.name.to_lowercase()),
                    precision::cpp(&precision::table_t()),
                ),
            ),
            (
                "index_t",
                NamedType::new(
                    format!("layer{idx}_index"),
                    precision::cpp(&precision::index_t()),
                ),
            ),
        ];
        self.push_node(n, vec![input], rs, weights, extra);
        Ok(())
    }
}

/// Whether two types are one C++ type (`ap_fixed<16,6>` is `ap_fixed<16,6,AP_TRN,AP_WRAP,0>`).
fn same_cpp_type(a: &FixedType, b: &FixedType) -> bool {
    let norm = |t: &FixedType| match t {
        FixedType::Fixed {
            width,
            integer,
            signed,
            quantization,
            overflow,
            saturation_bits,
        } => FixedType::Fixed {
            width: *width,
            integer: *integer,
            signed: *signed,
            quantization: Some(quantization.unwrap_or(Quantization::Trn)),
            overflow: Some(overflow.unwrap_or(Overflow::Wrap)),
            saturation_bits: Some(saturation_bits.unwrap_or(0)),
        },
        FixedType::Int { .. } => t.clone(),
    };
    norm(a) == norm(b)
}
