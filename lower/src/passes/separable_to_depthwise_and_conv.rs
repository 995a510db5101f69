//! `separable_to_depthwise_and_conv` (`model/optimizer/passes/seperable_to_dw_conv.py`, first
//! in hls4ml 1.3.0's `convert` flow): a SeparableConv1D/2D becomes a DepthwiseConv1D/2D
//! `<name>_depthwise` without bias (hls4ml then gives it a zero bias of type `ap_uint<1>`)
//! followed by a kernel-1 Conv1D/Conv2D `<name>_pointwise` to the filters with the layer's
//! bias, both made
//! by `make_node` (the next free indices, depthwise first) and put where the separable layer
//! was (`split_node`); whatever read the separable layer reads the pointwise conv, which
//! `optimize_pointwise_conv` later turns into a PointwiseConv1D/2D. Both nodes keep the layer's
//! settings (hls4ml copies its layer config to both names) and its output precision, except the
//! kernel types: a config's `depthwise`/`pointwise` type becomes the `weight` of its half
//! (named after the half, `<layer>_depthwise_weight_t`; `auto` marks the half's weight `auto`).

use super::Pass;
use crate::error::Result;
use crate::graph::{Graph, Node, Sweep};
use crate::op::Op;
use ir::Network;

pub struct SeparableToDepthwiseAndConv;

impl Pass for SeparableToDepthwiseAndConv {
    fn name(&self) -> &'static str {
        "separable_to_depthwise_and_conv"
    }

    fn run(&self, _net: &Network, g: &mut Graph) -> Result<bool> {
        let mut changed = false;
        g.sweep(|g, n| {
            let Op::SeparableConv { depthwise, n_filt } = &n.op else {
                return Sweep::Keep(n);
            };
            let (depthwise, n_filt) = ((**depthwise).clone(), *n_filt);
            let Some(Split {
                pointwise,
                dw_shape,
                dw_class,
                pw_class,
            }) = pointwise_of(&depthwise, n_filt)
            else {
                return Sweep::Keep(n);
            };
            let dw_index = g.next_index();
            let pw_index = g.next_index();
            let pw = Node {
                key: g.new_key(),
                index: pw_index,
                var_index: pw_index,
                name: format!("{}_pointwise", n.name),
                class: pw_class.to_string(),
                op: pointwise,
                inputs: vec![crate::graph::Port::of(n.key)],
                outputs: 1,
                shape: n.shape.clone(),
                precision: n.precision.clone(),
                settings: half_settings(&n.settings, "pointwise"),
                origin: n.origin,
                inplace: false,
                pending_activation: None,
            };
            let dw = Node {
                index: dw_index,
                var_index: dw_index,
                name: format!("{}_depthwise", n.name),
                class: dw_class.to_string(),
                shape: dw_shape,
                op: depthwise,
                settings: half_settings(&n.settings, "depthwise"),
                ..n
            };
            changed = true;
            Sweep::Then(dw, Box::new(pw))
        });
        Ok(changed)
    }
}

/// The settings of the half `own` ("depthwise" or "pointwise"): the layer's, with its config's
/// `own` kernel type as the weight type (hls4ml renames the key `weight` in the half's config)
/// and neither kernel key left.
fn half_settings(s: &ir::LayerSettings, own: &str) -> ir::LayerSettings {
    let mut s = s.clone();
    let named = &mut s.precision.named;
    let mine = named.remove(own);
    for var in ir::settings::SEPARABLE_PRECISION_VARS {
        named.remove(*var);
    }
    match mine {
        Some(Some(t)) => s.precision.weight = Some(t),
        Some(None) => s.auto.weight = true,
        None => {}
    }
    s
}

/// What the split makes of a separable layer's depthwise op.
struct Split {
    /// The kernel-1 convolution to the filters.
    pointwise: Op,
    /// The depthwise node's output shape.
    dw_shape: Vec<usize>,
    /// hls4ml's classes of the two nodes.
    dw_class: &'static str,
    pw_class: &'static str,
}

/// The split after a depthwise [`Op::Conv1D`] or [`Op::Conv2D`] to `n_filt` channels; `None`
/// for any other op.
fn pointwise_of(depthwise: &Op, n_filt: usize) -> Option<Split> {
    if let Op::Conv1D {
        out_width,
        n_filt: dw_channels,
        ..
    } = *depthwise
    {
        let pw = Op::Conv1D {
            in_width: out_width,
            n_chan: dw_channels,
            filt_width: 1,
            n_filt,
            stride: 1,
            pad_left: 0,
            pad_right: 0,
            out_width,
            n_partitions: out_width,
            pointwise: false,
            depthwise: false,
        };
        return Some(Split {
            pointwise: pw,
            dw_shape: vec![out_width, dw_channels],
            dw_class: "DepthwiseConv1D",
            pw_class: "Conv1D",
        });
    }
    let Op::Conv2D {
        out_height,
        out_width,
        n_filt: dw_channels,
        ..
    } = *depthwise
    else {
        return None;
    };
    let pw = Op::Conv2D {
        in_height: out_height,
        in_width: out_width,
        n_chan: dw_channels,
        filt_height: 1,
        filt_width: 1,
        n_filt,
        stride_height: 1,
        stride_width: 1,
        pad_top: 0,
        pad_bottom: 0,
        pad_left: 0,
        pad_right: 0,
        out_height,
        out_width,
        n_partitions: out_height * out_width,
        pointwise: false,
        depthwise: false,
    };
    Some(Split {
        pointwise: pw,
        dw_shape: vec![out_height, out_width, dw_channels],
        dw_class: "DepthwiseConv2D",
        pw_class: "Conv2D",
    })
}
