//! The network graph: a petgraph `StableDiGraph` of [`Layer`]s whose edges carry the input
//! port, so multi-input layers (Add, Concatenate) keep their operand order. Named inputs and
//! outputs; layer names are unique.

use crate::layer::{Layer, LayerKind};
use crate::settings::HlsConfig;
use crate::IrError;
use petgraph::algo::toposort;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Index of a layer in a [`Network`].
pub type NodeId = NodeIndex<u32>;

/// A neural network: a DAG of layers plus model-level HLS settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Network {
    pub name: String,
    pub graph: StableDiGraph<Layer, usize>,
    /// Input layers, in the model's input order.
    pub inputs: Vec<NodeId>,
    /// Output layers, in the model's output order.
    pub outputs: Vec<NodeId>,
    pub config: HlsConfig,
    /// The config's `Model: Precision: maximum`: the widest type hls4ml's precision inference
    /// may give an `auto` type (`infer_precision_types`); `None`: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_precision: Option<crate::types::FixedType>,
    /// hls4ml's layer numbering where it is not the topological order (a Keras model with
    /// nested models, flattened as hls4ml's `expand_layer_group` does): layer names in the
    /// order hls4ml numbers them, `None` for an index it gives a node it later removes. Empty:
    /// the topological order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hls4ml_numbering: Vec<Option<String>>,
    /// The names of the nested models flattened into this network (a Keras model used as a
    /// layer): an hls4ml config may name them, and hls4ml applies such an entry to no layer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nested_models: Vec<String>,
    #[serde(skip)]
    by_name: HashMap<String, NodeId>,
}

impl PartialEq for Network {
    /// Two networks are equal when they have the same name, settings and the same layers
    /// (names, kinds, activations, settings, weights, shapes) wired the same way.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.config == other.config
            && self.max_precision == other.max_precision
            && self.hls4ml_numbering == other.hls4ml_numbering
            && self.nested_models == other.nested_models
            && self.same_structure(other, true)
    }
}

impl Network {
    pub fn new(name: impl Into<String>) -> Self {
        Network {
            name: name.into(),
            graph: StableDiGraph::default(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            config: HlsConfig::default(),
            max_precision: None,
            hls4ml_numbering: Vec::new(),
            nested_models: Vec::new(),
            by_name: HashMap::new(),
        }
    }

    /// Add a layer fed by the named layers (in operand order). An `Input` layer takes none and
    /// is registered as a network input.
    pub fn add_layer(&mut self, layer: Layer, inputs: &[&str]) -> Result<NodeId, IrError> {
        if self.by_name.contains_key(&layer.name) {
            return Err(IrError::DuplicateName(layer.name));
        }
        let mut sources = Vec::with_capacity(inputs.len());
        for name in inputs {
            sources.push(
                self.find(name)
                    .ok_or_else(|| IrError::UnknownLayer(name.to_string()))?,
            );
        }
        let err = |message: String| IrError::Layer {
            layer: layer.name.clone(),
            kind: layer.kind.name().to_string(),
            message,
        };
        match layer.kind.arity() {
            Some(n) if n != sources.len() => {
                return Err(err(format!("expects {n} input(s), got {}", sources.len())))
            }
            None if sources.len() < 2 => {
                return Err(err(format!(
                    "expects 2 or more inputs, got {}",
                    sources.len()
                )))
            }
            _ => {}
        }
        let is_input = matches!(layer.kind, LayerKind::Input(_));
        let name = layer.name.clone();
        let id = self.graph.add_node(layer);
        for (port, src) in sources.into_iter().enumerate() {
            self.graph.add_edge(src, id, port);
        }
        self.by_name.insert(name, id);
        if is_input {
            self.inputs.push(id);
        }
        Ok(id)
    }

    /// Look a layer up by name.
    pub fn find(&self, name: &str) -> Option<NodeId> {
        if self.by_name.len() == self.graph.node_count() {
            return self.by_name.get(name).copied();
        }
        // After deserialisation the name index is empty: fall back to a scan.
        self.graph
            .node_indices()
            .find(|&i| self.graph[i].name == name)
    }

    /// Rebuild the name index (needed after deserialising).
    pub fn reindex(&mut self) {
        self.by_name = self
            .graph
            .node_indices()
            .map(|i| (self.graph[i].name.clone(), i))
            .collect();
    }

    pub fn layer(&self, id: NodeId) -> &Layer {
        &self.graph[id]
    }
    pub fn layer_mut(&mut self, id: NodeId) -> &mut Layer {
        &mut self.graph[id]
    }

    /// The layers feeding `id`, in operand order.
    pub fn inputs_of(&self, id: NodeId) -> Vec<NodeId> {
        let mut e: Vec<(usize, NodeId)> = self
            .graph
            .edges_directed(id, Direction::Incoming)
            .map(|e| (*e.weight(), e.source()))
            .collect();
        e.sort();
        e.into_iter().map(|(_, s)| s).collect()
    }

    /// The layers that consume `id`'s output.
    pub fn consumers_of(&self, id: NodeId) -> Vec<NodeId> {
        let mut v: Vec<NodeId> = self
            .graph
            .neighbors_directed(id, Direction::Outgoing)
            .collect();
        v.sort();
        v
    }

    /// Mark the named layers as the network outputs (in order).
    pub fn set_outputs(&mut self, names: &[&str]) -> Result<(), IrError> {
        let mut outs = Vec::new();
        for n in names {
            outs.push(
                self.find(n)
                    .ok_or_else(|| IrError::UnknownLayer(n.to_string()))?,
            );
        }
        self.outputs = outs;
        Ok(())
    }

    /// Use the layers without consumers as outputs, in insertion order, if none were set.
    pub fn default_outputs(&mut self) {
        if self.outputs.is_empty() {
            self.outputs = self
                .graph
                .node_indices()
                .filter(|&i| {
                    self.graph
                        .neighbors_directed(i, Direction::Outgoing)
                        .next()
                        .is_none()
                })
                .collect();
        }
    }

    /// Layers in a topological order that keeps insertion order among independent layers.
    pub fn topo_order(&self) -> Result<Vec<NodeId>, IrError> {
        // petgraph's toposort is a DFS order; to be stable and readable we use Kahn's algorithm
        // with the smallest index first.
        toposort(&self.graph, None)
            .map_err(|c| IrError::Cycle(self.graph[c.node_id()].name.clone()))?;
        let mut indeg: HashMap<NodeId, usize> = self
            .graph
            .node_indices()
            .map(|i| (i, self.graph.edges_directed(i, Direction::Incoming).count()))
            .collect();
        let mut ready: std::collections::BTreeSet<NodeId> = indeg
            .iter()
            .filter(|(_, d)| **d == 0)
            .map(|(i, _)| *i)
            .collect();
        let mut order = Vec::with_capacity(indeg.len());
        while let Some(&n) = ready.iter().next() {
            ready.remove(&n);
            order.push(n);
            for m in self.graph.neighbors_directed(n, Direction::Outgoing) {
                let d = indeg.get_mut(&m).unwrap();
                *d -= 1;
                if *d == 0 {
                    ready.insert(m);
                }
            }
        }
        Ok(order)
    }

    /// Layers in topological order, as references.
    pub fn layers(&self) -> Vec<&Layer> {
        self.topo_order()
            .unwrap_or_default()
            .into_iter()
            .map(|i| &self.graph[i])
            .collect()
    }

    pub fn len(&self) -> usize {
        self.graph.node_count()
    }
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// Compare layer names, kinds, activations, settings, shapes and wiring; weights too when
    /// `with_weights`. Network name and model-level config are not compared.
    pub fn same_structure(&self, other: &Network, with_weights: bool) -> bool {
        let (Ok(a), Ok(b)) = (self.topo_order(), other.topo_order()) else {
            return false;
        };
        if a.len() != b.len() {
            return false;
        }
        let names = |n: &Network, ids: Vec<NodeId>| -> Vec<String> {
            ids.into_iter().map(|i| n.graph[i].name.clone()).collect()
        };
        if names(self, self.outputs.clone()) != names(other, other.outputs.clone())
            || names(self, self.inputs.clone()) != names(other, other.inputs.clone())
        {
            return false;
        }
        a.iter().zip(b.iter()).all(|(&x, &y)| {
            let (lx, ly) = (&self.graph[x], &other.graph[y]);
            lx.name == ly.name
                && lx.kind == ly.kind
                && lx.activation == ly.activation
                && lx.settings == ly.settings
                && lx.activation_settings == ly.activation_settings
                && lx.output_shape == ly.output_shape
                && (!with_weights
                    || (lx.weights == ly.weights
                        && lx.quantizer_params == ly.quantizer_params
                        && lx.hgq_quantizers == ly.hgq_quantizers
                        && lx.hgq_sub_quantizers == ly.hgq_sub_quantizers))
                && names(self, self.inputs_of(x)) == names(other, other.inputs_of(y))
        })
    }
}
