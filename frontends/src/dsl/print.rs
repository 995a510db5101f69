//! The DSL printer: writes a [`Network`] as DSL text that parses back to the same network
//! (structure, layer names, settings, network name, model config; not weights). Linear runs of
//! layers become `->` chains; a node gets a name only when another statement refers to it;
//! `name="..."` is written only where Keras-style auto-naming would give a different name.

use super::kinds::{call_parts, fmt_float, keras_prefix};
use super::syntax::KEYWORDS;
use ir::graph::{Network, NodeId};
use ir::layer::{Layer, LayerKind};
use ir::settings::{HlsConfig, LayerSettings, Strategy};
use std::collections::{HashMap, HashSet};

/// Lines longer than this put each `->` on its own line.
const WIDE: usize = 100;

/// Write `net` in the DSL. `parse(&to_dsl(&n))` equals `n` for any network without weights
/// whose shapes have been inferred and whose fused activations sit on Dense/Conv layers.
pub fn to_dsl(net: &Network) -> String {
    let order = net.topo_order().unwrap_or_default();
    let mut out = format!("network {}\n", quote(&net.name));
    let config = config_text(&net.config);
    if !config.is_empty() {
        out.push_str(&format!("config {{ {} }}\n", config.join(", ")));
    }

    let explicit_outputs = explicit_outputs(net);
    let out_set: HashSet<NodeId> = explicit_outputs.iter().flatten().copied().collect();
    // Does node order[k] continue the chain of order[k-1]?
    let mut continues: HashMap<NodeId, bool> = HashMap::new();
    for (k, &n) in order.iter().enumerate() {
        let ins = net.inputs_of(n);
        let single = !matches!(
            net.layer(n).kind,
            LayerKind::Input(_)
                | LayerKind::Merge(_)
                | LayerKind::Concatenate(_)
                | LayerKind::Dot
                | LayerKind::GarNet(_)
        );
        let c = k > 0
            && single
            && ins.len() == 1
            && ins[0] == order[k - 1]
            && net.consumers_of(ins[0]).len() == 1
            && !out_set.contains(&ins[0]);
        continues.insert(n, c);
    }
    // Node names for the nodes other statements refer to.
    let mut vars: HashMap<NodeId, String> = HashMap::new();
    let mut used: HashSet<String> = HashSet::new();
    for &n in &order {
        let referenced = net.consumers_of(n).iter().any(|c| !continues[c]) || out_set.contains(&n);
        if referenced {
            let v = var_name(&net.layer(n).name, &used);
            used.insert(v.clone());
            vars.insert(n, v);
        }
    }

    let mut uids: HashMap<&'static str, usize> = HashMap::new();
    let mut stmt: Vec<String> = Vec::new();
    let mut last: Option<NodeId> = None;
    let flush = |out: &mut String, stmt: &mut Vec<String>, last: Option<NodeId>| {
        if let Some(l) = last {
            if let Some(v) = vars.get(&l) {
                out.push_str(v);
                out.push_str(" = ");
            }
            let one_line = stmt.join(" -> ");
            if one_line.len() <= WIDE {
                out.push_str(&one_line);
            } else {
                out.push_str(&stmt.join("\n    -> "));
            }
            out.push('\n');
        }
        stmt.clear();
    };
    for &n in &order {
        let layer = net.layer(n);
        let operands: Vec<String> = net
            .inputs_of(n)
            .iter()
            .map(|i| vars.get(i).cloned().unwrap_or_default())
            .collect();
        let text = call_text(layer, &operands, &mut uids);
        if !continues[&n] {
            flush(&mut out, &mut stmt, last);
            if !matches!(
                layer.kind,
                LayerKind::Input(_)
                    | LayerKind::Merge(_)
                    | LayerKind::Concatenate(_)
                    | LayerKind::Dot
                    | LayerKind::GarNet(_)
            ) {
                stmt.push(operands.first().cloned().unwrap_or_default());
            }
        }
        stmt.push(text);
        last = Some(n);
    }
    flush(&mut out, &mut stmt, last);
    if let Some(outs) = explicit_outputs {
        let names: Vec<&str> = outs.iter().map(|o| vars[o].as_str()).collect();
        out.push_str(&format!("outputs {}\n", names.join(", ")));
    }
    out
}

/// The outputs, when they differ from the default (layers without consumers, in order).
fn explicit_outputs(net: &Network) -> Option<Vec<NodeId>> {
    if net.outputs.is_empty() {
        return None;
    }
    let default: Vec<NodeId> = net
        .graph
        .node_indices()
        .filter(|&i| net.consumers_of(i).is_empty())
        .collect();
    (default != net.outputs).then(|| net.outputs.clone())
}

/// A node name derived from the layer name: an identifier, not a keyword, not used yet.
fn var_name(layer: &str, used: &HashSet<String>) -> String {
    let mut base: String = layer
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        base.insert(0, 'n');
    }
    let mut v = base.clone();
    let mut k = 2;
    while used.contains(&v) || KEYWORDS.contains(&v.as_str()) {
        v = format!("{base}_{k}");
        k += 1;
    }
    v
}

/// One layer as DSL: `dense(64, relu, name="fc1") @ {reuse: 4}`. `uids` follows Keras's
/// auto-naming, so `name=` appears only where the parser would name the layer differently.
fn call_text(
    layer: &Layer,
    operands: &[String],
    uids: &mut HashMap<&'static str, usize>,
) -> String {
    let (dsl, mut args) = call_parts(layer, operands);
    let prefix = keras_prefix(&layer.kind);
    let next = uids.get(prefix).copied().unwrap_or(0) + 1;
    let auto = if next == 1 {
        prefix.to_string()
    } else {
        format!("{prefix}_{}", next - 1)
    };
    if layer.name == auto {
        uids.insert(prefix, next);
    } else {
        args.push(format!("name={}", quote(&layer.name)));
    }
    let mut s = if args.is_empty() {
        dsl.to_string()
    } else {
        format!("{dsl}({})", args.join(", "))
    };
    let settings = settings_text(&layer.settings);
    if !settings.is_empty() {
        s.push_str(&format!(" @ {{{}}}", settings.join(", ")));
    }
    s
}

fn strategy_text(s: Strategy) -> &'static str {
    match s {
        Strategy::Latency => "latency",
        Strategy::Resource => "resource",
    }
}

fn settings_text(s: &LayerSettings) -> Vec<String> {
    let p = &s.precision;
    let all = [&p.weight, &p.bias, &p.result, &p.accum, &p.scale];
    let mut out = Vec::new();
    match &p.weight {
        Some(w) if all.iter().all(|t| t.as_ref() == Some(w)) => out.push(format!("precision: {w}")),
        _ => {
            for (key, t) in ["weight", "bias", "result", "accum", "scale"]
                .iter()
                .zip(all)
            {
                if let Some(t) = t {
                    out.push(format!("{key}: {t}"));
                }
            }
        }
    }
    if let Some(r) = s.reuse_factor {
        out.push(format!("reuse: {r}"));
    }
    if let Some(st) = s.strategy {
        out.push(format!("strategy: {}", strategy_text(st)));
    }
    if let Some(z) = s.sparsity {
        out.push(format!("sparsity: {z}"));
    }
    out
}

/// The model settings that differ from hls4ml's defaults.
fn config_text(c: &HlsConfig) -> Vec<String> {
    let d = HlsConfig::default();
    let mut out = Vec::new();
    if c.precision != d.precision {
        out.push(format!("precision: {}", c.precision));
    }
    if c.reuse_factor != d.reuse_factor {
        out.push(format!("reuse: {}", c.reuse_factor));
    }
    if c.strategy != d.strategy {
        out.push(format!("strategy: {}", strategy_text(c.strategy)));
    }
    if c.io_type != d.io_type {
        out.push(format!("io: {}", c.io_type));
    }
    if c.part != d.part {
        out.push(format!("part: {}", bare_or_quoted(&c.part)));
    }
    if c.clock_period_ns != d.clock_period_ns {
        out.push(format!("clock: {}", fmt_float(c.clock_period_ns)));
    }
    if c.backend != d.backend {
        out.push(format!("backend: {}", bare_or_quoted(&c.backend)));
    }
    out
}

/// A settings value as a bare word when the parser reads it back unchanged, else quoted.
fn bare_or_quoted(s: &str) -> String {
    let bare = !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || ",;{}#\"<>".contains(c));
    if bare {
        s.to_string()
    } else {
        quote(s)
    }
}

/// A DSL string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
