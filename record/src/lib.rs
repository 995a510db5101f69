//! The canonical dataset record: one network + HLS configuration, with its synthesis labels (if
//! any), success flag and provenance. Every source (generated manifests, synthesised project
//! trees, wa-hls4ml JSON, the shared CSVs) is turned into this one type, and every tool
//! (split, export, stats, the estimator's calibration) reads it.
//!
//! Label units (all integers, never made up):
//! - [`CsynthLabels`]: the HLS C-synthesis estimate (`<top>_csynth.xml`): resources with BRAM in
//!   18K blocks, latency best/worst in clock cycles, initiation interval in cycles.
//! - [`PostSynthLabels`]: Vivado logic synthesis (`vivado_synth.rpt`). `bram_18k` is in 18K
//!   blocks: sources that count 36K tiles ("Block RAM Tile", half steps) are converted with
//!   `bram_18k = 2 × tiles` by the ingester, which says so in [`Provenance::notes`].
//!
//! A failed synthesis has `success == Some(false)`, a `failure` reason and NO labels (never
//! zeros). A record that has not been synthesised yet (a generated manifest) has `success == None`.

use ir::{FixedType, HlsConfig, LayerKind, Network, Padding, PoolOp};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The network family, as in wa-hls4ml's subsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Dense,
    Conv1d,
    Conv2d,
    /// Networks with attention (MultiHeadAttention layers).
    Transformer,
    Other,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Dense => "dense",
            Family::Conv1d => "conv1d",
            Family::Conv2d => "conv2d",
            Family::Transformer => "transformer",
            Family::Other => "other",
        }
    }

    /// The family of a network: transformer if it has attention, else conv2d if it has a
    /// Conv2D layer, else conv1d if it has a Conv1D, else dense if it has a Dense layer.
    pub fn of(network: &Network) -> Family {
        let kinds: Vec<&LayerKind> = network.graph.node_weights().map(|l| &l.kind).collect();
        if kinds
            .iter()
            .any(|k| matches!(k, LayerKind::MultiHeadAttention(_)))
        {
            Family::Transformer
        } else if kinds.iter().any(|k| matches!(k, LayerKind::Conv2D(_))) {
            Family::Conv2d
        } else if kinds.iter().any(|k| matches!(k, LayerKind::Conv1D(_))) {
            Family::Conv1d
        } else if kinds.iter().any(|k| matches!(k, LayerKind::Dense(_))) {
            Family::Dense
        } else {
            Family::Other
        }
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Family {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "dense" => Ok(Family::Dense),
            "conv1d" => Ok(Family::Conv1d),
            "conv2d" => Ok(Family::Conv2d),
            "transformer" => Ok(Family::Transformer),
            "other" => Ok(Family::Other),
            _ => Err(format!(
                "unknown family '{s}' (expected dense, conv1d, conv2d, transformer)"
            )),
        }
    }
}

/// HLS C-synthesis labels. Latency and II are always from csynth; the resource estimates are
/// `None` when the source only kept post-synthesis resources (the wa-hls4ml CSV exports).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CsynthLabels {
    /// Best-case latency, clock cycles.
    pub latency_best_cycles: u64,
    /// Worst-case latency, clock cycles.
    pub latency_worst_cycles: u64,
    /// Initiation interval, min and max (cycles); `None` when the source has no true II.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ii_min: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ii_max: Option<u64>,
    /// The clock period the tool estimated, ns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_clock_ns: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lut: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ff: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsp: Option<u64>,
    /// BRAM in 18K blocks (csynth's own unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bram_18k: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uram: Option<u64>,
}

/// Post-logic-synthesis (Vivado) utilisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PostSynthLabels {
    pub lut: u64,
    pub ff: u64,
    pub dsp: u64,
    /// BRAM in 18K blocks. Sources in 36K tiles are converted as `2 × tiles` (see the record's
    /// provenance notes).
    pub bram_18k: u64,
    /// `None` when the report has no URAM row (7-series parts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uram: Option<u64>,
}

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Provenance {
    /// The source file (or project directory) the record was read from.
    pub source: String,
    /// 1-based position in the source: the CSV data row (header not counted), the JSONL line,
    /// or the index in a JSON array (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// The synthesis tool (`vitis_hls`, `vivado_hls`) or `presynth` for generated records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls4ml_version: Option<String>,
    /// The FPGA part as the source records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// The target clock period as the source records it, ns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_period_ns: Option<f64>,
    /// The model name in the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
    /// Generator seed (generated records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Unit conversions and caveats applied while ingesting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One dataset record: network + HLS settings + labels + provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Unique id within a dataset (e.g. `gen-0000000042`, `dense_80_24_120_6b_rf1024`).
    pub id: String,
    pub family: Family,
    /// The canonical architecture key: layer kinds, sizes, activations and wiring, without
    /// precision, reuse factor or strategy ([`architecture_key`]). Splits group by it.
    pub architecture: String,
    /// The full network, with per-layer settings. `None` when the source does not give the
    /// whole architecture (a conv2d CSV row, which has no kernel sizes, whose model is not one
    /// of the stored wa-hls4ml models in `ingest::wa_conv2d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
    /// Model-level HLS settings (precision default, reuse factor, strategy, io_type, part,
    /// clock, backend).
    pub hls: HlsConfig,
    /// The precision of the weights and biases of every Dense/Conv layer (wa-hls4ml's `prec`,
    /// `ap_fixed<X,1>`), when the source sets one uniformly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_precision: Option<FixedType>,
    /// `None`: not synthesised yet; `Some(true)`: labels present; `Some(false)`: failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// Why the synthesis failed (only when `success == Some(false)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csynth: Option<CsynthLabels>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_synth: Option<PostSynthLabels>,
    pub provenance: Provenance,
}

impl Record {
    /// A record for a network, with its family and architecture key derived from it; the HLS
    /// settings are the network's model-level config.
    pub fn from_network(id: impl Into<String>, network: Network, provenance: Provenance) -> Self {
        Record {
            id: id.into(),
            family: Family::of(&network),
            architecture: architecture_key(&network),
            hls: network.config.clone(),
            network: Some(network),
            weight_precision: None,
            success: None,
            failure: None,
            csynth: None,
            post_synth: None,
            provenance,
        }
    }

    /// Mark the record as a failed synthesis: drops any labels.
    pub fn set_failed(&mut self, reason: impl Into<String>) {
        self.success = Some(false);
        self.failure = Some(reason.into());
        self.csynth = None;
        self.post_synth = None;
    }

    /// Rebuild indices that serde does not carry (the network's name index).
    pub fn reindex(&mut self) {
        if let Some(n) = &mut self.network {
            n.reindex();
        }
    }

    /// The id as the name of the record's project directory (`projects/<id>/`): one plain path
    /// component. An absolute id, `.`/`..`, a separator or a control character would reach
    /// outside the dataset or break the task list, so it is refused with the reason.
    pub fn project_dir_name(&self) -> Result<&str, String> {
        check_project_id(&self.id).map(|()| self.id.as_str())
    }

    /// Check a record read from data with the frontends' checks ([`ir::validate::check_network`]:
    /// a consistent graph, the size limits of [`ir::limits`], no zero or empty shapes, finite
    /// weights; shapes are inferred again) and its settings (part name, reuse factor, clock).
    /// The message names the record and what is wrong.
    pub fn validate(&mut self) -> std::result::Result<(), String> {
        let id = self.id.clone();
        let bad = |m: String| format!("record {id:?}: {m}");
        if let Some(n) = &mut self.network {
            ir::validate::check_network(n).map_err(|e| bad(format!("network: {e}")))?;
            ir::names::check_part(&n.config.part).map_err(|e| bad(format!("network part: {e}")))?;
        }
        ir::names::check_part(&self.hls.part).map_err(|e| bad(format!("hls.part: {e}")))?;
        if self.hls.reuse_factor == 0 {
            return Err(bad("hls.reuse_factor: expected at least 1, found 0".into()));
        }
        if !(self.hls.clock_period_ns.is_finite() && self.hls.clock_period_ns > 0.0) {
            return Err(bad(format!(
                "hls.clock_period_ns: expected a positive number of ns, found {}",
                self.hls.clock_period_ns
            )));
        }
        Ok(())
    }

    /// The weight bit width: the uniform weight precision if set, else the model default.
    pub fn weight_bits(&self) -> u32 {
        self.weight_precision
            .as_ref()
            .unwrap_or(&self.hls.precision)
            .width()
    }
}

fn padding(p: Padding) -> &'static str {
    match p {
        Padding::Valid => "valid",
        Padding::Same => "same",
    }
}

fn pool(op: PoolOp) -> &'static str {
    match op {
        PoolOp::Max => "max",
        PoolOp::Average => "avg",
    }
}

/// `dwconv{R}d(m..,k..,s..,padding[,nobias]` (the closing parenthesis is the caller's).
fn depthwise_token<const R: usize>(d: &ir::ops::DepthwiseConv<R>) -> String {
    format!(
        "dwconv{R}d(m{},k{},s{},{}{}",
        d.depth_multiplier,
        dims(&d.kernel),
        dims(&d.stride),
        padding(d.padding),
        if d.use_bias { "" } else { ",nobias" }
    )
}

/// `sepconv{R}d(filters,m..,k..,s..,padding[,nobias]`.
fn separable_token<const R: usize>(s: &ir::ops::SeparableConv<R>) -> String {
    format!(
        "sepconv{R}d({},m{},k{},s{},{}{}",
        s.filters,
        s.depth_multiplier,
        dims(&s.kernel),
        dims(&s.stride),
        padding(s.padding),
        if s.use_bias { "" } else { ",nobias" }
    )
}

fn dims(v: &[usize]) -> String {
    v.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("x")
}

/// The canonical architecture key of a network: one token per layer in topological order
/// (kind and sizes, fused activation after `+`), joined by spaces; a layer that is not fed by
/// exactly the previous layer lists its inputs' positions after `<`. Layer names, precisions,
/// reuse factors and strategy are not part of it, so every HLS configuration of one
/// architecture shares the key. Example: `in(16) dense(32+relu) dense(5)`.
pub fn architecture_key(network: &Network) -> String {
    let order = network.topo_order().unwrap_or_default();
    let position: std::collections::HashMap<_, _> =
        order.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let mut out = String::new();
    for (i, &id) in order.iter().enumerate() {
        let layer = network.layer(id);
        if i > 0 {
            out.push(' ');
        }
        match &layer.kind {
            LayerKind::Input(ir::ops::Input { shape }) => write!(out, "in({})", dims(shape)),
            LayerKind::Dense(ir::ops::Dense { units, use_bias }) => {
                write!(
                    out,
                    "dense({units}{}",
                    if *use_bias { "" } else { ",nobias" }
                )
            }
            LayerKind::Conv1D(ir::ops::Conv1D {
                filters,
                kernel,
                stride,
                padding: p,
                use_bias,
            }) => write!(
                out,
                "conv1d({filters},k{kernel},s{stride},{}{}",
                padding(*p),
                if *use_bias { "" } else { ",nobias" }
            ),
            LayerKind::Conv2D(ir::ops::Conv2D {
                filters,
                kernel,
                stride,
                padding: p,
                use_bias,
            }) => write!(
                out,
                "conv2d({filters},k{},s{},{}{}",
                dims(kernel),
                dims(stride),
                padding(*p),
                if *use_bias { "" } else { ",nobias" }
            ),
            LayerKind::DepthwiseConv2D(d) => out.write_str(&depthwise_token(d)),
            LayerKind::SeparableConv2D(sep) => out.write_str(&separable_token(sep)),
            LayerKind::DepthwiseConv1D(d) => out.write_str(&depthwise_token(d)),
            LayerKind::SeparableConv1D(sep) => out.write_str(&separable_token(sep)),
            LayerKind::Recurrent(r) => write!(
                out,
                "{}({},{},{}{}{}{}{}{}",
                r.cell.keras_class().to_ascii_lowercase(),
                r.units,
                activation_token(&r.activation),
                activation_token(&r.recurrent_activation),
                if r.return_sequences { ",seq" } else { "" },
                if r.use_bias { "" } else { ",nobias" },
                if r.go_backwards { ",backwards" } else { "" },
                if r.reset_after { ",reset_after" } else { "" },
                r.bidirectional
                    .map(|m| format!(",bidir_{}", m.keras_name()))
                    .unwrap_or_default()
            ),
            LayerKind::ApplyAlpha => write!(out, "alpha("),
            LayerKind::PositionalAdd => write!(out, "posadd("),
            LayerKind::PReLU => write!(out, "prelu("),
            LayerKind::Dot => write!(out, "dot("),
            LayerKind::FixedPointQuantizer(fq) => write!(
                out,
                "fpq({},{},{}b",
                fq.quantizer.round_mode,
                fq.quantizer.overflow_mode,
                fq.element_bits().sum::<i32>()
            ),
            LayerKind::GarNet(g) => write!(
                out,
                "{}({}{}{}{}",
                if g.stack { "garnetstack" } else { "garnet" },
                g.transforms
                    .iter()
                    .map(|t| format!("p{}a{}f{}", t.n_propagate, t.n_aggregators, t.n_filters))
                    .collect::<Vec<_>>()
                    .join(","),
                g.collapse
                    .map(|c| format!(",{}", c.keras_name()))
                    .unwrap_or_default(),
                if g.mean_by_nvert { ",by_nvert" } else { "" },
                if g.quantize_transforms {
                    ",ternary"
                } else {
                    ""
                }
            ),
            // the wrapped layer's kind (its attributes, spaces removed) and fused activation
            LayerKind::TimeDistributed(t) => write!(
                out,
                "td({}+{}",
                format!("{:?}", t.layer.kind).replace(' ', ""),
                activation_token(&t.layer.activation)
            ),
            LayerKind::Permute(ir::ops::Permute { dims }) => write!(
                out,
                "permute({}",
                dims.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            LayerKind::Pool1D(ir::ops::Pool1D {
                op,
                pool: k,
                stride,
                padding: p,
            }) => write!(out, "{}pool1d({k},s{stride},{})", pool(*op), padding(*p)),
            LayerKind::Pool2D(ir::ops::Pool2D {
                op,
                pool: k,
                stride,
                padding: p,
            }) => write!(
                out,
                "{}pool2d({},s{},{})",
                pool(*op),
                dims(k),
                dims(stride),
                padding(*p)
            ),
            LayerKind::GlobalPool1D(ir::ops::GlobalPool1D { op }) => {
                write!(out, "global{}pool1d(", pool(*op))
            }
            LayerKind::GlobalPool2D(ir::ops::GlobalPool2D { op }) => {
                write!(out, "global{}pool2d(", pool(*op))
            }
            LayerKind::BatchNorm(ir::ops::BatchNorm {
                epsilon,
                center,
                scale,
            }) => write!(out, "batchnorm({epsilon},{center},{scale}"),
            LayerKind::Activation(a) => write!(out, "act({}", activation_token(a)),
            LayerKind::Flatten => write!(out, "flatten("),
            LayerKind::Reshape(ir::ops::Reshape { target }) => {
                write!(out, "reshape({}", dims(target))
            }
            LayerKind::Merge(m) => write!(out, "{}(", m.op.lower()),
            LayerKind::Concatenate(ir::ops::Concatenate { axis }) => write!(out, "concat({axis}"),
            LayerKind::Dropout(ir::ops::Dropout { rate }) => write!(out, "dropout({rate}"),
            LayerKind::ZeroPadding1D(ir::ops::ZeroPadding1D { pad }) => {
                write!(out, "zeropad1d({}", dims(pad))
            }
            LayerKind::ZeroPadding2D(ir::ops::ZeroPadding2D { pad }) => {
                write!(out, "zeropad2d({}", dims(pad.as_flattened()))
            }
            LayerKind::Cropping1D(ir::ops::Cropping1D { crop }) => {
                write!(out, "crop1d({}", dims(crop))
            }
            LayerKind::Cropping2D(ir::ops::Cropping2D { crop }) => {
                write!(out, "crop2d({}", dims(crop.as_flattened()))
            }
            LayerKind::UpSampling1D(ir::ops::UpSampling1D { size }) => {
                write!(out, "upsample1d({size}")
            }
            LayerKind::UpSampling2D(ir::ops::UpSampling2D { size }) => {
                write!(out, "upsample2d({}", dims(size))
            }
            LayerKind::MultiHeadAttention(m) => write!(
                out,
                "mha(h{},kv{},k{},v{},o{}{}{}",
                m.heads,
                m.kv_heads,
                m.key_dim,
                m.value_dim,
                m.output_dim.map_or("q".to_string(), |o| o.to_string()),
                if m.use_bias { "" } else { ",nobias" },
                if m.causal { ",causal" } else { "" }
            ),
            LayerKind::LayerNorm(ir::ops::LayerNorm {
                axes,
                epsilon,
                center,
                scale,
            }) => {
                let a: Vec<String> = axes.iter().map(|a| a.to_string()).collect();
                write!(out, "layernorm({},{epsilon},{center},{scale}", a.join("x"))
            }
            LayerKind::EinsumDense(ir::ops::EinsumDense {
                equation,
                output_shape,
                bias_axes,
            }) => {
                let o: Vec<String> = output_shape
                    .iter()
                    .map(|d| d.map_or("_".to_string(), |n| n.to_string()))
                    .collect();
                write!(
                    out,
                    "einsum_dense({equation},{},{}",
                    o.join("x"),
                    bias_axes.as_deref().unwrap_or("")
                )
            }
            LayerKind::Embedding(ir::ops::Embedding {
                input_dim,
                output_dim,
            }) => write!(out, "embedding({input_dim},{output_dim}"),
        }
        .expect("writing to a String cannot fail");
        if !matches!(
            layer.kind,
            LayerKind::Input(_) | LayerKind::Pool1D(_) | LayerKind::Pool2D(_)
        ) {
            if layer.kind.takes_activation() && !layer.activation.is_linear() {
                out.push('+');
                out.push_str(&activation_token(&layer.activation));
            }
            out.push(')');
        }
        let inputs: Vec<usize> = network
            .inputs_of(id)
            .iter()
            .filter_map(|s| position.get(s).copied())
            .collect();
        let chained = i == 0 || inputs.as_slice() == [i - 1];
        if !inputs.is_empty() && !chained {
            let list: Vec<String> = inputs.iter().map(|p| p.to_string()).collect();
            write!(out, "<{}", list.join(",")).expect("writing to a String cannot fail");
        }
    }
    out
}

fn activation_token(a: &ir::Activation) -> String {
    match a {
        ir::Activation::LeakyRelu { alpha }
        | ir::Activation::Elu { alpha }
        | ir::Activation::ThresholdedRelu { theta: alpha } => {
            format!("{}:{alpha}", a.name())
        }
        // QKeras's hard forms: their own tokens (another slope than Keras's hard_sigmoid)
        ir::Activation::QKerasHardSigmoid | ir::Activation::QKerasHardTanh => {
            format!("qkeras_{}", a.name())
        }
        other @ (ir::Activation::HardSigmoid
        | ir::Activation::HardTanh
        | ir::Activation::BinaryTanh
        | ir::Activation::Linear
        | ir::Activation::Relu
        | ir::Activation::Sigmoid
        | ir::Activation::Tanh
        | ir::Activation::Softmax
        | ir::Activation::Softplus
        | ir::Activation::Softsign
        | ir::Activation::Selu) => other.name().to_string(),
    }
}

/// Check that `id` can name a directory inside a dataset (see [`Record::project_dir_name`]).
pub fn check_project_id(id: &str) -> Result<(), String> {
    let bad = if id.is_empty() {
        Some("it is empty")
    } else if id == "." || id == ".." {
        Some("it names the current or parent directory")
    } else if id.contains('/') || id.contains('\\') {
        Some("it holds a path separator (an absolute or nested path)")
    } else if id.chars().any(|c| c.is_control()) {
        Some("it holds a control character")
    } else if id.len() > 255 {
        Some("it is longer than a file name may be (255 bytes)")
    } else {
        None
    };
    match bad {
        Some(why) => Err(format!(
            "record id {id:?} cannot name a project directory: {why}; expected one plain file name"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_would_leave_the_dataset_are_refused_as_paths() {
        for ok in ["gen00000042", "dense_80_24_120_6b_rf1024", "a.b-c"] {
            assert!(check_project_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "/etc", "../x", "a/b", "a\\b", "a\nb"] {
            let e = check_project_id(bad).unwrap_err();
            assert!(e.contains("cannot name a project directory"), "{e}");
        }
    }
    use ir::{Activation, Layer};

    fn mlp(widths: &[usize], act: Activation) -> Network {
        let mut n = Network::new("m");
        n.add_layer(
            Layer::new(
                "in",
                LayerKind::Input(ir::ops::Input {
                    shape: vec![widths[0]],
                }),
            ),
            &[],
        )
        .unwrap();
        let mut prev = "in".to_string();
        for (i, w) in widths[1..].iter().enumerate() {
            let name = format!("d{i}");
            n.add_layer(
                Layer::new(
                    &name,
                    LayerKind::Dense(ir::ops::Dense {
                        units: *w,
                        use_bias: true,
                    }),
                )
                .with_activation(act),
                &[&prev],
            )
            .unwrap();
            prev = name;
        }
        n.default_outputs();
        n
    }

    #[test]
    fn key_lists_layers_and_activations() {
        // Hand-written expectation for Input(16) -> Dense(32, relu) -> Dense(5, relu).
        let n = mlp(&[16, 32, 5], Activation::Relu);
        assert_eq!(architecture_key(&n), "in(16) dense(32+relu) dense(5+relu)");
        let m = mlp(&[16, 32, 5], Activation::Linear);
        assert_eq!(architecture_key(&m), "in(16) dense(32) dense(5)");
        // ELU's alpha is part of the key, as leaky ReLU's slope
        let e = mlp(&[16, 32, 5], Activation::Elu { alpha: 0.5 });
        assert_eq!(
            architecture_key(&e),
            "in(16) dense(32+elu:0.5) dense(5+elu:0.5)"
        );
    }

    #[test]
    fn key_ignores_names_and_settings_but_not_sizes() {
        let a = mlp(&[16, 32, 5], Activation::Relu);
        let mut b = mlp(&[16, 32, 5], Activation::Relu);
        b.name = "other".into();
        b.config.reuse_factor = 64;
        assert_eq!(architecture_key(&a), architecture_key(&b));
        let c = mlp(&[16, 33, 5], Activation::Relu);
        assert_ne!(architecture_key(&a), architecture_key(&c));
    }

    /// Input(4) feeding two Dense(4) and a merge of them.
    fn merged(op: ir::ops::MergeOp) -> Network {
        let mut n = mlp(&[4, 4], Activation::Linear);
        let dense = LayerKind::Dense(ir::ops::Dense {
            units: 4,
            use_bias: true,
        });
        n.add_layer(Layer::new("e", dense), &["in"]).unwrap();
        let m = LayerKind::Merge(ir::ops::Merge { op });
        n.add_layer(Layer::new("m", m), &["d0", "e"]).unwrap();
        n
    }

    #[test]
    fn records_written_before_the_merge_kind_still_load() {
        // Records written before Merge existed spell an Add layer's kind as the bare "Add".
        let r = Record::from_network("x", merged(ir::ops::MergeOp::Add), Provenance::default());
        let new = serde_json::to_string(&r).unwrap();
        let old = new.replace(r#"{"Merge":{"op":"Add"}}"#, r#""Add""#);
        assert_ne!(old, new);
        let mut back: Record = serde_json::from_str(&old).unwrap();
        back.reindex();
        assert_eq!(back, r);
        // the key of an Add is unchanged ("add("), so old datasets' keys still match
        let key = architecture_key(&merged(ir::ops::MergeOp::Add));
        assert_eq!(key, "in(4) dense(4) dense(4)<0 add()<1,2");
        let key = architecture_key(&merged(ir::ops::MergeOp::Maximum));
        assert_eq!(key, "in(4) dense(4) dense(4)<0 maximum()<1,2");
    }

    #[test]
    fn record_json_round_trip_keeps_network() {
        let n = mlp(&[8, 4], Activation::Relu);
        let mut r = Record::from_network("x", n, Provenance::default());
        r.csynth = Some(CsynthLabels {
            latency_best_cycles: 3,
            latency_worst_cycles: 4,
            lut: Some(10),
            ..Default::default()
        });
        let text = serde_json::to_string(&r).unwrap();
        let mut back: Record = serde_json::from_str(&text).unwrap();
        back.reindex();
        assert_eq!(back, r);
        assert!(back.network.as_ref().unwrap().find("d0").is_some());
        assert_eq!(back.family, Family::Dense);
    }
}
