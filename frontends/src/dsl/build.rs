//! From the DSL's AST to a [`Network`]: resolves node names, binds layer arguments, names
//! layers the way Keras 3 does, applies HLS settings, and runs shape inference. Every error
//! carries the position of the text that caused it.

use super::kinds::{self, keras_prefix, located, Args, Located, Role, Spec};
use super::line_col;
use super::syntax::{Call, Entry, Head, Spanned, Stmt, Value, KEYWORDS};
use ir::graph::{Network, NodeId};
use ir::layer::Layer;
use ir::settings::{HlsConfig, IoType, LayerSettings, Strategy};
use ir::shape::Shape;
use ir::types::FixedType;
use ir::IrError;
use std::collections::HashMap;

struct Builder<'s, 'a> {
    src: &'s str,
    net: Network,
    vars: HashMap<&'a str, (NodeId, usize)>,
    /// Position of the call that made each layer, by layer name.
    layer_at: HashMap<String, usize>,
    /// Keras's per-prefix name counters.
    uids: HashMap<&'static str, usize>,
    name_at: Option<usize>,
    config_at: Option<usize>,
    outputs: Option<Vec<Spanned<&'a str>>>,
}

/// Build the network the statements describe. `default_name` names it when the text has no
/// `network` statement.
pub fn build(src: &str, stmts: Vec<Stmt<'_>>, default_name: &str) -> Result<Network, Located> {
    let mut b = Builder {
        src,
        net: Network::new(default_name),
        vars: HashMap::new(),
        layer_at: HashMap::new(),
        uids: HashMap::new(),
        name_at: None,
        config_at: None,
        outputs: None,
    };
    for st in stmts {
        b.statement(st)?;
    }
    b.finish()
}

impl<'s, 'a> Builder<'s, 'a> {
    fn line_of(&self, tail: usize) -> usize {
        line_col(self.src, tail).0
    }

    fn statement(&mut self, st: Stmt<'a>) -> Result<(), Located> {
        match st {
            Stmt::Network(name) => {
                if let Some(first) = self.name_at {
                    return located(
                        name.tail,
                        format!(
                            "the network name is set twice (first on line {})",
                            self.line_of(first)
                        ),
                    );
                }
                self.name_at = Some(name.tail);
                self.net.name = name.v;
            }
            Stmt::Config(block) => {
                if let Some(first) = self.config_at {
                    return located(
                        block.tail,
                        format!(
                            "config is given twice (first on line {})",
                            self.line_of(first)
                        ),
                    );
                }
                self.config_at = Some(block.tail);
                self.net.config = model_config(&block.v)?;
            }
            Stmt::Outputs(refs) => {
                if self.outputs.is_some() {
                    return located(refs[0].tail, "outputs are given twice");
                }
                self.outputs = Some(refs);
            }
            Stmt::Chain { var, head, calls } => {
                let mut cur = match head {
                    Head::Ref(r) => self.lookup(&r)?,
                    Head::Call(c) => {
                        let spec = spec_of(&c)?;
                        if spec.role == Role::Single {
                            return located(
                                c.name.tail,
                                format!(
                                    "{} needs an input: chain it after a node, e.g. x -> {}, or start the chain with input(...)",
                                    spec.name, spec.example
                                ),
                            );
                        }
                        self.add_call(&c, spec, Vec::new())?
                    }
                };
                for c in &calls {
                    let spec = spec_of(c)?;
                    match spec.role {
                        Role::Single => {}
                        Role::Source => {
                            return located(c.name.tail, "input(...) starts a chain; it cannot follow '->'")
                        }
                        Role::Merge => {
                            return located(
                                c.name.tail,
                                format!(
                                    "{} takes its operands in parentheses and starts a chain, e.g. y = {}; it cannot follow '->'",
                                    spec.name, spec.example
                                ),
                            )
                        }
                    }
                    cur = self.add_call(c, spec, vec![cur])?;
                }
                if let Some(var) = var {
                    if KEYWORDS.contains(&var.v) {
                        return located(
                            var.tail,
                            format!("'{}' is a keyword; choose another node name", var.v),
                        );
                    }
                    if let Some((_, first)) = self.vars.get(var.v) {
                        return located(
                            var.tail,
                            format!(
                                "node '{}' is already defined on line {}",
                                var.v,
                                self.line_of(*first)
                            ),
                        );
                    }
                    self.vars.insert(var.v, (cur, var.tail));
                }
            }
        }
        Ok(())
    }

    fn lookup(&self, r: &Spanned<&'a str>) -> Result<NodeId, Located> {
        if let Some((id, _)) = self.vars.get(r.v) {
            return Ok(*id);
        }
        let hint = if kinds::is_layer(r.v) {
            format!("; {} is a layer and needs an input, e.g. x -> {}", r.v, r.v)
        } else if self.vars.is_empty() {
            "; no node is defined yet (define one with x = input(...))".to_string()
        } else {
            let mut names: Vec<&str> = self.vars.keys().copied().collect();
            names.sort_unstable();
            names.truncate(12);
            format!("; defined so far: {}", names.join(", "))
        };
        located(r.tail, format!("unknown node '{}'{hint}", r.v))
    }

    /// The nodes named as a call's variadic operands.
    fn operands(&self, spec: &Spec, args: &Args) -> Result<Vec<NodeId>, Located> {
        args.rest
            .iter()
            .map(|v| match v.v {
                Value::Word(w) => self.lookup(&Spanned { v: w, tail: v.tail }),
                _ => located(
                    v.tail,
                    format!(
                        "{}: operands must be node names; found {}",
                        spec.name,
                        v.v.describe()
                    ),
                ),
            })
            .collect()
    }

    fn add_call(
        &mut self,
        c: &Call<'a>,
        spec: &'static Spec,
        mut inputs: Vec<NodeId>,
    ) -> Result<NodeId, Located> {
        let args = Args::bind(spec, c)?;
        let (kind, activation) = (spec.build)(&args)?;
        if spec.role == Role::Single && spec.rest == Some("operand") {
            // attention: further operands after the chain's input (value, key); none is
            // self-attention, the chain's input also being the value
            inputs.extend(self.operands(spec, &args)?);
            if inputs.len() == 1 {
                inputs.push(inputs[0]);
            }
        }
        if spec.role == Role::Merge {
            inputs.extend(self.operands(spec, &args)?);
            if inputs.len() < 2 {
                return located(
                    c.name.tail,
                    format!(
                        "{} needs at least two operands, e.g. {}; found {}",
                        spec.name,
                        spec.example,
                        inputs.len()
                    ),
                );
            }
        }
        let name = match args.name()? {
            Some(n) => n,
            None => {
                let prefix = keras_prefix(&kind);
                let uid = self.uids.entry(prefix).or_insert(0);
                *uid += 1;
                if *uid == 1 {
                    prefix.to_string()
                } else {
                    format!("{prefix}_{}", *uid - 1)
                }
            }
        };
        if let Some(first) = self.layer_at.get(&name) {
            return located(
                c.name.tail,
                format!(
                    "duplicate layer name '{name}' (first used on line {})",
                    self.line_of(*first)
                ),
            );
        }
        let mut layer = Layer::new(name.clone(), kind).with_activation(activation);
        if let Some(block) = &c.settings {
            layer.settings = layer_settings(&block.v)?;
        }
        let names: Vec<String> = inputs
            .iter()
            .map(|i| self.net.layer(*i).name.clone())
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let id = self
            .net
            .add_layer(layer, &refs)
            .or_else(|e| located(c.name.tail, e.to_string()))?;
        self.layer_at.insert(name, c.name.tail);
        Ok(id)
    }

    /// Position of the layer an IR error is about, else the start of the text.
    fn ir_error(&self, e: IrError) -> Located {
        let tail = match &e {
            IrError::Layer { layer, .. } | IrError::Shape { layer, .. } => {
                self.layer_at.get(layer).copied()
            }
            IrError::UnknownLayer(l) | IrError::DuplicateName(l) | IrError::Cycle(l) => {
                self.layer_at.get(l).copied()
            }
            _ => None,
        };
        Located {
            tail: tail.unwrap_or(self.src.len()),
            message: e.to_string(),
        }
    }

    fn finish(mut self) -> Result<Network, Located> {
        if self.net.inputs.is_empty() {
            return located(
                self.src.len(),
                "the network has no input layer; start with a chain such as input(16) -> dense(8)",
            );
        }
        if let Some(outs) = self.outputs.take() {
            let mut names = Vec::new();
            for r in &outs {
                let id = self.lookup(r)?;
                names.push(self.net.layer(id).name.clone());
            }
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            self.net.set_outputs(&refs).map_err(|e| self.ir_error(e))?;
        }
        self.check_sizes()?;
        self.net.infer_shapes().map_err(|e| self.ir_error(e))?;
        Ok(self.net)
    }

    /// Infer shapes layer by layer and stop at the first layer whose output would exceed
    /// [`ir::limits::MAX_ELEMENTS`] values or whose cost would exceed [`ir::limits::MAX_COST`], before
    /// any arithmetic can overflow ([`ir::validate::checked_output`]).
    fn check_sizes(&mut self) -> Result<(), Located> {
        let order = self.net.topo_order().map_err(|e| self.ir_error(e))?;
        for id in order {
            let ins: Vec<Shape> = self
                .net
                .inputs_of(id)
                .into_iter()
                .map(|i| self.net.layer(i).output_shape.clone())
                .collect();
            let layer = self.net.layer(id);
            let out = match ir::validate::checked_output(layer, &ins) {
                Ok(out) => out,
                Err(ir::validate::SizeError::Ir(e)) => return Err(self.ir_error(e)),
                Err(ir::validate::SizeError::TooBig(m)) => {
                    let tail = self
                        .layer_at
                        .get(&layer.name)
                        .copied()
                        .unwrap_or(self.src.len());
                    return located(tail, format!("layer '{}': {m}", layer.name));
                }
            };
            self.net.layer_mut(id).output_shape = out;
        }
        Ok(())
    }
}

fn spec_of(c: &Call) -> Result<&'static Spec, Located> {
    kinds::spec(c.name.v).map_or_else(
        || located(c.name.tail, format!("unknown layer '{}'", c.name.v)),
        Ok,
    )
}

// ---------------------------------------------------------------------------------------------
// Settings

fn setting_err<T>(e: &Entry, message: impl std::fmt::Display) -> Result<T, Located> {
    located(e.value.tail, format!("setting '{}': {message}", e.key.v))
}

fn fixed(e: &Entry) -> Result<FixedType, Located> {
    e.value
        .v
        .parse::<FixedType>()
        .or_else(|err| setting_err(e, err))
}

fn reuse(e: &Entry) -> Result<u32, Located> {
    match e.value.v.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => setting_err(
            e,
            format!(
                "expected a positive integer reuse factor; found '{}'",
                e.value.v
            ),
        ),
    }
}

/// A fraction of zero weights, `0 ≤ s < 1`.
fn sparsity(e: &Entry) -> Result<f64, Located> {
    match e.value.v.parse::<f64>() {
        Ok(s) if (0.0..1.0).contains(&s) => Ok(s),
        _ => setting_err(
            e,
            format!(
                "expected a sparsity (fraction of zero weights) in [0, 1); found '{}'",
                e.value.v
            ),
        ),
    }
}

fn strategy(e: &Entry) -> Result<Strategy, Located> {
    e.value
        .v
        .parse::<Strategy>()
        .or_else(|err| setting_err(e, err))
}

/// Check for unknown and repeated keys; return each entry with its canonical key.
fn canonical<'e, 'a>(
    entries: &'e [Entry<'a>],
    keys: &[(&'static str, &'static [&'static str])],
    what: &str,
) -> Result<Vec<(&'static str, &'e Entry<'a>)>, Located> {
    let mut out: Vec<(&'static str, &Entry)> = Vec::new();
    for e in entries {
        let Some((key, _)) = keys
            .iter()
            .find(|(k, aliases)| *k == e.key.v || aliases.contains(&e.key.v))
        else {
            let names: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
            return located(
                e.key.tail,
                format!(
                    "unknown {what} setting '{}'; expected one of {}",
                    e.key.v,
                    names.join(", ")
                ),
            );
        };
        if out.iter().any(|(k, _)| k == key) {
            return located(e.key.tail, format!("setting '{}' is given twice", e.key.v));
        }
        out.push((key, e));
    }
    Ok(out)
}

const LAYER_KEYS: &[(&str, &[&str])] = &[
    ("precision", &[]),
    ("weight", &[]),
    ("bias", &[]),
    ("result", &[]),
    ("accum", &[]),
    ("scale", &[]),
    ("reuse", &["reuse_factor"]),
    ("strategy", &[]),
    ("sparsity", &[]),
];

/// Per-layer settings: `precision` sets all five precisions; `weight`, `bias`, `result`,
/// `accum` and `scale` set one (after `precision`, whatever their order).
fn layer_settings(entries: &[Entry]) -> Result<LayerSettings, Located> {
    let mut s = LayerSettings::default();
    let entries = canonical(entries, LAYER_KEYS, "layer")?;
    if let Some((_, e)) = entries.iter().find(|(k, _)| *k == "precision") {
        let t = fixed(e)?;
        let p = &mut s.precision;
        for slot in [
            &mut p.weight,
            &mut p.bias,
            &mut p.result,
            &mut p.accum,
            &mut p.scale,
        ] {
            *slot = Some(t.clone());
        }
    }
    for (key, e) in entries {
        let p = &mut s.precision;
        match key {
            "weight" => p.weight = Some(fixed(e)?),
            "bias" => p.bias = Some(fixed(e)?),
            "result" => p.result = Some(fixed(e)?),
            "accum" => p.accum = Some(fixed(e)?),
            "scale" => p.scale = Some(fixed(e)?),
            "reuse" => s.reuse_factor = Some(reuse(e)?),
            "strategy" => s.strategy = Some(strategy(e)?),
            "sparsity" => s.sparsity = Some(sparsity(e)?),
            _ => {}
        }
    }
    Ok(s)
}

const MODEL_KEYS: &[(&str, &[&str])] = &[
    ("precision", &[]),
    ("reuse", &["reuse_factor"]),
    ("strategy", &[]),
    ("io", &["io_type"]),
    ("part", &[]),
    ("clock", &["clock_period"]),
    ("backend", &[]),
];

/// Model-level settings; unset fields keep hls4ml's defaults.
fn model_config(entries: &[Entry]) -> Result<HlsConfig, Located> {
    let mut c = HlsConfig::default();
    for (key, e) in canonical(entries, MODEL_KEYS, "model")? {
        match key {
            "precision" => c.precision = fixed(e)?,
            "reuse" => c.reuse_factor = reuse(e)?,
            "strategy" => c.strategy = strategy(e)?,
            "io" => {
                c.io_type = e
                    .value
                    .v
                    .parse::<IoType>()
                    .or_else(|err| setting_err(e, err))?
            }
            "part" | "backend" if e.value.v.is_empty() => {
                return setting_err(e, "expected a non-empty name")
            }
            "part" => {
                ir::names::check_part(&e.value.v).or_else(|m| setting_err(e, m))?;
                c.part = e.value.v.clone()
            }
            "backend" => c.backend = e.value.v.clone(),
            "clock" => match e.value.v.parse::<f64>() {
                Ok(v) if v > 0.0 && v.is_finite() => c.clock_period_ns = v,
                _ => {
                    return setting_err(
                        e,
                        format!(
                            "expected a positive clock period in ns; found '{}'",
                            e.value.v
                        ),
                    )
                }
            },
            _ => {}
        }
    }
    Ok(c)
}
