//! GarNet / GarNetStack: `nnet::garnet` / `nnet::garnet_stack` (`nnet_garnet.h`) with hls4ml
//! 1.3.0's config structs (`backends/vivado/passes/garnet_templates.py`): the common block
//! (vertices, collapse, the internal array types, the reuse factor), then for a GarNet its
//! transform sizes and weight types with static references to the weight arrays, for a
//! GarNetStack a `config<N>_base`, a `config<N>` with `sublayer_t<L>` and one specialisation
//! per sublayer, written last sublayer first. The weights and their types are made by
//! `crate::lower` (`lower/garnet.rs`); the internal types (`norm_t`, `edge_weight_t`,
//! `edge_weight_aggr_t`, `aggr_t`) are the layer's extra types, written as definitions.

use super::Ctx;
use crate::model::{Op, WeightVar};

pub const INCLUDES: &[&str] = &["nnet_utils/nnet_garnet.h"];

/// hls4ml's `distance_width` and its integer bits `min(4, distance_width - 6)`.
const DISTANCE_WIDTH: usize = 12;
const DISTANCE_NINT: usize = 4;

/// `int(np.log2(n))` of a positive integer.
pub fn log2_floor(n: usize) -> usize {
    n.max(1).ilog2() as usize
}

/// The weight arrays one sublayer reads, in hls4ml's order: the contracted input transform's
/// weights and biases, (a GarNet's one-element dummy output transform,) the aggregator
/// distance's weights and biases, the output transform's biases.
pub fn per_sublayer(stack: bool) -> usize {
    if stack {
        5
    } else {
        6
    }
}

fn common(c: &Ctx, n_vertices: usize, n_in: usize, collapse_mean: bool, mbn: bool) -> String {
    let t = |k: &str| {
        c.l.extra(k)
            .map(|t| t.cpp.clone())
            .unwrap_or_else(|| unreachable!("garnet layer '{}' has no {k}", c.l.name))
    };
    format!(
        "
    static const unsigned n_vertices = {n_vertices};
    static const unsigned n_vertices_width = {vw};
    static const unsigned n_in_features = {n_in};
    static const unsigned distance_width = {DISTANCE_WIDTH};
    static const unsigned output_collapse = {collapse};
    static const bool mean_by_nvert = {mbn};

    typedef {norm} norm_t;
    typedef ap_fixed<{DISTANCE_WIDTH}, {DISTANCE_NINT}, AP_TRN, AP_SAT> distance_t;
    typedef {ew} edge_weight_t;
    typedef {ewa} edge_weight_aggr_t;
    typedef {aggr} aggr_t;
    typedef {out} output_t;

    static const unsigned reuse_factor = {rf};
    static const unsigned log2_reuse_factor = {lrf};
",
        vw = log2_floor(n_vertices),
        collapse = if collapse_mean {
            "collapse_mean"
        } else {
            "no_collapse"
        },
        norm = t("norm_t"),
        ew = t("edge_weight_t"),
        ewa = t("edge_weight_aggr_t"),
        aggr = t("aggr_t"),
        out = c.output().type_name,
        rf = c.reuse(),
        lrf = log2_floor(c.reuse() as usize),
    )
}

/// The transform weights' typedefs, reference declarations and definitions of one config
/// (`scope`: `config3` or `config3::sublayer_t<1>`), for the weights `ws` under hls4ml's
/// attribute names `names`.
fn weight_refs(scope: &str, ws: &[WeightVar], names: &[&str]) -> (String, String, String) {
    let (mut typedefs, mut decls, mut defs) = (String::new(), String::new(), String::new());
    for (w, name) in ws.iter().zip(names) {
        let size = w.data.len();
        typedefs.push_str(&format!("    typedef {} {name}_t;\n", w.type_name));
        decls.push_str(&format!("    static const {name}_t (&{name})[{size}];\n"));
        defs.push_str(&format!(
            "const {scope}::{name}_t (&{scope}::{name})[{size}] = {};\n",
            w.name
        ));
    }
    (typedefs, decls, defs)
}

const GARNET_WEIGHTS: [&str; 6] = [
    "input_transform_weights",
    "input_transform_biases",
    "output_transform_weights",
    "aggregator_distance_weights",
    "aggregator_distance_biases",
    "output_transform_biases",
];

/// A GarNet's typedef and declaration order (the template's, not the weights').
const GARNET_ORDER: [usize; 6] = [0, 1, 3, 4, 2, 5];

const STACK_WEIGHTS: [&str; 5] = [
    "input_transform_weights",
    "input_transform_biases",
    "aggregator_distance_weights",
    "aggregator_distance_biases",
    "output_transform_biases",
];

pub fn config(c: &Ctx) -> String {
    let Op::GarNet {
        stack,
        n_vertices,
        ref n_in_features,
        ref transforms,
        collapse_mean,
        mean_by_nvert,
        ..
    } = c.l.op
    else {
        unreachable!("garnet::config on {:?}", c.l.op)
    };
    let idx = c.index();
    let n_in0 = n_in_features.first().copied().unwrap_or(0);
    let common = common(c, n_vertices, n_in0, collapse_mean, mean_by_nvert);
    if !stack {
        let t = transforms[0];
        let ws: Vec<WeightVar> = GARNET_ORDER.iter().map(|&k| c.weight(k).clone()).collect();
        let names: Vec<&str> = GARNET_ORDER.iter().map(|&k| GARNET_WEIGHTS[k]).collect();
        let (typedefs, decls, defs) = weight_refs(&format!("config{idx}"), &ws, &names);
        return format!(
            "struct config{idx} : nnet::garnet_config {{{common}
    static const unsigned n_propagate = {p};
    static const unsigned n_aggregators = {a};
    static const unsigned n_out_features = {n};

{typedefs}
{decls}
    typedef config{idx} base_t;
}};

{defs}",
            p = t.n_propagate,
            a = t.n_aggregators,
            n = t.n_filters,
        );
    }
    let n_sub = transforms.len();
    let per = per_sublayer(true);
    let subs: Vec<String> = (0..n_sub)
        .rev()
        .map(|il| {
            let t = transforms[il];
            let ws = &c.l.weights[il * per..(il + 1) * per];
            let scope = format!("config{idx}::sublayer_t<{il}>");
            let (typedefs, decls, defs) = weight_refs(&scope, ws, &STACK_WEIGHTS);
            let next = if il + 1 < n_sub { il + 1 } else { 0 };
            format!(
                "template<>
struct {scope} : config{idx}_base {{
    static const unsigned n_in_features = {f};
    static const unsigned n_propagate = {p};
    static const unsigned n_aggregators = {a};
    static const unsigned n_out_features = {n};

{typedefs}
{decls}
    typedef config{idx}::sublayer_t<{next}> next_layer_t;
}};

{defs}",
                f = n_in_features[il],
                p = t.n_propagate,
                a = t.n_aggregators,
                n = t.n_filters,
            )
        })
        .collect();
    format!(
        "struct config{idx}_base : nnet::garnet_config {{{common}
    static const bool is_stack = true;

    typedef config{idx}_base base_t;
}};

struct config{idx} : config{idx}_base {{
    static const unsigned n_sublayers = {n_sub};

    template<int L>
    struct sublayer_t : config{idx}_base {{}};
}};

{}
",
        subs.join("\n")
    )
}

pub fn call(c: &Ctx) -> String {
    let Op::GarNet { stack, .. } = c.l.op else {
        unreachable!("garnet::call on {:?}", c.l.op)
    };
    let (data, nvtx, out) = (c.input(0), c.input(1), c.output());
    format!(
        "nnet::{}<{}, {}, {}, config{}>({}, {}, {});",
        if stack { "garnet_stack" } else { "garnet" },
        data.type_name,
        nvtx.type_name,
        out.type_name,
        c.index(),
        data.name,
        nvtx.name,
        out.name
    )
}
