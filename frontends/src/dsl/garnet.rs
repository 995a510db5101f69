//! DSL syntax of hls4ml's contrib GarNet kind (parsing and printing, used by the table in
//! `kinds`): `garnet(x, n, aggregators=4, filters=5, propagate=3)` over the vertices `x` and
//! the vertex count `n`, and `garnet_stack(x, n, aggregators="4,2", filters="4,5",
//! propagate="3,3")` (one comma-separated size per sublayer), with `collapse=mean|sum|max`
//! (absent: one output row per vertex), `mean_by_nvert=false` and `quantize_transforms=false`,
//! named as the Keras layer's config names them.

use super::kinds::{located, Args, Located};
use super::syntax::Value;
use ir::layer::{Activation, LayerKind};
use ir::ops::{GarNet, GarNetCollapse, GarNetTransform};

type Built = Result<(LayerKind, Activation), Located>;

/// The keywords both entries take.
pub const KEYWORDS: &[&str] = &[
    "aggregators",
    "filters",
    "propagate",
    "collapse",
    "mean_by_nvert",
    "quantize_transforms",
];

fn collapse(a: &Args) -> Result<Option<GarNetCollapse>, Located> {
    let Some(v) = a.get("collapse") else {
        return Ok(None);
    };
    match v.v {
        Value::Word("mean") => Ok(Some(GarNetCollapse::Mean)),
        Value::Word("sum") => Ok(Some(GarNetCollapse::Sum)),
        Value::Word("max") => Ok(Some(GarNetCollapse::Max)),
        ref other => located(
            v.tail,
            format!(
                "{}: collapse must be mean, sum or max; found {}",
                a.spec.name,
                other.describe()
            ),
        ),
    }
}

/// A stack's sizes: `"4,2"` (or one integer for a single sublayer).
fn sizes(a: &Args, param: &str) -> Result<Vec<usize>, Located> {
    let Some(v) = a.get(param) else {
        return located(
            a.tail,
            format!("{} needs its {param}, e.g. {}", a.spec.name, a.spec.example),
        );
    };
    let bad = || {
        located(
            v.tail,
            format!(
                "{}: {param} must be a quoted list of positive integers such as \"4,2\"; found {}",
                a.spec.name,
                v.v.describe()
            ),
        )
    };
    match &v.v {
        Value::Int(_) => Ok(vec![a.size_of(v, param)?]),
        Value::Str(s) => {
            let mut out = Vec::new();
            for part in s.split(',') {
                match part.trim().parse::<usize>() {
                    Ok(n) if (1..=super::kinds::MAX_SIZE).contains(&n) => out.push(n),
                    _ => return bad(),
                }
            }
            Ok(out)
        }
        _ => bad(),
    }
}

fn build(a: &Args, stack: bool) -> Built {
    let transforms = if stack {
        let (p, ag, f) = (
            sizes(a, "propagate")?,
            sizes(a, "aggregators")?,
            sizes(a, "filters")?,
        );
        if p.len() != ag.len() || p.len() != f.len() {
            return located(
                a.tail,
                format!(
                    "{}: propagate, aggregators and filters must list one size per sublayer each",
                    a.spec.name
                ),
            );
        }
        p.iter()
            .zip(&ag)
            .zip(&f)
            .map(
                |((&n_propagate, &n_aggregators), &n_filters)| GarNetTransform {
                    n_propagate,
                    n_aggregators,
                    n_filters,
                },
            )
            .collect()
    } else {
        vec![GarNetTransform {
            n_propagate: a.size("propagate", None)?,
            n_aggregators: a.size("aggregators", None)?,
            n_filters: a.size("filters", None)?,
        }]
    };
    Ok((
        LayerKind::GarNet(GarNet {
            stack,
            transforms,
            collapse: collapse(a)?,
            mean_by_nvert: a.boolean("mean_by_nvert", false)?,
            quantize_transforms: a.boolean("quantize_transforms", false)?,
        }),
        Activation::Linear,
    ))
}

pub fn build_garnet(a: &Args) -> Built {
    build(a, false)
}

pub fn build_garnet_stack(a: &Args) -> Built {
    build(a, true)
}

/// The arguments after the operands, and the DSL name.
pub fn print(args: &mut Vec<String>, g: &GarNet) -> &'static str {
    let list = |f: fn(&GarNetTransform) -> usize| -> String {
        if g.stack {
            let v: Vec<String> = g.transforms.iter().map(|t| f(t).to_string()).collect();
            format!("\"{}\"", v.join(","))
        } else {
            g.transforms.first().map_or(0, f).to_string()
        }
    };
    args.push(format!("aggregators={}", list(|t| t.n_aggregators)));
    args.push(format!("filters={}", list(|t| t.n_filters)));
    args.push(format!("propagate={}", list(|t| t.n_propagate)));
    if let Some(c) = g.collapse {
        args.push(format!("collapse={}", c.keras_name()));
    }
    if g.mean_by_nvert {
        args.push("mean_by_nvert=true".into());
    }
    if g.quantize_transforms {
        args.push("quantize_transforms=true".into());
    }
    if g.stack {
        "garnet_stack"
    } else {
        "garnet"
    }
}
