//! `bit_exact`, `fuse_fixed_point_quantizer` and `fix_input_precision`: hls4ml 1.3.0's passes
//! over a graph with HGQ2 quantizer nodes (`model/optimizer/passes/bit_exact.py`, `BitExact`
//! and `FixInputPrecision`; `hgq_proxy_model.py`, `FuseFixedPointQuantizer`), run in its
//! `convert` flow after `replace_multidimensional_dense_with_conv`.
//!
//! `bit_exact` (on when the graph has a `FixedPointQuantizer`, as hls4ml's `BitExact: None`
//! default): linear activations removed; forward, each node's producible `(k, i, f)` per element
//! (`produce_kif`; a quantizer's mask shrunk to it); backward, what its readers can use
//! (`requested_kif`); then every type (`default_register_precision`): the result type, a
//! Dense's accumulator (what it produces), its weight and bias types (`minimal_kif` of the
//! values hls4ml loads, HGQ2's `qkernel`), an activation's table size. Nodes are typed under
//! their own names (`<name>_t`), which codegen writes ([`BitExactTypes`]).
//!
//! Rules for the node classes of an HGQ2 Dense chain are here: Input, FixedPointQuantizer,
//! Dense, relu/linear Activation, Reshape. A node of any other class is refused by name
//! (hls4ml's `NotImplementedError`, or presynth's rule not written yet).

use super::encoder::EncoderOp;
use super::{hgq2, minimal_kif_ints, register, FixedKif, Interval, Kif, Quantizer, UNBOUNDED};
use crate::error::{LowerError, Result};
use crate::graph::{Graph, Key, Node, Origin, Port, Sweep};
use crate::op::{ActKind, Op};
use crate::passes::Pass;
use ir::{FixedType, Network};
use std::collections::HashMap;

/// What hls4ml's BitExact pass set beyond each node's result, accumulator, weight and bias
/// types (kept in the node's `precision` and `settings.precision`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BitExactTypes {
    /// Each activation's `table_size`: 2^(k+i+f) of its input's largest k, i and f.
    pub table_size: HashMap<Key, u64>,
    /// Each bit-exact softmax's table types and sizes.
    pub softmax: HashMap<Key, super::encoder::SoftmaxTypes>,
}

fn is_quantizer(n: &Node) -> bool {
    matches!(n.op, Op::FixedPointQuantizer { .. })
}

fn refuse(n: &Node, message: impl Into<String>) -> LowerError {
    LowerError::NotImplemented {
        layer: n.name.clone(),
        kind: n.class.clone(),
        message: message.into(),
    }
}

/// An ap_fixed type as `to_hls4ml_fixed` makes it (hls4ml's default modes).
pub fn fixed_type(t: FixedKif) -> FixedType {
    if t.signed {
        FixedType::fixed(t.width as u32, t.integer)
    } else {
        FixedType::ufixed(t.width as u32, t.integer)
    }
}

fn ints(k: &Kif) -> FixedKif {
    let (a, b, c) = k.max_ints();
    FixedKif::from_kif(a, b, c)
}

fn size(n: &Node) -> usize {
    n.shape.iter().product()
}

/// A Dense node's kernel (`n_in x n_out`, C order) and bias as hls4ml loads them (HGQ2's
/// quantized values; a plain Keras Dense's own), in f64.
pub(super) fn dense_weights(
    net: &Network,
    g: &Graph,
    n: &Node,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    let layer = match n.origin {
        Origin::Layer(id) => net.layer(id),
        Origin::SplitActivation(_) | Origin::Inserted(_) | Origin::Clone(_) => {
            return Err(refuse(
                n,
                "a Dense made by a pass, under HGQ2's bit-exact flow",
            ))
        }
    };
    if g.folded.contains_key(&n.key) {
        return Err(refuse(
            n,
            "a BatchNormalization folded into an HGQ2 Dense (hls4ml's bit-exact flow takes \
             the folded weights; not checked)",
        ));
    }
    let get = |name: &str| -> Result<Option<Vec<f64>>> {
        let q = hgq2::quantized_weight(layer, name)?;
        let raw = || layer.weight(name).map(|t| t.data.clone());
        Ok(q.or_else(raw)
            .map(|v| v.into_iter().map(f64::from).collect()))
    };
    let kernel = get("kernel")?
        .ok_or_else(|| refuse(n, "an HGQ2 Dense without its kernel (read without weights)"))?;
    let bias = get("bias")?;
    if bias.is_none() {
        return Err(refuse(
            n,
            "a Dense without a bias under HGQ2's bit-exact flow (hls4ml types its zero bias \
             as ap_ufixed<2,32>; not checked)",
        ));
    }
    Ok((kernel, bias))
}

/// `produce_kif` of node `n` from its inputs' (a quantizer's mask is shrunk in place).
fn produce(net: &Network, g: &mut Graph, at: usize, produced: &HashMap<Key, Kif>) -> Result<Kif> {
    let n = &g.nodes[at];
    let input = |k: usize| -> Result<&Kif> {
        n.inputs
            .get(k)
            .and_then(|p| produced.get(&p.node))
            .ok_or_else(|| refuse(n, "an input the bit-exact pass has not typed"))
    };
    if let Origin::Layer(id) = n.origin {
        let layer = net.layer(id);
        // an HGQ1 FixedPointQuantizer holds its state in its kind (`kinds::fixed_point_quantizer`)
        let hgq1 = matches!(layer.kind, ir::LayerKind::FixedPointQuantizer(_));
        if layer.quantizer_params > 0
            && layer.hgq_quantizers.is_empty()
            && layer.hgq_sub_quantizers.is_empty()
            && !hgq1
        {
            return Err(refuse(
                n,
                "an HGQ2 layer whose quantizers presynth does not read (per-input or \
                 sub-layer quantizers), so hls4ml's bit-exact types cannot be derived",
            ));
        }
    }
    let no_rule = || {
        refuse(
            n,
            format!(
                "no rule of hls4ml's HGQ2 bit-exact pass (BitExact) for a {} node in presynth yet",
                n.class
            ),
        )
    };
    Ok(match rule(&n.op) {
        Rule::Input => Kif::unbounded(size(n)),
        Rule::Quantizer(quantizer, homogeneous) => {
            let out = quantizer.produce(input(0)?);
            let mask = if homogeneous {
                contract(&out)
            } else {
                out.clone()
            };
            if let Op::FixedPointQuantizer { quantizer, .. } = &mut g.nodes[at].op {
                quantizer.mask = mask;
            }
            out
        }
        Rule::Dense { n_in, n_out } => {
            if input(0)?.len() != n_in {
                return Err(refuse(
                    n,
                    "a Dense over positions under HGQ2's bit-exact flow",
                ));
            }
            let (kernel, bias) = dense_weights(net, g, n)?;
            Interval::from_kif(input(0)?)
                .dense(&kernel, bias.as_deref(), n_out)
                .to_kif()
        }
        Rule::PassThrough => input(0)?.clone(),
        Rule::Relu => {
            let mut k = input(0)?.clone();
            k.k.iter_mut().for_each(|x| *x = 0);
            k
        }
        Rule::Encoder(op) => {
            let ins = (0..n.inputs.len())
                .map(input)
                .collect::<Result<Vec<&Kif>>>()?;
            super::encoder::produce(net, g, n, op, &ins)?
        }
        Rule::None => return Err(no_rule()),
    })
}

/// The rule of this flow a node's class follows.
enum Rule<'a> {
    Input,
    /// A quantizer, and whether it is homogeneous.
    Quantizer(&'a Quantizer, bool),
    Dense {
        n_in: usize,
        n_out: usize,
    },
    /// Its output is its input (a linear activation, a Reshape).
    PassThrough,
    Relu,
    /// An encoder block's node (`super::encoder`).
    Encoder(EncoderOp<'a>),
    /// No rule here yet.
    None,
}

fn rule(op: &Op) -> Rule<'_> {
    match op {
        Op::Input => Rule::Input,
        Op::FixedPointQuantizer {
            quantizer,
            homogeneous,
        } => Rule::Quantizer(quantizer, *homogeneous),
        Op::Dense { n_in, n_out } => Rule::Dense {
            n_in: *n_in,
            n_out: *n_out,
        },
        Op::Activation {
            act: ActKind::Plain("linear"),
            ..
        }
        | Op::Reshape => Rule::PassThrough,
        Op::Activation {
            act: ActKind::Plain("relu"),
            ..
        } => Rule::Relu,
        Op::Activation {
            act: ActKind::Softmax,
            ..
        } => Rule::Encoder(EncoderOp::Softmax),
        Op::EinsumDense {
            inp_shape,
            kernel_shape,
            out_shape,
            recipe,
            kernel_weight,
            bias_weight,
            scale,
        } => Rule::Encoder(EncoderOp::EinsumDense {
            inp_shape,
            kernel_shape,
            out_shape,
            recipe,
            kernel_weight,
            bias_weight: *bias_weight,
            scale: *scale,
        }),
        Op::Einsum {
            inp0_shape,
            inp1_shape,
            recipe,
            ..
        } => Rule::Encoder(EncoderOp::Einsum {
            inp0_shape,
            inp1_shape,
            recipe,
        }),
        Op::Merge {
            op: ir::ops::MergeOp::Add,
        } => Rule::Encoder(EncoderOp::Add),
        Op::GlobalPool1D {
            max: false,
            n_in,
            n_filt,
        } => Rule::Encoder(EncoderOp::AveragePool1D {
            n_in: *n_in,
            n_filt: *n_filt,
        }),
        Op::Conv1D {
            in_width,
            n_chan,
            filt_width: 1,
            n_filt,
            stride: 1,
            pad_left: 0,
            pad_right: 0,
            ..
        } => Rule::Encoder(EncoderOp::Pointwise {
            in_width: *in_width,
            n_chan: *n_chan,
            n_filt: *n_filt,
        }),
        Op::Activation { .. }
        | Op::Conv1D { .. }
        | Op::Conv2D { .. }
        | Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. }
        | Op::BatchNorm { .. }
        | Op::Merge { .. }
        | Op::Concatenate { .. }
        | Op::Dropout
        | Op::Clone
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::LayerNorm { .. }
        | Op::Embedding { .. }
        | Op::SeparableConv { .. }
        | Op::Dot { .. }
        | Op::Transpose { .. }
        | Op::Resize { .. }
        | Op::GarNet { .. }
        | Op::TimeDistributed { .. }
        | Op::Recurrent { .. } => Rule::None,
    }
}

/// A homogeneous quantizer's mask after `produce_kif`: the largest k, B = k+i+f and I = k+i
/// over the elements, for every element.
fn contract(out: &Kif) -> Kif {
    let max = |v: Vec<i32>| v.into_iter().max().unwrap_or(0);
    let n = out.len();
    let k = max(out.k.clone());
    let b = max((0..n).map(|e| out.k[e] + out.i[e] + out.f[e]).collect());
    let big_i = max((0..n).map(|e| out.k[e] + out.i[e]).collect());
    Kif {
        k: vec![k; n],
        i: vec![big_i - k; n],
        f: vec![b - big_i; n],
    }
}

/// What node `r` requests of its input (`_request_kif`), given what its own readers request.
fn request(r: &Node, input_size: usize, own: &Kif) -> Kif {
    match rule(&r.op) {
        Rule::Quantizer(quantizer, _) => quantizer.request(&quantizer.mask),
        Rule::PassThrough => own.clone(),
        Rule::Relu => Kif {
            k: vec![1; own.len()],
            i: vec![UNBOUNDED; own.len()],
            f: own.f.clone(),
        },
        Rule::Input | Rule::Dense { .. } | Rule::Encoder(_) | Rule::None => {
            Kif::unbounded(input_size)
        }
    }
}

/// `requested_by_non_saturating_quantizer`: a reader is a WRAP quantizer (through the first
/// Reshape reader, as hls4ml returns there).
fn wrapping_reader(g: &Graph, readers: &HashMap<Port, Vec<Key>>, key: Key) -> bool {
    let pos = g.positions();
    for r in readers.get(&Port::of(key)).into_iter().flatten() {
        let rn = &g.nodes[pos[r]];
        if let Op::FixedPointQuantizer { quantizer, .. } = &rn.op {
            if !matches!(quantizer.modes.overflow.as_str(), "SAT" | "SAT_SYM") {
                return true;
            }
        }
        if rn.op == Op::Reshape {
            return wrapping_reader(g, readers, rn.key);
        }
    }
    false
}

pub struct BitExact;

impl Pass for BitExact {
    fn name(&self) -> &'static str {
        "bit_exact"
    }

    fn run(&self, net: &Network, g: &mut Graph) -> Result<bool> {
        if !g.nodes.iter().any(is_quantizer) {
            return Ok(false);
        }
        // a proxy model has no linear activation layers
        g.sweep(|_, n| {
            if let (
                Op::Activation {
                    act: ActKind::Plain("linear"),
                    ..
                },
                Some(&p),
            ) = (&n.op, n.inputs.first())
            {
                return Sweep::Remove { readers_read: p };
            }
            Sweep::Keep(n)
        });
        // forward
        let mut produced: HashMap<Key, Kif> = HashMap::new();
        for at in 0..g.nodes.len() {
            let kif = produce(net, g, at, &produced)?;
            produced.insert(g.nodes[at].key, kif);
        }
        // backward, readers before what they read
        let readers = g.readers();
        let pos = g.positions();
        let mut requested: HashMap<Key, Kif> = HashMap::new();
        for n in g.nodes.iter().rev() {
            let rs = readers.get(&Port::of(n.key)).map_or(&[][..], |v| v);
            let kif = if rs.is_empty() {
                Kif::unbounded(size(n))
            } else {
                let mut acc = Kif {
                    k: vec![0; size(n)],
                    i: vec![-127; size(n)],
                    f: vec![-127; size(n)],
                };
                for r in rs {
                    let rn = &g.nodes[pos[r]];
                    let req = request(rn, size(n), &requested[r]);
                    let max = |a: &mut Vec<i32>, b: &[i32]| {
                        a.iter_mut().zip(b).for_each(|(x, y)| *x = (*x).max(*y))
                    };
                    max(&mut acc.k, &req.k);
                    max(&mut acc.i, &req.i);
                    max(&mut acc.f, &req.f);
                }
                acc
            };
            requested.insert(n.key, kif);
        }
        // register every type
        let mut types = BitExactTypes::default();
        for at in 0..g.nodes.len() {
            let key = g.nodes[at].key;
            let wraps = wrapping_reader(g, &readers, key);
            let (p, r) = (&produced[&key], &requested[&key]);
            let result = fixed_type(register(p, r, wraps));
            let n = &g.nodes[at];
            let weights = if matches!(n.op, Op::Dense { .. }) {
                Some(dense_weights(net, g, n)?)
            } else {
                None
            };
            let table = if matches!(n.op, Op::Activation { .. }) {
                let input = n.inputs.first().and_then(|q| produced.get(&q.node));
                input.map(|k| {
                    let (a, b, c) = k.max_ints();
                    1u64 << (a + b + c).clamp(0, 63)
                })
            } else {
                None
            };
            let encoder = if let Rule::Encoder(op) = rule(&n.op) {
                let ins: Vec<&Kif> = n
                    .inputs
                    .iter()
                    .filter_map(|q| produced.get(&q.node))
                    .collect();
                Some(super::encoder::register(net, g, n, op, &ins, p)?)
            } else {
                None
            };
            let n = &mut g.nodes[at];
            n.precision = result;
            if let Some(e) = encoder {
                let set = |t: Option<FixedKif>| t.map(fixed_type);
                n.settings.precision.accum = set(e.accum);
                n.settings.precision.weight = set(e.weight);
                n.settings.precision.bias = set(e.bias);
                if let Some(s) = e.softmax {
                    types.softmax.insert(key, s);
                }
            }
            if let Some((kernel, bias)) = weights {
                n.settings.precision.accum = Some(fixed_type(ints(p)));
                let w = minimal_kif_ints(&kernel);
                n.settings.precision.weight = Some(fixed_type(FixedKif::from_kif(w.0, w.1, w.2)));
                if let Some(b) = bias {
                    let b = minimal_kif_ints(&b);
                    n.settings.precision.bias = Some(fixed_type(FixedKif::from_kif(b.0, b.1, b.2)));
                }
            }
            if let Some(t) = table {
                types.table_size.insert(key, t);
            }
        }
        g.bit_exact = Some(types);
        Ok(true)
    }
}

/// hls4ml's `FuseFixedPointQuantizer`: a quantizer whose mask is the same for every element
/// (after `bit_exact` shrank it), fed by a node it alone reads, is folded into that node's
/// type: `ap_[u]fixed<B,I,AP_<round>,AP_<overflow>,0>` (the quantizer's own result type when
/// TRN and WRAP), e.g. `ap_fixed<7,5,AP_RND,AP_WRAP,0> x_t`; through a Reshape the type goes
/// on to the Reshape's input, the Reshape keeping it without modes (as hls4ml's `propagate`
/// leaves it).
pub struct FuseFixedPointQuantizer;

fn uniform(q: &Quantizer) -> bool {
    let m = &q.mask;
    let same = |v: Vec<i32>| v.windows(2).all(|w| w[0] == w[1]);
    let n = m.len();
    same(m.k.clone())
        && same((0..n).map(|e| m.k[e] + m.i[e] + m.f[e]).collect())
        && same((0..n).map(|e| m.k[e] + m.i[e]).collect())
}

/// The type a uniform quantizer folds into the node before it.
fn folded_type(q: &Quantizer, own: &FixedType) -> Option<FixedType> {
    if q.modes.round == "TRN" && q.modes.overflow == "WRAP" {
        return Some(own.clone());
    }
    let (k, i, f) = (*q.mask.k.first()?, *q.mask.i.first()?, *q.mask.f.first()?);
    Some(FixedType::Fixed {
        width: (k + i + f).max(1) as u32,
        integer: k + i,
        signed: k != 0,
        quantization: Some(ir::types::Quantization::parse(&q.modes.round)?),
        overflow: Some(ir::types::Overflow::parse(&q.modes.overflow)?),
        saturation_bits: None,
    })
}

/// Give `key` (and, through a Reshape read by it alone, what it reads) the folded type.
fn propagate(g: &mut Graph, key: Key, t: FixedType, readers: &HashMap<Port, Vec<Key>>) {
    let pos = g.positions();
    let n = &mut g.nodes[pos[&key]];
    if !matches!(n.op, Op::Reshape | Op::Transpose { .. }) {
        n.precision = t;
        return;
    }
    // hls4ml resets the modes of the object it just gave the Reshape
    n.precision = if t.signed() {
        FixedType::fixed(t.width(), t.integer())
    } else {
        FixedType::ufixed(t.width(), t.integer())
    };
    let Some(src) = n.inputs.first().map(|p| p.node) else {
        return;
    };
    if readers.get(&Port::of(src)).is_some_and(|r| r.len() == 1) {
        propagate(g, src, t, readers);
    }
}

impl Pass for FuseFixedPointQuantizer {
    fn name(&self) -> &'static str {
        "fuse_fixed_point_quantizer"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if g.bit_exact.is_none() {
            return Ok(false);
        }
        let mut changed = false;
        loop {
            let readers = g.readers();
            let found = g.nodes.iter().find_map(|n| {
                let Op::FixedPointQuantizer { quantizer, .. } = &n.op else {
                    return None;
                };
                let src = n.inputs.first()?;
                let alone = readers.get(src).is_some_and(|r| r.len() == 1);
                (uniform(quantizer) && alone)
                    .then(|| folded_type(quantizer, &n.precision).map(|t| (n.key, *src, t)))
                    .flatten()
            });
            let Some((key, src, t)) = found else {
                break;
            };
            propagate(g, src.node, t, &readers);
            g.sweep(|_, n| {
                if n.key == key {
                    Sweep::Remove { readers_read: src }
                } else {
                    Sweep::Keep(n)
                }
            });
            changed = true;
        }
        Ok(changed)
    }
}

/// hls4ml's `FixInputPrecision` retypes an input whose type the flow left unbounded (one read
/// by a saturating quantizer); presynth refuses such a network instead.
pub struct FixInputPrecision;

impl Pass for FixInputPrecision {
    fn name(&self) -> &'static str {
        "fix_input_precision"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        if g.bit_exact.is_none() {
            return Ok(false);
        }
        match g
            .nodes
            .iter()
            .find(|n| n.op == Op::Input && n.precision.width() > 100)
        {
            Some(n) => Err(refuse(
                n,
                "an input read by a saturating HGQ2 quantizer (hls4ml's FixInputPrecision \
                 retypes it; not implemented)",
            )),
            None => Ok(false),
        }
    }
}
