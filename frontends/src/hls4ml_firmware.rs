//! Rebuild a network from the C++ an hls4ml project holds, for projects whose model file is
//! gone: the top-level function (`firmware/<ProjectName>.cpp`: the inputs, and one
//! `nnet::<function><types..., configN>(inputs, output, weights); // layer name` call per layer),
//! the config structs of `firmware/parameters.h` (sizes, strategy, reuse factor, the layer's type
//! names), the typedefs of `firmware/defines.h` (the exact types hls4ml chose, `auto` resolved)
//! and the weight values of `firmware/weights/*.txt`. io_parallel projects of the Vivado/Vitis
//! backends, as hls4ml 1.3.0's templates (`backends/vivado/passes/*_templates.py`) write them.
//!
//! Layer kinds read back: dense, conv_1d_cl/conv_2d_cl, pooling1d_cl/pooling2d_cl, the global
//! poolings, normalize (BatchNormalization; hls4ml keeps only its folded scale and bias, which
//! are read back as gamma/beta with mean 0 and variance 1−ε, the same function), the activations
//! the IR has, merges (add, concatenate) and the `auto& out = in;` of Flatten/Reshape.
//! An activation called `{layer}_{activation}` right after a Dense/Conv layer is folded back into
//! it, as the Keras layer had it. Weights of the Resource strategy, which hls4ml stores
//! transposed, are put back in Keras order.

use crate::error::{display, FrontendError};
use ir::graph::Network;
use ir::layer::{Activation, Layer, LayerKind, Padding, PoolOp, Tensor};
use ir::settings::Strategy;
use ir::types::FixedType;
use std::collections::HashMap;
use std::path::Path;

/// One `nnet::` call of the top-level function.
#[derive(Debug)]
struct Call {
    func: String,
    targs: Vec<String>,
    args: Vec<String>,
    /// The layer name in the trailing `// name` comment.
    name: String,
    line: usize,
}

/// One statement of the top-level function that the rebuild reads.
#[derive(Debug)]
enum Stmt {
    Call(Call),
    /// `auto& layer8_out = layer7_out;` (Flatten / Reshape in io_parallel).
    Alias {
        out: String,
        input: String,
    },
}

/// A config struct of parameters.h: `static const ... key = value;` and `typedef T name;`.
#[derive(Debug, Default)]
struct Config {
    values: HashMap<String, String>,
    typedefs: HashMap<String, String>,
}

/// Split at commas outside `<>`, `()` and `[]`.
fn split_top(s: &str) -> Vec<String> {
    let (mut depth, mut cur, mut out) = (0i32, String::new(), Vec::new());
    for c in s.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// The text between the `open` at `start` and its matching `close`.
fn matched(s: &str, start: usize, open: char, close: char) -> Option<(&str, usize)> {
    let mut depth = 0;
    for (i, c) in s[start..].char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some((&s[start + 1..start + i], start + i + 1));
            }
        }
    }
    None
}

fn parse_call(line: &str, lineno: usize) -> Option<Call> {
    let rest = line.trim().strip_prefix("nnet::")?;
    let lt = rest.find('<')?;
    let func = rest[..lt].trim().to_string();
    let (targs, after) = matched(rest, lt, '<', '>')?;
    let paren = after + rest[after..].find('(')?;
    let (args, after) = matched(rest, paren, '(', ')')?;
    let name = rest[after..]
        .split_once("//")
        .map(|(_, c)| c.trim().to_string())
        .unwrap_or_default();
    Some(Call {
        func,
        targs: split_top(targs),
        args: split_top(args),
        name,
        line: lineno,
    })
}

/// The top function's inputs (name, element count) and statements.
type TopFunction = (Vec<(String, usize)>, Vec<Stmt>);

/// The top function's parameters (`input_t input_1[10*4]` → ("input_1", 40)) and statements.
fn parse_top(file: &str, text: &str, project: &str) -> Result<TopFunction, FrontendError> {
    let sig = format!("void {project}(");
    let start = text.find(&sig).ok_or_else(|| {
        FrontendError::config(
            file,
            "top function",
            format!("expected 'void {project}(...)', the function hls4ml writes"),
        )
    })?;
    let open = start + sig.len() - 1;
    let (params, _) = matched(text, open, '(', ')').ok_or_else(|| {
        FrontendError::config(file, "top function", "unterminated parameter list")
    })?;
    let mut inputs = Vec::new();
    // hls4ml names the inputs' types input_t, input2_t, ... and the outputs' result_t, ...
    for p in split_top(params)
        .iter()
        .filter(|p| p.trim_start().starts_with("input") || p.contains("hls::stream<input"))
    {
        if p.contains("hls::stream") {
            return Err(FrontendError::config(
                file,
                "top function",
                "an io_stream project: only io_parallel firmware can be read back (keep the model file beside hls4ml_config.yml)",
            ));
        }
        let (decl, dims) = p.split_once('[').ok_or_else(|| {
            FrontendError::field(file, "top function parameter", "TYPE NAME[SIZE]", p.clone())
        })?;
        let name = decl
            .split_whitespace()
            .last()
            .unwrap_or_default()
            .to_string();
        let size = dims
            .trim_end_matches(']')
            .split('*')
            .map(|d| d.trim().parse::<usize>())
            .product::<Result<usize, _>>()
            .map_err(|_| {
                FrontendError::field(
                    file,
                    format!("parameter {name}"),
                    "a size such as 10*4",
                    dims.to_string(),
                )
            })?;
        inputs.push((name, size));
    }
    let body_start = text[open..]
        .find('{')
        .map(|i| open + i)
        .unwrap_or(text.len());
    let mut stmts = Vec::new();
    for (i, line) in text[body_start..].lines().enumerate() {
        let lineno = text[..body_start].lines().count() + i;
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("auto&") {
            if let Some((out, input)) = rest.trim_end_matches(';').split_once('=') {
                stmts.push(Stmt::Alias {
                    out: out.trim().to_string(),
                    input: input.trim().to_string(),
                });
            }
        } else if t.starts_with("nnet::") && !t.starts_with("nnet::load_weights") {
            let call = parse_call(t, lineno).ok_or_else(|| {
                FrontendError::config(
                    file,
                    format!("line {lineno}"),
                    format!("cannot read the layer call '{t}'"),
                )
            })?;
            stmts.push(Stmt::Call(call));
        }
    }
    Ok((inputs, stmts))
}

/// Every config struct of parameters.h by name.
fn parse_parameters(text: &str) -> HashMap<String, Config> {
    let mut out: HashMap<String, Config> = HashMap::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("struct ") {
            if let Some((name, _)) = rest.split_once(':').or_else(|| rest.split_once('{')) {
                let name = name.trim().to_string();
                out.entry(name.clone()).or_default();
                cur = Some(name);
            }
            continue;
        }
        if t.starts_with("};") {
            cur = None;
            continue;
        }
        let Some(c) = cur.as_ref().and_then(|n| out.get_mut(n)) else {
            continue;
        };
        if let Some(rest) = t.strip_prefix("typedef ") {
            if let Some((ty, name)) = rest.trim_end_matches(';').rsplit_once(' ') {
                c.typedefs
                    .insert(name.trim().to_string(), ty.trim().to_string());
            }
        } else if t.starts_with("static const") || t.starts_with("static constexpr") {
            if let Some((lhs, rhs)) = t.trim_end_matches(';').split_once('=') {
                if let Some(key) = lhs.split_whitespace().last() {
                    c.values.insert(key.to_string(), rhs.trim().to_string());
                }
            }
        }
    }
    out
}

/// `typedef ap_fixed<16,6> input_t;` lines of defines.h.
fn parse_defines(file: &str, text: &str) -> Result<HashMap<String, FixedType>, FrontendError> {
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.trim().strip_prefix("typedef ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let Some((ty, name)) = rest.rsplit_once(' ') else {
            continue;
        };
        if !ty.trim_start().starts_with("ap_") {
            continue; // nnet::array<...> and other non-scalar typedefs
        }
        let t = ty
            .parse::<FixedType>()
            .map_err(|e| FrontendError::config(file, format!("line {}", i + 1), e.to_string()))?;
        out.insert(name.trim().to_string(), t);
    }
    Ok(out)
}

/// Comma-separated values of a weights file, `expected` of them.
fn read_weights(path: &Path, expected: usize) -> Result<Vec<f32>, FrontendError> {
    let file = display(path);
    let text = std::fs::read_to_string(path).map_err(|e| FrontendError::io(path, e))?;
    let mut out = Vec::with_capacity(expected);
    for (i, v) in text
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .enumerate()
    {
        out.push(v.parse::<f32>().map_err(|_| {
            FrontendError::field(
                &file,
                format!("value {}", i + 1),
                "a number",
                format!("'{v}'"),
            )
        })?);
    }
    if out.len() != expected {
        return Err(FrontendError::weights(
            &file,
            format!(
                "expected {expected} values (from parameters.h), found {}",
                out.len()
            ),
        ));
    }
    Ok(out)
}

/// Undo a permutation: `data` is `shape` permuted by `perm` (hls4ml's `np.transpose(w, perm)`).
fn untranspose(data: &[f32], shape: &[usize], perm: &[usize]) -> Vec<f32> {
    let tshape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let strides = |s: &[usize]| -> Vec<usize> {
        let mut st = vec![1; s.len()];
        for i in (0..s.len().saturating_sub(1)).rev() {
            st[i] = st[i + 1] * s[i + 1];
        }
        st
    };
    let (so, st) = (strides(shape), strides(&tshape));
    let mut out = vec![0.0; data.len()];
    let mut idx = vec![0usize; shape.len()];
    for (flat, slot) in out.iter_mut().enumerate() {
        let mut rem = flat;
        for d in 0..shape.len() {
            idx[d] = rem / so[d];
            rem %= so[d];
        }
        let t: usize = perm.iter().enumerate().map(|(k, &p)| idx[p] * st[k]).sum();
        *slot = data[t];
    }
    out
}

struct Reader<'a> {
    file: String,
    params_file: String,
    dir: &'a Path,
    configs: HashMap<String, Config>,
    types: HashMap<String, FixedType>,
}

impl Reader<'_> {
    fn config(&self, call: &Call) -> Result<&Config, FrontendError> {
        let name = call.targs.last().cloned().unwrap_or_default();
        self.configs.get(&name).ok_or_else(|| {
            FrontendError::config(
                &self.params_file,
                &call.name,
                format!(
                    "no struct {name} (the config of {} in {})",
                    call.func, self.file
                ),
            )
        })
    }
    fn num(&self, call: &Call, c: &Config, key: &str) -> Result<usize, FrontendError> {
        c.values
            .get(key)
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or_else(|| {
                FrontendError::field(
                    &self.params_file,
                    format!("{}.{key}", call.targs.last().cloned().unwrap_or_default()),
                    "an unsigned number",
                    c.values
                        .get(key)
                        .cloned()
                        .unwrap_or_else(|| "nothing".into()),
                )
            })
    }
    fn ty(&self, name: &str) -> Option<FixedType> {
        self.types.get(name).cloned()
    }
    fn weights(&self, var: &str, n: usize) -> Result<Vec<f32>, FrontendError> {
        read_weights(
            &self
                .dir
                .join("firmware")
                .join("weights")
                .join(format!("{var}.txt")),
            n,
        )
    }
}

fn padding(c: &Config, keys: &[&str]) -> Padding {
    let any = keys
        .iter()
        .any(|k| c.values.get(*k).is_some_and(|v| v != "0"));
    if any {
        Padding::Same
    } else {
        Padding::Valid
    }
}

fn pool_op(c: &Config) -> PoolOp {
    match c.values.get("pool_op").map(String::as_str) {
        Some("nnet::Average") => PoolOp::Average,
        _ => PoolOp::Max,
    }
}

fn activation_of(func: &str, call: &Call) -> Option<Activation> {
    Some(match func {
        "relu" => Activation::Relu,
        "sigmoid" => Activation::Sigmoid,
        "tanh" => Activation::Tanh,
        "softmax" => Activation::Softmax,
        "softplus" => Activation::Softplus,
        "softsign" => Activation::Softsign,
        "selu" => Activation::Selu,
        "linear" => Activation::Linear,
        "elu" => Activation::Elu {
            alpha: call.args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1.0),
        },
        "leaky_relu" => Activation::LeakyRelu {
            alpha: call.args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0.3),
        },
        _ => return None,
    })
}

/// Rebuild the network of the hls4ml project in `dir`; `project` is its ProjectName and
/// `layer_names` the names of the config's `LayerName` section (used to name the
/// Flatten/Reshape layer the C++ keeps only as an `auto&` alias).
pub fn rebuild(
    dir: &Path,
    project: &str,
    layer_names: &[String],
) -> Result<Network, FrontendError> {
    let fw = dir.join("firmware");
    let read = |name: &str| -> Result<(String, String), FrontendError> {
        let p = fw.join(name);
        let text = std::fs::read_to_string(&p).map_err(|e| FrontendError::io(&p, e))?;
        Ok((display(&p), text))
    };
    let (cpp_file, cpp) = read(&format!("{project}.cpp"))?;
    let (params_file, params) = read("parameters.h")?;
    let (defines_file, defines) = read("defines.h")?;
    let r = Reader {
        file: cpp_file.clone(),
        params_file,
        dir,
        configs: parse_parameters(&params),
        types: parse_defines(&defines_file, &defines)?,
    };
    let (inputs, stmts) = parse_top(&cpp_file, &cpp, project)?;
    let mut net = Network::new(project);
    // C++ variable → IR layer that produces it.
    let mut producer: HashMap<String, String> = HashMap::new();
    for (name, size) in &inputs {
        // The input's shape is what its first consumer reads.
        let mut shape = vec![*size];
        for s in &stmts {
            if let Stmt::Call(c) = s {
                if c.args.first() == Some(name) {
                    let cfg = r.config(c)?;
                    let n = |k| r.num(c, cfg, k);
                    shape = match c.func.as_str() {
                        "conv_1d_cl" | "pooling1d_cl" => vec![n("in_width")?, n("n_chan")?],
                        "conv_2d_cl" | "pooling2d_cl" => {
                            vec![n("in_height")?, n("in_width")?, n("n_chan")?]
                        }
                        _ => vec![*size],
                    };
                    break;
                }
            }
        }
        let mut l = Layer::new(name.clone(), LayerKind::Input(ir::ops::Input { shape }));
        l.settings.precision.result = r.ty("input_t");
        net.add_layer(l, &[])
            .map_err(|e| FrontendError::ir(&cpp_file, e))?;
        producer.insert(name.clone(), name.clone());
    }
    let mut unsupported = Vec::new();
    // `auto& out = in;` lines come with the declarations, before the calls: a Flatten layer is
    // made when a call first reads `out`.
    let aliases: HashMap<String, String> = stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Alias { out, input } => Some((out.clone(), input.clone())),
            Stmt::Call(_) => None,
        })
        .collect();
    let calls: Vec<&Call> = stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Call(c) => Some(c),
            Stmt::Alias { .. } => None,
        })
        .collect();
    // The config's name for a Flatten/Reshape: hls4ml writes LayerName sorted, so it can only
    // be the one entry no call and no input has (Dropout layers, also gone from the C++, make
    // that ambiguous: then the C++ variable names the layer).
    let alias_name: Option<String> = {
        let taken =
            |n: &String| calls.iter().any(|c| &c.name == n) || inputs.iter().any(|(i, _)| i == n);
        let free: Vec<&String> = layer_names.iter().filter(|n| !taken(n)).collect();
        match free.as_slice() {
            [one] => Some((*one).clone()),
            many => {
                let flat: Vec<&&String> = many
                    .iter()
                    .filter(|n| n.contains("flatten") || n.contains("reshape"))
                    .collect();
                match flat.as_slice() {
                    [one] => Some((**one).clone()),
                    _ => None,
                }
            }
        }
    };
    for call in calls {
        for var in &call.args {
            let mut chain = Vec::new();
            let mut v = var.clone();
            while !producer.contains_key(&v) {
                match aliases.get(&v) {
                    Some(src) if chain.len() < aliases.len() => {
                        chain.push(v.clone());
                        v = src.clone();
                    }
                    _ => break,
                }
            }
            if !producer.contains_key(&v) {
                continue;
            }
            for out in chain.into_iter().rev() {
                let src = producer[&v].clone();
                let from_cfg = (aliases.len() == 1)
                    .then(|| alias_name.clone())
                    .flatten()
                    .filter(|n| net.find(n).is_none());
                let name = from_cfg.unwrap_or_else(|| out.trim_end_matches("_out").to_string());
                net.add_layer(
                    Layer::new(name.clone(), LayerKind::Flatten),
                    &[src.as_str()],
                )
                .map_err(|e| FrontendError::ir(&cpp_file, e))?;
                producer.insert(out.clone(), name);
                v = out;
            }
        }
        let cfg = r.config(call)?;
        let n = |k: &str| r.num(call, cfg, k);
        let resource = cfg
            .values
            .get("strategy")
            .is_some_and(|v| v.contains("resource"));
        let input_of = |i: usize| -> Result<String, FrontendError> {
            let var = call.args.get(i).cloned().unwrap_or_default();
            producer.get(&var).cloned().ok_or_else(|| {
                FrontendError::config(
                    &cpp_file,
                    format!("line {}", call.line),
                    format!("'{var}' is not produced by an earlier layer"),
                )
            })
        };
        // The call's i-th argument, or an error naming the line.
        let arg = |i: usize| -> Result<&str, FrontendError> {
            call.args.get(i).map(String::as_str).ok_or_else(|| {
                FrontendError::config(
                    &cpp_file,
                    format!("line {}", call.line),
                    format!(
                        "nnet::{} needs at least {} arguments, found {}",
                        call.func,
                        i + 1,
                        call.args.len()
                    ),
                )
            })
        };
        let typedef = |k: &str| cfg.typedefs.get(k).and_then(|t| r.ty(t));
        let out_ty = call
            .targs
            .get(call.targs.len().saturating_sub(2))
            .and_then(|t| r.ty(t));
        let merge = |op| (LayerKind::Merge(ir::ops::Merge { op }), vec![], 2);
        let (kind, weights, n_inputs): (LayerKind, Vec<(String, Tensor)>, usize) = match call
            .func
            .as_str()
        {
            "dense" => {
                let (ni, no) = (n("n_in")?, n("n_out")?);
                let w = r.weights(arg(2)?, ni * no)?;
                let w = if resource {
                    untranspose(&w, &[ni, no], &[1, 0])
                } else {
                    w
                };
                let b = r.weights(arg(3)?, no)?;
                (
                    LayerKind::Dense(ir::ops::Dense {
                        units: no,
                        use_bias: true,
                    }),
                    vec![
                        ("kernel".into(), Tensor::new(vec![ni, no], w)),
                        ("bias".into(), Tensor::new(vec![no], b)),
                    ],
                    1,
                )
            }
            "conv_1d_cl" => {
                let (k, c, f) = (n("filt_width")?, n("n_chan")?, n("n_filt")?);
                let w = r.weights(arg(2)?, k * c * f)?;
                let w = if resource {
                    untranspose(&w, &[k, c, f], &[2, 0, 1])
                } else {
                    w
                };
                let b = r.weights(arg(3)?, f)?;
                (
                    LayerKind::Conv1D(ir::ops::Conv1D {
                        filters: f,
                        kernel: k,
                        stride: n("stride_width")?,
                        padding: padding(cfg, &["pad_left", "pad_right"]),
                        use_bias: true,
                    }),
                    vec![
                        ("kernel".into(), Tensor::new(vec![k, c, f], w)),
                        ("bias".into(), Tensor::new(vec![f], b)),
                    ],
                    1,
                )
            }
            "conv_2d_cl" => {
                let (kh, kw, c, f) = (
                    n("filt_height")?,
                    n("filt_width")?,
                    n("n_chan")?,
                    n("n_filt")?,
                );
                let w = r.weights(arg(2)?, kh * kw * c * f)?;
                let w = if resource {
                    untranspose(&w, &[kh, kw, c, f], &[3, 0, 1, 2])
                } else {
                    w
                };
                let b = r.weights(arg(3)?, f)?;
                (
                    LayerKind::Conv2D(ir::ops::Conv2D {
                        filters: f,
                        kernel: [kh, kw],
                        stride: [n("stride_height")?, n("stride_width")?],
                        padding: padding(cfg, &["pad_top", "pad_bottom", "pad_left", "pad_right"]),
                        use_bias: true,
                    }),
                    vec![
                        ("kernel".into(), Tensor::new(vec![kh, kw, c, f], w)),
                        ("bias".into(), Tensor::new(vec![f], b)),
                    ],
                    1,
                )
            }
            "pooling1d_cl" => (
                LayerKind::Pool1D(ir::ops::Pool1D {
                    op: pool_op(cfg),
                    pool: n("pool_width")?,
                    stride: n("stride_width")?,
                    padding: padding(cfg, &["pad_left", "pad_right"]),
                }),
                vec![],
                1,
            ),
            "pooling2d_cl" => (
                LayerKind::Pool2D(ir::ops::Pool2D {
                    op: pool_op(cfg),
                    pool: [n("pool_height")?, n("pool_width")?],
                    stride: [n("stride_height")?, n("stride_width")?],
                    padding: padding(cfg, &["pad_top", "pad_bottom", "pad_left", "pad_right"]),
                }),
                vec![],
                1,
            ),
            "global_pooling1d_cl" => (
                LayerKind::GlobalPool1D(ir::ops::GlobalPool1D { op: pool_op(cfg) }),
                vec![],
                1,
            ),
            "global_pooling2d_cl" => (
                LayerKind::GlobalPool2D(ir::ops::GlobalPool2D { op: pool_op(cfg) }),
                vec![],
                1,
            ),
            "normalize" => {
                let nin = n("n_in")?;
                let nf = cfg
                    .values
                    .get("n_filt")
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(nin);
                let nf = if nf == 0 || nf > nin { nin } else { nf };
                let s = r.weights(arg(2)?, nf)?;
                let b = r.weights(arg(3)?, nf)?;
                let eps = 1e-3;
                (
                    LayerKind::BatchNorm(ir::ops::BatchNorm {
                        epsilon: eps,
                        center: true,
                        scale: true,
                    }),
                    vec![
                        ("gamma".into(), Tensor::new(vec![nf], s)),
                        ("beta".into(), Tensor::new(vec![nf], b)),
                        ("moving_mean".into(), Tensor::new(vec![nf], vec![0.0; nf])),
                        (
                            "moving_variance".into(),
                            Tensor::new(vec![nf], vec![(1.0 - eps) as f32; nf]),
                        ),
                    ],
                    1,
                )
            }
            "add" => merge(ir::ops::MergeOp::Add),
            "subtract" => merge(ir::ops::MergeOp::Subtract),
            "multiply" => merge(ir::ops::MergeOp::Multiply),
            "average" => merge(ir::ops::MergeOp::Average),
            "maximum" => merge(ir::ops::MergeOp::Maximum),
            "minimum" => merge(ir::ops::MergeOp::Minimum),
            "concatenate1d" | "concatenate2d" | "concatenate3d" => {
                let axis = cfg
                    .values
                    .get("axis")
                    .and_then(|v| v.parse::<isize>().ok())
                    .unwrap_or(-1);
                (
                    LayerKind::Concatenate(ir::ops::Concatenate { axis }),
                    vec![],
                    2,
                )
            }
            f => match activation_of(f, call) {
                Some(a) => (LayerKind::Activation(a), vec![], 1),
                None => {
                    unsupported.push(format!("{} (nnet::{f}, line {})", call.name, call.line));
                    continue;
                }
            },
        };
        let out_var = arg(
            if matches!(kind, LayerKind::Activation(Activation::LeakyRelu { .. })) {
                2
            } else {
                n_inputs
            },
        )?
        .to_string();
        let srcs: Vec<String> = (0..n_inputs).map(input_of).collect::<Result<_, _>>()?;
        // A split-off activation folds back into its Dense/Conv layer.
        if let LayerKind::Activation(a) = &kind {
            let src = &srcs[0];
            if let Some(id) = net.find(src) {
                let l = net.layer_mut(id);
                if l.kind.takes_activation()
                    && l.activation.is_linear()
                    && call.name == format!("{}_{}", l.name, a.name())
                {
                    l.activation = *a;
                    producer.insert(out_var, src.clone());
                    continue;
                }
            }
        }
        let name = if call.name.is_empty() {
            out_var.trim_end_matches("_out").to_string()
        } else {
            call.name.clone()
        };
        let mut layer = Layer::new(name.clone(), kind);
        layer.weights = weights;
        let p = &mut layer.settings.precision;
        p.weight = typedef("weight_t");
        p.bias = typedef("bias_t");
        p.accum = typedef("accum_t");
        p.result = out_ty;
        if let Some(rf) = cfg
            .values
            .get("reuse_factor")
            .and_then(|v| v.parse::<u32>().ok())
        {
            layer.settings.reuse_factor = Some(rf);
        }
        if cfg.values.contains_key("strategy") {
            layer.settings.strategy = Some(if resource {
                Strategy::Resource
            } else {
                Strategy::Latency
            });
        }
        let src_refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
        net.add_layer(layer, &src_refs)
            .map_err(|e| FrontendError::ir(&cpp_file, e))?;
        producer.insert(out_var, name);
    }
    if !unsupported.is_empty() {
        return Err(FrontendError::config(
            &cpp_file,
            "layers",
            format!(
                "cannot read back these layers from the C++: {}",
                unsupported.join(", ")
            ),
        ));
    }
    net.default_outputs();
    net.infer_shapes()
        .map_err(|e| FrontendError::ir(&cpp_file, e))?;
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_call_line() {
        let c = parse_call(
            "nnet::dense<layer7_t, fc1_relu_result_t, config9>(layer8_out, layer9_out, w9, b9); // fc1_relu",
            3,
        )
        .unwrap();
        assert_eq!(c.func, "dense");
        assert_eq!(c.targs, ["layer7_t", "fc1_relu_result_t", "config9"]);
        assert_eq!(c.args, ["layer8_out", "layer9_out", "w9", "b9"]);
        assert_eq!(c.name, "fc1_relu");
    }

    #[test]
    fn untranspose_inverts_numpy_transpose() {
        // shape (2,3): [[0,1,2],[3,4,5]]; np.transpose -> [[0,3],[1,4],[2,5]] flattened.
        assert_eq!(
            untranspose(&[0.0, 3.0, 1.0, 4.0, 2.0, 5.0], &[2, 3], &[1, 0]),
            vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        );
        // (k=2, c=1, f=2) = [[[a,b]],[[c,d]]] -> transpose (2,0,1) = f,k,c: [[a,c],[b,d]].
        assert_eq!(
            untranspose(&[1.0, 3.0, 2.0, 4.0], &[2, 1, 2], &[2, 0, 1]),
            vec![1.0, 2.0, 3.0, 4.0]
        );
    }
}
