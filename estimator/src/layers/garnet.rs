//! GarNet / GarNetStack (hls4ml's contrib layers, `nnet_garnet.h`) on an FPGA, priced from the
//! template's structure with the layer's reuse factor RF (U = V / RF vertices unrolled in each of
//! the RF iterations of the pipelined vertex loops):
//!
//! - **aggregate** (per unrolled vertex and aggregator): the distance, F products of the data by
//!   `aggregator_distance_weights` into the 12-bit `distance_t`; the edge weight, one read of
//!   the `exp(-d²)` table (2^12 entries of the 10-bit `edge_weight_t`, hls4ml's
//!   `distance_width = 12`); F products of the data by the edge weight, summed into the means.
//! - **output base** (once): N·A·(F + 1) products of the means by the contracted input
//!   transform (`input_transform_weights`, N × A × F, and its biases) in `aggr_t`.
//! - **distribute** (no collapse: per unrolled vertex) N·A products of the edge weights by the
//!   output base; with `collapse='mean'` (`set_output`) N·A products of the mean edge weights
//!   once instead.
//! - A stack repeats aggregate and distribute per sublayer (`distribute_aggregate`).
//!
//! Latency: the aggregate and distribute loops take RF iterations each, one after the other
//! per sublayer; II = latency + 1 (hls4ml's loops are not pipelined across calls).
//!
//! No synthesis record contains a GarNet: its product, adder and table costs use the
//! coefficients fitted on other kinds, the table's BRAM (one ROM of 4096 × 10 bits, 3
//! BRAM_18K, per two parallel reads) and the stage counts are priors read from the template,
//! not fitted: every estimate says so in a warning.

use super::{Analysis, IiRule, LayerCtx, Products};
use crate::calibration::{Feature, Timing};
use ir::ops::GarNet;

pub const FORMULAS: &[&str] = &[
    "GarNet (nnet_garnet.h), per sublayer with U = V / RF: aggregate U*A*F distance products + U*A edge-weight table reads + U*A*F weighted-feature products; output base N*A*(F+1) products; distribute U*N*A (no collapse) or N*A (collapse mean) products",
    "GarNet exp table: 2^12 x 10 bits = 3 BRAM_18K per 2 parallel reads (prior); latency = sublayers x 2 x RF pipelined iterations; II = latency + 1",
];

/// hls4ml's `distance_width` (garnet_templates.py) and the edge weight's 10 bits.
const DISTANCE_BITS: u32 = 12;
const EDGE_WEIGHT_BITS: u32 = 10;
/// BRAM_18K of one copy of the 4096 × 10-bit exp table: ceil(40960 / 18432).
const TABLE_BRAM: f64 = 3.0;

/// The `aggr_t` width hls4ml's config template gives: max(log2 RF, log2 V - log2 RF) + 3
/// integer bits and 10 fractional bits.
pub fn aggr_bits(n_vertices: usize, reuse: u64) -> u32 {
    let log2 = |n: u64| 63 - n.max(1).leading_zeros();
    let lr = log2(reuse);
    let lv = log2(n_vertices as u64);
    lr.max(lv.saturating_sub(lr)) + 3 + 10
}

pub fn analyse(ctx: &LayerCtx, g: &GarNet) -> Analysis {
    let mut a = Analysis::free(FORMULAS);
    let (v, f) = match ctx.input() {
        [v, f] => (*v, *f),
        _ => (0, 0),
    };
    let rf = ctx.settings.reuse_factor.max(1);
    let u = (v as f64 / rf as f64).ceil().max(1.0);
    let aggr = aggr_bits(v, rf as u64);
    let in_bits = ctx.input_width;
    let weight_bits = ctx.settings.weight.width();
    let mut reads = 0.0;
    let mut adder_bits = 0.0;
    for (t, fi) in g.transforms.iter().zip(g.in_features(f)) {
        let (fi, p_a, n) = (fi as f64, t.n_aggregators as f64, t.n_filters as f64);
        let last = std::ptr::eq(t, g.transforms.last().unwrap_or(t));
        let per_vertex = if g.collapse.is_some() && last { 1.0 } else { u };
        let groups = [
            (u * p_a * fi, in_bits, DISTANCE_BITS),
            (u * p_a * fi, in_bits, EDGE_WEIGHT_BITS),
            (n * p_a * (fi + 1.0), aggr, weight_bits),
            (per_vertex * n * p_a, EDGE_WEIGHT_BITS, aggr),
        ];
        for (count, x, y) in groups {
            a.products.push(Products {
                count,
                a: x,
                b: y,
                dsp_cap: None,
                dsp_share: None,
            });
            a.multipliers += count;
        }
        reads += u * p_a;
        // the sums: distances, means, output base and outputs (one adder per product)
        adder_bits += u * p_a * fi * (DISTANCE_BITS + aggr) as f64
            + n * p_a * (fi + 1.0) * aggr as f64
            + per_vertex * n * p_a * ctx.settings.result.width() as f64;
    }
    a.fixed[Feature::TableReads] = reads;
    a.fixed[Feature::AdderBits] = adder_bits;
    a.extra_bram = (reads / 2.0).ceil() * TABLE_BRAM;
    let stages = 2.0 * g.transforms.len() as f64;
    a.timing_base = stages * rf as f64;
    a.timing[Timing::ElementwiseStage] = stages;
    a.ii = IiRule::LatencyPlusOne;
    a.inputs = vec![
        ("V", v as f64),
        ("F", f as f64),
        ("RF", rf as f64),
        ("U", u),
        ("sublayers", g.transforms.len() as f64),
        ("aggr_bits", aggr as f64),
    ];
    a.warnings.push(format!(
        "layer '{}' ({}): no synthesis data contains it; its product, adder and exp-table costs are priors read from nnet_garnet.h, with coefficients fitted on other kinds",
        ctx.layer.name,
        if g.stack { "GarNetStack" } else { "GarNet" }
    ));
    a
}

#[cfg(test)]
mod tests {
    use crate::calibration::Feature;
    use crate::layers::tests::estimate_one;
    use ir::ops::{GarNet, GarNetCollapse, GarNetTransform};
    use ir::{FixedType, HlsConfig, Layer, LayerKind, Network};

    fn net(stack: Vec<GarNetTransform>, collapse: Option<GarNetCollapse>) -> Network {
        let mut net = Network::new("t");
        net.config = HlsConfig {
            precision: FixedType::fixed(16, 6),
            ..HlsConfig::default()
        };
        for (name, shape) in [("x", vec![16, 3]), ("n", vec![1])] {
            let input = LayerKind::Input(ir::ops::Input { shape });
            net.add_layer(Layer::new(name, input), &[]).unwrap();
        }
        let g = LayerKind::GarNet(GarNet {
            stack: stack.len() > 1,
            transforms: stack,
            collapse,
            mean_by_nvert: false,
            quantize_transforms: false,
        });
        net.add_layer(Layer::new("g", g), &["x", "n"]).unwrap();
        net.infer_shapes().unwrap();
        net
    }

    const T453: GarNetTransform = GarNetTransform {
        n_propagate: 3,
        n_aggregators: 4,
        n_filters: 5,
    };

    #[test]
    fn aggregator_products_edge_weights_and_the_table() {
        // GarNet(n_aggregators=4, n_filters=5, n_propagate=3), collapse mean, 16 vertices of 3
        // features, RF 1 (U = 16 vertices unrolled), from nnet_garnet.h:
        //   distances 16·4·3 = 192, weighted features 192, output base 5·4·(3+1) = 80,
        //   set_output 5·4 = 20 products: 484 multipliers;
        //   16·4 = 64 edge-weight table reads, 32 pairs x 3 BRAM_18K = 96.
        // aggr_t = max(0, 4 - 0) + 3 integer bits + 10 = 17 (hls4ml wrote ap_fixed<17,7>).
        assert_eq!(super::aggr_bits(16, 1), 17);
        let e = estimate_one(&net(vec![T453], Some(GarNetCollapse::Mean)), "g");
        assert_eq!(e.multipliers, 484);
        assert_eq!(e.analysis.fixed[Feature::TableReads], 64.0);
        assert_eq!(e.analysis.extra_bram, 96.0);
        assert_eq!(e.analysis.timing_base, 2.0);
        assert!(e.analysis.warnings.iter().any(|w| w.contains("prior")));
    }

    #[test]
    fn no_collapse_distributes_per_vertex_and_a_stack_repeats_the_loops() {
        // no collapse: the output products are per vertex, 16·5·4 = 320 instead of 20
        let e = estimate_one(&net(vec![T453], None), "g");
        assert_eq!(e.multipliers, 484 - 20 + 320);
        // a stack of two (the second reads 5 features: 16·2·5 = 160 products each for the
        // distances and means, 4·2·6 = 48 output base, 4·2 = 8 set_output; the first
        // sublayer distributes per vertex: 320): 464 + 320 + 160 + 160 + 48 + 8 = 1160;
        // 4 pipelined loops of RF = 1 iteration
        let second = GarNetTransform {
            n_propagate: 3,
            n_aggregators: 2,
            n_filters: 4,
        };
        let e = estimate_one(&net(vec![T453, second], Some(GarNetCollapse::Mean)), "g");
        assert_eq!(e.multipliers, 1160);
        assert_eq!(e.analysis.fixed[Feature::TableReads], 64.0 + 32.0);
        assert_eq!(e.analysis.timing_base, 4.0);
    }
}
