//! The `bit_exact` pass's rules for the nodes of an HGQ2 encoder block (hls4ml 1.3.0's
//! `produce_kif` and `default_register_precision` of EinsumDense, Einsum, Softmax, an Add merge,
//! an average GlobalPooling1D, and a Dense over positions that hls4ml made a pointwise Conv1D),
//! reading each node's weights and table quantizers from its IR layer (an attention's from its
//! sub-layers' quantizers) and applying the arithmetic of the sibling modules (`einsum`,
//! `einsum_dense`, `softmax`, `merge`, `pooling`). Their requests are hls4ml's default (every
//! bit of every input).

use super::einsum_dense::Constant;
use super::merge::MergeOp;
use super::pooling::{PoolOp, Windows};
use super::softmax::{SoftmaxShape, SoftmaxTables};
use super::types::accum;
use super::{einsum, einsum_dense, hgq2, merge, minimal_kif_ints, pooling, FixedKif, Kif};
use crate::einsum::EinsumRecipe;
use crate::error::{LowerError, Result};
use crate::graph::{Graph, Node, Origin};
use ir::{LayerKind, Network};

/// An encoder node as the pass's rules see it (made by `flow`'s rule dispatch from its op).
#[derive(Debug, Clone, Copy)]
pub(super) enum EncoderOp<'a> {
    EinsumDense {
        inp_shape: &'a [usize],
        kernel_shape: &'a [usize],
        out_shape: &'a [usize],
        recipe: &'a EinsumRecipe,
        kernel_weight: &'a str,
        bias_weight: Option<&'a str>,
        scale: f64,
    },
    /// A Dense over positions made a pointwise Conv1D.
    Pointwise {
        in_width: usize,
        n_chan: usize,
        n_filt: usize,
    },
    Einsum {
        inp0_shape: &'a [usize],
        inp1_shape: &'a [usize],
        recipe: &'a EinsumRecipe,
    },
    /// A softmax over the last axis.
    Softmax,
    Add,
    AveragePool1D {
        n_in: usize,
        n_filt: usize,
    },
}

/// A bit-exact softmax's types and sizes, as codegen writes them.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftmaxTypes {
    pub tables: SoftmaxTables,
    pub shape: SoftmaxShape,
    pub exp_table_size: u64,
    pub inv_table_size: u64,
}

/// What the pass registers for an encoder node beyond its result type.
#[derive(Debug, Default)]
pub(super) struct Registered {
    pub accum: Option<FixedKif>,
    pub weight: Option<FixedKif>,
    pub bias: Option<FixedKif>,
    pub softmax: Option<SoftmaxTypes>,
}

fn refuse(n: &Node, message: impl Into<String>) -> LowerError {
    LowerError::NotImplemented {
        layer: n.name.clone(),
        kind: n.class.clone(),
        message: message.into(),
    }
}

fn layer<'a>(net: &'a Network, n: &Node) -> Result<&'a ir::Layer> {
    match n.origin {
        Origin::Layer(id) => Ok(net.layer(id)),
        Origin::SplitActivation(_) | Origin::Inserted(_) | Origin::Clone(_) => Err(refuse(
            n,
            "a node made by a pass, under HGQ2's bit-exact flow",
        )),
    }
}

/// An EinsumDense's (quantized) kernel and bias: an attention projection's through its
/// sub-layer's `kq`/`bq` (`query/kernel` through `query_dense/kq`), an HGQ2 EinsumDense's
/// through its own.
fn einsum_dense_weights(
    net: &Network,
    n: &Node,
    kernel: &str,
    bias: Option<&str>,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    let l = layer(net, n)?;
    let get = |w: &str| -> Result<Option<Vec<f64>>> {
        let q = hgq2::quantized_product_weight(l, w)?;
        let raw = || l.weight(w).map(|t| t.data.clone());
        Ok(q.or_else(raw)
            .map(|v| v.into_iter().map(f64::from).collect()))
    };
    let k = get(kernel)?.ok_or_else(|| refuse(n, "an EinsumDense without its kernel"))?;
    let b = match bias {
        Some(b) => get(b)?,
        None => None,
    };
    Ok((k, b))
}

/// The softmax tables of a QSoftmax (its own sub-quantizers) or of an attention's softmax
/// (`_softmax/...`).
fn softmax_tables(net: &Network, n: &Node) -> Result<SoftmaxTables> {
    let l = layer(net, n)?;
    let prefix = if matches!(l.kind, LayerKind::MultiHeadAttention(_)) {
        "_softmax/"
    } else {
        ""
    };
    let table = |p: &str| -> Result<super::Quantizer> {
        let path = format!("{prefix}{p}");
        hgq2::sub_quantizer_node(l, &path, &[1])?
            .map(|(q, _)| q)
            .ok_or_else(|| refuse(n, format!("an HGQ2 softmax without its quantizer {path}")))
    };
    let exp_iq = match hgq2::sub_quantizer(l, &format!("{prefix}exp_table/iq")) {
        Some(_) => Some(table("exp_table/iq")?),
        None => None,
    };
    SoftmaxTables::from_quantizers(
        &table("exp_table/oq")?,
        &table("inv_table/oq")?,
        &table("inv_table/iq")?,
        exp_iq.as_ref(),
    )
    .map_err(|e| refuse(n, e.to_string()))
}

fn pointwise_recipe(n: &Node, width: usize, c: usize, f: usize) -> Result<EinsumRecipe> {
    EinsumRecipe::new(&['b', 'c'], &['c', 'd'], &['b', 'd'], &[width, c], &[c, f])
        .map_err(|m| refuse(n, m))
}

/// `produce_kif` of node `n` (one this module [`handles`]) from its inputs'.
pub(super) fn produce(
    net: &Network,
    g: &Graph,
    n: &Node,
    op: EncoderOp,
    inputs: &[&Kif],
) -> Result<Kif> {
    let first = || {
        inputs
            .first()
            .copied()
            .ok_or_else(|| refuse(n, "no typed input"))
    };
    let bad_bias = || refuse(n, "a bias that does not broadcast to the output");
    Ok(match op {
        EncoderOp::EinsumDense {
            inp_shape,
            kernel_shape,
            out_shape,
            recipe,
            kernel_weight,
            bias_weight,
            scale,
        } => {
            if scale != 1.0 {
                return Err(refuse(
                    n,
                    "a scaled EinsumDense under HGQ2's bit-exact flow (hls4ml keeps the \
                     attention's scaling in the softmax)",
                ));
            }
            let (k, b) = einsum_dense_weights(net, n, kernel_weight, bias_weight)?;
            let bias_shape: Vec<usize> = match bias_weight {
                Some(b) => layer(net, n)?
                    .weight(b)
                    .map(|t| t.shape.clone())
                    .unwrap_or_default(),
                None => vec![],
            };
            einsum_dense::produce(
                recipe,
                first()?,
                inp_shape,
                Constant {
                    data: &k,
                    shape: kernel_shape,
                },
                b.as_deref().map(|d| Constant {
                    data: d,
                    shape: &bias_shape,
                }),
                out_shape,
            )
            .ok_or_else(bad_bias)?
        }
        EncoderOp::Pointwise {
            in_width,
            n_chan,
            n_filt,
        } => {
            let (k, b) = super::flow::dense_weights(net, g, n)?;
            let recipe = pointwise_recipe(n, in_width, n_chan, n_filt)?;
            let bias_shape = [n_filt];
            einsum_dense::produce(
                &recipe,
                first()?,
                &[in_width, n_chan],
                Constant {
                    data: &k,
                    shape: &[n_chan, n_filt],
                },
                b.as_deref().map(|d| Constant {
                    data: d,
                    shape: &bias_shape,
                }),
                &[in_width, n_filt],
            )
            .ok_or_else(bad_bias)?
        }
        EncoderOp::Einsum {
            inp0_shape,
            inp1_shape,
            recipe,
        } => {
            let (a, b) = match inputs {
                [a, b] => (*a, *b),
                _ => return Err(refuse(n, "an Einsum without two typed inputs")),
            };
            einsum::produce(recipe, a, inp0_shape, b, inp1_shape)
        }
        EncoderOp::Softmax => softmax_tables(net, n)?.produce(n.shape.iter().product()),
        EncoderOp::Add => merge::produce(MergeOp::Add, inputs),
        EncoderOp::AveragePool1D { n_in, n_filt } => {
            pooling::produce(PoolOp::Average, first()?, &Windows::global(&[n_in], n_filt))
        }
    })
}

fn weight_t(w: &[f64]) -> FixedKif {
    let (k, i, f) = minimal_kif_ints(w);
    FixedKif::from_kif(k, i, f)
}

/// What hls4ml registers for node `n` beside its result: the accumulator of a product or a
/// pooling, the weight and bias types of an EinsumDense (a zero bias of the output's last
/// axis where it has none, as hls4ml loads one), a softmax's tables.
pub(super) fn register(
    net: &Network,
    g: &Graph,
    n: &Node,
    op: EncoderOp,
    inputs: &[&Kif],
    produced: &Kif,
) -> Result<Registered> {
    let mut r = Registered::default();
    match op {
        EncoderOp::EinsumDense {
            out_shape,
            kernel_weight,
            bias_weight,
            ..
        } => {
            let (k, b) = einsum_dense_weights(net, n, kernel_weight, bias_weight)?;
            r.accum = Some(accum(produced));
            r.weight = Some(weight_t(&k));
            r.bias =
                Some(weight_t(&b.unwrap_or_else(|| {
                    vec![0.0; *out_shape.last().unwrap_or(&1)]
                })));
        }
        EncoderOp::Pointwise { .. } => {
            let (k, b) = super::flow::dense_weights(net, g, n)?;
            r.accum = Some(accum(produced));
            r.weight = Some(weight_t(&k));
            r.bias = b.as_deref().map(weight_t);
        }
        EncoderOp::Einsum { .. } => r.accum = Some(accum(produced)),
        EncoderOp::Softmax => {
            let tables = softmax_tables(net, n)?;
            let axis = n.shape.len().saturating_sub(1);
            let input = inputs
                .first()
                .ok_or_else(|| refuse(n, "a softmax without a typed input"))?;
            r.softmax = Some(SoftmaxTypes {
                shape: SoftmaxShape::over_axis(&n.shape, axis),
                exp_table_size: tables.exp_table_size(input),
                inv_table_size: tables.inv_table_size(),
                tables,
            });
        }
        EncoderOp::AveragePool1D { n_in, n_filt } => {
            r.accum = Some(pooling::accum(
                PoolOp::Average,
                produced,
                &Windows::global(&[n_in], n_filt),
            ))
        }
        EncoderOp::Add => {}
    }
    Ok(r)
}
