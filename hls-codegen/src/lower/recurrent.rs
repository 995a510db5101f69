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
//! - the types: the output, the weight types where set per layer, the activation table
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
use ir::{LayerKind, Strategy};
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
        self.m.warnings.extend(p.warnings);
        let resource = rs.strategy == Strategy::Resource;
        let idx = self.index;
        let prec = &n.settings.precision;
        let directions: &[(&str, [&str; 3])] = if *bidirectional {
            &[
                (
                    "_f_",
                    ["forward_kernel", "forward_recurrent_kernel", "forward_bias"],
                ),
                (
                    "_b_",
                    [
                        "backward_kernel",
                        "backward_recurrent_kernel",
                        "backward_bias",
                    ],
                ),
            ]
        } else {
            &[("", ["kernel", "recurrent_kernel", "bias"])]
        };
        let mut weights: Vec<WeightVar> = Vec::new();
        for (sep, [k, rk, b]) in directions {
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
            let name = |prefix: &str| {
                if sep.is_empty() {
                    prefix.to_string()
                } else {
                    format!("{prefix}{sep}")
                }
            };
            weights.extend([
                self.weight(
                    &n.name,
                    &name("w"),
                    idx,
                    &prec.weight,
                    "weight",
                    vec![n_in, cols],
                    kernel,
                ),
                self.weight(
                    &n.name,
                    &name("wr"),
                    idx,
                    &None,
                    "recurrent_weight",
                    vec![n_state, cols],
                    rkernel,
                ),
                self.weight(
                    &n.name,
                    &name("b"),
                    idx,
                    &prec.bias,
                    "bias",
                    vec![cols],
                    bias,
                ),
                self.weight(
                    &n.name,
                    &name("br"),
                    idx,
                    &None,
                    "recurrent_bias",
                    vec![cols],
                    rbias,
                ),
            ]);
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
