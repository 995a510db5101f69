//! `infer_precision_types` (`model/optimizer/passes/infer_precision.py`, the last pass of
//! hls4ml 1.3.0's `convert` flow): every precision a config gives as `auto`
//! ([`ir::AutoPrecision`], what `config_from_keras_model(granularity='name')` writes for the
//! result/accum types) gets the type hls4ml infers from the node's input and weight types,
//! instead of the model default:
//!
//! - Dense, Conv1D/2D (`_infer_common_precision`, `n_ops` = `n_in`, or `n_chan` × kernel; the
//!   default for an xnor kernel, a type hls4ml's rule does not support): the
//!   exact product-sum width `w_in + w_w + ceil(log2 n_ops)` (integer bits likewise), widened
//!   by one integer bit and the bias's fraction for the bias; for accum and result. An `auto`
//!   weight/bias takes the QKeras quantizer's type (kept by the frontend in
//!   `settings.precision.weight`/`bias`), else the default.
//! - BatchNormalization (`_infer_bn_precision`): `auto` scale/bias are the default; the result
//!   is input × scale + bias, exact.
//! - Pooling1D/2D: the accum of a max pool is the input type, of an average pool the input
//!   widened by `2·ceil(log2 pool)` bits (`ceil(log2 pool)` integer); the result is the input.
//! - Merge (add/subtract/average, multiply, maximum/minimum) and Concatenate: exact result of
//!   the two inputs (Concatenate keeps a non-default rounding/saturation of either input).
//! - Reshape/Flatten, Resize, ZeroPadding1D/2D, Clone: the input type.
//! - Everything else (activations, GlobalPooling, Cropping, the input) and any `auto` variable
//!   a rule does not cover: the model default, as hls4ml's `_infer_default_type`.
//!
//! hls4ml limits each inferred width and integer (not a pooling accum or a maximum/minimum
//! merge) to the model's `Precision: {maximum: ...}` when the config gives one
//! ([`ir::Network::max_precision`]).
//! Rounding and saturation of inferred types are hls4ml's defaults (TRN, WRAP): the type
//! prints as plain `ap_fixed<W,I>`.

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Node};
use crate::op::Op;
use ir::ops::MergeOp;
use ir::types::{Overflow, Quantization};
use ir::{FixedType, Network};

pub struct InferPrecision;

impl Pass for InferPrecision {
    fn name(&self) -> &'static str {
        "infer_precision_types"
    }

    fn run(&self, net: &Network, g: &mut Graph) -> Result<bool> {
        let max = net.max_precision.as_ref();
        let positions = g.positions();
        let default = g.default_precision.clone();
        let mut changed = false;
        for i in 0..g.nodes.len() {
            if g.nodes[i].settings.auto.is_none() {
                continue;
            }
            // Nodes are in hls4ml's order: every input's type is already final.
            let inputs: Vec<FixedType> = g.nodes[i]
                .inputs
                .iter()
                .filter_map(|p| {
                    positions
                        .get(&p.node)
                        .map(|&j| g.nodes[j].precision.clone())
                })
                .collect();
            let node = &mut g.nodes[i];
            let before = (node.precision.clone(), node.settings.precision.clone());
            infer(node, &inputs, &default, max);
            changed |= (node.precision.clone(), node.settings.precision.clone()) != before;
        }
        Ok(changed)
    }
}

/// One node's inferred types (`transform` of hls4ml's pass): sets the `auto` variables of
/// `node.settings.precision` and, for an `auto` result, `node.precision`. `inputs` are the
/// types of the node's inputs in order; `max` is the config's `maximum` precision.
pub fn infer(node: &mut Node, inputs: &[FixedType], default: &FixedType, max: Option<&FixedType>) {
    let auto = node.settings.auto;
    let xnor = node.settings.xnor_weight();
    let p = &mut node.settings.precision;
    let input = inputs.first().cloned().unwrap_or_else(|| default.clone());
    // (accum, result) as the node's rule infers them; `None`: the default.
    let (accum, result) = match &node.op {
        // an xnor kernel (hls4ml's XnorPrecisionType) is not a type `_all_supported_types`
        // accepts: accum and result are the default
        Op::Dense { .. } | Op::Conv1D { .. } | Op::Conv2D { .. } if xnor => (None, None),
        Op::Dense { n_in, .. } => common(p, &input, *n_in, default, max),
        // hls4ml's DepthwiseConv1D/2D (`_infer_depthconv_precision`): one product per tap.
        Op::Conv1D {
            filt_width,
            depthwise: true,
            ..
        } => common(p, &input, *filt_width, default, max),
        Op::Conv1D {
            n_chan, filt_width, ..
        } => common(p, &input, n_chan * filt_width, default, max),
        Op::Conv2D {
            filt_height,
            filt_width,
            depthwise: true,
            ..
        } => common(p, &input, filt_height * filt_width, default, max),
        Op::Conv2D {
            n_chan,
            filt_height,
            filt_width,
            ..
        } => common(p, &input, n_chan * filt_height * filt_width, default, max),
        // hls4ml infers LayerNormalization's result with the BatchNormalization rule.
        // ApplyAlpha's power-of-two scale (`ExponentPrecisionType`) is not a type hls4ml's
        // rule supports (`_all_supported_types`): its result is the default.
        Op::BatchNorm { .. } if node.class == "ApplyAlpha" => {
            weights_default(p, auto);
            (None, Some(default.clone()))
        }
        Op::BatchNorm { .. } | Op::LayerNorm { .. } => {
            weights_default(p, auto);
            let scale = p.scale.clone().unwrap_or_else(|| default.clone());
            let bias = p.bias.clone().unwrap_or_else(|| default.clone());
            (None, Some(batchnorm(&input, &scale, &bias, max)))
        }
        Op::Pool1D {
            max: is_max,
            pool_width,
            ..
        } => (Some(pool_accum(&input, *is_max, *pool_width)), Some(input)),
        Op::Pool2D {
            max: is_max,
            pool_height,
            pool_width,
            ..
        } => (
            Some(pool_accum(&input, *is_max, pool_height * pool_width)),
            Some(input),
        ),
        Op::Merge { op } => {
            let second = inputs.get(1).cloned().unwrap_or_else(|| input.clone());
            (None, Some(merge(*op, &input, &second, max)))
        }
        Op::Concatenate { .. } => {
            let second = inputs.get(1).cloned().unwrap_or_else(|| input.clone());
            (None, Some(concatenate(&input, &second, max)))
        }
        // `_infer_dot_precision`: the product's width and integer bits plus ceil(log2 n_in)
        Op::Dot { n_in } => {
            let second = inputs.get(1).cloned().unwrap_or_else(|| input.clone());
            let grow = (*n_in).max(1).next_power_of_two().trailing_zeros() as i32;
            let (width, integer) = limit(
                input.width() as i32 + second.width() as i32 + grow,
                input.integer() + second.integer() + grow,
                max,
            );
            (None, Some(plain(width, integer, input.signed() || second.signed())))
        }
        // hls4ml's copy rule: ['Clone', 'Reshape', 'Resize', 'Transpose', 'ZeroPadding1D/2D']
        Op::Reshape
        | Op::Resize { .. }
        | Op::Transpose { .. }
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Clone => (None, Some(input)),
        // Not handled by hls4ml's pass (GlobalPooling is not `Pooling1D/2D`; an activation's
        // only inferred type is a parametrised one's `param_t`, which the IR does not keep).
        Op::Input
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. }
        | Op::Activation { .. }
        | Op::Dropout
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        // hls4ml has no rule for Einsum/EinsumDense (the default catch); a SeparableConv2D is
        // split by `separable_to_depthwise_and_conv` before this pass runs.
        | Op::EinsumDense { .. }
        | Op::Einsum { .. }
        | Op::SeparableConv { .. }
        // types set by the bit-exact flow
        | Op::FixedPointQuantizer { .. }
        // `_infer_rnn_precision` ("just a placeholder"): the four weight types the default,
        // the rest to the default catch
        | Op::Recurrent { .. } => {
            weights_default(p, auto);
            (None, None)
        }
        // `_infer_embedding_precision`: the default, under the name `<layer>_result_t`.
        Op::Embedding { .. } => {
            weights_default(p, auto);
            (None, Some(default.clone()))
        }
    };
    if auto.accum {
        p.accum = accum;
    }
    if auto.scale && !matches!(node.op, Op::BatchNorm { .. } | Op::LayerNorm { .. }) {
        p.scale = None;
    }
    // `_infer_default_type`: a weight/bias/accum/scale left `auto` is the default precision
    // under the type's own name (`<layer>_weight_t`, as the config named it): written out so
    // that codegen names it so.
    for (on, slot) in [
        (auto.weight, &mut p.weight),
        (auto.bias, &mut p.bias),
        (auto.accum, &mut p.accum),
        (auto.scale, &mut p.scale),
    ] {
        if on && slot.is_none() {
            *slot = Some(default.clone());
        }
    }
    if auto.result {
        p.result = result;
        node.precision = p.result.clone().unwrap_or_else(|| default.clone());
    }
}

/// Whether hls4ml names this node's result type `<layer>_result_t`: its result was `auto` and
/// a rule that renames it inferred it (Dense/Conv, BatchNormalization, Merge, Concatenate; the
/// pass-through rule and pooling keep `layer<N>_t`, a default result keeps its name too).
pub fn renames_result(node: &Node) -> bool {
    let renaming = match node.op {
        Op::Dense { .. }
        | Op::Conv1D { .. }
        | Op::Conv2D { .. }
        | Op::BatchNorm { .. }
        | Op::LayerNorm { .. }
        | Op::Embedding { .. }
        | Op::Merge { .. }
        | Op::Concatenate { .. }
        | Op::Dot { .. } => true,
        Op::Input
        | Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. }
        | Op::Activation { .. }
        | Op::Reshape
        | Op::Dropout
        | Op::Clone
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. }
        | Op::Transpose { .. }
        | Op::EinsumDense { .. }
        | Op::Einsum { .. }
        | Op::SeparableConv { .. }
        | Op::Recurrent { .. }
        | Op::FixedPointQuantizer { .. } => false,
    };
    renaming && node.settings.auto.result
}

/// `auto` weight/bias of a node with no quantizer rule: the default (`None`).
fn weights_default(p: &mut ir::Precision, auto: ir::AutoPrecision) {
    if auto.weight {
        p.weight = None;
    }
    if auto.bias {
        p.bias = None;
    }
}

/// `ceil(log2 n)` for n ≥ 1 (0 for n ≤ 1: hls4ml never sees n = 0).
fn ceil_log2(n: usize) -> i32 {
    if n <= 1 {
        0
    } else {
        (usize::BITS - (n - 1).leading_zeros()) as i32
    }
}

/// A plain (TRN, WRAP) fixed type: hls4ml's `FixedPrecisionType(width, integer, signed)`.
fn plain(width: i32, integer: i32, signed: bool) -> FixedType {
    FixedType::Fixed {
        width: width.max(1) as u32,
        integer,
        signed,
        quantization: None,
        overflow: None,
        saturation_bits: None,
    }
}

/// hls4ml's `max_precision` limit on an inferred (width, integer).
fn limit(width: i32, integer: i32, max: Option<&FixedType>) -> (i32, i32) {
    match max {
        Some(m) => (width.min(m.width() as i32), integer.min(m.integer())),
        None => (width, integer),
    }
}

/// `_infer_common_precision`: the accum and result of a Dense/Conv over `n_ops` products.
/// An `auto` weight/bias keeps the quantizer type the frontend put there, else the default.
fn common(
    p: &ir::Precision,
    input: &FixedType,
    n_ops: usize,
    default: &FixedType,
    max: Option<&FixedType>,
) -> (Option<FixedType>, Option<FixedType>) {
    // An auto weight/bias is the quantizer's type (the frontend kept it in `p`) or the
    // default (`None`): both already what `p` holds.
    let w = p.weight.clone().unwrap_or_else(|| default.clone());
    let b = p.bias.clone().unwrap_or_else(|| default.clone());
    let l = ceil_log2(n_ops);
    let mut width = w.width() as i32 + input.width() as i32 + l;
    let mut integer = w.integer() + input.integer() + l;
    let mut signed = w.signed() || input.signed();
    let frac = width - integer;
    // infer_no_bias is False in hls4ml's flow: the bias always widens the sum.
    let bs = b.signed();
    integer = (integer + (bs && !signed) as i32).max(b.integer() + (signed && !bs) as i32) + 1;
    width = integer + frac.max(b.fractional());
    signed = signed || bs;
    let (width, integer) = limit(width, integer, max);
    let t = plain(width, integer, signed);
    (Some(t.clone()), Some(t))
}

/// `_infer_bn_precision`'s result: input × scale + bias, exact.
fn batchnorm(
    input: &FixedType,
    scale: &FixedType,
    bias: &FixedType,
    max: Option<&FixedType>,
) -> FixedType {
    let s_signed = scale.signed() || input.signed();
    let s_width = input.width() as i32 + scale.width() as i32;
    let s_int = input.integer() + scale.integer();
    let signed = s_signed || bias.signed();
    let integer = (s_int + (bias.signed() && !s_signed) as i32)
        .max(bias.integer() + (s_signed && !bias.signed()) as i32)
        + 1;
    let width = integer + (s_width - s_int).max(bias.fractional());
    let (width, integer) = limit(width, integer, max);
    plain(width, integer, signed)
}

/// `_infer_pooling_precision`'s accum (no maximum applies, as in hls4ml).
fn pool_accum(input: &FixedType, is_max: bool, pool: usize) -> FixedType {
    if is_max {
        return input.clone();
    }
    let extra = ceil_log2(pool);
    plain(
        input.width() as i32 + 2 * extra,
        input.integer() + extra,
        input.signed(),
    )
}

/// `_infer_merge_precision`.
fn merge(op: MergeOp, a: &FixedType, b: &FixedType, max: Option<&FixedType>) -> FixedType {
    match op {
        MergeOp::Add | MergeOp::Subtract | MergeOp::Average => {
            let signed = a.signed() || b.signed() || op == MergeOp::Subtract;
            let integer = (a.integer() + (b.signed() && !a.signed()) as i32)
                .max(b.integer() + (a.signed() && !b.signed()) as i32)
                + 1;
            let width = integer + a.fractional().max(b.fractional());
            let (width, integer) = limit(width, integer, max);
            plain(width, integer, signed)
        }
        MergeOp::Multiply => {
            let (width, integer) = limit(
                a.width() as i32 + b.width() as i32,
                a.integer() + b.integer(),
                max,
            );
            plain(width, integer, a.signed() || b.signed())
        }
        // hls4ml applies no maximum here.
        MergeOp::Maximum | MergeOp::Minimum => {
            if same_type(a, b) {
                a.clone()
            } else {
                let (width, integer, signed) = widest(a, b);
                plain(width, integer, signed)
            }
        }
    }
}

/// `_infer_cat_precision`: the inputs' type when equal, else the widest, keeping a
/// non-default rounding/saturation of either input.
fn concatenate(a: &FixedType, b: &FixedType, max: Option<&FixedType>) -> FixedType {
    if same_type(a, b) {
        return a.clone();
    }
    let (width, integer, signed) = widest(a, b);
    let (width, integer) = limit(width, integer, max);
    let (qa, oa, sa) = modes(a);
    let (qb, ob, sb) = modes(b);
    let quantization = if qa != Quantization::Trn { qa } else { qb };
    let overflow = if oa != Overflow::Wrap { oa } else { ob };
    let sat = if sa != 0 { sa } else { sb };
    let defaults = quantization == Quantization::Trn && overflow == Overflow::Wrap && sat == 0;
    if defaults {
        return plain(width, integer, signed);
    }
    FixedType::Fixed {
        width: width.max(1) as u32,
        integer,
        signed,
        quantization: Some(quantization),
        overflow: Some(overflow),
        saturation_bits: (sat != 0).then_some(sat),
    }
}

/// Whether two types are hls4ml-equal (`FixedPrecisionType.__eq__`: width, integer, signed,
/// rounding, saturation and saturation bits; an unwritten mode is the default).
fn same_type(a: &FixedType, b: &FixedType) -> bool {
    a.width() == b.width()
        && a.integer() == b.integer()
        && a.signed() == b.signed()
        && modes(a) == modes(b)
        && matches!(a, FixedType::Int { .. }) == matches!(b, FixedType::Int { .. })
}

/// The (rounding, saturation, saturation bits) of a type, unwritten ones as the defaults.
fn modes(t: &FixedType) -> (Quantization, Overflow, u32) {
    match t {
        FixedType::Fixed {
            quantization,
            overflow,
            saturation_bits,
            ..
        } => (
            quantization.unwrap_or(Quantization::Trn),
            overflow.unwrap_or(Overflow::Wrap),
            saturation_bits.unwrap_or(0),
        ),
        FixedType::Int { .. } => (Quantization::Trn, Overflow::Wrap, 0),
    }
}

/// The widest of two types (maximum/minimum merges, Concatenate): an unsigned input gains a
/// sign bit when the other is signed. (width, integer, signed).
fn widest(a: &FixedType, b: &FixedType) -> (i32, i32, bool) {
    let signed = a.signed() || b.signed();
    let ai = a.integer() + (signed && !a.signed()) as i32;
    let bi = b.integer() + (signed && !b.signed()) as i32;
    let integer = ai.max(bi);
    (
        a.fractional().max(b.fractional()) + integer,
        integer,
        signed,
    )
}

#[cfg(test)]
mod tests {
    //! Widths derived by hand from hls4ml 1.3.0's `infer_precision.py` rules (each test says
    //! how); the first is also the type hls4ml writes for `fc1` of its `qkeras_3layer` example
    //! under a `granularity='name'` config (the harness case `qkeras_3layer__name_lat`).
    use super::*;
    use crate::graph::Origin;
    use ir::{AutoPrecision, LayerSettings, NodeId};

    fn t(s: &str) -> FixedType {
        s.parse().unwrap()
    }

    const ALL_AUTO: AutoPrecision = AutoPrecision {
        weight: true,
        bias: true,
        result: true,
        accum: true,
        scale: true,
    };

    fn node(op: Op, auto: AutoPrecision, precision: ir::Precision) -> Node {
        Node {
            key: 0,
            index: 2,
            var_index: 2,
            name: "n".into(),
            class: "X".into(),
            op,
            inputs: vec![],
            outputs: 1,
            shape: vec![1],
            precision: FixedType::hls4ml_default(),
            settings: LayerSettings {
                precision,
                auto,
                ..Default::default()
            },
            origin: Origin::Layer(NodeId::new(0)),
            inplace: false,
            pending_activation: None,
        }
    }

    fn dense(n_in: usize) -> Op {
        Op::Dense { n_in, n_out: 4 }
    }

    fn quantized(weight: &str, bias: &str) -> ir::Precision {
        ir::Precision {
            weight: Some(t(weight)),
            bias: Some(t(bias)),
            ..Default::default()
        }
    }

    /// Run the rule on one node; returns (accum, result, node precision).
    fn run(
        op: Op,
        auto: AutoPrecision,
        p: ir::Precision,
        inputs: &[&str],
        max: Option<&str>,
    ) -> Node {
        let mut n = node(op, auto, p);
        let inputs: Vec<FixedType> = inputs.iter().map(|s| t(s)).collect();
        let max = max.map(t);
        infer(&mut n, &inputs, &FixedType::hls4ml_default(), max.as_ref());
        n
    }

    #[test]
    fn dense_with_quantized_weights_is_exact() {
        // qkeras_3layer fc1: input ap_fixed<16,6>, kernel and bias quantized_bits(6,0) =
        // ap_fixed<6,1>, n_in = 16 (ceil log2 = 4). Product sum: width 6+16+4 = 26, integer
        // 1+6+4 = 11 (fraction 15); bias: integer max(11, 1)+1 = 12, width 12+max(15, 5) = 27.
        let n = run(
            dense(16),
            ALL_AUTO,
            quantized("ap_fixed<6,1>", "ap_fixed<6,1>"),
            &["ap_fixed<16,6>"],
            None,
        );
        assert_eq!(n.settings.precision.accum, Some(t("ap_fixed<27,12>")));
        assert_eq!(n.settings.precision.result, Some(t("ap_fixed<27,12>")));
        assert_eq!(n.precision, t("ap_fixed<27,12>"));
        // the quantizer types stay the weight/bias types
        assert_eq!(n.settings.precision.weight, Some(t("ap_fixed<6,1>")));
        assert_eq!(n.settings.precision.bias, Some(t("ap_fixed<6,1>")));
    }

    #[test]
    fn dense_unsigned_input_default_bias_and_maximum() {
        // input ap_ufixed<8,0>, weight ap_fixed<4,1>, bias auto without quantizer = default
        // ap_fixed<16,6>, n_in = 3 (ceil log2 = 2): width 4+8+2 = 14, integer 1+0+2 = 3,
        // signed (weight), fraction 11; bias signed like the sum: integer max(3, 6)+1 = 7,
        // width 7+max(11, 10) = 18 -> ap_fixed<18,7>.
        let p = ir::Precision {
            weight: Some(t("ap_fixed<4,1>")),
            ..Default::default()
        };
        let n = run(dense(3), ALL_AUTO, p.clone(), &["ap_ufixed<8,0>"], None);
        assert_eq!(n.precision, t("ap_fixed<18,7>"));
        assert_eq!(
            n.settings.precision.bias,
            Some(FixedType::hls4ml_default()),
            "auto bias without quantizer: the default"
        );
        // Precision maximum ap_fixed<16,6>: width min(18,16), integer min(7,6).
        let n = run(
            dense(3),
            ALL_AUTO,
            p,
            &["ap_ufixed<8,0>"],
            Some("ap_fixed<16,6>"),
        );
        assert_eq!(n.precision, t("ap_fixed<16,6>"));
    }

    #[test]
    fn only_auto_variables_change() {
        // accum auto, result given: the accum is inferred (as above, 27,12), the result kept.
        let auto = AutoPrecision {
            accum: true,
            ..Default::default()
        };
        let mut p = quantized("ap_fixed<6,1>", "ap_fixed<6,1>");
        p.result = Some(t("ap_fixed<8,3>"));
        let mut n = node(dense(16), auto, p);
        n.precision = t("ap_fixed<8,3>");
        infer(
            &mut n,
            &[t("ap_fixed<16,6>")],
            &FixedType::hls4ml_default(),
            None,
        );
        assert_eq!(n.settings.precision.accum, Some(t("ap_fixed<27,12>")));
        assert_eq!(n.precision, t("ap_fixed<8,3>"));
    }

    #[test]
    fn conv2d_counts_channels_times_kernel() {
        // 3 channels x 3x3 kernel = 27 products (ceil log2 = 5); input, weight and bias all
        // ap_fixed<16,6>: width 16+16+5 = 37, integer 6+6+5 = 17 (fraction 20); bias: integer
        // max(17, 6)+1 = 18, width 18+max(20, 10) = 38.
        let n = run(
            conv3x3(false),
            ALL_AUTO,
            Default::default(),
            &["ap_fixed<16,6>"],
            None,
        );
        assert_eq!(n.precision, t("ap_fixed<38,18>"));
    }

    #[test]
    fn depthwise_conv2d_counts_the_kernel_only() {
        // hls4ml's `_infer_depthconv_precision`: n_ops = 3x3 = 9 (ceil log2 = 4), not times
        // the channels: width 16+16+4 = 36, integer 6+6+4 = 16 (fraction 20); bias: integer
        // max(16, 6)+1 = 17, width 17+max(20, 10) = 37.
        let n = run(
            conv3x3(true),
            ALL_AUTO,
            Default::default(),
            &["ap_fixed<16,6>"],
            None,
        );
        assert_eq!(n.precision, t("ap_fixed<37,17>"));
    }

    /// A 3x3 conv over 8x8x3 to 4 filters (depthwise: to 3).
    fn conv3x3(depthwise: bool) -> Op {
        Op::Conv2D {
            in_height: 8,
            in_width: 8,
            n_chan: 3,
            filt_height: 3,
            filt_width: 3,
            n_filt: if depthwise { 3 } else { 4 },
            stride_height: 1,
            stride_width: 1,
            pad_top: 0,
            pad_bottom: 0,
            pad_left: 0,
            pad_right: 0,
            out_height: 6,
            out_width: 6,
            n_partitions: 36,
            pointwise: false,
            depthwise,
        }
    }

    #[test]
    fn pooling_accum_and_result() {
        // average 2x2 over ap_ufixed<8,3>: 2 extra bits -> accum width 8+2*2 = 12, integer
        // 3+2 = 5, unsigned; the result is the input type. A max pool's accum is the input.
        let pool = |max| Op::Pool2D {
            max,
            in_height: 4,
            in_width: 4,
            n_filt: 2,
            pool_height: 2,
            pool_width: 2,
            stride_height: 2,
            stride_width: 2,
            pad_top: 0,
            pad_bottom: 0,
            pad_left: 0,
            pad_right: 0,
            out_height: 2,
            out_width: 2,
        };
        let n = run(
            pool(false),
            ALL_AUTO,
            Default::default(),
            &["ap_ufixed<8,3>"],
            None,
        );
        assert_eq!(n.settings.precision.accum, Some(t("ap_ufixed<12,5>")));
        assert_eq!(n.precision, t("ap_ufixed<8,3>"));
        let n = run(
            pool(true),
            ALL_AUTO,
            Default::default(),
            &["ap_ufixed<8,3>"],
            None,
        );
        assert_eq!(n.settings.precision.accum, Some(t("ap_ufixed<8,3>")));
    }

    #[test]
    fn merges() {
        let m = |op, a: &str, b: &str| {
            run(
                Op::Merge { op },
                ALL_AUTO,
                Default::default(),
                &[a, b],
                None,
            )
            .precision
        };
        // add ap_fixed<16,6> + ap_ufixed<8,3>: signed; integer max(6, 3+1)+1 = 7, fraction
        // max(10, 5) = 10 -> ap_fixed<17,7>.
        assert_eq!(
            m(MergeOp::Add, "ap_fixed<16,6>", "ap_ufixed<8,3>"),
            t("ap_fixed<17,7>")
        );
        // subtract of two ap_ufixed<8,3>: signed by the op, integer max(3,3)+1 = 4, fraction 5.
        assert_eq!(
            m(MergeOp::Subtract, "ap_ufixed<8,3>", "ap_ufixed<8,3>"),
            t("ap_fixed<9,4>")
        );
        // multiply ap_fixed<8,3> x ap_ufixed<4,1>: width 12, integer 4, signed.
        assert_eq!(
            m(MergeOp::Multiply, "ap_fixed<8,3>", "ap_ufixed<4,1>"),
            t("ap_fixed<12,4>")
        );
        // maximum of ap_fixed<8,3> and ap_ufixed<6,4>: the unsigned one gains a sign bit (5);
        // integer 5, fraction max(5, 2) = 5 -> ap_fixed<10,5>.
        assert_eq!(
            m(MergeOp::Maximum, "ap_fixed<8,3>", "ap_ufixed<6,4>"),
            t("ap_fixed<10,5>")
        );
    }

    #[test]
    fn dot_grows_by_the_log_of_its_length() {
        // hls4ml's _infer_dot_precision, hand-derived: ap_fixed<16,6> . ap_ufixed<8,3> over 6
        // elements: width 16 + 8 + ceil(log2 6) = 27, integer 6 + 3 + 3 = 12, signed; with a
        // maximum of ap_fixed<24,10>: ap_fixed<24,10>.
        let auto = AutoPrecision {
            result: true,
            ..Default::default()
        };
        let d = |max| {
            run(
                Op::Dot { n_in: 6 },
                auto,
                Default::default(),
                &["ap_fixed<16,6>", "ap_ufixed<8,3>"],
                max,
            )
            .precision
        };
        assert_eq!(d(None), t("ap_fixed<27,12>"));
        assert_eq!(d(Some("ap_fixed<24,10>")), t("ap_fixed<24,10>"));
    }

    #[test]
    fn concatenate_keeps_modes() {
        let c = |a: &str, b: &str| {
            run(
                Op::Concatenate { axis: -1 },
                ALL_AUTO,
                Default::default(),
                &[a, b],
                None,
            )
            .precision
        };
        // integer max(3, 2) = 3, fraction max(5, 8) = 8; the first input's RND/SAT kept.
        assert_eq!(
            c("ap_fixed<8,3,AP_RND,AP_SAT>", "ap_fixed<10,2>"),
            t("ap_fixed<11,3,AP_RND,AP_SAT>")
        );
        assert_eq!(c("ap_fixed<8,3>", "ap_fixed<8,3>"), t("ap_fixed<8,3>"));
    }

    #[test]
    fn batchnorm_default_scale_and_bias() {
        // input, scale, bias ap_fixed<16,6>: after scale width 32, integer 12 (fraction 20);
        // integer max(12, 6)+1 = 13, width 13+max(20, 10) = 33.
        let n = run(
            Op::BatchNorm { n_filt: -1 },
            ALL_AUTO,
            Default::default(),
            &["ap_fixed<16,6>"],
            None,
        );
        assert_eq!(n.precision, t("ap_fixed<33,13>"));
        assert_eq!(
            n.settings.precision.scale,
            Some(FixedType::hls4ml_default())
        );
    }

    #[test]
    fn activation_and_reshape() {
        // An activation's auto result is the default (hls4ml infers nothing for it); a
        // Reshape's is its input's.
        let act = Op::Activation {
            act: crate::op::ActKind::Plain("relu"),
            config_name: "relu".into(),
        };
        let n = run(
            act,
            ALL_AUTO,
            Default::default(),
            &["ap_fixed<27,12>"],
            None,
        );
        assert_eq!(n.precision, FixedType::hls4ml_default());
        let n = run(
            Op::Reshape,
            ALL_AUTO,
            Default::default(),
            &["ap_fixed<27,12>"],
            None,
        );
        assert_eq!(n.precision, t("ap_fixed<27,12>"));
    }

    /// input [16] -> fc1 Dense(8, relu) -> `next`; fc1's result and accum `auto`.
    fn net_with(next: ir::Layer) -> Network {
        use ir::{Layer, LayerKind};
        let mut net = Network::new("t");
        net.add_layer(
            Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![16] })),
            &[],
        )
        .unwrap();
        let mut fc1 = Layer::new(
            "fc1",
            LayerKind::Dense(ir::ops::Dense {
                units: 8,
                use_bias: true,
            }),
        )
        .with_activation(ir::Activation::Relu);
        fc1.settings.auto.result = true;
        fc1.settings.auto.accum = true;
        net.add_layer(fc1, &["in"]).unwrap();
        net.add_layer(next, &["fc1"]).unwrap();
        net.default_outputs();
        net.infer_shapes().unwrap();
        net
    }

    #[test]
    fn pipeline_infers_in_hls4mls_order() {
        // fc1: input, weight, bias ap_fixed<16,6>, n_in 16 (ceil log2 = 4): width 36, integer
        // 16, fraction 20; bias: integer 17, width 37 -> ap_fixed<37,17> (the type hls4ml
        // wrote for fc1_relu of KERAS_3layer, tests/fixtures/hls4ml-configs/projects). The
        // relu split off it has no `auto` of its own: the default; fc2 (explicit types) too.
        let fc2 = ir::Layer::new(
            "fc2",
            ir::LayerKind::Dense(ir::ops::Dense {
                units: 4,
                use_bias: true,
            }),
        );
        let g = crate::lower(&net_with(fc2)).unwrap();
        let p = |name: &str| g.nodes.iter().find(|n| n.name == name).unwrap();
        assert_eq!(p("fc1").precision, t("ap_fixed<37,17>"));
        assert_eq!(
            p("fc1").settings.precision.accum,
            Some(t("ap_fixed<37,17>"))
        );
        assert_eq!(p("fc1_relu").precision, FixedType::hls4ml_default());
        assert_eq!(p("fc2").precision, FixedType::hls4ml_default());
        // the config's maximum ap_fixed<24,10>: width min(37, 24), integer min(17, 10)
        let mut net = net_with(ir::Layer::new(
            "fc2",
            ir::LayerKind::Dense(ir::ops::Dense {
                units: 4,
                use_bias: true,
            }),
        ));
        net.max_precision = Some(t("ap_fixed<24,10>"));
        let g = crate::lower(&net).unwrap();
        let fc1 = g.nodes.iter().find(|n| n.name == "fc1").unwrap();
        assert_eq!(fc1.precision, t("ap_fixed<24,10>"));
    }

    #[test]
    fn batchnorm_after_auto_result_is_folded() {
        // hls4ml folds a BatchNormalization into a Dense whose result is `auto`
        // (fuse_batch_normalization): the BatchNormalization node is gone (its index 3 stays
        // used: fc2 is still 4), the fold is recorded on fc1, and fc1's result is inferred.
        let bn = || {
            ir::Layer::new(
                "bn",
                ir::LayerKind::BatchNorm(ir::ops::BatchNorm {
                    epsilon: 1e-3,
                    center: true,
                    scale: true,
                }),
            )
        };
        let mut net = net_with(bn());
        let fc1 = net.find("fc1").unwrap();
        net.layer_mut(fc1).activation = ir::Activation::Linear;
        let g = crate::lower(&net).unwrap();
        let names: Vec<&str> = g.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["in", "fc1"]);
        let k = g.nodes[1].key;
        assert_eq!(g.folded[&k][0].name, "bn");
        assert!(g.print().contains("folded[bn]"), "{}", g.print());
        assert_eq!(g.nodes[1].precision, t("ap_fixed<37,17>"));
        // with the relu split off in between, hls4ml does not fold: the BatchNormalization stays
        let g = crate::lower(&net_with(bn())).unwrap();
        assert!(g.nodes.iter().any(|n| n.name == "bn") && g.folded.is_empty());
    }

    #[test]
    fn ceil_log2_matches_numpy() {
        // math.ceil(np.log2(n)): 1 -> 0, 2 -> 1, 3 -> 2, 16 -> 4, 17 -> 5
        let got: Vec<i32> = [1, 2, 3, 16, 17].into_iter().map(ceil_log2).collect();
        assert_eq!(got, vec![0, 1, 2, 4, 5]);
    }
}
