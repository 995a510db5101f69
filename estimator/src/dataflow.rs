//! Physical lower bound of an io_stream (DATAFLOW) network's latency, which every estimate
//! respects (the analytic one and a surrogate's): a layer cannot finish before its last input
//! has arrived and it has processed that input, nor before it has done all its own work.
//!
//! With `own[i]` a layer's own latency (all its calls, as if its inputs were there at once) and
//! `tail[i]` the cycles it needs after its last input arrives (one call's latency for a layer
//! that works pixel by pixel, its whole latency for a layer that first collects its input, like
//! a Dense reading a Flatten), `end[i] = max(own[i], max over producers end[p] + tail[i])`.
//! The bound is the largest end. For a chain of four io_stream Dense layers of 1, 2, 2 and 2
//! cycles (each reads its whole input before computing) it is 1 + 2 + 2 + 2 = 7, where the
//! slowest stage alone said 2 (issue 13); for a conv whose pixels stream in over 625 cycles it
//! is at least 625 plus what follows the last pixel.
//!
//! `network::schedule` (which the timing fit uses) is not changed: this bound is applied on top
//! of its result, so the calibration stays reproducible.

use ir::{Network, NodeId};

/// The io_stream lower bound on the first sample's latency. `order` is topological; `own` and
/// `tail` are per entry of `order`.
pub fn stream_lower_bound(net: &Network, order: &[NodeId], own: &[f64], tail: &[f64]) -> f64 {
    let slots = order.iter().map(|o| o.index() + 1).max().unwrap_or(0);
    let mut pos = vec![usize::MAX; slots];
    for (i, o) in order.iter().enumerate() {
        pos[o.index()] = i;
    }
    let mut end = vec![0.0f64; order.len()];
    for i in 0..order.len() {
        let arrived = net
            .inputs_of(order[i])
            .iter()
            .filter_map(|p| pos.get(p.index()).copied().filter(|&q| q < i))
            .map(|q| end[q])
            .fold(0.0, f64::max);
        end[i] = own[i].max(arrived + tail[i]);
    }
    end.into_iter().fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir::{Layer, LayerKind};

    #[test]
    fn dense_chain_adds_up() {
        // in → d1 → d2 → d3 → d4 with own latencies 1, 2, 2, 2 and tails equal to them (each
        // Dense reads its whole input first): 7, not the slowest stage's 2.
        let mut net = Network::new("chain");
        net.add_layer(
            Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![4] })),
            &[],
        )
        .unwrap();
        for (i, prev) in ["in", "d1", "d2", "d3"].iter().enumerate() {
            net.add_layer(
                Layer::new(
                    format!("d{}", i + 1),
                    LayerKind::Dense(ir::ops::Dense {
                        units: 4,
                        use_bias: true,
                    }),
                ),
                &[prev],
            )
            .unwrap();
        }
        let order = net.topo_order().unwrap();
        let own = [0.0, 1.0, 2.0, 2.0, 2.0];
        assert_eq!(stream_lower_bound(&net, &order, &own, &own), 7.0);
        // A conv of 625 pixels (own 625, 2 cycles per pixel after its input) followed by a
        // per-pixel activation (own 625, tail 1): 626, at least the pixels that must stream.
        let own = [0.0, 625.0, 625.0, 1.0, 1.0];
        let tail = [0.0, 2.0, 1.0, 1.0, 1.0];
        assert_eq!(stream_lower_bound(&net, &order, &own, &tail), 628.0);
    }
}
