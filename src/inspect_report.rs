//! The report of `presynth inspect` (one row per layer: shapes, parameters, MACs, resolved
//! precisions, reuse factor and strategy; totals; what a config changed), built from a
//! network for the CLI (src/cli/inspect.rs prints it) and the Python package. The CLI writes
//! it as an [`InspectStream`], which makes each row as it is written: a 100k-layer network
//! is never held as rows (issue 18).

use ir::{Network, NodeId};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// One layer: shapes, size and the settings that apply to it.
#[derive(Debug, Clone, Serialize)]
pub struct LayerRow {
    pub name: String,
    pub kind: String,
    pub input_shape: Vec<Vec<usize>>,
    pub output_shape: Vec<usize>,
    pub params: u64,
    pub macs: u64,
    pub weight_precision: String,
    pub result_precision: String,
    pub accum_precision: String,
    pub reuse_factor: u32,
    pub strategy: String,
    /// The fused activation's Keras name (`relu`, `softmax`, ...; `linear` when none).
    pub activation: String,
    /// The kind's attributes as the IR stores them (e.g. `{"Dense": {"units": 64, "use_bias":
    /// true}}`), so a script can rebuild the layer.
    pub attributes: serde_json::Value,
}

/// What `inspect --format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    pub name: String,
    pub layers: Vec<LayerRow>,
    pub total_params: u64,
    pub total_macs: u64,
    /// What `--config` changed against the model alone (empty without `--config`).
    pub config_changes: Vec<String>,
}

/// The row of layer `id`, with the settings resolved against the model's.
pub fn row(net: &Network, id: NodeId) -> LayerRow {
    let s = net.layer_stats(id);
    let layer = net.layer(id);
    let r = net.config.resolve(&layer.settings);
    LayerRow {
        name: s.name,
        kind: s.kind,
        input_shape: s.input_shape,
        output_shape: s.output_shape,
        params: s.params,
        macs: s.macs,
        weight_precision: r.weight.to_string(),
        result_precision: r.result.to_string(),
        accum_precision: r.accum.to_string(),
        reuse_factor: r.reuse_factor,
        strategy: r.strategy.to_string(),
        activation: layer.activation.name().to_string(),
        attributes: serde_json::to_value(&layer.kind).unwrap_or(serde_json::Value::Null),
    }
}

/// The layers in the order of the report (topological).
fn order(net: &Network) -> Vec<NodeId> {
    net.topo_order().unwrap_or_default()
}

/// One row per layer, with the settings resolved against the model's.
pub fn rows(net: &Network) -> Vec<LayerRow> {
    order(net).into_iter().map(|id| row(net, id)).collect()
}

/// Every model-level and per-layer setting that differs between `before` (the model alone) and
/// `after` (with a config applied), one line each.
pub fn config_changes(before: &Network, after: &Network) -> Vec<String> {
    let (b, a) = (&before.config, &after.config);
    let mut out = Vec::new();
    let mut model = |what: &str, x: String, y: String| {
        if x != y {
            out.push(format!("model {what}: {x} → {y}"));
        }
    };
    model("part", b.part.clone(), a.part.clone());
    model(
        "clock period (ns)",
        b.clock_period_ns.to_string(),
        a.clock_period_ns.to_string(),
    );
    model("io_type", b.io_type.to_string(), a.io_type.to_string());
    model(
        "precision",
        b.precision.to_string(),
        a.precision.to_string(),
    );
    model(
        "reuse factor",
        b.reuse_factor.to_string(),
        a.reuse_factor.to_string(),
    );
    model("strategy", b.strategy.to_string(), a.strategy.to_string());
    // A row of each at a time: a deep network is never held as rows.
    let pairs = order(before).into_iter().zip(order(after));
    for (x, y) in pairs.map(|(b, a)| (row(before, b), row(after, a))) {
        let mut d = Vec::new();
        for (what, p, q) in [
            ("weight", &x.weight_precision, &y.weight_precision),
            ("result", &x.result_precision, &y.result_precision),
            ("accum", &x.accum_precision, &y.accum_precision),
            ("strategy", &x.strategy, &y.strategy),
        ] {
            if p != q {
                d.push(format!("{what} {p} → {q}"));
            }
        }
        if x.reuse_factor != y.reuse_factor {
            d.push(format!("RF {} → {}", x.reuse_factor, y.reuse_factor));
        }
        if !d.is_empty() {
            out.push(format!("{}: {}", y.name, d.join(", ")));
        }
    }
    out
}

impl InspectReport {
    /// The report of `net`; `config_changes` from [`config_changes`] (empty without a config).
    pub fn new(net: &Network, config_changes: Vec<String>) -> Self {
        let s = InspectStream::new(net, config_changes);
        InspectReport {
            name: net.name.clone(),
            layers: (0..s.len()).map(|i| s.row(i)).collect(),
            total_params: s.total_params,
            total_macs: s.total_macs,
            config_changes: s.config_changes,
        }
    }
}

/// [`InspectReport`] without its rows: each is made from the network when it is asked for
/// ([`InspectStream::row`]) or serialised, so that writing the report of a deep network holds
/// the network and one row. Serialises to the same JSON as [`InspectReport`].
pub struct InspectStream<'a> {
    net: &'a Network,
    order: Vec<NodeId>,
    pub total_params: u64,
    pub total_macs: u64,
    pub config_changes: Vec<String>,
}

impl<'a> InspectStream<'a> {
    /// The report of `net`; `config_changes` from [`config_changes`] (empty without a config).
    pub fn new(net: &'a Network, config_changes: Vec<String>) -> Self {
        let order = order(net);
        let stats = || order.iter().map(|&id| net.layer_stats(id));
        InspectStream {
            net,
            total_params: stats().map(|s| s.params).sum(),
            total_macs: stats().map(|s| s.macs).sum(),
            order,
            config_changes,
        }
    }

    pub fn name(&self) -> &str {
        &self.net.name
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Row `i` (topological order).
    pub fn row(&self, i: usize) -> LayerRow {
        row(self.net, self.order[i])
    }
}

impl Serialize for InspectStream<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The rows, made one at a time as they are written.
        struct Rows<'r, 'a>(&'r InspectStream<'a>);
        impl Serialize for Rows<'_, '_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq((0..self.0.len()).map(|i| self.0.row(i)))
            }
        }
        // The fields of InspectReport, in its order.
        let mut st = serializer.serialize_struct("InspectReport", 5)?;
        st.serialize_field("name", &self.net.name)?;
        st.serialize_field("layers", &Rows(self))?;
        st.serialize_field("total_params", &self.total_params)?;
        st.serialize_field("total_macs", &self.total_macs)?;
        st.serialize_field("config_changes", &self.config_changes)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_writes_the_json_of_the_report() {
        // The truth is serde's derived serialisation of InspectReport (what `inspect --format
        // json` printed before the stream), on a network with branches, a config and overrides.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let net = frontends::load_model(&root.join("examples/residual.psn"), None, None).unwrap();
        let changes = vec!["model reuse factor: 1 → 4".to_string()];
        let report = InspectReport::new(&net, changes.clone());
        assert!(report.layers.len() > 5);
        let want = serde_json::to_string_pretty(&report).unwrap();
        let got = serde_json::to_string_pretty(&InspectStream::new(&net, changes)).unwrap();
        assert_eq!(got, want);
    }
}
