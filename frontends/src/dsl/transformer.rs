//! DSL syntax of the transformer kinds: `mha`, `layernorm`, `einsum_dense` and `embedding`
//! (building the IR kind from the arguments, and printing it back).
//!
//! - `x -> mha(heads=4, key_dim=16)` is self-attention on `x` (query = value = `x`);
//!   `q -> mha(v, heads=4, key_dim=16)` attends from `q` to `v`, `q -> mha(v, k, ...)` with a
//!   separate key (positional arguments are the operands' node names). Other keywords:
//!   `value_dim` (default key_dim), `kv_heads` (default heads:
//!   grouped-query attention when fewer), `bias=true`, `key_bias=true` (false: no key
//!   projection bias, as HGQ2's QMultiHeadAttention), `causal=false`, `output_dim`.
//! - `layernorm`: `epsilon=0.001`, `center=true`, `scale=true`, `axis=-1` (an integer, or a
//!   string of several such as `"1,2"`; Keras numbering, the batch axis is 0).
//! - `einsum_dense(equation, output_shape)`: both strings, e.g.
//!   `einsum_dense("abc,cd->abd", "_,24", bias="d")`; `_` in the output shape is Keras's
//!   `None` (the size comes from the input); `bias` names the bias axes (none when absent);
//!   a fused `activation` as for dense.
//! - `embedding(input_dim, output_dim)`.

use super::kinds::{fmt_float, located, Args, Located};
use super::print::quote as quoted;
use super::syntax::Value;
use ir::layer::{Activation, LayerKind};

type Built = Result<(LayerKind, Activation), Located>;

fn plain(kind: LayerKind) -> Built {
    Ok((kind, Activation::Linear))
}

/// A string argument (required when `required`).
fn text(a: &Args, param: &str, required: bool) -> Result<Option<String>, Located> {
    match a.get(param) {
        None if required => located(
            a.tail,
            format!("{} needs its {param}, e.g. {}", a.spec.name, a.spec.example),
        ),
        None => Ok(None),
        Some(v) => match &v.v {
            Value::Str(s) => Ok(Some(s.clone())),
            other => located(
                v.tail,
                format!(
                    "{}: {param} must be a \"string\"; found {}",
                    a.spec.name,
                    other.describe()
                ),
            ),
        },
    }
}

pub fn build_mha(a: &Args) -> Built {
    let heads = a.size("heads", None)?;
    let key_dim = a.size("key_dim", None)?;
    let output_dim = match a.get("output_dim") {
        None => None,
        Some(v) => Some(a.size_of(v, "output_dim")?),
    };
    plain(LayerKind::MultiHeadAttention(ir::ops::MultiHeadAttention {
        heads,
        kv_heads: a.size("kv_heads", Some(heads))?,
        key_dim,
        value_dim: a.size("value_dim", Some(key_dim))?,
        use_bias: a.boolean("bias", true)?,
        key_bias: a.boolean("key_bias", true)?,
        causal: a.boolean("causal", false)?,
        output_dim,
    }))
}

pub fn build_layernorm(a: &Args) -> Built {
    let epsilon = a.float(
        "epsilon",
        super::kinds::DEFAULT_EPSILON,
        |e| e > 0.0 && e.is_finite(),
        "a positive number",
    )?;
    let axes = match a.get("axis") {
        None => vec![-1],
        Some(v) => match &v.v {
            Value::Int(n) if n.unsigned_abs() <= 64 => vec![*n as isize],
            Value::Str(s) => {
                let parsed: Option<Vec<isize>> = s
                    .split(',')
                    .map(|p| p.trim().parse::<isize>().ok().filter(|n| n.unsigned_abs() <= 64))
                    .collect();
                match parsed {
                    Some(p) if !p.is_empty() => p,
                    _ => {
                        return located(
                            v.tail,
                            format!(
                                "layernorm: axis must be an integer or a string of integers such as \"1,2\"; found \"{s}\""
                            ),
                        )
                    }
                }
            }
            other => {
                return located(
                    v.tail,
                    format!(
                        "layernorm: axis must be an integer or a string of integers such as \"1,2\"; found {}",
                        other.describe()
                    ),
                )
            }
        },
    };
    plain(LayerKind::LayerNorm(ir::ops::LayerNorm {
        axes,
        epsilon,
        center: a.boolean("center", true)?,
        scale: a.boolean("scale", true)?,
    }))
}

pub fn build_einsum_dense(a: &Args) -> Built {
    let equation = text(a, "equation", true)?.unwrap_or_default();
    let shape_text = text(a, "output_shape", true)?.unwrap_or_default();
    let at = a.get("output_shape").map_or(a.tail, |v| v.tail);
    let output_shape = shape_text
        .split(',')
        .map(|p| match p.trim() {
            "_" => Ok(None),
            t => match t.parse::<usize>() {
                Ok(n) if (1..=super::kinds::MAX_SIZE).contains(&n) => Ok(Some(n)),
                _ => located(
                    at,
                    format!(
                        "einsum_dense: output_shape must list sizes or _ separated by commas, such as \"_,24\"; found \"{shape_text}\""
                    ),
                ),
            },
        })
        .collect::<Result<Vec<_>, _>>()?;
    let bias_axes = text(a, "bias", false)?;
    let kind = LayerKind::EinsumDense(ir::ops::EinsumDense {
        equation,
        output_shape,
        bias_axes,
    });
    Ok((kind, a.activation()?))
}

pub fn build_embedding(a: &Args) -> Built {
    plain(LayerKind::Embedding(ir::ops::Embedding {
        input_dim: a.size("input_dim", None)?,
        output_dim: a.size("output_dim", None)?,
    }))
}

/// The arguments of an attention layer; `operands` are the node names of its inputs (the
/// first is the chain's input, written before `->`).
pub fn print_mha(args: &mut Vec<String>, m: &ir::ops::MultiHeadAttention, operands: &[String]) {
    let self_attention = operands.len() == 2 && operands[0] == operands[1];
    if !self_attention {
        args.extend(operands.iter().skip(1).cloned());
    }
    args.push(format!("heads={}", m.heads));
    args.push(format!("key_dim={}", m.key_dim));
    if m.value_dim != m.key_dim {
        args.push(format!("value_dim={}", m.value_dim));
    }
    if m.kv_heads != m.heads {
        args.push(format!("kv_heads={}", m.kv_heads));
    }
    if !m.use_bias {
        args.push("bias=false".into());
    } else if !m.key_bias {
        args.push("key_bias=false".into());
    }
    if m.causal {
        args.push("causal=true".into());
    }
    if let Some(o) = m.output_dim {
        args.push(format!("output_dim={o}"));
    }
}

pub fn print_layernorm(args: &mut Vec<String>, l: &ir::ops::LayerNorm) {
    if l.epsilon != super::kinds::DEFAULT_EPSILON {
        args.push(format!("epsilon={}", fmt_float(l.epsilon)));
    }
    if !l.center {
        args.push("center=false".into());
    }
    if !l.scale {
        args.push("scale=false".into());
    }
    match l.axes.as_slice() {
        [-1] => {}
        [one] => args.push(format!("axis={one}")),
        many => {
            let list: Vec<String> = many.iter().map(|a| a.to_string()).collect();
            args.push(format!("axis={}", quoted(&list.join(","))));
        }
    }
}

/// The equation and output shape of an EinsumDense.
pub fn print_einsum_dense(args: &mut Vec<String>, e: &ir::ops::EinsumDense) {
    args.push(quoted(&e.equation));
    let shape: Vec<String> = e
        .output_shape
        .iter()
        .map(|d| d.map_or("_".to_string(), |n| n.to_string()))
        .collect();
    args.push(quoted(&shape.join(",")));
}

/// The `bias=` of an EinsumDense (after its activation).
pub fn print_einsum_bias(args: &mut Vec<String>, e: &ir::ops::EinsumDense) {
    if let Some(b) = &e.bias_axes {
        args.push(format!("bias={}", quoted(b)));
    }
}
