//! hls4ml's contrib `GarNet` / `GarNetStack` (tf.keras custom layers, `hls4ml/contrib/garnet.py`)
//! to the IR's `GarNet` kind. hls4ml 1.3.0's converter (`converters/keras/graph.py`) takes only
//! `simplified=True`, a linear `output_activation` and `input_format='xn'`; the others are
//! refused here with hls4ml's reason, naming the field.

use super::layers::{describe, Attrs};
use crate::error::FrontendError;
use ir::layer::LayerKind;
use ir::ops::{GarNet, GarNetCollapse, GarNetTransform};
use serde_json::Value;

/// Reads a GarNet (`stack == false`) or GarNetStack layer's config.
pub(super) fn garnet(a: &Attrs, stack: bool) -> Result<LayerKind, FrontendError> {
    if !a.bool_or("simplified", false)? {
        return Err(a.unsupported(
            "simplified",
            "false (hls4ml 1.3.0: 'HLS GarNet is compatible only with keras GarNet with simplified=True')",
        ));
    }
    match a.get("output_activation") {
        None => {}
        Some(Value::String(s)) if s == "linear" => {}
        Some(v) => {
            return Err(a.unsupported(
                "output_activation",
                format!(
                    "{} (hls4ml 1.3.0: 'HLS GarNet cannot have nonlinear output activation'; \
                     use None or 'linear')",
                    describe(v)
                ),
            ))
        }
    }
    match a.str_or("input_format", "xn")? {
        "xn" => {}
        other => {
            return Err(a.unsupported(
                "input_format",
                format!(
                    "'{other}' (hls4ml 1.3.0 implements only signed inputs with a vertex count, \
                     input_format='xn')"
                ),
            ))
        }
    }
    let collapse = match a.get("collapse") {
        None => None,
        Some(Value::String(s)) => Some(match s.as_str() {
            "mean" => GarNetCollapse::Mean,
            "sum" => GarNetCollapse::Sum,
            "max" => GarNetCollapse::Max,
            _ => {
                return Err(a.field_err(
                    "collapse",
                    "null, 'mean', 'sum' or 'max'",
                    &Value::String(s.clone()),
                ))
            }
        }),
        Some(v) => return Err(a.field_err("collapse", "null, 'mean', 'sum' or 'max'", v)),
    };
    let transforms = if stack {
        let lists = ["n_propagate", "n_aggregators", "n_filters"]
            .map(|key| list(a, key))
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        let n = lists[0].len();
        if lists.iter().any(|l| l.len() != n) {
            return Err(a.unsupported(
                "n_filters",
                "n_propagate, n_aggregators and n_filters must be lists of one length",
            ));
        }
        if let Some(v) = a.get("n_sublayers") {
            if a.positive("n_sublayers", v)? != n {
                return Err(a.field_err(
                    "n_sublayers",
                    &format!("the length of n_filters ({n})"),
                    v,
                ));
            }
        }
        (0..n)
            .map(|i| GarNetTransform {
                n_propagate: lists[0][i],
                n_aggregators: lists[1][i],
                n_filters: lists[2][i],
            })
            .collect()
    } else {
        vec![GarNetTransform {
            n_propagate: a.usize_req("n_propagate")?,
            n_aggregators: a.usize_req("n_aggregators")?,
            n_filters: a.usize_req("n_filters")?,
        }]
    };
    Ok(LayerKind::GarNet(GarNet {
        stack,
        transforms,
        collapse,
        mean_by_nvert: a.bool_or("mean_by_nvert", false)?,
        // GarNetStack's own default is None (plain Dense transforms)
        quantize_transforms: a.bool_or("quantize_transforms", false)?,
    }))
}

/// A GarNetStack size list (`[4, 2]`).
fn list(a: &Attrs, key: &str) -> Result<Vec<usize>, FrontendError> {
    let expected = "a non-empty list of positive integers";
    let v = a.get(key).ok_or_else(|| a.missing(key, expected))?;
    match v {
        Value::Array(l) if !l.is_empty() => l.iter().map(|x| a.positive(key, x)).collect(),
        _ => Err(a.field_err(key, expected, v)),
    }
}
