//! The lowered graph: hls4ml's layer list for one network, in hls4ml's order (`ModelGraph.graph`,
//! an ordered dict), each node with its hls4ml index, name, class, structural [`Op`], output
//! shape and precision, the ports it reads, and where it came from in the IR ([`Origin`]), so
//! that per-layer tables can be mapped back to the IR layers. Printing it ([`Graph::print`]) is
//! the text the per-pass goldens pin.

use crate::op::{ActKind, Op};
use ir::{FixedType, IoType, LayerSettings, NodeId};
use std::collections::HashMap;
use std::fmt::Write as _;

/// A node's stable identity inside one [`Graph`] (never reused, not its position).
pub type Key = usize;

/// One output of a node: (node, output number). Only Clone has more than one output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Port {
    pub node: Key,
    pub output: usize,
}

impl Port {
    pub fn of(node: Key) -> Port {
        Port { node, output: 0 }
    }
}

/// Where a lowered node came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The IR layer itself (possibly rewritten, e.g. a Dense over positions now a pointwise conv).
    Layer(NodeId),
    /// The activation hls4ml's parser splits off a Dense/Conv layer.
    SplitActivation(NodeId),
    /// A node a pass inserted for this IR layer (ZeroPadding before a `same` conv in io_stream).
    Inserted(NodeId),
    /// An io_stream copy of the output of another lowered node (`clone_output`).
    Clone(Key),
}

impl Origin {
    /// The IR layer this node prices or renders for, if any (a clone has none of its own).
    pub fn layer(self) -> Option<NodeId> {
        match self {
            Origin::Layer(id) | Origin::SplitActivation(id) | Origin::Inserted(id) => Some(id),
            Origin::Clone(_) => None,
        }
    }
}

/// One hls4ml layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub key: Key,
    /// hls4ml's layer index (input = 1; nodes made by passes take the next free index).
    pub index: usize,
    /// The index in the names of the output and weights (`layerN_out`, `wN`): the node's own
    /// index, except after `optimize_pointwise_conv`, whose new node copies the conv's output
    /// and weights (hls4ml's PointwiseConv `initialize` does nothing) but takes a new index
    /// for its config; and a `Repack` (`reshape_stream`), whose output `layer<index>_out`
    /// keeps the Reshape's type, `layer<var_index>_t`.
    pub var_index: usize,
    pub name: String,
    /// The hls4ml class name (`Dense`, `Conv2D`, `PointwiseConv2D`, `ZeroPadding2D`, ...).
    pub class: String,
    pub op: Op,
    pub inputs: Vec<Port>,
    /// Number of outputs (all of `shape`): 1 except for Clone.
    pub outputs: usize,
    /// Output shape, channels last, no batch dimension.
    pub shape: Vec<usize>,
    /// The output's element precision.
    pub precision: FixedType,
    /// The per-layer settings that apply (the IR layer's for its own node, none for the nodes
    /// hls4ml makes: split activations, clones, inserted padding).
    pub settings: LayerSettings,
    pub origin: Origin,
    /// The output is hls4ml's in-place variable of its input (Flatten/Reshape): no call.
    pub inplace: bool,
    /// A fused activation still to be split off by `split_activation`, with the index hls4ml's
    /// parser gave it.
    pub pending_activation: Option<(ir::Activation, usize)>,
}

/// What [`Graph::sweep`] does with one node.
#[derive(Debug)]
pub enum Sweep {
    Keep(Node),
    /// Drop it; whatever read it reads this port instead.
    Remove {
        readers_read: Port,
    },
    /// Keep it and put the second node (which reads it) right after; whatever read the first
    /// now reads the second.
    Then(Node, Box<Node>),
}

/// A network lowered to hls4ml's layer graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    pub network: String,
    pub io_type: IoType,
    /// The model precision (the type of a node with no setting of its own).
    pub default_precision: FixedType,
    /// Nodes in hls4ml's order.
    pub nodes: Vec<Node>,
    /// The ports that are network outputs, in order.
    pub outputs: Vec<Port>,
    /// The largest hls4ml index given so far (`ModelGraph.index`).
    pub last_index: usize,
    /// The BatchNormalizations `fuse_batch_normalization` folded into each Dense/Conv node's
    /// weights, in folding order (codegen multiplies them in; the estimator prices them as
    /// gone).
    pub folded: HashMap<Key, Vec<Folded>>,
    /// Set by hls4ml's `BitExact` pass (a network with HGQ2 quantizers): every node's types
    /// are then the pass's, named after the node (`<name>_t`, `<name>_accum_t`, ...).
    pub bit_exact: Option<crate::passes::bit_exact::BitExactTypes>,
    next_key: Key,
}

/// A BatchNormalization hls4ml folded into the weights of the node that fed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Folded {
    /// The IR layer whose scale and bias were folded.
    pub layer: NodeId,
    /// Its name (for the printed graph and messages).
    pub name: String,
}

impl Graph {
    pub fn new(network: &str, io_type: IoType, default_precision: FixedType) -> Graph {
        Graph {
            network: network.to_string(),
            io_type,
            default_precision,
            nodes: Vec::new(),
            outputs: Vec::new(),
            last_index: 0,
            folded: HashMap::new(),
            bit_exact: None,
            next_key: 0,
        }
    }

    pub fn is_stream(&self) -> bool {
        self.io_type == IoType::Stream
    }

    /// A new key for a node about to be added.
    pub fn new_key(&mut self) -> Key {
        self.next_key += 1;
        self.next_key - 1
    }

    /// hls4ml's `ModelGraph.next_layer()`: the next layer index.
    pub fn next_index(&mut self) -> usize {
        self.last_index += 1;
        self.last_index
    }

    /// Position of each node in [`Graph::nodes`], by key.
    pub fn positions(&self) -> HashMap<Key, usize> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.key, i))
            .collect()
    }

    /// The distinct readers of each port, in list order (a node reading a port twice is
    /// listed once).
    pub fn readers(&self) -> HashMap<Port, Vec<Key>> {
        let mut r: HashMap<Port, Vec<Key>> = HashMap::new();
        for n in &self.nodes {
            for p in &n.inputs {
                let list = r.entry(*p).or_default();
                if list.last() != Some(&n.key) {
                    list.push(n.key);
                }
            }
        }
        r
    }

    /// Rebuild the node list in one sweep (linear in the graph: networks reach 100k layers).
    /// `f` gets each node in order, its inputs already redirected by earlier decisions, and
    /// says what becomes of it; the network outputs are redirected at the end.
    pub fn sweep(&mut self, mut f: impl FnMut(&mut Graph, Node) -> Sweep) {
        let old = std::mem::take(&mut self.nodes);
        self.nodes.reserve(old.len());
        let mut redirect: HashMap<Port, Port> = HashMap::new();
        for mut n in old {
            for p in n.inputs.iter_mut() {
                if let Some(q) = redirect.get(p) {
                    *p = *q;
                }
            }
            let key = n.key;
            match f(self, n) {
                Sweep::Keep(n) => self.nodes.push(n),
                Sweep::Remove { readers_read } => {
                    redirect.insert(Port::of(key), readers_read);
                }
                Sweep::Then(n, next) => {
                    let to = Port::of(next.key);
                    self.nodes.push(n);
                    self.nodes.push(*next);
                    redirect.insert(Port::of(key), to);
                }
            }
        }
        for p in self.outputs.iter_mut() {
            if let Some(q) = redirect.get(p) {
                *p = *q;
            }
        }
    }

    /// The node with this key (a linear search: passes that look up many nodes build
    /// [`Graph::positions`] once).
    pub fn find(&self, key: Key) -> Option<&Node> {
        self.nodes.iter().find(|n| n.key == key)
    }

    /// The text the goldens pin: one line per node, in order, then the outputs.
    ///
    /// `  5 fc2 Dense[n_in=16 n_out=8] <- [fc1] -> [8] ap_fixed<16,6>` (a pointwise conv whose
    /// names keep an older index prints `8/7`).
    pub fn print(&self) -> String {
        let names: HashMap<Key, &str> = self
            .nodes
            .iter()
            .map(|n| (n.key, n.name.as_str()))
            .collect();
        let port = |p: &Port| {
            let n = names.get(&p.node).copied().unwrap_or("?");
            if p.output == 0 {
                n.to_string()
            } else {
                format!("{n}:{}", p.output)
            }
        };
        let mut s = String::new();
        for n in &self.nodes {
            let inputs: Vec<String> = n.inputs.iter().map(port).collect();
            let index = if n.var_index == n.index {
                n.index.to_string()
            } else {
                format!("{}/{}", n.index, n.var_index)
            };
            let _ = write!(
                s,
                "{:>3} {} {}{} <- [{}] -> {:?}",
                index,
                n.name,
                n.class,
                op_attrs(&n.op),
                inputs.join(", "),
                n.shape,
            );
            if n.outputs > 1 {
                let _ = write!(s, " x{}", n.outputs);
            }
            let _ = write!(s, " {}", n.precision);
            if n.inplace {
                s.push_str(" inplace");
            }
            if let Some((act, idx)) = n.pending_activation {
                let _ = write!(s, " +{}@{idx}", act.name());
            }
            if let Some(f) = self.folded.get(&n.key) {
                let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
                let _ = write!(s, " folded[{}]", names.join(", "));
            }
            s.push('\n');
        }
        let outs: Vec<String> = self.outputs.iter().map(port).collect();
        let _ = writeln!(s, "outputs: {}", outs.join(", "));
        s
    }
}

/// The structural attributes of an op in one bracket (empty when it has none).
fn op_attrs(op: &Op) -> String {
    let a = match op {
        Op::Input | Op::Merge { .. } | Op::Reshape | Op::Clone | Op::Dropout => String::new(),
        Op::Dense { n_in, n_out } => format!("n_in={n_in} n_out={n_out}"),
        Op::Conv1D {
            filt_width,
            n_filt,
            stride,
            pad_left,
            pad_right,
            depthwise,
            ..
        } => format!(
            "k={filt_width} f={n_filt} s={stride} pad={pad_left},{pad_right}{}",
            if *depthwise { " depthwise" } else { "" }
        ),
        Op::Conv2D {
            filt_height,
            filt_width,
            n_filt,
            stride_height,
            stride_width,
            pad_top,
            pad_bottom,
            pad_left,
            pad_right,
            depthwise,
            ..
        } => format!(
            "k={filt_height}x{filt_width} f={n_filt} s={stride_height}x{stride_width} pad={pad_top},{pad_bottom},{pad_left},{pad_right}{}",
            if *depthwise { " depthwise" } else { "" }
        ),
        Op::SeparableConv { depthwise, n_filt } => {
            format!("{} then 1x1 f={n_filt}", op_attrs(depthwise))
        }
        Op::Pool1D {
            max,
            pool_width,
            stride,
            ..
        } => format!("{} {pool_width}/{stride}", if *max { "max" } else { "avg" }),
        Op::Pool2D {
            max,
            pool_height,
            pool_width,
            ..
        } => format!(
            "{} {pool_height}x{pool_width}",
            if *max { "max" } else { "avg" }
        ),
        Op::GlobalPool1D { max, .. } | Op::GlobalPool2D { max, .. } => {
            (if *max { "max" } else { "avg" }).to_string()
        }
        Op::BatchNorm { n_filt } => format!("n_filt={n_filt}"),
        Op::Transpose { perm, .. } => format!("perm={perm:?}"),
        Op::Dot { n_in } => format!("n_in={n_in}"),
        Op::FixedPointQuantizer {
            quantizer,
            homogeneous,
        } => format!(
            "n_in={} {} {}{}",
            quantizer.mask.len(),
            quantizer.modes.round,
            quantizer.modes.overflow,
            if *homogeneous { " homogeneous" } else { "" }
        ),
        Op::Activation { act, .. } => match act {
            ActKind::Plain(f) => f.to_string(),
            ActKind::Param { func, alpha } => format!("{func} {alpha}"),
            ActKind::Softmax => "softmax".to_string(),
            ActKind::HardSigmoid { slope, shift } => format!("hard_sigmoid {slope} {shift}"),
            ActKind::QKerasHard(f) => format!("{f} qkeras"),
            ActKind::PReLU => "prelu".to_string(),
        },
        Op::Concatenate { axis } => format!("axis={axis}"),
        Op::ZeroPadding1D { before, after, .. } | Op::Cropping1D { before, after, .. } => {
            format!("{before},{after}")
        }
        Op::ZeroPadding2D { sides, .. } | Op::Cropping2D { sides, .. } => format!(
            "{},{},{},{}",
            sides[0][0], sides[0][1], sides[1][0], sides[1][1]
        ),
        Op::Resize {
            out_height,
            out_width,
            ..
        } => format!("to {out_height}x{out_width}"),
        Op::LayerNorm {
            seq_len,
            dim,
            epsilon_power_of_10,
        } => format!("{seq_len}x{dim} eps=1e-{epsilon_power_of_10}"),
        Op::EinsumDense { recipe: r, .. } | Op::Einsum { recipe: r, .. } => format!(
            "L0={} L1={} C={} I={}",
            r.l0, r.l1, r.contract, r.inplace
        ),
        Op::Embedding {
            vocab_size, n_out, ..
        } => format!("{vocab_size}x{n_out}"),
        Op::Recurrent {
            cell,
            n_sequence,
            n_state,
            return_sequences,
            bidirectional,
            ..
        } => format!(
            "{}{} units={n_state} steps={n_sequence}{}",
            if *bidirectional { "bidirectional " } else { "" },
            cell.keras_class(),
            if *return_sequences { " sequences" } else { "" }
        ),
    };
    if a.is_empty() {
        a
    } else {
        format!("[{a}]")
    }
}
