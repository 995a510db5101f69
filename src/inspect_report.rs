//! The report of `presynth inspect` (one row per layer: shapes, parameters, MACs, resolved
//! precisions, reuse factor and strategy; totals; what a config changed), built from a
//! network for the CLI (src/cli/inspect.rs prints it) and the Python package.

use ir::Network;
use serde::Serialize;

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

/// One row per layer, with the settings resolved against the model's.
pub fn rows(net: &Network) -> Vec<LayerRow> {
    net.stats()
        .into_iter()
        .map(|s| {
            let layer = net.find(&s.name).map(|id| net.layer(id));
            let r = layer
                .map(|l| net.config.resolve(&l.settings))
                .unwrap_or_else(|| net.config.resolve(&Default::default()));
            let activation = layer.map_or("linear", |l| l.activation.name()).to_string();
            let attributes = layer
                .and_then(|l| serde_json::to_value(&l.kind).ok())
                .unwrap_or(serde_json::Value::Null);
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
                activation,
                attributes,
            }
        })
        .collect()
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
    let (rb, ra) = (rows(before), rows(after));
    for (x, y) in rb.iter().zip(&ra) {
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
        let layers = rows(net);
        InspectReport {
            name: net.name.clone(),
            total_params: layers.iter().map(|s| s.params).sum(),
            total_macs: layers.iter().map(|s| s.macs).sum(),
            layers,
            config_changes,
        }
    }
}
